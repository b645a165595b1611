"""The v3 -> v4 upgrade: old days re-read under honest compliance (device/core/compliance.py).

A v3 history is written here the way deskpulse v3 wrote it: its schema built
by the v1..v3 migrations, events in the v3 vocabulary (no ``in_time``, a
``test_prompt`` counted), and the ``days`` rows with v3's compliance (the
share of prompted bouts with any exercise done, late breaks included). Opening
it with the store must upgrade it in place and give the figures the new rules
give, in the new unit (a percentage).
"""
from __future__ import annotations

import dataclasses
import sqlite3
from datetime import datetime
from zoneinfo import ZoneInfo

from store_helpers import Desk

from device.core.rollup import DayStats, Rollup, parse_ts
from device.adapters.store import MIGRATIONS, Store, open_readonly, read_days

BERLIN = ZoneInfo("Europe/Berlin")
M = 60.0
D = 86400.0
V3_DAYS = [c for c in DayStats.COLUMNS if c not in ("asks", "answered_in_time")]


def ignored_day(d: Desk, t: float) -> None:
    """A seated routine ignored through the reminder; the walk ignored too; a break 32 min on."""
    d.sit_start(t)
    d.prompt(t + 30 * M, 1)
    d.prompt(t + 35 * M, 2)
    d.prompt(t + 60 * M, 3)
    d.prompt(t + 65 * M, 3, repeat=2)
    d.sit_end(t + 62 * M + 30)       # (the walk's repeat at 65 is after they left: as v3 could emit)
    d.done(t + 64 * M + 30, "break")  # v3 order: exercise_done, then its break
    d.take_break(t + 64 * M + 30)


def answered_day(d: Desk, t: float) -> None:
    """The routine done by leg movement 2 min after the prompt, a test prompt, and a button press."""
    d.sit_start(t)
    d.prompt(t + 5 * M, 1, test=True)   # v3 counted it as a prompt
    d.prompt(t + 30 * M, 1)
    d.done(t + 32 * M, "pir")
    d.sit_end(t + 40 * M)
    d.finish()
    d.sit_start(t + 2 * 3600)
    d.prompt(t + 2 * 3600 + 30 * M, 1)
    d.done(t + 2 * 3600 + 33 * M, "button")
    d.sit_end(t + 2 * 3600 + 45 * M)
    d.finish()


def v3_rows(events) -> tuple[list[tuple], list[tuple]]:
    """The bouts and days rows as deskpulse v3 computed them (its own rollup rules, inlined)."""
    r = Rollup()
    for e in events:
        r.add(e)
    # v3 counted every exercise_done, late ones too: a bout's from its break event, a day's from its events
    bouts = [dataclasses.replace(b, exercises_done=e.data["exercises_done"])
             for b, e in zip(r.bouts(), [e for e in events if e.type == "break"], strict=True)]
    days = []
    for x in r.days():
        row = dict(zip(DayStats.COLUMNS, x.as_row()))
        day_events = [e for e in events if e.ts[:10] == row["day"]]
        row["prompts"] = sum(e.type == "prompt" for e in day_events)   # v3 counted test prompts
        done = [e.data["how"] for e in day_events if e.type == "exercise_done"]
        row["exercises_done"] = len(done)
        for how in ("pir", "button", "break", "command", "stood"):
            row[f"done_{how}"] = done.count(how)
        prompted = [b for b in bouts if b.day == x.day and b.prompts]
        row["compliance"] = sum(b.exercises_done > 0 for b in prompted) / len(prompted) if prompted else None
        days.append(tuple(row[k] for k in V3_DAYS))
    return [b.as_row() for b in bouts], days


def write_v3(db, events) -> None:
    c = sqlite3.connect(db, isolation_level=None)
    c.execute("PRAGMA journal_mode=WAL")
    for v in range(3):
        c.executescript(f"BEGIN;{MIGRATIONS[v]}PRAGMA user_version = {v + 1};COMMIT;")
    bouts, days = v3_rows(events)
    r = Rollup()
    with c:
        c.execute("BEGIN")
        for e in events:
            day = r.add(e).isoformat()
            c.execute("INSERT INTO events (id, type, ts, utc, day, json) VALUES (?, ?, ?, ?, ?, ?)",
                      (e.id, e.type, e.ts, parse_ts(e.ts).timestamp(), day, e.to_json()))
        c.executemany("INSERT INTO bouts VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", bouts)
        c.executemany(f"INSERT INTO days ({', '.join(V3_DAYS)}) VALUES ({', '.join('?' * len(V3_DAYS))})", days)
        # a day whose events are gone (an old history trimmed by hand): counts kept, compliance unknown
        c.execute("INSERT INTO days (day, seated_s, bouts, prompts, exercises_done, compliance) "
                  "VALUES ('2024-02-01', 3600, 2, 2, 2, 1.0)")
        c.execute("COMMIT")
    c.close()


