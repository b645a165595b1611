"""The daemon's live status in the Today page's words: running, stale, stopped, away, paused.

``live`` brings a status (``dashboard/status.py``) forward to now and adds the
words and the buttons the page shows; its script only copies them, so the page
and its live updates cannot disagree.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from dashboard.dates import parse_ts

#: A status older than this means the daemon is not running, unless the status itself says how
#: long it may go unwritten (``stale_after_s``: the daemon spares the SD card on an idle desk).
STALE_S = 180.0
#: A ``stale_after_s`` is believed up to this (a garbled one must not keep a dead daemon "running").
MAX_STALE_S = 2 * 86400.0

STATE_LABELS = {"seated": "Seated", "away": "Away", "paused": "Paused", "stopped": "Daemon not running",
                "unknown": "Daemon not running"}
ALERT_TEXT = {"routine": "time for the seated routine", "reminder": "reminder: move your legs",
              "walk": "stand up and walk"}


def num(v: Any) -> float | None:
    """A number from the status or an event as a float; None for anything else (a bool, text, NaN)."""
    if isinstance(v, bool) or not isinstance(v, (int, float)) or v != v:
        return None
    return float(v)


def stale_after(status: dict[str, Any]) -> float:
    """How old this status may get before the daemon counts as gone."""
    v = num(status.get("stale_after_s"))
    return STALE_S if v is None or v <= 0 else min(max(v, 30.0), MAX_STALE_S)


def live(status: dict[str, Any] | None, now: datetime, break_s: float = 120.0) -> dict[str, Any]:
    """The daemon's status brought forward to ``now``; ``running`` is False when it is stale or stopped.

    ``label``, ``alert_text`` and ``detail`` are the words the Today page shows (its
    script only copies them), so the page and its live updates cannot disagree.
    """
    if not status:
        out = {"running": False, "state": "unknown", "age_s": None, "seated": False, "bout_s": 0.0,
               "level": 0, "alert": "none", "next_prompt_in_s": None, "paused_until_ts": None,
               "snoozed_until_ts": None, "updated_ts": None, "stopped": False, "stop_reason": None}
        return _words(out, now, break_s)
    updated = parse_ts(status.get("updated_ts"))
    age = (now - updated).total_seconds() if updated else None
    limit = stale_after(status)
    stopped = status.get("stopped") is True
    running = not stopped and age is not None and -STALE_S < age <= limit
    grow = max(0.0, age) if running and age is not None else 0.0
    seated = bool(status.get("seated")) and running
    bout = num(status.get("bout_s")) or 0.0
    nxt = num(status.get("next_prompt_in_s"))
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
    out = {
        "running": running, "state": state, "age_s": None if age is None else round(age, 1),
        "seated": seated,
        # away, the bout may still go on (back within break_s) but it is not growing on the page
        "bout_s": round(bout + grow, 1) if seated else (round(bout, 1) if running else 0.0),
        "level": level if isinstance(level, int) and not isinstance(level, bool) and 0 <= level <= 3 else 0,
        "alert": alert if alert in ALERT_TEXT and running else "none",
        # a prompt only ever goes to someone seated: away, there is no countdown to show
        "next_prompt_in_s": None if nxt is None or not seated else round(max(0.0, nxt - grow), 1),
        "paused_until_ts": status.get("paused_until_ts") if paused and running else None,
        "snoozed_until_ts": status.get("snoozed_until_ts") if running and snoozed_until and snoozed_until > now else None,
        "updated_ts": status.get("updated_ts") if updated else None,
        "stopped": stopped,
        "stop_reason": str(status["stop_reason"])[:80] if stopped and status.get("stop_reason") else None,
    }
    return _words(out, now, break_s)


def _hhmm(ts: str | None, now: datetime) -> str:
    """'09:55', or 'Mon 30 Nov 09:55' when that was not today."""
    t = parse_ts(ts)
    if t is None:
        return "?"
    local = t.astimezone(now.tzinfo) if now.tzinfo else t
    return f"{local:%H:%M}" if local.date() == now.date() else f"{local:%a %d %b %H:%M}"


def _words(d: dict[str, Any], now: datetime, break_s: float) -> dict[str, Any]:
    state = d["state"]
    d["label"] = STATE_LABELS.get(state, state)
    # "stand up and walk" to someone already up reads as a mistake: the alert shows while seated
    d["alert_text"] = ALERT_TEXT.get(d["alert"], "") if d["seated"] and state == "seated" else ""
    if state == "paused":
        detail = f"Paused until {_hhmm(d['paused_until_ts'], now)}."
    elif d["snoozed_until_ts"]:
        detail = f"Snoozed until {_hhmm(d['snoozed_until_ts'], now)}."
    elif state == "away" and d["bout_s"] > 0:
        detail = f"Up for a moment? {break_s / 60:g} min away from the chair makes a break."
    elif d["stopped"] and d.get("stop_reason"):  # a clean stop says why
        detail = f"Stopped at {_hhmm(d['updated_ts'], now)} ({d['stop_reason']})."
    elif not d["running"]:  # crashed, hung, or stopped by an older daemon: "last heard from" is true of each
        detail = (f"Last heard from at {_hhmm(d['updated_ts'], now)}: is the deskpulse service running?"
                  if d["updated_ts"] else "No live status yet: is the deskpulse service running?")
    else:
        detail = ""
    d["detail"] = detail
    d["actions"] = _actions(d)
    return d


def _actions(d: dict[str, Any]) -> list[str]:
    """The page's buttons that mean something now: Done only with a prompt standing, Snooze
    in a bout, Resume only while paused; none for a daemon that is not there to obey."""
    if not d["running"]:
        return []
    if d["state"] == "paused":
        return ["resume"]
    acts = ["done", "snooze"] if d["alert"] != "none" else (["snooze"] if d["seated"] else [])
    return acts + ["pause30", "pause60"]
