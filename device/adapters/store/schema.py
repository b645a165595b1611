"""The history's schema and its upgrades, versioned with ``PRAGMA user_version``.

``MIGRATIONS[i]`` takes version ``i`` to ``i + 1``; v1 is the schema of the team brief
(docs/history.md, "Schema"). ``migrate`` runs the steps an open file still lacks, one
transaction each; a file from a newer deskpulse, or not a database, is a ``StoreError``.
"""
from __future__ import annotations

import os
import sqlite3
from datetime import time
from pathlib import Path
from typing import Callable

from device.errors import UserError
from device.core.rollup import Bout, DayStats
from device.adapters.store.reads import day_events, rollup_day
from device.adapters.store.sqlite_uri import sqlite_uri


class StoreError(UserError):
    """The history file cannot be used at all (not a database, from a newer deskpulse, missing)."""


MIGRATIONS: list[str | Callable[[sqlite3.Connection], None]] = [
    # v0 -> v1: the schema of the team brief.
    """
    CREATE TABLE events (id TEXT PRIMARY KEY, type TEXT NOT NULL, ts TEXT NOT NULL,
                         utc REAL NOT NULL, day TEXT NOT NULL, json TEXT NOT NULL);
    CREATE INDEX events_day ON events(day);
    CREATE TABLE bouts (start_utc REAL PRIMARY KEY, start_ts TEXT NOT NULL, end_ts TEXT NOT NULL,
                        day TEXT NOT NULL, bout_s REAL, seated_s REAL, prompts INTEGER,
                        exercises_done INTEGER, max_level INTEGER);
    CREATE INDEX bouts_day ON bouts(day);
    CREATE TABLE days (day TEXT PRIMARY KEY, seated_s REAL, bouts INTEGER, longest_bout_s REAL,
                       bouts_over_30 INTEGER, bouts_over_60 INTEGER, breaks INTEGER, prompts INTEGER,
                       exercises_done INTEGER, done_pir INTEGER, done_button INTEGER, done_break INTEGER,
                       done_command INTEGER, snoozes INTEGER, compliance REAL);
    CREATE TABLE kv (key TEXT PRIMARY KEY, value TEXT);
    CREATE TABLE outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, event_id TEXT NOT NULL,
                         created_utc REAL NOT NULL, payload TEXT NOT NULL);
    """,
    # v1 -> v2: fewer bytes per commit and per year (docs/history.md, "Schema").
    # - events keep an explicit seq (the insertion order; VACUUM may renumber a bare rowid) and
    #   lose their id index: ids are checked per desk day, through events_day.
    # - the outbox row is a reference to its event (seq) and the time it was queued, not a copy.
    # - bouts and days are clustered on their keys (WITHOUT ROWID): one b-tree each, not two.
    #   (kv stays a rowid table: its JSON values would overflow a WITHOUT ROWID cell of a 1 KiB page.)
    # - packed_days holds closed desk days, one compressed row per day (upkeep.py).
    """
    CREATE TABLE events_v2 (seq INTEGER PRIMARY KEY, id TEXT NOT NULL, type TEXT NOT NULL,
                            ts TEXT NOT NULL, utc REAL NOT NULL, day TEXT NOT NULL, json TEXT NOT NULL);
    INSERT INTO events_v2 (seq, id, type, ts, utc, day, json)
        SELECT rowid, id, type, ts, utc, day, json FROM events ORDER BY rowid;
    CREATE TABLE outbox_v2 (seq INTEGER PRIMARY KEY, created_utc INTEGER NOT NULL);
    INSERT OR IGNORE INTO outbox_v2 (seq, created_utc)
        SELECT e.seq, CAST(o.created_utc AS INTEGER) FROM outbox o JOIN events_v2 e ON e.id = o.event_id
        ORDER BY o.seq;
    DROP TABLE events;
    DROP TABLE outbox;
    ALTER TABLE events_v2 RENAME TO events;
    ALTER TABLE outbox_v2 RENAME TO outbox;
    CREATE INDEX events_day ON events(day);
    CREATE TABLE bouts_v2 (start_utc REAL NOT NULL, start_ts TEXT NOT NULL, end_ts TEXT NOT NULL,
                           day TEXT NOT NULL, bout_s REAL, seated_s REAL, prompts INTEGER,
                           exercises_done INTEGER, max_level INTEGER,
                           PRIMARY KEY (day, start_utc)) WITHOUT ROWID;
    INSERT OR REPLACE INTO bouts_v2 SELECT start_utc, start_ts, end_ts, day, bout_s, seated_s, prompts,
                                           exercises_done, max_level FROM bouts;
    DROP TABLE bouts;
    ALTER TABLE bouts_v2 RENAME TO bouts;
    CREATE TABLE days_v2 (day TEXT PRIMARY KEY, seated_s REAL, bouts INTEGER, longest_bout_s REAL,
                          bouts_over_30 INTEGER, bouts_over_60 INTEGER, breaks INTEGER, prompts INTEGER,
                          exercises_done INTEGER, done_pir INTEGER, done_button INTEGER, done_break INTEGER,
                          done_command INTEGER, snoozes INTEGER, compliance REAL) WITHOUT ROWID;
    INSERT INTO days_v2 SELECT * FROM days;
    DROP TABLE days;
    ALTER TABLE days_v2 RENAME TO days;
    CREATE TABLE packed_days (day TEXT PRIMARY KEY, n INTEGER NOT NULL, first_id TEXT NOT NULL,
                              last_id TEXT NOT NULL, data BLOB NOT NULL);
    """,
    # v2 -> v3: exercises counted as done because the person stood up after the prompt.
    """
    ALTER TABLE days ADD COLUMN done_stood INTEGER NOT NULL DEFAULT 0;
    """,
    # v3 -> v4: honest compliance (device/core/compliance.py): asks, asks answered in time, and
    # compliance as a percentage of them; every stored day recomputed (recompute_days).
    lambda conn: recompute_days(conn, """
    ALTER TABLE days ADD COLUMN asks INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE days ADD COLUMN answered_in_time INTEGER NOT NULL DEFAULT 0;
    """),
]
SCHEMA_VERSION = len(MIGRATIONS)


