"""Opening a history file (device/adapters/store/connection.py): WAL and pragmas, one-line errors for
unusable files, and a compaction that a reader only delays."""
from __future__ import annotations

import logging
import sqlite3

import pytest
from store_helpers import other, two_days, workdays
from v1_history import write_v1

from device.core.rollup import summarize
from device.adapters.store import Store, StoreError, count_events, integrity_check, open_readonly


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


def test_a_reader_holding_the_file_only_delays_the_compaction(tmp_path, caplog):
    db = tmp_path / "h.db"
    d = workdays(6)
    now = d.wall(d.events[-1].t).timestamp()
    write_v1(db, d.events, len(d.events), created_utc=now)
    reader = sqlite3.connect(db)
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM events").fetchone()     # a dashboard mid-read
    caplog.set_level(logging.WARNING, "deskpulse.store")
    try:
        with Store(db, wall=lambda: now, busy_timeout_s=0.05) as s:
            assert s.days() == summarize(d.events)
    finally:
        reader.close()
    assert "could not compact the history" in caplog.text
    assert integrity_check(db) == []
    ro = open_readonly(db)
    assert count_events(ro) == len(d.events)
    assert ro.execute("PRAGMA page_size").fetchone()[0] == 4096
    ro.close()                                      # (a `with` block would leave it open)
    with Store(db, wall=lambda: now) as s:          # the next start, with the file to itself
        assert s.days() == summarize(d.events)
    with open_readonly(db) as ro:
        assert ro.execute("PRAGMA page_size").fetchone()[0] == 1024
        assert count_events(ro) == len(d.events)
    assert integrity_check(db) == []
