"""What the Today page shows, derived from one day's events and the daemon's live status.

Today's numbers come from the events themselves rather than the ``days``
rollup: the rollup lags the last flush, while the events plus the live
status give the seated time up to this second, and the timeline is drawn from
the same list, so the numbers and the picture always agree.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from dashboard.dates import parse_ts, utc_of

#: A status older than this means the daemon is not running (it writes at every flush, 60 s by default).
STALE_S = 120.0

HOW_SHORT = {"pir": "legs moved", "button": "button", "break": "break", "command": "app"}
HOW_LABELS = {"pir": "leg movement", "button": "button", "break": "a break", "command": "dashboard/app"}


def live(status: dict[str, Any] | None, now: datetime) -> dict[str, Any]:
    """The daemon's status brought forward to ``now``; ``running`` is False when it is stale."""
    if not status:
        return {"running": False, "state": "unknown", "age_s": None, "seated": False, "bout_s": 0.0,
                "level": 0, "alert": "none", "next_prompt_in_s": None, "paused_until_ts": None,
                "snoozed_until_ts": None, "updated_ts": None}
    updated = parse_ts(status.get("updated_ts"))
    age = (now - updated).total_seconds() if updated else None
    running = age is not None and -STALE_S < age <= STALE_S
    grow = max(0.0, age) if running and age is not None else 0.0
    seated = bool(status.get("seated"))
    bout = _num(status.get("bout_s")) or 0.0
    nxt = _num(status.get("next_prompt_in_s"))
    paused_until = parse_ts(status.get("paused_until_ts"))
    snoozed_until = parse_ts(status.get("snoozed_until_ts"))
    paused = paused_until is not None and paused_until > now
    if not running:
        state = "stopped"
    elif paused:
        state = "paused"
    else:
        state = "seated" if seated else "away"
    level = status.get("level")
    alert = status.get("alert")
    return {
        "running": running, "state": state, "age_s": None if age is None else round(age, 1),
        "seated": seated,
        "bout_s": round(bout + (grow if seated else 0.0), 1),
        "level": level if isinstance(level, int) and not isinstance(level, bool) and 0 <= level <= 3 else 0,
        "alert": alert if alert in ("none", "routine", "reminder", "walk") else "none",
        "next_prompt_in_s": None if nxt is None or not running else round(max(0.0, nxt - grow), 1),
        "paused_until_ts": status.get("paused_until_ts") if paused else None,
        "snoozed_until_ts": status.get("snoozed_until_ts") if snoozed_until and snoozed_until > now else None,
        "updated_ts": status.get("updated_ts") if updated else None,
    }


def _num(v: Any) -> float | None:
    if isinstance(v, bool) or not isinstance(v, (int, float)) or v != v:
        return None
    return float(v)


def summarize(events: list[dict[str, Any]], now_utc: float, live_state: dict[str, Any]) -> dict[str, Any]:
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
            start = open_sit if open_sit is not None else utc - (_num(ev.get("seated_s")) or 0.0)
            segments.append([start, utc])
            seated_s += _num(ev.get("seated_s")) or max(0.0, utc - start)
            open_sit = None
        elif typ == "break":
            n_breaks += 1
            longest = max(longest, _num(ev.get("bout_s")) or 0.0)
            left = utc_of(ev.get("bout_end_ts")) or utc
            open_break = [left, now_utc]
            breaks.append(open_break)
            bout_start = None
        elif typ == "prompt":
            ex = ev.get("exercise") if isinstance(ev.get("exercise"), dict) else {}
            prompts.append({"utc": utc, "ts": ev.get("ts"), "level": ev.get("level"), "kind": ev.get("kind"),
                            "exercise": ex.get("name") or ex.get("key") or "", "repeat": ev.get("repeat") or 0,
                            "outcome": "open", "how": None, "latency_s": None})
        elif typ == "exercise_done":
            how = ev.get("how") if ev.get("how") in HOW_LABELS else "command"
            done_by[how] = done_by.get(how, 0) + 1
            done.append({"utc": utc, "how": how})
            for p in prompts:
                if p["outcome"] in ("open", "snoozed"):
                    p["outcome"], p["how"], p["latency_s"] = "done", how, _num(ev.get("latency_s"))
        elif typ == "snooze":
            snoozes += 1
            for p in reversed(prompts):
                if p["outcome"] == "open":
                    p["outcome"] = "snoozed"
                    break
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
            p["outcome"] = "missed"
    return {
        "seated_s": round(seated_s, 1), "bouts": bouts, "breaks": n_breaks, "longest_bout_s": round(longest, 1),
        "prompts": len(prompts), "exercises_done": len(done), "done_by": done_by, "snoozes": snoozes,
        "current_bout_s": None if current_bout is None else round(current_bout, 1),
        "segments": segments, "break_spans": breaks, "prompt_list": prompts, "done_list": done,
    }
