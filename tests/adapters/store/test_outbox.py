"""The outbox's bookkeeping without a broker: order, dedupe, bounds, memory spill."""
from __future__ import annotations

import logging
import sqlite3
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[1] / "mqtt"))  # mqtt_support.stream: plausible events
from mqtt_support import stream  # noqa: E402

from device.adapters.store.outbox import Outbox  # noqa: E402
from device.adapters.store import Store  # noqa: E402


class FakeBroker:
    """``send`` hands out mids; ``ack_all`` acknowledges them in order."""

    def __init__(self):
        self.sent: list[tuple[int, str]] = []
        self.mid = 0

    def send(self, payload: str) -> int:
        self.mid += 1
        self.sent.append((self.mid, payload))
        return self.mid

    def ids(self) -> list[str]:
        import json
        return [json.loads(p)["id"] for _, p in self.sent]


def stored(tmp_path, events) -> Path:
    db = tmp_path / "h.db"
    with Store(db) as s:
        s.add(events)
        assert s.flush()
    return db


def rows(db) -> int:
    with sqlite3.connect(db) as c:
        return c.execute("SELECT COUNT(*) FROM outbox").fetchone()[0]


def drive(ob: Outbox, fb: FakeBroker, ack=True):
    ob.scan()
    ob.pump(fb.send)
    if ack:
        for mid in list(ob.inflight):
            ob.ack(mid)
    ob.commit()


def test_backlog_goes_before_live_events_and_nothing_twice(tmp_path):
    old = stream(250, node=1)
    db = stored(tmp_path, old)
    ob = Outbox(db, window=100)
    fb = FakeBroker()
    ob.scan()
    new = stream(5, t0=10_000, node=2)
    for e in new:
        ob.offer_live(e.id, e.to_json())
    for _ in range(10):
        drive(ob, fb)
    assert fb.ids() == [e.id for e in old + new]
    assert rows(db) == 0
    # The store now flushes the live events: their rows are deleted without a second send.
    with Store(db) as s:
        s.add(new)
        s.flush()
    drive(ob, fb)
    assert len(fb.sent) == 255 and rows(db) == 0 and ob.deduped == 5


def test_rows_stay_until_their_puback(tmp_path):
    db = stored(tmp_path, stream(10))
    ob = Outbox(db, window=4)
    fb = FakeBroker()
    drive(ob, fb, ack=False)
    assert len(ob.inflight) == 4 and rows(db) == 10
    ob.ack(fb.sent[0][0])
    ob.ack(999)  # a status message's PUBACK: not an event
    ob.commit()
    assert rows(db) == 9
    ob.close()
    # A restart re-sends everything without a PUBACK (at least once).
    ob2 = Outbox(db, window=100)
    fb2 = FakeBroker()
    drive(ob2, fb2)
    assert len(fb2.sent) == 9 and rows(db) == 0


def test_bounds_drop_and_log_never_silently(tmp_path, caplog):
    events = stream(30)
    db = stored(tmp_path, events)
    now = time.time()  # the first 10 are 40 days old, the rest fresh
    with sqlite3.connect(db) as c:
        c.execute("UPDATE outbox SET created_utc = ? WHERE seq > 10", (now,))
        c.execute("UPDATE outbox SET created_utc = ? WHERE seq <= 10", (now - 40 * 86400,))
    caplog.set_level(logging.WARNING, "deskpulse.outbox")
    ob = Outbox(db, max_age_days=30, max_rows=15)
    fb = FakeBroker()
    drive(ob, fb)
    assert ob.dropped == 15
    assert "dropped 15 undelivered events (10 older than 30 days, 5 over 15 rows)" in caplog.text
    assert fb.ids() == [e.id for e in events[15:]], "the newest survive, in order"


def test_memory_overflow_spills_to_the_table_in_order(tmp_path):
    db = stored(tmp_path, [])
    ob = Outbox(db, window=5, memory_cap=20)
    fb = FakeBroker()
    ob.scan()
    events = stream(60)
    for e in events:  # a long outage: nothing is acknowledged, the queue overflows
        ob.offer_live(e.id, e.to_json())
        ob.pump(fb.send)
    assert len(ob.send_q) + len(ob.live_wait) <= 21
    assert ob.catchup_id is not None
    with Store(db) as s:  # the store flushed them all meanwhile
        s.add(events)
        s.flush()
    for _ in range(20):
        drive(ob, fb)
    got = fb.ids()
    seen, first = set(), []
    for i in got:
        if i not in seen:
            seen.add(i)
            first.append(i)
    assert first == [e.id for e in events]
    assert rows(db) == 0


def test_missing_database_waits_and_recovers(tmp_path):
    db = tmp_path / "later.db"
    ob = Outbox(db)
    assert ob.scan() == 0 and ob.backlog() == 0
    assert not db.exists(), "the outbox never creates the history file (the store owns it)"
    with Store(db) as s:
        s.add(stream(3))
        s.flush()
    fb = FakeBroker()
    drive(ob, fb)
    assert len(fb.sent) == 3
