"""What the Today page shows of a day, derived from its events and the daemon's live status.

Today's numbers come from the events themselves rather than the ``days``
rollup: the rollup lags the last flush, while the events plus the live
status give the seated time up to this second, and the timeline is drawn from
the same list, so the numbers and the picture always agree. The live status in
words is ``dashboard/live.py``.
"""
from __future__ import annotations

from typing import Any

from dashboard.dates import utc_of
from dashboard.live import num
from device.core.compliance import DEFAULT_WINDOW_S, Asks, percent

HOW_SHORT = {"pir": "legs moved", "button": "button", "break": "break", "stood": "stood up", "command": "app"}
HOW_LABELS = {"pir": "leg movement", "button": "button", "break": "a break", "stood": "standing up",
              "command": "dashboard/app"}


def _mins(seconds: float) -> str:
    return f"{seconds:.0f} s" if seconds < 59.5 else f"{seconds / 60:.0f} min"


def outcome_text(p: dict[str, Any]) -> str:
    """A prompt row's outcome in words: 'done (legs moved, 2 min)', 'ignored, break after 32 min'."""
    o, how = p["outcome"], HOW_SHORT.get(p.get("how") or "", p.get("how") or "")
    after = f"{how} after {_mins(p['latency_s'])}" if p.get("latency_s") is not None else how
    if o == "done":
        return f"done ({how}, {_mins(p['latency_s'])})" if p.get("latency_s") is not None else f"done ({how})"
    if o == "late":
        # a break ends the ladder, but the routine was not done when asked (a break soon after the
        # seated routine's prompt is no routine either, but it was not ignored)
        if p.get("how") == "break":
            return f"not done, {after}" if p.get("in_window") else f"ignored, {after}"
        return f"late: {after}"
    if o == "unseen":
        return "not seen (you had left)"
    return {"open": "open", "snoozed": "snoozed", "ignored": "ignored", "paused": "paused"}.get(o, o)


def done_by_text(summary: dict[str, Any]) -> str:
    """'Detected by leg movement ×2, a break ×1. Snoozed 1×.' (the page and its live updates).

    Only exercises done in time are counted, as in "Exercises done"; a late one shows in the prompt list.
    """
    parts = [f"{HOW_LABELS.get(how, how)} ×{n}" for how, n in sorted(summary["done_by"].items())]
    text = f"Detected by {', '.join(parts)}." if parts else "No exercise done in time yet."
    return text + (f" Snoozed {summary['snoozes']}×." if summary.get("snoozes") else "")


def _pct(v: float | None) -> float | None:
    return None if v is None else round(v, 1)


def compliance_shown(summary: dict[str, Any]) -> str:
    """The compliance figure as the page shows it ('63%', '–'), written here only: the page and
    its live updates (today.js) once rounded 12.5 differently ('12%', then '13%')."""
    c = summary.get("compliance")
    return "–" if c is None else f"{c:.0f}%"


def compliance_text(summary: dict[str, Any]) -> str:
    """'2 of 3 asked in time' under the compliance figure (the page and its live updates)."""
    if not summary.get("asks"):
        return "No exercise asked for yet."
    return f"{summary['answered_in_time']} of {summary['asks']} done in time (within the prompt's window)."


