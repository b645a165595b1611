"""A history file exactly as deskpulse's v1 store wrote it, for the upgrade tests."""
from __future__ import annotations

import sqlite3

from device.core.rollup import DayStats, Rollup, parse_ts
from device.adapters.store import MIGRATIONS

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
