"""Coaching: occupancy in, bouts, breaks and prompts out (pure logic).

- coach.py   ``Coach``, the state machine the engine drives (its rules are in its docstring)
- ladder.py  ``Ladder``, the prompt ladder's timing: what falls due when, the alert standing
- bout.py    ``BoutTracker``, the bout in progress and its figures
- hours.py   ``Hours`` and ``in_window``: working and quiet hours on the wall clock
- state.py   the coach's state across a restart (``export_state`` / ``restore``)
"""
from __future__ import annotations

from device.core.coaching.coach import Coach
from device.core.coaching.hours import in_window
from device.core.coaching.ladder import ALERTS, LEVEL_KIND, SIGN_POLL_S

__all__ = ["ALERTS", "Coach", "LEVEL_KIND", "SIGN_POLL_S", "in_window"]
