"""Hand-built event streams for the history tests.

``Desk`` emits what the engine would for a scripted person, through the real
``EventFactory`` on a ``FakeClock``. The clock runs in UTC and ``wall_at`` is
converted to the desk's zone, so DST days map engine seconds to the right
instants (zoneinfo arithmetic on an aware datetime is wall-clock arithmetic).
"""
from __future__ import annotations

from datetime import datetime, timezone

from device.adapters.clock import FakeClock
from device.core.events import EventFactory, IdFactory

BREAK_S = 120.0


class Desk:
    def __init__(self, start: datetime, node: int = 7):
        self.tz = start.tzinfo
        self.clock = FakeClock(start.astimezone(timezone.utc))
        self.f = EventFactory(lambda t: self.clock.wall_at(t).astimezone(self.tz), IdFactory(node))
        self.events = []
        self.bout = None  # dict of the open bout's figures
        self.sit_t = None
        self.last_end = None
        self.bouts = []  # closed + open bouts: {start_t, end_t, seated, prompts, done, level, events}

    def wall(self, t: float) -> datetime:
        return self.f.wall_at(t)

    def _emit(self, type_, t, **data):
        e = self.f.make(type_, t, **data)
        self.events.append(e)
        if self.bout is not None:
            self.bout["events"].append(e)
        return e

    def sit_start(self, t: float, sensor: str = "seat"):
        if self.bout is not None and self.last_end is not None and t - self.last_end >= BREAK_S:
            self.take_break(self.last_end + BREAK_S)
        new = self.bout is None
        if new:
            self.bout = {"start_t": t, "end_t": t, "seated": 0.0, "prompts": 0, "done": 0, "level": 0,
                         "events": []}
            self.bouts.append(self.bout)
        self.sit_t = t
        return self._emit("sit_start", t, sensor=sensor, new_bout=new)

    def sit_end(self, t: float):
        s = t - self.sit_t
        self.bout["seated"] += s
        self.bout["end_t"] = t
        self.sit_t = None
        self.last_end = t
        return self._emit("sit_end", t, seated_s=s)

    def sit(self, a: float, b: float):
        self.sit_start(a)
        self.sit_end(b)

    def prompt(self, t: float, level: int = 1, test: bool = False, repeat: int = 1):
        kind = {1: "seated", 2: "reminder", 3: "walk"}[level]
        extra = {"test": True} if test else {}
        if not test:   # (the engine's test_prompt is no part of the bout's figures)
            self.bout["prompts"] += 1
            self.bout["level"] = max(self.bout["level"], level)
        return self._emit("prompt", t, level=level, kind=kind,
                          exercise={"key": "ankle_pumps", "name": "Ankle pumps", "instructions": "..."},
                          bout_s=t - self.bout["start_t"], beep=level > 1, repeat=repeat, **extra)

    def done(self, t: float, how: str = "pir", **extra):
        if self.bout is not None:
            self.bout["done"] += 1
        return self._emit("exercise_done", t, how=how, level=1, exercise="ankle_pumps", latency_s=10.0, **extra)

    def snooze(self, t: float):
        return self._emit("snooze", t, minutes=15, until_ts=self.wall(t + 900).isoformat(), in_row=1)

    def take_break(self, t: float):
        b = self.bout
        e = self._emit("break", t, bout_start_ts=self.wall(b["start_t"]).isoformat(timespec="milliseconds"),
                       bout_end_ts=self.wall(b["end_t"]).isoformat(timespec="milliseconds"),
                       bout_s=b["end_t"] - b["start_t"], seated_s=b["seated"], prompts=b["prompts"],
                       exercises_done=b["done"], max_level=b["level"])
        self.bout = None
        return e

    def finish(self):
        """Close the open bout with its break (as the engine does once the person has left long enough)."""
        if self.bout is not None and self.sit_t is None:
            self.take_break(self.last_end + BREAK_S)
