"""The packed-day format (device/adapters/store/packed.py): a damaged blob is salvaged, not fatal."""
from __future__ import annotations

import logging
import sqlite3
from datetime import datetime

from store_helpers import BERLIN, M, Desk, fill_daily, workdays

from device.adapters.store import Store, open_readonly, read_events


def test_a_damaged_packed_day_is_salvaged_not_fatal(tmp_path, caplog):
    db = tmp_path / "h.db"
    d = workdays(6)
    fill_daily(db, d, outbox_max_age_days=1).close()
    with sqlite3.connect(db) as c:                    # bit rot in the middle of the first packed day
        day, blob = c.execute("SELECT day, data FROM packed_days ORDER BY day LIMIT 1").fetchone()
        bad = bytearray(blob)
        for i in range(len(bad) // 2, len(bad) // 2 + 16):
            bad[i] ^= 0xFF
        c.execute("UPDATE packed_days SET data = ? WHERE day = ?", (bytes(bad), day))
    caplog.set_level(logging.ERROR, logger="deskpulse.store")
    with open_readonly(db) as ro:
        got = [e.id for _, e in read_events(ro, limit=None)]
    lost = len(d.events) - len(got)
    assert 0 < lost < 11 and got == sorted(got)       # the rest of that day and every other day read
    assert sum("packed day is damaged" in r.message for r in caplog.records) == 1
    late = Desk(datetime(2024, 3, 4, 20, 0, tzinfo=BERLIN), node=99)   # an event for the damaged day
    late.sit(0, 5 * M)
    late.finish()
    with Store(db) as s:                              # opens, stores, and packs around the damage
        s.add(late.events)
        assert s.flush()
        s._upkeep.pack(s.conn, None)
        assert s.stats()["write_errors"] == 0
    with sqlite3.connect(db) as c:
        assert c.execute("SELECT data FROM packed_days WHERE day = ?", (day,)).fetchone()[0] == bytes(bad)
    with open_readonly(db) as ro:
        assert {e.id for e in late.events} <= {e.id for _, e in read_events(ro, limit=None)}
