"""The retained ``state`` payload: the daemon's status dict as Home Assistant reads it (pure).

Published on ``<prefix>/<device_id>/state`` (``topics.Topics.state``), retained, one JSON
object per change; the discovery configs (``discovery.py``) point their sensors at its fields.
"""
from __future__ import annotations

import json
import math
from typing import Any


def _num(v: Any, digits: int = 0) -> float | int | None:
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
        return None
    return round(v, digits) if digits else int(round(v))


def build_state(status: dict[str, Any], ts: str | None = None) -> dict[str, Any]:
    """The retained ``state`` JSON from the daemon's status dict.

    ``status`` is ``Engine.status(now)`` plus today's totals, either under a
    ``today`` dict (``seated_s, breaks, prompts, exercises_done, compliance``)
    or as top-level ``today_*`` keys. Missing values become null rather than
    an error: a half-known state is better than a stale one in Home Assistant.
    ``compliance`` is a percentage (0-100, as in the ``days`` table: asks
    answered in time / asks, device/core/compliance.py), published to one decimal.
    """
    today = dict(status.get("today") or {})
    for k in ("seated_s", "breaks", "prompts", "exercises_done", "compliance", "bouts", "snoozes"):
        if f"today_{k}" in status and k not in today:
            today[k] = status[f"today_{k}"]
    seated = bool(status.get("seated", False))
    bout_s = _num(status.get("bout_s")) or 0
    seated_s = _num(today.get("seated_s"))
    comp = _num(today.get("compliance"), 1)
    out = {
        "state": "seated" if seated else "away",
        "seated": seated,
        "bout_s": bout_s,
        "bout_min": round(bout_s / 60, 1),
        "today_seated_s": seated_s or 0,
        "today_seated_min": round((seated_s or 0) / 60, 1),
        "breaks": _num(today.get("breaks")) or 0,
        "prompts": _num(today.get("prompts")) or 0,
        "exercises_done": _num(today.get("exercises_done")) or 0,
        "compliance": comp,
        "level": _num(status.get("level")) or 0,
        "alert": status.get("alert") or "none",
        "paused_until": status.get("paused_until_ts"),
        "snoozed_until": status.get("snoozed_until_ts"),
        "paused": bool(status.get("paused_until_ts")),
        "next_prompt_in_s": _num(status.get("next_prompt_in_s")),
    }
    if ts:
        out["ts"] = ts
    return out


def state_json(status: dict[str, Any], ts: str | None = None) -> str:
    return json.dumps(build_state(status, ts), separators=(",", ":"))

