"""The write buffer (device/adapters/store/buffer.py): its bound, the RAM copy's tail, and desk days tagged
across a restart."""
from __future__ import annotations

import logging
from datetime import date, datetime

import pytest
from store_helpers import BERLIN, M, Desk, two_days

from device.core.rollup import summarize
from device.adapters.store import Store


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


def test_pending_events_newest_n_are_the_tail_in_order(tmp_path):
    d = two_days()
    with Store(tmp_path / "h.db") as s:
        s.add(d.events)
        every = s.pending_events()
        assert [e for _, e in every] == d.events
        assert s.pending_events(3) == every[-3:]
        assert s.pending_events(0) == [] and s.pending_events(len(every) + 5) == every


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
