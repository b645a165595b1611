"""Schema v2: packed desk days, outbox rows that point at their event, the v1 -> v2 upgrade in place."""
from __future__ import annotations

import json
import logging
import sqlite3
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from store_helpers import Desk

from device.core.rollup import DayStats, Rollup, parse_ts, summarize
from device.adapters.store import (MIGRATIONS, PACK_AFTER_DAYS, Store, count_events, integrity_check, iter_event_rows,
                          open_readonly, read_events)

BERLIN = ZoneInfo("Europe/Berlin")
M = 60.0
D = 86400.0


def workdays(n: int, node: int = 7) -> Desk:
    """``n`` days of three bouts each (one prompted, one with an exercise done), 09:00 Berlin onwards."""
    d = Desk(datetime(2024, 3, 4, 9, 0, tzinfo=BERLIN), node=node)
    for day in range(n):
        t = day * D
        d.sit_start(t)
        d.prompt(t + 30 * M)
        d.done(t + 31 * M, "pir")
        d.sit_end(t + 40 * M)
        d.finish()
        d.sit(t + 60 * M, t + 80 * M)
        d.finish()
        d.sit(t + 3 * 3600, t + 3 * 3600 + 10 * M)
        d.finish()
    return d


def sim_wall(d: Desk):
    """The wall clock of a desk that really lived through these days: now = the last event added."""
    now = [d.events[0].t]

    def wall() -> float:
        return d.wall(now[0]).timestamp()
    return now, wall


def fill_daily(db, d: Desk, **kw) -> Store:
    """Add the events as a daemon would, flushing once per simulated hour."""
    now, wall = sim_wall(d)
    s = Store(db, wall=wall, **kw)
    next_flush = d.events[0].t + 3600
    for e in d.events:
        if e.t >= next_flush:
            s.flush()
            next_flush = e.t + 3600
        now[0] = e.t
        s.add(e)
    s.flush()
    return s


def live_days(db) -> list[str]:
    with sqlite3.connect(db) as c:
        return [r[0] for r in c.execute("SELECT DISTINCT day FROM events ORDER BY day")]


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


# -- the v1 -> v2 upgrade ------------------------------------------------------------------------
V1_LACKS = ("done_stood", "asks", "answered_in_time")   # added by v3 and v4


def old_compliance(r: Rollup, day) -> float | None:
    """What v1-v3 stored: the share (0..1) of prompted bouts with any exercise done, late or not."""
    prompted = [b for b in r.bouts() if b.day == day and b.prompts]
    return sum(b.exercises_done > 0 for b in prompted) / len(prompted) if prompted else None


def write_v1(db, events, delivered: int, created_utc: float) -> None:
    """A history exactly as deskpulse's v1 store left it (events, payload copies in outbox, rollups)."""
    c = sqlite3.connect(db, isolation_level=None)
    c.execute("PRAGMA journal_mode=WAL")
    c.executescript(f"BEGIN;{MIGRATIONS[0]}PRAGMA user_version = 1;COMMIT;")
    r = Rollup()
    with c:
        c.execute("BEGIN")
        for i, e in enumerate(events):
            day = r.add(e).isoformat()
            c.execute("INSERT INTO events (id, type, ts, utc, day, json) VALUES (?, ?, ?, ?, ?, ?)",
                      (e.id, e.type, e.ts, parse_ts(e.ts).timestamp(), day, e.to_json()))
            if i >= delivered:
                c.execute("INSERT INTO outbox (event_id, created_utc, payload) VALUES (?, ?, ?)",
                          (e.id, created_utc, e.to_json()))
        for b in r.bouts():
            c.execute("INSERT INTO bouts VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", b.as_row())
        v1_columns = [k for k in DayStats.COLUMNS if k not in V1_LACKS]
        for x in r.days():
            row = dict(zip(DayStats.COLUMNS, x.as_row()))
            row["compliance"] = old_compliance(r, x.day)
            c.execute(f"INSERT INTO days ({', '.join(v1_columns)}) VALUES ({', '.join('?' * len(v1_columns))})",
                      [row[k] for k in v1_columns])
        c.execute("INSERT INTO kv VALUES ('daemon_state', '{\"ts\": \"x\"}'), ('status', '{}')")
        c.execute("COMMIT")
    c.close()


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


@pytest.mark.parametrize("n", [0, 1])
def test_iter_event_rows_on_empty_and_tiny_histories(tmp_path, n):
    db = tmp_path / "h.db"
    d = workdays(1)
    with Store(db) as s:
        s.add(d.events[:n])
    with open_readonly(db) as ro:
        assert [r[0] for r in iter_event_rows(ro)] == [e.id for e in d.events[:n]]


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


def test_with_no_broker_configured_nothing_is_queued_for_mqtt(tmp_path):
    from device.config import Config
    d = workdays(1)
    for host, queued in (("", 0), ("broker.lan", len(d.events))):
        cfg = Config().replace(history={"db_path": str(tmp_path / f"h{queued}.db")}, mqtt={"host": host})
        with Store.for_config(cfg) as s:
            s.add(d.events)
            assert s.flush()
            assert s.conn.execute("SELECT count(*) FROM outbox").fetchone()[0] == queued
