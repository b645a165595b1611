"""What a flush writes (device/adapters/store/batch.py): each event once, outbox rows, and day rollups that
match a full recompute however the flushes fall."""
from __future__ import annotations

import tempfile
from datetime import datetime, time, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from store_helpers import BERLIN, M, Desk, count, two_days, workdays

from device.core.rollup import desk_day, summarize
from device.adapters.store import Store, count_events, open_readonly


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


def test_retry_after_commit_does_not_duplicate_outbox(tmp_path):
    db = tmp_path / "h.db"
    d = two_days()
    with Store(db) as s:
        s.add(d.events)
    with Store(db) as s:
        s.add(d.events[:5])                                    # the same events again
    assert count(db) == len(d.events) and count(db, "outbox") == len(d.events)


def test_an_event_re_added_without_its_bout_is_still_recognised(tmp_path):
    """After midnight an event belongs to the bout's day; re-added alone it is tagged with the next day."""
    db = tmp_path / "h.db"
    d = Desk(datetime(2024, 5, 6, 23, 40, tzinfo=BERLIN))
    d.sit_start(0)
    d.prompt(30 * M)                                  # 00:10 on the 7th, in the 6th's bout
    d.sit_end(40 * M)
    d.finish()
    with Store(db) as s:
        s.add(d.events)
    with open_readonly(db) as ro:
        assert {r[0] for r in ro.execute("SELECT day FROM events")} == {"2024-05-06"}
    with Store(db) as s:
        s.add([d.events[1]])                          # a fresh tagger would say the 7th
        assert s.flush()
    with open_readonly(db) as ro:
        assert count_events(ro) == len(d.events)
        assert ro.execute("SELECT count(*) FROM outbox").fetchone()[0] == len(d.events)


def test_outbox_created_utc_is_write_time_not_event_time(tmp_path):
    """The outbox drops rows by age on the real clock; a simulated 2024 day must not look 'old'."""
    db = tmp_path / "h.db"
    with Store(db, wall=lambda: 2_000_000_000.0) as s:
        s.add(two_days().events)
    with open_readonly(db) as ro:
        assert {r[0] for r in ro.execute("SELECT created_utc FROM outbox")} == {2_000_000_000.0}


def test_with_no_broker_configured_nothing_is_queued_for_mqtt(tmp_path):
    from device.config import Config
    d = workdays(1)
    for host, queued in (("", 0), ("broker.lan", len(d.events))):
        cfg = Config().replace(history={"db_path": str(tmp_path / f"h{queued}.db")}, mqtt={"host": host})
        with Store.for_config(cfg) as s:
            s.add(d.events)
            assert s.flush()
            assert s.conn.execute("SELECT count(*) FROM outbox").fetchone()[0] == queued


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
