"""Outbox rows are pointers to their events (schema v2): the payload sent is the stored event's."""
from __future__ import annotations

import json
import sqlite3
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from mqtt_support import stream  # noqa: E402

from device.outbox import Outbox  # noqa: E402
from device.store import Store  # noqa: E402


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
