"""Hand-built event streams for the history tests, and small helpers on history files.

``Desk`` emits what the engine would for a scripted person, through the real
``EventFactory`` on a ``FakeClock``. The clock runs in UTC and ``wall_at`` is
converted to the desk's zone, so DST days map engine seconds to the right
instants (zoneinfo arithmetic on an aware datetime is wall-clock arithmetic).
"""
from __future__ import annotations

import sqlite3
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from device.adapters.clock import FakeClock
from device.core.events import EventFactory, IdFactory
from device.adapters.store import Store

BREAK_S = 120.0
BERLIN = ZoneInfo("Europe/Berlin")
M = 60.0
D = 86400.0


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


def two_days() -> Desk:
    """Two evenings' bouts across midnight (the 6th and the 7th of May 2024, Berlin)."""
    d = Desk(datetime(2024, 5, 6, 22, 0, tzinfo=BERLIN))
    d.sit_start(0)
    d.prompt(30 * M)
    d.sit_end(40 * M)
    d.sit_start(41 * M)
    d.prompt(60 * M, 3)
    d.done(62 * M, "button")
    d.sit_end(100 * M)                # to 23:40
    d.finish()
    d.sit_start(110 * M)              # 23:50 - 00:30: the 6th, whole
    d.prompt(140 * M)
    d.snooze(141 * M)
    d.sit_end(150 * M)
    d.finish()
    d.sit(160 * M, 170 * M)           # 00:40: the 7th
    d.finish()
    assert [e.t for e in d.events] == sorted(e.t for e in d.events)
    return d


def other(path):
    """A connection of someone else's on the file (rows as ``sqlite3.Row``)."""
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row
    return conn


def count(path, table="events"):
    with other(path) as c:
        return c.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def workdays(n: int, node: int = 7) -> Desk:
    """``n`` days of three bouts each (one prompted, one with an exercise done), 09:00 Berlin onwards."""
    d = Desk(datetime(2024, 3, 4, 9, 0, tzinfo=BERLIN), node=node)
    for day in range(n):
        t = day * D
        d.sit_start(t)
        d.prompt(t + 30 * M)
        d.done(t + 31 * M, "pir")
        d.sit_end(t + 40 * M)
        d.finish()
        d.sit(t + 60 * M, t + 80 * M)
        d.finish()
        d.sit(t + 3 * 3600, t + 3 * 3600 + 10 * M)
        d.finish()
    return d


def sim_wall(d: Desk):
    """The wall clock of a desk that really lived through these days: now = the last event added."""
    now = [d.events[0].t]

    def wall() -> float:
        return d.wall(now[0]).timestamp()
    return now, wall


def fill_daily(db, d: Desk, **kw) -> Store:
    """Add the events as a daemon would, flushing once per simulated hour."""
    now, wall = sim_wall(d)
    s = Store(db, wall=wall, **kw)
    next_flush = d.events[0].t + 3600
    for e in d.events:
        if e.t >= next_flush:
            s.flush()
            next_flush = e.t + 3600
        now[0] = e.t
        s.add(e)
    s.flush()
    return s


def live_days(db) -> list[str]:
    with sqlite3.connect(db) as c:
        return [r[0] for r in c.execute("SELECT DISTINCT day FROM events ORDER BY day")]
