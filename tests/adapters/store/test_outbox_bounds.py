"""Outbox ages survive wall-clock steps: a Pi that boots in 1970 and then meets NTP keeps its undelivered events."""
from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta, timezone

from device.adapters.clock import FakeClock
from device.core.events import EventFactory
from device.adapters.store.outbox import Outbox
from device.adapters.store import Store

DAY = 86400.0
NTP = datetime(2026, 3, 2, 8, tzinfo=timezone.utc).timestamp()


class Clocks:
    """A wall clock that can be stepped and a monotonic one that cannot."""

    def __init__(self, wall: float):
        self.w, self.m = wall, 1000.0

    def advance(self, s: float):
        self.w += s
        self.m += s

    def wall(self):
        return self.w

    def mono(self):
        return self.m


def _events(n, start):
    f = EventFactory(FakeClock(start).wall_at)
    return [f.make("sit_start", i * 10.0, sensor="seat", new_bout=True) for i in range(n)]


def queued(db) -> int:
    with sqlite3.connect(db) as c:
        return c.execute("SELECT count(*) FROM outbox").fetchone()[0]


def test_a_forward_step_does_not_age_undelivered_events(tmp_path):
    db = tmp_path / "h.db"
    c = Clocks(wall=120.0)                     # booted in 1970
    s = Store(db, wall=c.wall, mono=c.mono, boot="boot-1", outbox_max_age_days=30)
    s.add(_events(5, datetime(1970, 1, 1, 0, 2, tzinfo=timezone.utc)))
    assert s.flush() and queued(db) == 5
    c.advance(2 * 3600)
    c.w = NTP                                  # NTP syncs: 56 years forward in a moment
    s.add(_events(1, datetime(2026, 3, 2, 8, tzinfo=timezone.utc)))
    assert s.flush()
    assert queued(db) == 6 and s.outbox_dropped == 0
    s.close()
    # the MQTT sink's outbox (another connection, same boot) applies the same bounds
    ob = Outbox(db, max_age_days=30, wall=c.wall, mono=c.mono, boot="boot-1")
    assert ob.backlog() == 6 and ob.dropped == 0
    # and a restart in the same boot after a step while it was down
    c.advance(60)
    c.w += 40 * DAY
    ob2 = Outbox(db, max_age_days=30, wall=c.wall, mono=c.mono, boot="boot-1")
    assert ob2.backlog() == 6 and ob2.dropped == 0
    # real time still ages them: 31 days later they go
    c.advance(31 * DAY)
    with Store(db, wall=c.wall, mono=c.mono, boot="boot-1", outbox_max_age_days=30) as s2:
        s2.add(_events(1, datetime(2026, 5, 1, tzinfo=timezone.utc)))
        assert s2.flush()
        assert s2.outbox_dropped == 6
    assert queued(db) == 1


def test_a_backwards_step_does_not_stop_the_outbox_bounds(tmp_path):
    db = tmp_path / "h.db"
    c = Clocks(wall=NTP)
    s = Store(db, wall=c.wall, mono=c.mono, boot="b", outbox_max_age_days=30, outbox_max_rows=3)
    s.add(_events(2, datetime(2026, 3, 2, 8, tzinfo=timezone.utc)))
    assert s.flush()
    c.advance(60)
    c.w -= 365 * DAY                           # stepped back a year
    c.advance(2 * 3600)                        # the hourly bound check is due by the monotonic clock
    s.add(_events(4, datetime(2026, 3, 2, 9, tzinfo=timezone.utc)))
    assert s.flush()
    assert queued(db) == 3 and s.outbox_dropped == 3
    s.close()
