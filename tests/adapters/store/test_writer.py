"""The Store (device/adapters/store/writer.py) on real files in tmp_path: round trip, one transaction a
flush, kv, close, and surviving a full, read-only, locked or missing file."""
from __future__ import annotations

import json
import logging
import sqlite3
from datetime import date, datetime

import pytest
from store_helpers import BERLIN, M, Desk, count, two_days

from device.core.rollup import summarize
from device.adapters.store import Store, integrity_check, open_readonly


def test_round_trip(tmp_path):
    db = tmp_path / "h.db"
    d = two_days()
    with Store(db) as s:
        s.add(d.events)
        assert s.flush()
    with Store(db) as s:
        assert s.days() == summarize(d.events)
        assert [x.day for x in s.days("2024-05-07", date(2024, 5, 7))] == [date(2024, 5, 7)]
        bouts = s.bouts(date(2024, 5, 6))
        assert [b.bout_s for b in bouts] == [100 * M, 40 * M]
        assert bouts[0].prompts == 2 and bouts[0].max_level == 3 and bouts[0].exercises_done == 1
        assert s.events() == d.events
        assert [e.id for e in s.events(day="2024-05-07")] == [e.id for e in d.bouts[-1]["events"]]
        page1 = s.events(limit=5)
        page2 = s.events(from_id=page1[-1].id, limit=5)
        assert page1 + page2 == d.events[:10]
        assert s.day_stats("2024-05-06").seated_s == pytest.approx(40 * M + 59 * M + 40 * M)
        assert s.day_stats("2023-01-01") is None
        assert s.integrity_check() == []
    with open_readonly(db) as ro:
        rows = ro.execute("SELECT id, day, json FROM events ORDER BY id").fetchall()
        assert [json.loads(r["json"]) for r in rows] == [e.to_dict() for e in d.events]
        assert {r["day"] for r in rows} == {"2024-05-06", "2024-05-07"}
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            ro.execute("DELETE FROM events")
        outbox = ro.execute("SELECT e.id, e.json FROM outbox o JOIN events e ON e.seq = o.seq "
                            "ORDER BY o.seq").fetchall()
        assert [r[0] for r in outbox] == [e.id for e in d.events]
        assert [r[1] for r in outbox] == [e.to_json() for e in d.events]   # the MQTT payload, stored once


def test_nothing_written_before_flush_and_one_transaction_per_flush(tmp_path):
    db = tmp_path / "h.db"
    d = two_days()
    s = Store(db)
    statements = []
    s.conn.set_trace_callback(statements.append)
    s.add(d.events[:10])
    s.set("resume", "{}")
    assert count(db) == 0 and count(db, "kv") == 0 and s.pending == 10
    assert statements == []
    assert s.flush()
    # kv: "resume", and the wall clock's offset that the outbox's ages follow (device/adapters/store/outbox_bounds.py)
    assert count(db) == 10 and count(db, "outbox") == 10 and count(db, "kv") == 2 and count(db, "days") == 1
    assert [x for x in statements if x.split()[0] in ("BEGIN", "COMMIT", "ROLLBACK")] == ["BEGIN IMMEDIATE", "COMMIT"]
    statements.clear()
    s.add(d.events[10:])
    s.flush()
    assert [x for x in statements if x.split()[0] in ("BEGIN", "COMMIT")] == ["BEGIN IMMEDIATE", "COMMIT"]
    statements.clear()
    assert s.flush() and statements == []      # nothing buffered: no transaction at all
    s.close()


def test_kv_written_with_the_flush(tmp_path):
    db = tmp_path / "h.db"
    with Store(db) as s:
        s.set_json("resume", {"bout_start_ts": "x", "n": 1})
        s.set("secret", "abc")
        assert s.get_json("resume") == {"bout_start_ts": "x", "n": 1}    # visible before the flush
        assert count(db, "kv") == 0
    with Store(db) as s:
        assert s.get("secret") == "abc" and s.get_json("resume")["n"] == 1
        s.set("secret", None)
        assert s.get("secret", "gone") == "gone"
    with Store(db) as s:
        assert s.get("secret") is None and s.get("missing", "d") == "d"


def test_close_twice_and_close_flushes(tmp_path):
    db = tmp_path / "h.db"
    s = Store(db)
    s.add(two_days().events)
    s.close()
    s.close()
    assert count(db) == len(two_days().events)


