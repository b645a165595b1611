"""Server-rendered SVG: the day's timeline and the history bar charts.

No JavaScript library and no CDN: the Pi may be offline, and a Pi Zero
should not ship 200 KB of charting code to draw forty rectangles. Colours
come from classes styled in static/style.css (so dark mode and the CSP, which
forbids inline style attributes, both just work); every shape carries a
``<title>`` so a hover or long-press tells the number.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timezone, tzinfo
from typing import Callable, Sequence

from markupsafe import Markup, escape

W, H = 520, 200
ML, MR, MT, MB = 40, 8, 12, 26
_LABEL_EM_PX = 10.0  # the reference labels' average glyph width (17 px text on a phone)
_REF_H = 19.0        # a reference label's height, ascent to descent (17 px text)
_TICK_PX = 19.0      # the tick labels' size on a phone, where they are drawn largest
_LEGEND_ROW = 20.0   # a reference label that fits nowhere on its line goes in a row above the plot
#: Tick steps for a minute axis: the 30 and 60 minute references land on grid lines.
MINUTE_STEPS = (5, 10, 15, 30, 60, 120, 240, 480)


@dataclass(frozen=True)
class Bar:
    label: str                      # x-axis label (shown for some bars only)
    values: Sequence[float | None]  # one per stacked series; None = no data
    title: str                      # tooltip


def _f(x: float) -> str:
    return "%.1f" % x


def _text_w(text: str, px: float) -> float:
    """About how wide ``text`` is drawn in a sans-serif at ``px`` (DejaVu Sans's advances, rounded up)."""
    em = {"m": 1.0, "w": 0.85, "%": 0.96, " ": 0.33, "i": 0.3, "l": 0.3, ".": 0.33}
    return sum(em.get(c, 0.66) for c in text) * px


def _nice_step(v: float, ticks: int = 4) -> float:
    """A round tick step (1, 2, 2.5 or 5 times a power of ten) so ``ticks`` steps cover ``v``."""
    raw = max(v, 1e-9) / ticks
    mag = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 2.5, 5, 10):
        if raw <= m * mag:
            return m * mag
    return 10 * mag


def _place_refs(refs, spans, v_at, y, top_y, bottom_y, left, right, taken):
    """Where each reference label can stand without touching a bar or another label.

    ``spans``: (x0, x1, total) per bar. A label sits just above its line (free where no bar
    there reaches the line) or just below it (free where no bar reaches the label's foot),
    at the right end, the left end, or else the free stretch nearest the right.
    Returns [(x of the label's end, baseline y) or None] per ref; None = nowhere on its line.
    """
    out = []
    for v, text in refs:
        lw = len(text) * _LABEL_EM_PX + 4
        yl = y(v)
        rows = {}
        for above in (True, False):
            base = yl - 4 if above else yl + 4 + _REF_H * 0.78
            box_top, box_bottom = base - _REF_H * 0.78, base + _REF_H * 0.22
            if box_top >= top_y and box_bottom <= bottom_y:
                rows[above] = (box_top, box_bottom, v if above else v_at(box_bottom))
        ends = [right, left + lw]
        slide = [right - k * 4.0 for k in range(1, int(max(0.0, right - left - lw) / 4) + 1)]
        spots = [(rows[a], x1) for xs in (ends, slide) for a in (True, False) if a in rows for x1 in xs]
        found = None
        for (t, b, limit), x1 in spots:
            x0 = x1 - lw
            if any(a < x1 and x0 < c and tot > limit + 1e-9 for a, c, tot in spans):
                continue
            if any(x0 < bx1 and bx0 < x1 and t < bb and bt < b for bx0, bx1, bt, bb in taken):
                continue
            found = (x0, x1, t, b)
            break
        if found is None:
            out.append(None)
            continue
        taken.append(found)
        out.append((found[1] - 2, found[3] - _REF_H * 0.22))
    return out


