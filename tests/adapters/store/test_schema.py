"""The schema and its upgrades (device/adapters/store/schema.py): a new file, a reopened one, and a v1
history upgraded in place (v4's recompute: test_migrate_v4.py)."""
from __future__ import annotations

import json
import logging
import sqlite3
from datetime import datetime

from store_helpers import BERLIN, D, M, Desk, other, two_days, workdays
from v1_history import V1_LACKS, write_v1

from device.core.rollup import summarize
from device.adapters.store import (PACK_AFTER_DAYS, SCHEMA_VERSION, Store, count_events, integrity_check, iter_event_rows,
                                   open_readonly)


def test_migrations_from_empty_file_and_idempotent_reopen(tmp_path):
    db = tmp_path / "h.db"
    db.touch()
    with Store(db):
        pass
    with other(db) as c:
        assert c.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 4
        tables = {r[0] for r in c.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        assert {"events", "bouts", "days", "kv", "outbox", "packed_days"} <= tables
        assert c.execute("PRAGMA page_size").fetchone()[0] == 1024
    with Store(db) as s:
        s.add(two_days().events)
    with Store(db) as s:       # reopen keeps data, does not migrate again
        assert len(s.events(limit=None)) == len(two_days().events)
    with other(db) as c:
        assert c.execute("PRAGMA user_version").fetchone()[0] == 4


def test_a_v1_history_upgrades_in_place_without_losing_anything(tmp_path, caplog):
    db = tmp_path / "h.db"
    d = workdays(20)
    waiting = [e for e in d.events if e.ts >= "2024-03-22"]         # not yet delivered to MQTT
    now = d.wall(d.events[-1].t).timestamp()
    write_v1(db, d.events, len(d.events) - len(waiting), created_utc=now - 3600)
    c = sqlite3.connect(db)
    v1_bouts = [tuple(r) for r in c.execute("SELECT * FROM bouts ORDER BY start_utc")]
    v1_days = [tuple(r) for r in c.execute("SELECT * FROM days ORDER BY day")]
    c.close()
    size_v1 = db.stat().st_size
    caplog.set_level(logging.INFO, "deskpulse.store")
    with Store(db, wall=lambda: now) as s:
        assert s.get_json("daemon_state") == {"ts": "x"}
        assert s.days() == summarize(d.events)
        assert [e for e in s.events(limit=None)] == d.events
    assert "upgraded to v4" in caplog.text and "packed" in caplog.text
    with open_readonly(db) as ro:
        assert ro.execute("PRAGMA user_version").fetchone()[0] == 4
        assert [tuple(r) for r in ro.execute("SELECT * FROM bouts ORDER BY start_utc")] == v1_bouts
        v1_columns = [r[1] for r in ro.execute("PRAGMA table_info(days)") if r[1] not in V1_LACKS]
        # every figure kept, but compliance: v4 recomputes it from the events (tests/adapters/store/test_migrate_v4.py)
        same = [c for c in v1_columns if c != "compliance"]
        keep = [v1_columns.index(c) for c in same]
        assert [tuple(r) for r in ro.execute(f"SELECT {', '.join(same)} FROM days ORDER BY day")] == \
            [tuple(row[i] for i in keep) for row in v1_days]
        assert {r[0] for r in ro.execute("SELECT done_stood FROM days")} == {0}   # v3's column, for older days
        ob = ro.execute("SELECT e.id, e.json FROM outbox o JOIN events e USING (seq) ORDER BY o.seq").fetchall()
        assert [r[0] for r in ob] == [e.id for e in waiting], "undelivered events still wait, in order"
        assert [r[1] for r in ob] == [e.to_json() for e in waiting]
        packed = ro.execute("SELECT count(*) FROM packed_days").fetchone()[0]
        assert packed >= 15, "the delivered past is packed at once"
        assert ro.execute("PRAGMA page_size").fetchone()[0] == 1024       # compacted by VACUUM
        assert ro.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert [json.loads(p) for _, _, p in iter_event_rows(ro)] == [e.to_dict() for e in d.events]
    assert integrity_check(db) == []
    assert db.stat().st_size < size_v1
    # and it keeps working as a v2 history
    more = Desk(datetime(2024, 3, 24, 9, 0, tzinfo=BERLIN), node=8)
    more.sit(0, 10 * M)
    more.finish()
    with Store(db, wall=lambda: now) as s:
        s.add(more.events)
        assert s.flush()
        assert len(s.events(limit=None)) == len(d.events) + len(more.events)


def test_a_v1_outbox_older_than_its_bound_is_dropped_at_the_upgrade_and_logged(tmp_path, caplog):
    db = tmp_path / "h.db"
    d = workdays(10)
    now = d.wall(d.events[-1].t).timestamp()
    write_v1(db, d.events, 0, created_utc=now - 40 * D)           # no broker ever: all 40 days old
    caplog.set_level(logging.WARNING, "deskpulse.store")
    with Store(db, wall=lambda: now, outbox_max_age_days=30) as s:
        assert s.outbox_dropped == len(d.events)
    assert f"dropped {len(d.events)} undelivered MQTT events" in caplog.text
    with open_readonly(db) as ro:
        assert ro.execute("SELECT count(*) FROM outbox").fetchone()[0] == 0
        assert count_events(ro) == len(d.events)
        assert ro.execute("SELECT count(*) FROM packed_days").fetchone()[0] == 10 - PACK_AFTER_DAYS
