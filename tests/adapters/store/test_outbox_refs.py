"""Outbox rows are pointers to their events (schema v2): the payload sent is the stored event's."""
from __future__ import annotations

import json
import sqlite3
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[1] / "mqtt"))  # mqtt_support.stream: plausible events
from mqtt_support import stream  # noqa: E402

from device.adapters.store.outbox import Outbox  # noqa: E402
from device.adapters.store import Store  # noqa: E402


def test_the_payload_comes_from_the_event_and_a_dangling_row_is_dropped_not_sent(tmp_path):
    db = tmp_path / "h.db"
    events = stream(6)
    with Store(db) as s:
        s.add(events)
    with sqlite3.connect(db) as c:
        assert c.execute("PRAGMA table_info(outbox)").fetchall()[1][1] == "created_utc"   # no payload column
        c.execute("DELETE FROM events WHERE id = ?", (events[2].id,))       # a row whose event is gone
    sent = []
    ob = Outbox(db, window=10)
    ob.scan()
    ob.pump(lambda payload: sent.append(payload) or len(sent))
    for mid in list(ob.inflight):
        ob.ack(mid)
    ob.commit()
    assert sent == [e.to_json() for e in events if e is not events[2]]
    assert ob.orphans == 1 and ob.backlog() == 0
    assert [json.loads(p)["id"] for p in sent] == [e.id for e in events if e is not events[2]]


def test_an_event_acknowledged_before_the_flush_gets_no_outbox_row(tmp_path):
    db = tmp_path / "h.db"
    Store(db).close()
    events = stream(5)
    ob = Outbox(db, window=10)
    ob.scan()
    for e in events[:3]:                              # published live; the broker acknowledges them
        ob.offer_live(e.id, e.to_json())
    ob.pump(lambda payload: len(ob.inflight) + 1)
    for mid in list(ob.inflight):
        ob.ack(mid)
    assert ob.delivered("unknown-id") is False
    with Store(db) as s:
        s.delivered = ob.delivered
        s.add(events)
        assert s.flush()
    with sqlite3.connect(db) as c:
        queued = [r[0] for r in c.execute("SELECT e.id FROM outbox o JOIN events e USING (seq) ORDER BY o.seq")]
        assert c.execute("SELECT count(*) FROM events").fetchone()[0] == 5
    assert queued == [e.id for e in events[3:]], "only the unacknowledged wait"
    assert ob.skipped == 3 and ob.delivered(events[0].id) is False, "answered once"
    ob.scan()
    assert ob.deduped == 0 and [i.id for i in ob.send_q] == [e.id for e in events[3:]]