def bar_chart(bars: Sequence[Bar], *, ymax: float | None = None, yfmt: Callable[[float], str] = "{:g}".format,
              refs: Sequence[tuple[float, str]] = (), series: Sequence[str] = ("s0",),
              label: str = "chart", max_labels: int = 8, integer: bool = False, minutes: bool = False) -> Markup:
    """Bars (stacked when a bar has several values) with optional dashed reference lines.

    ``minutes``: ticks every 5, 10, 15, 30, 60... minutes, so 30 and 60 min are grid lines.
    A reference that is a grid line with the same words (``yfmt``) is named by its tick,
    drawn in the reference colour; the others get a label on their line that no bar
    touches, or, when every stretch of the line is under a bar, a row above the plot.
    The left margin widens to fit the longest tick label at its phone size.
    """
    tallest = max((sum(v or 0 for v in b.values) for b in bars), default=0.0)
    if ymax is not None:
        top, tick = ymax, ymax / 4
    else:
        want = max([tallest, 1.0] + [r[0] * 1.1 for r in refs])
        tick = _nice_step(want)
        if minutes:
            tick = next((float(st) for st in MINUTE_STEPS if want / st <= 4), tick)
        if integer:
            tick = max(1.0, math.ceil(tick))
        top = tick * math.ceil(want / tick)
    ticks = [tick * i for i in range(int(round(top / tick)) + 1)]
    ylabels = [yfmt(v) for v in ticks]
    ml = max(ML, math.ceil(max(_text_w(t, _TICK_PX) for t in ylabels) + 8))
    pw = W - ml - MR
    n = max(1, len(bars))
    step = pw / n
    bw = max(1.0, step * (0.72 if n < 60 else 0.9))
    totals = [sum(v or 0 for v in b.values) for b in bars]
    named_by_tick = {i for i, (v, text) in enumerate(refs)
                     if any(abs(v - t) < 1e-9 and text == yl for t, yl in zip(ticks, ylabels))}
    free = [(i, r) for i, r in enumerate(refs) if i not in named_by_tick]
    for rows in range(len(free) + 1):  # make room above the plot for labels that fit nowhere on their line
        mt = MT + rows * _LEGEND_ROW
        ph = H - mt - MB
        y = lambda v, mt=mt, ph=ph: mt + ph - min(v, top) / top * ph  # noqa: E731
        v_at = lambda yy, mt=mt, ph=ph: (mt + ph - yy) / ph * top  # noqa: E731
        spans = [(ml + i * step + (step - bw) / 2, ml + i * step + (step + bw) / 2, t) for i, t in enumerate(totals)]
        spots = _place_refs([r for _, r in free], spans, v_at, y, mt, mt + ph, ml + 2, W - MR, [])
        if sum(s is None for s in spots) <= rows:
            break
    out = [f'<svg class="chart" viewBox="0 0 {W} {H}" role="img" aria-label="{escape(label)}" '
           f'xmlns="http://www.w3.org/2000/svg"><title>{escape(label)}</title>']
    ref_ticks = {t for i in named_by_tick for t in ticks if abs(refs[i][0] - t) < 1e-9}
    for v, text in zip(ticks, ylabels):
        cls = "ylab refy" if v in ref_ticks else "ylab"
        out.append(f'<line class="gl" x1="{ml}" x2="{W - MR}" y1="{_f(y(v))}" y2="{_f(y(v))}"/>'
                   f'<text class="{cls}" x="{ml - 5}" y="{_f(y(v) + 4)}">{escape(text)}</text>')
    # as many x labels as fit side by side at their phone size, at most max_labels
    lab_w = max((_text_w(b.label, _TICK_PX) for b in bars), default=1.0) + 6
    every = max(1, math.ceil(n / max_labels), math.ceil(n / max(1, int(pw // lab_w))))
    for i, b in enumerate(bars):
        x = ml + i * step + (step - bw) / 2
        base = 0.0
        parts = []
        for k, v in enumerate(b.values):
            if v is None or v <= 0:
                continue
            y0, y1 = y(base + v), y(base)
            parts.append(f'<rect class="{series[k % len(series)]}" x="{_f(x)}" y="{_f(y0)}" '
                         f'width="{_f(bw)}" height="{_f(max(0.5, y1 - y0))}"/>')
            base += v
        if all(v is None for v in b.values):
            parts.append(f'<rect class="nodata" x="{_f(x)}" y="{_f(mt + ph - 2)}" width="{_f(bw)}" height="2"/>')
        # a transparent full-height hit area makes small bars easy to hover or tap
        out.append(f'<g><title>{escape(b.title)}</title><rect class="hit" x="{_f(ml + i * step)}" y="{_f(mt)}" '
                   f'width="{_f(step)}" height="{_f(ph)}"/>{"".join(parts)}</g>')
        if i % every == 0:
            out.append(f'<text class="xlab" x="{_f(ml + i * step + step / 2)}" y="{H - 8}">{escape(b.label)}</text>')
    row = 0
    for (v, text), spot in zip((r for _, r in free), spots):
        out.append(f'<line class="ref" x1="{ml}" x2="{W - MR}" y1="{_f(y(v))}" y2="{_f(y(v))}"/>')
        if spot is None:  # a legend row above the plot: a dashed sample, then the words
            lw = len(text) * _LABEL_EM_PX + 4
            yy = MT + row * _LEGEND_ROW + 2
            x0 = W - MR - 2 - lw - 24
            out.append(f'<line class="ref" x1="{_f(x0)}" x2="{_f(x0 + 20)}" y1="{_f(yy - 5)}" y2="{_f(yy - 5)}"/>'
                       f'<text class="reflab start" x="{_f(x0 + 24)}" y="{_f(yy)}">{escape(text)}</text>')
            row += 1
        else:
            x, base_y = spot
            out.append(f'<text class="reflab" x="{_f(x)}" y="{_f(base_y)}">{escape(text)}</text>')
    for i in sorted(named_by_tick):
        v = refs[i][0]
        out.append(f'<line class="ref" x1="{ml}" x2="{W - MR}" y1="{_f(y(v))}" y2="{_f(y(v))}"/>')
    out.append(f'<line class="axis" x1="{ml}" x2="{W - MR}" y1="{_f(mt + ph)}" y2="{_f(mt + ph)}"/></svg>')
    return Markup("".join(out))


TH = 120
#: The strip spans these percentages of the width: the hour labels at its ends need room.
TL_PCT, TR_PCT = 4.0, 96.0


def _pct(v: float) -> str:
    return "%.2f%%" % v


def timeline(start_utc: float, end_utc: float, tz: tzinfo, summary: dict, now_utc: float | None,
             label: str = "Timeline of the day") -> Markup:
    """The day as one strip: seated spans, breaks, prompts above, exercises done below, hour ticks.

    One picture for every screen: it has no viewBox, so it is never scaled. Positions
    along the day are percentages of its width and everything else is in CSS pixels,
    so the hour labels and marks keep their size on a phone and on a wide screen
    alike. Every hour gets a tick; the labels thin out by CSS on narrow screens
    (class ``w`` = labelled when wide, ``c`` = when compact).
    """
    span = max(60.0, end_utc - start_utc)
    pw = TR_PCT - TL_PCT
    x = lambda u: TL_PCT + (min(max(u, start_utc), end_utc) - start_utc) / span * pw  # noqa: E731
    out = [f'<svg class="timeline" width="100%" height="{TH}" role="img" '
           f'aria-label="{escape(label)}" xmlns="http://www.w3.org/2000/svg"><title>{escape(label)}</title>',
           f'<rect class="tl-bg" x="{_pct(TL_PCT)}" y="34" width="{_pct(pw)}" height="30" rx="3"/>']
    hours = span / 3600
    wide_every = 1 if hours <= 12 else 2
    compact_every = 2 if hours <= 12 else 3 if hours <= 18 else 4
    first = datetime.fromtimestamp(start_utc, tz).replace(minute=0, second=0, microsecond=0)
    t = first.timestamp()
    while t <= end_utc:
        if t >= start_utc:
            h = datetime.fromtimestamp(t, tz).hour
            shown = ("w" if h % wide_every == 0 else "") + (" c" if h % compact_every == 0 else "")
            out.append(f'<line class="tick" x1="{_pct(x(t))}" x2="{_pct(x(t))}" y1="30" y2="68"/>')
            if shown:
                out.append(f'<text class="tlab {shown.strip()}" x="{_pct(x(t))}" y="112">'
                           f'{h:02d}<tspan class="mm">:00</tspan></text>')
        t += 3600
    clock = _clock(tz, start_utc, end_utc)
    for a, b in summary["break_spans"]:
        if b > a:
            out.append(f'<rect class="tl-break" x="{_pct(x(a))}" y="34" width="{_pct(max(0.2, x(b) - x(a)))}" '
                       f'height="30"><title>break {clock(a)}–{clock(b)}</title></rect>')
    for a, b in summary["segments"]:
        mins = (b - a) / 60
        out.append(f'<rect class="tl-sit" x="{_pct(x(a))}" y="34" width="{_pct(max(0.15, x(b) - x(a)))}" '
                   f'height="30"><title>seated {clock(a)}–{clock(b)} ({mins:.0f} min)</title></rect>')
    for p in summary["prompt_list"]:
        level = p.get("level") if p.get("level") in (1, 2, 3) else 1
        # a nested <svg> puts the triangle at a percentage; its path is in pixels around that point
        out.append(f'<svg x="{_pct(x(p["utc"]))}" y="12" overflow="visible"><path class="tl-prompt l{level}" '
                   f'd="M-6 0 h12 l-6 12 z"><title>{clock(p["utc"])} prompt: {escape(p.get("kind") or "")} '
                   f'{escape(p.get("exercise") or "")} ({escape(p["outcome"])})</title></path></svg>')
    for d in summary["done_list"]:
        out.append(f'<circle class="tl-done {escape(d["how"])}" cx="{_pct(x(d["utc"]))}" cy="80" r="6">'
                   f'<title>{clock(d["utc"])} exercise done ({escape(d["how"])})</title></circle>')
    if now_utc is not None and start_utc <= now_utc <= end_utc:
        out.append(f'<line class="tl-now" x1="{_pct(x(now_utc))}" x2="{_pct(x(now_utc))}" y1="26" y2="92"/>')
    out.append("</svg>")
    return Markup("".join(out))


def _clock(tz: tzinfo, a: float, b: float):
    """u -> 'HH:MM' local. One UTC offset when the window has one (nearly every day), which
    saves a datetime per shape; a DST day pays for the exact conversion."""
    off_a = datetime.fromtimestamp(a, tz).utcoffset()
    if off_a == datetime.fromtimestamp(b, tz).utcoffset() and off_a is not None:
        off = off_a.total_seconds()

        def fast(u: float) -> str:
            m = int((u + off) // 60) % 1440
            return f"{m // 60:02d}:{m % 60:02d}"
        return fast
    return lambda u: datetime.fromtimestamp(u, tz).strftime("%H:%M")


def timeline_window(day_start_utc: float, summary: dict, now_utc: float) -> tuple[float, float]:
    """The part of the 24 h worth drawing: from an hour before the first event to an hour after
    the last (or now), at least 8 hours, whole hours, inside the day."""
    day_end = day_start_utc + 86400
    times = [a for a, _ in summary["segments"]] + [b for _, b in summary["segments"]]
    times += [p["utc"] for p in summary["prompt_list"]] + [a for a, _ in summary["break_spans"]]
    if day_start_utc <= now_utc <= day_end:
        times.append(now_utc)
    if not times:
        return day_start_utc + 7 * 3600, day_start_utc + 19 * 3600
    lo = max(day_start_utc, math.floor((min(times) - 3600 - day_start_utc) / 3600) * 3600 + day_start_utc)
    hi = min(day_end, math.ceil((max(times) + 3600 - day_start_utc) / 3600) * 3600 + day_start_utc)
    while hi - lo < 8 * 3600:
        if hi < day_end:
            hi = min(day_end, hi + 3600)
        if hi - lo < 8 * 3600 and lo > day_start_utc:
            lo = max(day_start_utc, lo - 3600)
    return lo, hi


def utc_to_local(u: float, tz: tzinfo) -> datetime:
    return datetime.fromtimestamp(u, timezone.utc).astimezone(tz)
