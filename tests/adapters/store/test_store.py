"""The SQLite history (device.adapters.store) on real files in tmp_path."""
from __future__ import annotations

import json
import logging
import sqlite3
import tempfile
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from store_helpers import Desk

from device.core.rollup import desk_day, summarize
from device.adapters.store import SCHEMA_VERSION, Store, StoreError, integrity_check, open_readonly

BERLIN = ZoneInfo("Europe/Berlin")
M = 60.0


def two_days() -> Desk:
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
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row
    return conn


def count(path, table="events"):
    with other(path) as c:
        return c.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


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


def test_flush_per_event_with_failures_equals_one_summary(tmp_path):
    """The per-day rollup cache (fed batch by batch, dropped on failure) matches a full recompute."""
    db = tmp_path / "h.db"
    d = two_days()
    with Store(db) as s:
        for i, e in enumerate(d.events):
            s.add(e)
            if i % 7 == 3:
                s.conn.execute("PRAGMA query_only = ON")
                assert s.flush() is False
                s.conn.execute("PRAGMA query_only = OFF")
            assert s.flush()
        s.add(d.events[:4])                                    # duplicates change nothing
        s.flush()
        assert s.days() == summarize(d.events)
        with open_readonly(db) as ro:
            stored = [tuple(r) for r in ro.execute("SELECT * FROM bouts ORDER BY start_utc")]
    with Store(db) as s:                                       # a reopened store reads the same
        s.add(d.events[-1:])
        s.flush()
        assert s.days() == summarize(d.events)
        assert [b.as_row() for b in s.bouts("2024-05-06") + s.bouts("2024-05-07")] == stored


def test_wal_and_pragmas(tmp_path):
    db = tmp_path / "h.db"
    with Store(db) as s:
        assert s.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert s.conn.execute("PRAGMA synchronous").fetchone()[0] == 1   # NORMAL
        s.add(two_days().events)
        s.flush()
        assert (tmp_path / "h.db-wal").exists()
    with other(db) as c:
        assert c.execute("PRAGMA journal_mode").fetchone()[0] == "wal"   # persistent in the file
    assert (db.stat().st_mode & 0o777) == 0o640


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


def test_unusable_files_are_one_line_errors(tmp_path):
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not sqlite at all" * 100)
    with pytest.raises(StoreError, match="not a usable history database"):
        Store(junk)
    with pytest.raises(StoreError, match="not a deskpulse history database"):
        open_readonly(junk)
    newer = tmp_path / "newer.db"
    with sqlite3.connect(newer) as c:
        c.execute("PRAGMA user_version = 99")
    with pytest.raises(StoreError, match="v99 is newer"):
        Store(newer)
    with pytest.raises(StoreError, match="v99 is newer"):
        open_readonly(newer)
    with pytest.raises(StoreError, match="no history database"):
        open_readonly(tmp_path / "missing.db")


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


def test_buffer_bound_drops_oldest_and_counts(tmp_path, caplog):
    db = tmp_path / "h.db"
    s = Store(db, max_buffer=10)
    s.conn.execute("PRAGMA query_only = ON")
    d = two_days()
    with caplog.at_level(logging.ERROR, "deskpulse.store"):
        s.add(d.events)
    assert s.pending == 10 and s.dropped == len(d.events) - 10
    assert any("buffer full" in r.getMessage() for r in caplog.records)
    s.conn.execute("PRAGMA query_only = OFF")
    s.flush()
    assert [e.id for e in s.events(limit=None)] == [e.id for e in d.events[-10:]]
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


def test_retry_after_commit_does_not_duplicate_outbox(tmp_path):
    db = tmp_path / "h.db"
    d = two_days()
    with Store(db) as s:
        s.add(d.events)
    with Store(db) as s:
        s.add(d.events[:5])                                    # the same events again
    assert count(db) == len(d.events) and count(db, "outbox") == len(d.events)


def test_bout_running_across_a_restart_keeps_its_day(tmp_path):
    db = tmp_path / "h.db"
    d = Desk(datetime(2024, 5, 6, 23, 40, tzinfo=BERLIN))
    d.sit(0, 10 * M)
    d.sit_start(11 * M)
    cut = len(d.events)
    d.prompt(39 * M)
    d.sit_end(40 * M)                                          # 00:20 on the 7th
    d.finish()
    d.sit(60 * M, 70 * M)                                      # a new bout, on the 7th
    d.finish()
    with Store(db) as s:
        s.add(d.events[:cut])
    with Store(db) as s:                                       # a new process: the tagger is reseeded
        s.add(d.events[cut:])
    with Store(db) as s:
        days = {x.day: x for x in s.days()}
        assert days[date(2024, 5, 6)].seated_s == pytest.approx(39 * M) and days[date(2024, 5, 6)].bouts == 1
        assert days[date(2024, 5, 6)].prompts == 1
        assert days[date(2024, 5, 7)].seated_s == pytest.approx(10 * M)
    assert [x.as_row() for x in summarize(d.events)] == [x.as_row() for x in Store(db).days()]


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


@settings(max_examples=30, deadline=None)
@given(plan=st.lists(st.tuples(st.floats(1, 3 * 3600), st.floats(1, 3600), st.booleans()), min_size=1, max_size=25),
       start_min=st.integers(0, 365 * 24 * 60), boundary_h=st.integers(0, 23))
def test_property_stored_days_conserve_seated_time(plan, start_min, boundary_h):
    start = (datetime(2024, 1, 1, tzinfo=timezone.utc) + timedelta(minutes=start_min)).astimezone(BERLIN)
    d = Desk(start)
    t = total = 0.0
    flush_at = set()
    for gap, length, flush in plan:
        t += gap
        d.sit(t, t + length)
        total += length
        t += length
        if flush:
            flush_at.add(len(d.events))
    d.finish()
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "h.db"
        with Store(db, time(boundary_h)) as s:
            for i, e in enumerate(d.events):
                s.add(e)
                if i in flush_at:
                    s.flush()
        with open_readonly(db) as ro:
            assert ro.execute("SELECT sum(seated_s) FROM days").fetchone()[0] == pytest.approx(total)
            assert ro.execute("SELECT count(*) FROM bouts").fetchone()[0] == len(d.bouts)
            day_of = dict(ro.execute("SELECT id, day FROM events").fetchall())
    for b in d.bouts:
        assert {day_of[e.id] for e in b["events"]} == {desk_day(d.wall(b["start_t"]), time(boundary_h)).isoformat()}


def test_outbox_created_utc_is_write_time_not_event_time(tmp_path):
    """The outbox drops rows by age on the real clock; a simulated 2024 day must not look 'old'."""
    db = tmp_path / "h.db"
    with Store(db, wall=lambda: 2_000_000_000.0) as s:
        s.add(two_days().events)
    with open_readonly(db) as ro:
        assert {r[0] for r in ro.execute("SELECT created_utc FROM outbox")} == {2_000_000_000.0}


def test_pending_events_newest_n_are_the_tail_in_order(tmp_path):
    d = two_days()
    with Store(tmp_path / "h.db") as s:
        s.add(d.events)
        every = s.pending_events()
        assert [e for _, e in every] == d.events
        assert s.pending_events(3) == every[-3:]
        assert s.pending_events(0) == [] and s.pending_events(len(every) + 5) == every
