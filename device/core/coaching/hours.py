"""The wall clock in coaching: working and quiet hours, and the wall times events carry (pure).

Coaching runs on the engine's seconds; ``wall_at(t)`` maps them to local wall
time, which is what a person means by a time of day. Outside
``working_hours`` nothing prompts; during ``quiet_hours`` prompts light the
LED but never beep. A window like 22:00-07:00 may wrap midnight.
"""
from __future__ import annotations

from datetime import datetime, time as dtime
from typing import Callable

from device.config import CoachingConfig, parse_window


def in_window(window: tuple[dtime, dtime] | None, wall: datetime) -> bool:
    """Whether ``wall`` falls in a daily window like 22:00-07:00 (which may wrap midnight)."""
    if window is None:
        return False
    a, b = window
    now = wall.time()
    return a <= now < b if a <= b else (now >= a or now < b)


class Hours:
    """``coaching.working_hours`` and ``quiet_hours`` at an engine time, and its wall timestamp."""

    def __init__(self, cfg: CoachingConfig, wall_at: Callable[[float], datetime]):
        self.wall_at = wall_at
        self._iso_s = getattr(wall_at, "iso_s", None)
        self._working = parse_window(cfg.working_hours)
        self._quiet = parse_window(cfg.quiet_hours)

    def off_hours(self, now: float) -> bool:
        """Outside working hours at ``now`` (never, with none set): nothing prompts."""
        return self._working is not None and not in_window(self._working, self.wall_at(now))

    def quiet(self, now: float) -> bool:
        """In quiet hours at ``now``: a prompt lights the LED but does not beep."""
        return in_window(self._quiet, self.wall_at(now))

    def ts(self, t: float) -> str:
        """The wall time of ``t`` as an event's timestamp (ISO 8601, to the second, with its offset)."""
        if self._iso_s is not None:   # a replay's WallMapper formats it without a datetime
            return self._iso_s(t)
        return self.wall_at(t).isoformat(timespec="seconds")