def test_a_v3_history_reads_old_days_by_the_new_rules(tmp_path):
    db = tmp_path / "h.db"
    d = Desk(datetime(2024, 3, 4, 9, 0, tzinfo=BERLIN))
    ignored_day(d, 0)
    answered_day(d, D)
    write_v3(db, d.events)
    with sqlite3.connect(db) as c:   # the file really is v3, with v3's flattering figures
        assert c.execute("PRAGMA user_version").fetchone()[0] == 3
        old = dict(c.execute("SELECT day, compliance FROM days").fetchall())
        assert old["2024-03-04"] == 1.0 and old["2024-03-05"] == 1.0   # both days "100 %" under v3
        assert c.execute("SELECT prompts FROM days WHERE day = '2024-03-05'").fetchone()[0] == 3
    Store(db).close()
    with open_readonly(db) as ro:
        assert ro.execute("PRAGMA user_version").fetchone()[0] == 4
        days = {x.day.isoformat(): x for x in read_days(ro)}
        trimmed = ro.execute("SELECT bouts, prompts, compliance FROM days WHERE day = '2024-02-01'").fetchone()
    ignored, answered = days["2024-03-04"], days["2024-03-05"]
    # the ignored day: two asks (routine, walk; the reminder and the walk's repeat ask again), the
    # break came 32 min after the routine and 2.5 min after the walk prompt: the walk was answered
    assert (ignored.prompts, ignored.asks, ignored.answered_in_time) == (4, 2, 1)
    assert ignored.compliance == 50.0
    # the answered day: the test prompt is gone from every figure, both routines were done in time
    assert (answered.prompts, answered.asks, answered.answered_in_time) == (2, 2, 2)
    assert answered.compliance == 100.0 and answered.bouts == 2 and answered.exercises_done == 2
    assert tuple(trimmed) == (2, 2, None)
    # and the migrated file goes on as a v4 history: new events roll up beside the old days
    more = Desk(datetime(2024, 3, 7, 9, 0, tzinfo=BERLIN), node=8)
    more.sit_start(0)
    more.prompt(30 * M, 1)
    more.done(50 * M, "button", in_time=False)   # the engine's word: 20 min is late
    more.sit_end(55 * M)
    more.finish()
    with Store(db) as s:
        s.add(more.events)
        assert s.flush()
        new = s.days("2024-03-07", "2024-03-07")[0]
        assert (new.asks, new.answered_in_time, new.compliance) == (1, 0, 0.0)
        assert s.days("2024-03-04", "2024-03-04")[0].compliance == 50.0


def test_an_ignored_seated_routine_with_a_late_break_is_not_compliant(tmp_path):
    """Without a walk prompt in between, a late break answers nothing: 0 %, where v3 said 100 %."""
    db = tmp_path / "h.db"
    d = Desk(datetime(2024, 3, 4, 9, 0, tzinfo=BERLIN))
    d.sit_start(0)
    d.prompt(30 * M, 1)
    d.prompt(35 * M, 2)
    d.sit_end(52 * M)
    d.done(54 * M, "break")
    d.take_break(54 * M)
    write_v3(db, d.events)
    with sqlite3.connect(db) as c:   # v3 counted the late break as an exercise done
        assert c.execute("SELECT exercises_done, done_break FROM days WHERE day = '2024-03-04'").fetchone() == (1, 1)
        assert c.execute("SELECT exercises_done FROM bouts").fetchall() == [(1,)]
    Store(db).close()
    with open_readonly(db) as ro:
        x = read_days(ro, "2024-03-04", "2024-03-04")[0]
        assert [tuple(b) for b in ro.execute("SELECT exercises_done FROM bouts")] == [(0,)]
    # and the late break is no exercise done (v3 counted it)
    assert (x.asks, x.answered_in_time, x.compliance, x.done_break, x.exercises_done) == (1, 0, 0.0, 0, 0)


def test_an_unreadable_event_row_does_not_stop_the_upgrade_and_is_kept(tmp_path):
    # One damaged row (not JSON; JSON without its time) made the v4 recompute raise KeyError:
    # the store could not open, and the daemon died at every start, with a traceback.
    clean, damaged = tmp_path / "clean.db", tmp_path / "damaged.db"
    d = Desk(datetime(2024, 3, 4, 9, 0, tzinfo=BERLIN))
    answered_day(d, 0)
    answered_day(d, 4 * D)   # the damaged day is old enough to be packed at the upgrade
    write_v3(clean, d.events)
    write_v3(damaged, d.events)
    with sqlite3.connect(damaged) as c:
        c.executemany("INSERT INTO events (id, type, ts, utc, day, json) VALUES (?, ?, ?, ?, '2024-03-04', ?)", [
            ("01ZZZZZZZZ0000000000000001", "prompt", "2024-03-04T10:00:00+01:00", 1709542800.0, "{not json"),
            ("01ZZZZZZZZ0000000000000002", "prompt", "2024-03-04T10:01:00+01:00", 1709542860.0,
             '{"v": 1, "type": "prompt", "id": "01ZZZZZZZZ0000000000000002", "ts": "2024-03-04T10:01:00+01:00"}')])
    Store(clean).close()
    Store(damaged).close()
    with open_readonly(clean) as a, open_readonly(damaged) as b:
        assert b.execute("PRAGMA user_version").fetchone()[0] == 4
        assert [tuple(x.as_row()) for x in read_days(b)] == [tuple(x.as_row()) for x in read_days(a)]
        assert b.execute("SELECT count(*) FROM events WHERE id LIKE '01ZZZZZZZZ%'").fetchone()[0] == 2  # kept
        assert a.execute("SELECT count(*) FROM packed_days").fetchone()[0] == 1
    # and the damaged file goes on taking events, on the damaged day too
    more = Desk(datetime(2024, 3, 4, 18, 0, tzinfo=BERLIN), node=8)
    more.sit_start(0)
    more.sit_end(10 * M)
    more.finish()
    with Store(damaged) as s:
        s.add(more.events)
        assert s.flush() and s.pending == 0
