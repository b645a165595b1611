"""Packing closed days and the outbox's bounds inside the flush (device/adapters/store/upkeep.py)."""
from __future__ import annotations

import logging
import sqlite3
from datetime import date, datetime

from store_helpers import BERLIN, M, Desk, fill_daily, live_days, workdays

from device.core.rollup import parse_ts, summarize
from device.adapters.store import PACK_AFTER_DAYS, Store, count_events, integrity_check, open_readonly, read_events


def test_closed_days_are_packed_and_read_back_exactly(tmp_path):
    db = tmp_path / "h.db"
    d = workdays(12)
    s = fill_daily(db, d, outbox_max_age_days=3)
    s.close()
    days = sorted({x.day.isoformat() for x in summarize(d.events)})
    live = live_days(db)
    assert live and len(live) <= PACK_AFTER_DAYS + 4, "only the recent days stay as rows"
    with open_readonly(db) as ro:
        packed = [r[0] for r in ro.execute("SELECT day FROM packed_days ORDER BY day")]
        assert sorted(packed + live) == days and not set(packed) & set(live)
        assert count_events(ro) == len(d.events)
        # everything comes back, in id order, whether packed or not, and pages the same way
        assert [e for _, e in read_events(ro, limit=None)] == sorted(d.events, key=lambda e: e.id)
        paged, last = [], None
        while page := read_events(ro, None, last, 7, "9999"):
            paged += [e.id for _, e in page]
            last = page[-1][1].id
        assert paged == sorted(e.id for e in d.events)
        assert [e.id for _, e in read_events(ro, days[1])] == sorted(e.id for e in d.bouts[3]["events"] +
                                                                   d.bouts[4]["events"] + d.bouts[5]["events"])
        # the rollups were not touched by packing
        with Store(db) as s2:
            assert s2.days() == summarize(d.events)
    assert integrity_check(db) == []


def test_undelivered_events_keep_their_day_unpacked(tmp_path):
    db = tmp_path / "h.db"
    d = workdays(8)
    fill_daily(db, d).close()                         # default bound: 30 days, so every row still waits
    assert len(live_days(db)) == 8
    with sqlite3.connect(db) as c:                    # MQTT delivered everything before the last 2 days
        c.execute("DELETE FROM outbox WHERE seq IN (SELECT seq FROM events WHERE day < '2024-03-10')")
    more = workdays(9)
    s = fill_daily(db, more)                          # a day later: the next day makes packing due
    s.close()
    live = live_days(db)
    assert live[0] == "2024-03-10", "days with events still waiting for their PUBACK stay as rows"
    with open_readonly(db) as ro:
        assert count_events(ro) == len(more.events)   # the first 8 days were re-added: stored once
        assert ro.execute("SELECT count(*) FROM outbox").fetchone()[0] == \
            len([e for e in more.events if e.ts >= "2024-03-10"])


def test_days_packed_counts_every_day_packed_a_few_flushes_at_a_time(tmp_path):
    db = tmp_path / "h.db"
    fill_daily(db, workdays(8)).close()               # default bound: every day waits for MQTT
    with sqlite3.connect(db) as c:
        c.execute("DELETE FROM outbox")               # ... until the broker acknowledges it all
    s = Store(db)
    for i in range(4):                                # PACK_PER_FLUSH days a flush, then the rest
        s.set("tick", str(i))
        assert s.flush()
    with open_readonly(db) as ro:
        packed = ro.execute("SELECT count(*) FROM packed_days").fetchone()[0]
    assert packed == 8 - PACK_AFTER_DAYS
    assert s.stats()["days_packed"] == packed
    s.close()


def test_an_event_for_a_packed_day_joins_it_and_duplicates_are_ignored(tmp_path):
    db = tmp_path / "h.db"
    d = workdays(6)
    s = fill_daily(db, d, outbox_max_age_days=1)
    with open_readonly(db) as ro:
        first = ro.execute("SELECT min(day) FROM packed_days").fetchone()[0]
    assert first == "2024-03-04"
    late = Desk(datetime(2024, 3, 4, 20, 0, tzinfo=BERLIN), node=99)
    late.sit(0, 5 * M)
    late.finish()
    s.add(d.events[:5])                               # already stored (packed): ignored
    s.add(late.events)                                # new, for the packed day
    assert s.flush()
    s._upkeep.pack(s.conn, None)                     # a later flush packs it again
    with open_readonly(db) as ro:
        assert count_events(ro) == len(d.events) + len(late.events)
        day = [e for day, e in read_events(ro, first)]
        assert [e.id for e in day] == sorted(e.id for e in d.events[:11] + late.events)
    assert s.days(first, first)[0].bouts == 4
    s.close()


def test_the_store_applies_the_outbox_bounds_without_any_mqtt(tmp_path, caplog):
    db = tmp_path / "h.db"
    d = workdays(5)
    caplog.set_level(logging.WARNING, "deskpulse.store")
    s = fill_daily(db, d, outbox_max_age_days=2, outbox_max_rows=20)
    s.close()
    with open_readonly(db) as ro:
        rows = ro.execute("SELECT o.created_utc, e.ts FROM outbox o JOIN events e USING (seq)").fetchall()
    assert 0 < len(rows) <= 20
    assert s.outbox_dropped == len(d.events) - len(rows)
    assert "dropped" in caplog.text and "undelivered MQTT events" in caplog.text
    assert min(parse_ts(ts) for _, ts in rows).date() >= date(2024, 3, 6)


def test_the_dashboard_cache_version_moves_when_a_late_event_is_packed_into_its_day(tmp_path):
    from dashboard import create_app, queries
    from device.config import Config
    db = tmp_path / "h.db"
    d = workdays(6)
    s = fill_daily(db, d, outbox_max_age_days=1)
    app = create_app(Config(), db_path=db)

    def version():
        with app.app_context():
            return queries.history_version()
    before = version()
    late = Desk(datetime(2024, 3, 4, 20, 0, tzinfo=BERLIN), node=99)   # for the first, packed, day
    late.sit(0, 5 * M)
    late.finish()
    s.add(late.events)
    assert s.flush()
    with s.conn:
        s.conn.execute("DELETE FROM outbox")          # the broker took them at once
    assert s._upkeep.pack(s.conn, None) == 1         # packed straight back: max(seq) is as it was
    s.close()
    assert version() != before
