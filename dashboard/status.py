"""The daemon's live status as the pages read it: the newer of its RAM copy and the ``status``
kv row, judged by the daemon's lock and brought forward to now (``status_json``).
"""
from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from flask import current_app

from dashboard.queries import kv, runtime_doc
from device.adapters.liveness import daemon_alive


def _newer(a: dict[str, Any] | None, b: dict[str, Any] | None) -> dict[str, Any] | None:
    def when(st):
        try:
            return datetime.fromisoformat(st["updated_ts"]).timestamp()
        except (KeyError, TypeError, ValueError):
            return float("-inf")
    if not isinstance(b, dict):
        return a
    if not isinstance(a, dict):
        return b
    return b if when(b) >= when(a) else a


def status_json() -> dict[str, Any] | None:
    """The daemon's live status: the newer of its RAM copy and the ``status`` kv row, or None.

    An idle daemon writes nothing for hours (the SD card), so the status's age
    alone cannot say whether it lives. The daemon's lock can (``device/adapters/liveness.py``);
    ``daemon_alive`` records what it said, and the status is read in its light:

    - nobody holds the lock: the daemon is gone (stopped, crashed, killed), whatever
      the age: ``stopped`` becomes true;
    - the daemon holds it: the status is current (the daemon writes every change of
      seated, level, alert, pause or snooze to RAM at once and to the history within
      ``history.flush_interval_s``), so it is brought forward to now (``updated_ts`` now,
      a running bout and its countdown advanced), unless it is older than the
      ``stale_after_s`` the daemon promised during a bout: then it is left as it is and
      reads as a hung daemon;
    - no lock file (no daemon of this version ever ran here): as written, judged by age.
    """
    st = None
    raw = kv("status")
    if raw:
        try:
            st = json.loads(raw)
        except ValueError:
            st = None
    doc = runtime_doc()
    st = _newer(st if isinstance(st, dict) else None, doc.get("status") if doc else None)
    if not isinstance(st, dict):
        return None
    st = dict(st)
    alive = daemon_alive(current_app.config["DB_PATH"])
    st["daemon_alive"] = alive
    if alive is False:
        st["stopped"] = True
    elif alive is True and not st.get("stopped"):
        _bring_forward(st, current_app.config["CLOCK"].wall())
    return st


def _bring_forward(st: dict[str, Any], now: datetime) -> None:
    try:
        updated = datetime.fromisoformat(st["updated_ts"])
        age = (now - updated).total_seconds()
    except (KeyError, TypeError, ValueError):
        return
    limit = st.get("stale_after_s")
    if age < 0 or (isinstance(limit, (int, float)) and not isinstance(limit, bool) and age > limit):
        return
    if st.get("seated") is True:
        for key, sign in (("bout_s", 1), ("next_prompt_in_s", -1)):
            v = st.get(key)
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                st[key] = max(0.0, v + sign * age)
    st["updated_ts"] = now.astimezone(updated.tzinfo).isoformat(timespec="seconds")
