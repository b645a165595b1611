"""The History page's numbers and charts, from the ``days`` rollup.

A week and a month show one bar per day; a year shows one bar per week
(52 bars read better on a phone than 365 slivers, and keep the page light on
a Pi Zero). Days without a row were not desk days (weekends, holidays): they
show as gaps and neither make nor break a streak.
"""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from dashboard import queries
from dashboard.charts import Bar, bar_chart
from device.core.compliance import percent

RANGES = {"week": 7, "month": 30, "year": 365}


def _hours(s: float | None) -> float:
    return (s or 0.0) / 3600


def fmt_hm(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    if seconds < 59.5:
        return f"{seconds:.0f} s"
    m = int(round(seconds / 60))
    return f"{m // 60} h {m % 60:02d} min" if m >= 60 else f"{m} min"


def _groups(first: date, last: date, by_week: bool) -> list[tuple[date, date]]:
    if not by_week:
        return [(first + timedelta(d), first + timedelta(d)) for d in range((last - first).days + 1)]
    out = []
    end = last
    while end >= first:
        start = max(first, end - timedelta(days=6))
        out.append((start, end))
        end = start - timedelta(days=1)
    return out[::-1]


def _agg(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Totals over some desk days (an empty list gives Nones, not zeros)."""
    n = len(rows)
    # compliance over a span: all its asks answered in time / all its asks (device/core/compliance.py),
    # never an average of daily percentages
    asks = sum(r["asks"] or 0 for r in rows if r["compliance"] is not None)
    answered = sum(r["answered_in_time"] or 0 for r in rows if r["compliance"] is not None)
    return {
        "days": n,
        "seated_avg_s": sum(r["seated_s"] or 0 for r in rows) / n if n else None,
        "longest_s": max((r["longest_bout_s"] or 0 for r in rows), default=None),
        "over_30": sum(r["bouts_over_30"] or 0 for r in rows) if n else None,
        "over_60": sum(r["bouts_over_60"] or 0 for r in rows) if n else None,
        "breaks": sum(r["breaks"] or 0 for r in rows) if n else None,
        "exercises": sum(r["exercises_done"] or 0 for r in rows) if n else None,
        "prompts": sum(r["prompts"] or 0 for r in rows) if n else None,
        "asks": asks, "answered_in_time": answered,
        "compliance": percent(answered, asks),
    }


def charts(rows: list[dict[str, Any]], first: date, last: date, budget_s: float) -> dict[str, Any]:
    by_day = {r["day"]: r for r in rows}
    by_week = (last - first).days + 1 > 31
    bars: dict[str, list[Bar]] = {k: [] for k in ("seated", "longest", "long_bouts", "breaks", "compliance")}
    for a, b in _groups(first, last, by_week):
        days = [by_day[d.isoformat()] for d in (a + timedelta(i) for i in range((b - a).days + 1))
                if d.isoformat() in by_day]
        g = _agg(days)
        lab = a.strftime("%d %b") if by_week else (a.strftime("%a") if (last - first).days < 7 else a.strftime("%d"))
        when = f"week of {a:%d %b}" if by_week else f"{a:%a %d %b}"
        if not days:
            for k in bars:
                bars[k].append(Bar(lab, [None], f"{when}: no desk time"))
            continue
        per = f" (average of {g['days']} desk days)" if by_week else ""
        bars["seated"].append(Bar(lab, [_hours(g["seated_avg_s"])], f"{when}: {fmt_hm(g['seated_avg_s'])} seated{per}"))
        bars["longest"].append(Bar(lab, [(g["longest_s"] or 0) / 60], f"{when}: longest bout {fmt_hm(g['longest_s'])}"))
        o30, o60 = g["over_30"] or 0, g["over_60"] or 0
        bars["long_bouts"].append(Bar(lab, [max(0, o30 - o60), o60],
                                      f"{when}: {o30} bouts over 30 min, {o60} of them over 60 min"))
        bars["breaks"].append(Bar(lab, [g["breaks"]], f"{when}: {g['breaks']} breaks"))
        c = g["compliance"]
        bars["compliance"].append(Bar(lab, [c],
                                      f"{when}: " + ("nothing asked" if c is None else
                                                     f"{c:.0f}% ({g['answered_in_time']} of {g['asks']} exercises "
                                                     f"asked for done in time)")))
    unit = "per week" if by_week else "per day"
    return {
        "by_week": by_week,
        "seated": bar_chart(bars["seated"], refs=[(budget_s / 3600, f"budget {fmt_hm(budget_s)}")],
                            yfmt=lambda v: f"{v:g} h", series=("s-seated",),
                            label=f"Seated hours {'per desk day, weekly average' if by_week else 'per day'}"),
        "longest": bar_chart(bars["longest"], refs=[(30, "30 min"), (60, "60 min")], yfmt=lambda v: f"{v:g} min", minutes=True,
                             series=("s-longest",), label=f"Longest bout {unit}, minutes"),
        "long_bouts": bar_chart(bars["long_bouts"], yfmt=lambda v: f"{v:g}", series=("s-over30", "s-over60"), integer=True,
                                label=f"Bouts over 30 and over 60 minutes {unit}"),
        "breaks": bar_chart(bars["breaks"], yfmt=lambda v: f"{v:g}", series=("s-breaks",), integer=True,
                            label=f"Breaks {unit}"),
        "compliance": bar_chart(bars["compliance"], ymax=100, yfmt=lambda v: f"{v:g}%", series=("s-compliance",),
                                label=f"Compliance {unit}: exercises asked for that were done in time, %"),
        "unit": unit,
    }


def compare_weeks(last: date) -> list[dict[str, Any]]:
    """This week (the 7 days to ``last``) beside the 7 before, metric by metric."""
    rows = queries.days_between((last - timedelta(days=13)).isoformat(), last.isoformat())
    cut = (last - timedelta(days=6)).isoformat()
    now, before = _agg([r for r in rows if r["day"] >= cut]), _agg([r for r in rows if r["day"] < cut])
    metrics = [
        ("Seated per desk day", "seated_avg_s", fmt_hm, True),
        ("Longest bout", "longest_s", fmt_hm, True),
        ("Bouts over 60 min", "over_60", str, True),
        ("Breaks", "breaks", str, False),
        ("Exercises done", "exercises", str, False),
        ("Compliance", "compliance", lambda c: f"{c:.0f}%", False),
    ]
    out = []
    for name, key, fmt, lower_is_better in metrics:
        a, b = now[key], before[key]
        trend = ""
        if a is not None and b is not None and a != b:
            better = (a < b) == lower_is_better
            trend = "better" if better else "worse"
        out.append({"name": name, "this": "–" if a is None else fmt(a), "before": "–" if b is None else fmt(b),
                    "trend": trend, "arrow": "" if a is None or b is None or a == b else ("▲" if a > b else "▼")})
    return out


def streaks(budget_s: float, last: date) -> dict[str, int]:
    """Current and best runs of desk days under the budget / with no bout over 60 minutes."""
    out = {"under_budget": 0, "under_budget_best": 0, "no_long_bout": 0, "no_long_bout_best": 0}
    cur_a = cur_b = 0
    stop = last.isoformat()
    for day, seated, over60 in queries.streak_rows():
        if day > stop:
            break
        cur_a = cur_a + 1 if (seated or 0) <= budget_s else 0
        cur_b = cur_b + 1 if not over60 else 0
        out["under_budget_best"] = max(out["under_budget_best"], cur_a)
        out["no_long_bout_best"] = max(out["no_long_bout_best"], cur_b)
    out["under_budget"], out["no_long_bout"] = cur_a, cur_b
    return out


def summary(rows: list[dict[str, Any]], budget_s: float) -> dict[str, Any]:
    g = _agg(rows)
    g["over_budget_days"] = sum(1 for r in rows if (r["seated_s"] or 0) > budget_s)
    return g