def summarize(events: list[dict[str, Any]], now_utc: float, live_state: dict[str, Any],
              window_s: float = DEFAULT_WINDOW_S) -> dict[str, Any]:
    """Totals, the timeline's pieces and the prompt list for one day's events (oldest first).

    A sit still open at the end extends to ``now_utc`` while the daemon runs,
    else to its last status (we do not know when the person left).
    """
    seated_s = 0.0
    segments: list[list[float]] = []  # [start_utc, end_utc]
    breaks: list[list[float]] = []    # [left_utc, back_utc]
    prompts: list[dict[str, Any]] = []
    done: list[dict[str, Any]] = []
    done_by: dict[str, int] = {}
    snoozes = 0
    asks = Asks(window_s)
    n_asks = n_answered = 0
    n_breaks = 0
    longest = 0.0
    bouts = 0
    bout_start: float | None = None
    open_sit: float | None = None
    open_break: list[float] | None = None
    for ev in events:
        typ, utc = ev.get("type"), ev.get("utc")
        if not isinstance(utc, (int, float)):
            continue
        if typ == "prompt" and ev.get("test"):
            continue   # a test prompt is not a prompt: not listed, not counted
        what, ask = asks.feed(typ, utc, ev, [])   # (an ask's tag: the list of its prompt rows)
        if what == "ask":
            n_asks += 1
        elif what == "answered":
            n_answered += 1
        elif what == "withdrawn":
            n_asks -= 1
        if typ == "sit_start":
            if open_sit is None:
                open_sit = utc
            if open_break is not None:
                open_break[1] = utc
                open_break = None
            if ev.get("new_bout") or bout_start is None:
                bout_start = utc
                bouts += 1
        elif typ == "sit_end":
            start = open_sit if open_sit is not None else utc - (num(ev.get("seated_s")) or 0.0)
            segments.append([start, utc])
            seated_s += num(ev.get("seated_s")) or max(0.0, utc - start)
            open_sit = None
        elif typ == "break":
            n_breaks += 1
            longest = max(longest, num(ev.get("bout_s")) or 0.0)
            left = utc_of(ev.get("bout_end_ts")) or utc
            open_break = [left, now_utc]
            breaks.append(open_break)
            bout_start = None
        elif typ == "prompt":
            ex = ev.get("exercise") if isinstance(ev.get("exercise"), dict) else {}
            row = {"utc": utc, "ts": ev.get("ts"), "level": ev.get("level"), "kind": ev.get("kind"),
                   "exercise": ex.get("name") or ex.get("key") or "", "repeat": ev.get("repeat") or 0,
                   "outcome": "open", "how": None, "latency_s": None}
            if what == "ask":   # the asks before it that stand unanswered were ignored
                for p in prompts:
                    if p["outcome"] == "open":
                        p["outcome"] = "ignored"
            prompts.append(row)
            if ask is not None:
                ask.tag.append(row)
        elif typ == "exercise_done":
            how = ev.get("how") if ev.get("how") in HOW_LABELS else "command"
            if what == "answered":   # done means done in time, as in the rollup: a late one is in done_list only
                done_by[how] = done_by.get(how, 0) + 1
            done.append({"utc": utc, "how": how, "in_time": what == "answered"})
        elif typ == "snooze":
            snoozes += 1
        # each row of the ask this event decided (the prompt and its reminder) says so, timed from its own
        # prompt; rows of earlier asks still unanswered read "ignored, <what ended it> after N min"
        if what in ("answered", "late", "withdrawn", "snoozed", "paused"):
            mine = ask.tag
            for p in mine:
                p["outcome"] = {"answered": "done", "withdrawn": "unseen"}.get(what, what)
            if what in ("answered", "late"):
                # a break ends the whole ladder: earlier asks left unanswered read "ignored, break after N min"
                earlier = [p for p in prompts if p["outcome"] in ("open", "ignored")] if ask.how == "break" else []
                for p in mine + earlier:
                    if p not in mine:
                        p["outcome"] = "late"
                    p["how"] = ask.how
                    p["latency_s"] = round(max(0.0, (ask.done_utc or utc) - p["utc"]), 1)
                    p["in_window"] = p["latency_s"] <= window_s
        if typ == "break":
            # the break event says when the person left: the rows of an ask it ended are timed from then
            left = utc_of(ev.get("bout_end_ts"))
            for p in prompts:
                if p["how"] == "break" and left is not None and p["latency_s"] is not None \
                        and p["utc"] + p["latency_s"] > left >= p["utc"]:
                    p["latency_s"] = round(left - p["utc"], 1)
    if open_sit is not None:
        end = now_utc if live_state.get("running") else max(open_sit, utc_of(live_state.get("updated_ts")) or open_sit)
        end = max(open_sit, min(end, now_utc))
        segments.append([open_sit, end])
        seated_s += end - open_sit
    current_bout = None
    if bout_start is not None:
        current_bout = live_state["bout_s"] if live_state.get("running") else max(0.0, (segments[-1][1] if segments else now_utc) - bout_start)
        longest = max(longest, current_bout)
    for p in prompts:
        if p["outcome"] == "open" and p["utc"] < (breaks[-1][0] if breaks else 0):
            p["outcome"] = "ignored"
        p["text"] = outcome_text(p)
    return {
        "seated_s": round(seated_s, 1), "bouts": bouts, "breaks": n_breaks, "longest_bout_s": round(longest, 1),
        "prompts": len(prompts), "exercises_done": sum(d["in_time"] for d in done), "done_by": done_by,
        "snoozes": snoozes,
        "asks": n_asks, "answered_in_time": n_answered, "compliance": _pct(percent(n_answered, n_asks)),
        "current_bout_s": None if current_bout is None else round(current_bout, 1),
        "segments": segments, "break_spans": breaks, "prompt_list": prompts, "done_list": done,
    }