def check_version(conn: sqlite3.Connection, where: str) -> int:
    """The file's schema version; ``StoreError`` if it is not a database, or newer than this deskpulse."""
    try:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
    except sqlite3.DatabaseError as e:
        raise StoreError(f"{where}: not a deskpulse history database ({e})") from None
    if version > SCHEMA_VERSION:
        raise StoreError(f"{where}: history schema v{version} is newer than this deskpulse "
                         f"understands (v{SCHEMA_VERSION}); upgrade deskpulse")
    return version


def migrate(conn: sqlite3.Connection, where: str = "history") -> int:
    """Bring an open (autocommit) connection to ``SCHEMA_VERSION``; each step is one transaction."""
    version = check_version(conn, where)
    while version < SCHEMA_VERSION:
        step = MIGRATIONS[version]
        if isinstance(step, str):
            conn.executescript(f"BEGIN IMMEDIATE;\n{step}\nPRAGMA user_version = {version + 1};\nCOMMIT;")
        else:
            conn.execute("BEGIN IMMEDIATE")
            try:
                step(conn)
                conn.execute(f"PRAGMA user_version = {version + 1}")
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
        version += 1
    return version


def recompute_days(conn: sqlite3.Connection, ddl: str) -> None:
    """Run ``ddl`` (ALTERs, inside the caller's transaction), then rebuild every day's rows from its events.

    What a day's figures mean changed (test prompts no longer count; compliance is
    asks answered in time, as a percentage), so old days are recomputed from their
    stored events by today's rules, and read like new ones. A ``days`` row whose
    events are gone keeps its counts but loses its compliance (NULL: it cannot be
    told any more which exercises came in time).
    """
    for stmt in filter(str.strip, ddl.split(";")):
        conn.execute(stmt)
    with_events = {r[0] for r in conn.execute("SELECT DISTINCT day FROM events UNION SELECT day FROM packed_days")}
    conn.execute("UPDATE days SET compliance = NULL")
    cols = ", ".join(DayStats.COLUMNS)
    bcols = ", ".join(Bout.COLUMNS)
    for day in sorted(with_events):
        stats, bouts = rollup_day(day, day_events(conn, day), time(0))
        conn.execute("DELETE FROM bouts WHERE day = ?", (day,))
        conn.executemany(f"INSERT OR REPLACE INTO bouts ({bcols}) VALUES ({', '.join('?' * len(Bout.COLUMNS))})",
                         [b.as_row() for b in bouts])
        conn.execute(f"INSERT OR REPLACE INTO days ({cols}) VALUES ({', '.join('?' * len(DayStats.COLUMNS))})",
                     stats.as_row())


def needs_upgrade(path: str | os.PathLike) -> bool:
    """Whether an existing history file is of an older schema (opening it will migrate it)."""
    p = Path(path).expanduser()
    if not p.is_file():
        return False
    try:
        conn = sqlite3.connect(sqlite_uri(p.resolve(), "ro"), uri=True)
        try:
            return 0 < conn.execute("PRAGMA user_version").fetchone()[0] < SCHEMA_VERSION
        finally:
            conn.close()
    except sqlite3.Error:
        return False