def _fill(s, d):
    s.add(d.events)
    return len(d.events)


def test_disk_full_is_survived_and_caught_up(tmp_path, caplog):
    db = tmp_path / "h.db"
    s = Store(db)
    s.add(two_days().events[:3])
    assert s.flush()
    pages = s.conn.execute("PRAGMA page_count").fetchone()[0]
    s.conn.execute(f"PRAGMA max_page_count = {pages}")       # the card is full: SQLITE_FULL
    big = Desk(datetime(2024, 6, 1, 8, 0, tzinfo=BERLIN), node=9)
    for i in range(300):
        big.sit(i * 10 * M, i * 10 * M + 5 * M)
    n = _fill(s, big)
    with caplog.at_level(logging.DEBUG, "deskpulse.store"):
        assert s.flush() is False
        assert s.flush() is False
    assert s.write_errors == 2 and "full" in s.last_error
    assert s.pending == n and count(db) == 3
    assert len([r for r in caplog.records if r.levelno >= logging.ERROR]) == 1   # once per streak
    s.conn.execute("PRAGMA max_page_count = 1073741823")     # space returns
    assert s.flush() is True
    assert s.pending == 0 and count(db) == 3 + n and count(db, "outbox") == 3 + n
    assert sum(x.seated_s for x in s.days("2024-06-01", "2024-06-04")) == pytest.approx(300 * 5 * M)
    s.close()
    assert integrity_check(db) == []


def test_read_only_database_is_survived(tmp_path):
    db = tmp_path / "h.db"
    s = Store(db)
    s.conn.execute("PRAGMA query_only = ON")                 # SQLITE_READONLY on every write
    n = _fill(s, two_days())
    s.set("k", "v")
    assert s.flush() is False and s.write_errors == 1 and "readonly" in s.last_error
    assert s.pending == n
    s.conn.execute("PRAGMA query_only = OFF")
    assert s.flush() and count(db) == n and s.get("k") == "v"
    s.close()


def test_locked_database_is_survived(tmp_path):
    db = tmp_path / "h.db"
    s = Store(db, busy_timeout_s=0.05)
    blocker = sqlite3.connect(db, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")                        # another writer holds the lock
    n = _fill(s, two_days())
    assert s.flush() is False and "locked" in s.last_error
    blocker.execute("COMMIT")
    blocker.close()
    assert s.flush() and count(db) == n
    s.close()


def test_unopenable_path_recovers_when_the_directory_appears(tmp_path):
    blocker = tmp_path / "state"
    blocker.write_text("a file where the directory should be")
    s = Store(blocker / "h.db")                               # must not raise
    assert s.conn is None and s.write_errors == 1
    n = _fill(s, two_days())
    assert s.flush() is False and s.pending == n
    blocker.unlink()
    blocker.mkdir()
    (blocker / "h.db").write_bytes(b"junk" * 1024)            # a corrupt file appears: still no exception
    assert s.flush() is False and "not a usable history database" in s.last_error
    (blocker / "h.db").unlink()
    assert s.flush() is True and count(blocker / "h.db") == n
    s.close()


def test_live_day_stats_include_buffered_events(tmp_path):
    db = tmp_path / "h.db"
    d = Desk(datetime(2024, 5, 6, 9, 0, tzinfo=BERLIN))
    d.sit(0, 10 * M)
    with Store(db) as s:
        s.add(d.events)
        s.flush()
        d.events.clear()
        d.sit_start(11 * M)
        s.add(d.events)                                        # buffered, not flushed
        live = s.day_stats("2024-05-06", as_of=d.wall(31 * M))
        assert live.seated_s == pytest.approx(30 * M) and live.bouts == 1
        assert s.day_stats("2024-05-06").seated_s == pytest.approx(10 * M)   # stored figures
        assert s.day_stats("2024-05-09", as_of=d.wall(31 * M)) is None


def test_boundary_from_config_string(tmp_path):
    d = Desk(datetime(2024, 5, 7, 3, 0, tzinfo=BERLIN))
    d.sit(0, 10 * M)
    d.finish()
    with Store(tmp_path / "h.db", "04:00") as s:
        s.add(d.events)
        s.flush()
        assert [x.day for x in s.days()] == [date(2024, 5, 6)]
