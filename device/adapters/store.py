"""The SQLite history: events, bouts, days, the daemon's kv state and the MQTT outbox.

Why it looks like this:

- **Batched writes.** ``add`` only buffers; ``flush`` (called by the daemon
  every ``history.flush_interval_s``) writes the whole batch in one
  transaction. An SD card wears under per-second commits; one commit a minute
  costs a few pages.
- **WAL, synchronous=NORMAL.** Readers (the dashboard) never block the writer
  and a crash (kill -9, OOM) never loses a committed batch or corrupts the
  file. A power cut may lose the last batch or so, never the file.
- **The daemon never dies of its history.** A failed write (disk full,
  read-only card, a locked file) is counted (``write_errors``), logged once
  per streak, and retried at the next flush with the events still buffered
  (at most ``max_buffer``; beyond that the oldest are dropped, counted and
  logged). ``add``, ``set``, ``flush`` and ``close`` never raise.
- **Derived tables are recomputed, not incremented.** Each flush rebuilds the
  ``bouts`` and ``days`` rows of the desk days it touched from that day's
  stored events (a day is a few hundred events), so a crash, a retry or a
  restart can never double-count.

The schema is versioned with ``PRAGMA user_version``; ``MIGRATIONS[i]`` takes
version ``i`` to ``i + 1``. v1 is the schema of the team brief.
"""
from __future__ import annotations

import json
import logging
import os
import sqlite3
import heapq
import itertools
import threading
import time as time_
import zlib
from collections import deque
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from device.errors import UserError
from device.core.events import Event
from device.core.rollup import Bout, DayStats, Rollup, parse_ts
from device.adapters.sqlite_uri import sqlite_uri

log = logging.getLogger("deskpulse.store")

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
    # - packed_days holds closed desk days, one compressed row per day (Store._pack).
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
    # compliance as a percentage of them; every stored day recomputed (_recompute_days).
    lambda conn: _recompute_days(conn, """
    ALTER TABLE days ADD COLUMN asks INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE days ADD COLUMN answered_in_time INTEGER NOT NULL DEFAULT 0;
    """),
]
SCHEMA_VERSION = len(MIGRATIONS)

DEFAULT_MAX_BUFFER = 50_000
#: New history files use 1 KiB pages: a commit writes whole pages, and ours change a few rows.
PAGE_SIZE = 1024
#: Desk days this far before the newest stored day are packed (one compressed row per day).
PACK_AFTER_DAYS = 2
#: At most this many days are packed in one flush (a migrated file packs its past at open).
PACK_PER_FLUSH = 3
#: A file with more free pages than this (and over a quarter of it) is compacted at start.
COMPACT_FREE_PAGES = 1024
#: How often (wall seconds) the store applies the outbox's age and size bounds.
OUTBOX_PRUNE_S = 3600.0


class StoreError(UserError):
    """The history file cannot be used at all (not a database, from a newer deskpulse, missing)."""


# -- opening ---------------------------------------------------------------------------------
def _check_version(conn: sqlite3.Connection, where: str) -> int:
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
    version = _check_version(conn, where)
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


def _recompute_days(conn: sqlite3.Connection, ddl: str) -> None:
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
        stats, bouts = _rollup_day(day, _day_events(conn, day), time(0))
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


def open_readonly(path: str | os.PathLike) -> sqlite3.Connection:
    """A read-only connection (``file:...?mode=ro``) for the dashboard and ``export``; rows are ``sqlite3.Row``.

    Raises ``StoreError`` (one line, for a person) when the file is missing,
    not a database, or from a newer schema.
    """
    p = Path(path).expanduser()
    if not p.is_file():
        raise StoreError(f"{p}: no history database there")
    try:
        conn = sqlite3.connect(sqlite_uri(p.resolve(), "ro"), uri=True, check_same_thread=False)
    except sqlite3.Error as e:
        raise StoreError(f"{p}: cannot open the history database ({e})") from None
    try:
        version = _check_version(conn, str(p))
        if version < SCHEMA_VERSION:
            raise StoreError(f"{p}: history schema v{version} is older than v{SCHEMA_VERSION}; "
                             f"start the daemon once to migrate it")
    except BaseException:
        conn.close()
        raise
    conn.row_factory = sqlite3.Row
    return conn


def integrity_check(target: str | os.PathLike | sqlite3.Connection) -> list[str]:
    """``PRAGMA integrity_check``: an empty list when the file is sound, else SQLite's findings."""
    conn = target if isinstance(target, sqlite3.Connection) else open_readonly(target)
    try:
        rows = [r[0] for r in conn.execute("PRAGMA integrity_check").fetchall()]
    finally:
        if conn is not target:
            conn.close()
    return [] if rows == ["ok"] else rows


# -- reading (plain SQL on any connection, read-only or not) ------------------------------------
def _iso(d: date | str | None) -> str | None:
    return d.isoformat() if isinstance(d, date) else d


def read_days(conn: sqlite3.Connection, from_date: date | str | None = None,
              to_date: date | str | None = None) -> list[DayStats]:
    sql = f"SELECT {', '.join(DayStats.COLUMNS)} FROM days WHERE day >= ? AND day <= ? ORDER BY day"
    rows = conn.execute(sql, (_iso(from_date) or "0000", _iso(to_date) or "9999")).fetchall()
    return [DayStats.from_row(r) for r in rows]


def read_bouts(conn: sqlite3.Connection, from_date: date | str | None = None,
               to_date: date | str | None = None) -> list[Bout]:
    sql = f"SELECT {', '.join(Bout.COLUMNS)} FROM bouts WHERE day >= ? AND day <= ? ORDER BY start_utc"
    rows = conn.execute(sql, (_iso(from_date) or "0000", _iso(to_date) or "9999")).fetchall()
    return [Bout.from_row(r) for r in rows]


def _unpack(blob: bytes) -> list[str]:
    """A packed day's events: their JSON payloads in emission order.

    A damaged blob (bit rot on an SD card) must not stop the history or the
    dashboard: what still decompresses and parses is returned, and the damage
    logged once per blob.
    """
    try:
        return zlib.decompress(blob).decode("utf-8").split("\n")
    except (zlib.error, UnicodeDecodeError, TypeError) as e:
        kept = _salvage(blob)
        key = hash(bytes(blob)) if isinstance(blob, (bytes, bytearray, memoryview)) else id(blob)
        if key not in _DAMAGED:
            _DAMAGED.add(key)
            log.error("history: a packed day is damaged (%s); %d events recovered from it", e, len(kept))
        return kept


_DAMAGED: set[int] = set()


def _intact(blob: bytes) -> bool:
    try:
        zlib.decompress(blob).decode("utf-8")
        return True
    except (zlib.error, UnicodeDecodeError, TypeError):
        return False


def _salvage(blob) -> list[str]:
    """The whole JSON lines that a damaged zlib stream still yields before the damage."""
    out, d = b"", zlib.decompressobj()
    try:
        data = bytes(blob)
        for i in range(0, len(data), 16):  # small steps: a step that hits the damage yields nothing
            out += d.decompress(data[i:i + 16])
    except (zlib.error, TypeError):
        pass
    kept = []
    for line in out.decode("utf-8", "ignore").split("\n"):
        try:
            if isinstance(json.loads(line).get("id"), str):
                kept.append(line)
        except (ValueError, AttributeError):
            continue
    return kept


def _pack_blob(payloads: list[str]) -> bytes:
    return zlib.compress("\n".join(payloads).encode("utf-8"), 9)


def _id_of(payload: str) -> str:
    return json.loads(payload)["id"]


def _ids_of(payloads: list[str]) -> list[str]:
    """The ids of a day's payloads, leaving out rows that are not events (damaged: see ``_day_events``)."""
    out = []
    for p in payloads:
        try:
            out.append(_id_of(p))
        except (ValueError, KeyError, TypeError, AttributeError):
            continue
    return out


def iter_event_rows(conn: sqlite3.Connection, first_day: date | str | None = None,
                    last_day: date | str | None = None, after_id: str | None = None) -> Iterator[tuple[str, str, str]]:
    """``(id, day, json)`` of the stored events in id order, lazily: live rows and packed days merged.

    Only the packed days whose ids can come next are decompressed, so paging
    through years costs a day's blob per page, not the whole history.
    """
    lo, hi, after = _iso(first_day) or "0000", _iso(last_day) or "9999", after_id or ""
    sources: list[tuple[str, Callable[[], list[tuple[str, str, str]]]]] = []
    live = [(r[0], r[1], r[2]) for r in conn.execute(
        "SELECT id, day, json FROM events WHERE day >= ? AND day <= ? AND id > ? ORDER BY id", (lo, hi, after))]
    if live:
        sources.append((live[0][0], lambda live=live: live))

    def loader(day: str):
        def load() -> list[tuple[str, str, str]]:
            row = conn.execute("SELECT data FROM packed_days WHERE day = ?", (day,)).fetchone()
            rows = [(_id_of(p), day, p) for p in _unpack(row[0])] if row else []
            return sorted(r for r in rows if r[0] > after)
        return load
    for day, first in conn.execute("SELECT day, first_id FROM packed_days WHERE day >= ? AND day <= ? "
                                   "AND last_id > ? ORDER BY first_id", (lo, hi, after)):
        sources.append((first, loader(day)))
    sources.sort(key=lambda s: s[0])
    heap: list[tuple[str, int, int, list]] = []   # (id, source number, index, rows)
    n = 0
    while sources or heap:
        while sources and (not heap or sources[0][0] <= heap[0][0]):
            _, load = sources.pop(0)
            rows = load()
            if rows:
                heapq.heappush(heap, (rows[0][0], n, 0, rows))
                n += 1
        if not heap:
            continue
        _, k, i, rows = heapq.heappop(heap)
        yield rows[i]
        if i + 1 < len(rows):
            heapq.heappush(heap, (rows[i + 1][0], k, i + 1, rows))


def read_events(conn: sqlite3.Connection, day: date | str | None = None, from_id: str | None = None,
                limit: int | None = 1000, to_day: date | str | None = None) -> list[tuple[str, Event]]:
    """(day, event) pairs in id order; ``from_id`` pages (ids strictly after it).

    ``day`` alone selects one desk day; with ``to_day`` it is a range (either may be None).
    """
    first, last = (day, day) if to_day is None and day is not None else (day, to_day)
    rows = iter_event_rows(conn, first, last, from_id)
    if limit is not None:
        rows = itertools.islice(rows, int(limit))
    return [(d, Event.from_dict(json.loads(p))) for _, d, p in rows]


def day_payloads(conn: sqlite3.Connection, day: date | str) -> list[str]:
    """One desk day's event payloads in emission (insertion) order: the packed ones, then live rows."""
    day = _iso(day)
    out: list[str] = []
    row = conn.execute("SELECT data FROM packed_days WHERE day = ?", (day,)).fetchone()
    if row is not None:
        out = _unpack(row[0])
    # seq = insertion (emission) order, which survives a wall clock stepping back; ids may not.
    out += [r[0] for r in conn.execute("SELECT json FROM events WHERE day = ? ORDER BY seq", (day,))]
    return out


def last_event_id(conn: sqlite3.Connection, day: date | str) -> str | None:
    day = _iso(day)
    live = conn.execute("SELECT max(id) FROM events WHERE day = ?", (day,)).fetchone()[0]
    packed = conn.execute("SELECT last_id FROM packed_days WHERE day = ?", (day,)).fetchone()
    return max((x for x in (live, packed[0] if packed else None) if x), default=None)


def max_event_id(conn: sqlite3.Connection) -> str | None:
    """The greatest stored id (live rows and packed days): a restarted daemon's ids continue after it."""
    live = conn.execute("SELECT max(id) FROM events").fetchone()[0]
    packed = conn.execute("SELECT max(last_id) FROM packed_days").fetchone()[0]
    return max((x for x in (live, packed) if x), default=None)


def count_events(conn: sqlite3.Connection) -> int:
    live = conn.execute("SELECT count(*) FROM events").fetchone()[0]
    return live + conn.execute("SELECT coalesce(sum(n), 0) FROM packed_days").fetchone()[0]


def _day_events(conn: sqlite3.Connection, day: str) -> list[Event]:
    """The day's events for its rollup; a row that is not an event (damaged) is left out of the
    figures, and left in the file, rather than stop the store from opening (the v4 recompute)."""
    out, bad = [], 0
    for p in day_payloads(conn, day):
        try:
            out.append(Event.from_dict(json.loads(p)))
        except (ValueError, TypeError, KeyError, AttributeError):
            bad += 1
    if bad and day not in _WARNED_DAYS:
        _WARNED_DAYS.add(day)
        log.warning("%d stored events of %s cannot be read; the day's figures leave them out", bad, day)
    return out


_WARNED_DAYS: set[str] = set()  # one warning per damaged day and process, not one per flush


def _day_rollup(day: str, events: Iterable[Event], boundary: time) -> Rollup:
    r = Rollup(boundary)
    d = date.fromisoformat(day)
    for e in events:
        r.add(e, day=d)
    return r


def _rollup_day(day: str, events: Iterable[Event], boundary: time, as_of: datetime | None = None):
    r = _day_rollup(day, events, boundary)
    days = r.days(as_of)
    return (days[0] if days else DayStats(date.fromisoformat(day))), r.bouts(as_of)


class Store:
    """The daemon's history writer. Owned by the loop thread; a lock makes stray calls safe.

    ``Store(path, boundary)``; ``add(events)``; ``flush()`` every
    ``history.flush_interval_s``; ``get``/``set`` for resume state (written
    with the next flush); ``close()`` (safe twice; also a context manager).
    """

    def __init__(self, path: str | os.PathLike, boundary: time | str = time(0), *,
                 max_buffer: int = DEFAULT_MAX_BUFFER, busy_timeout_s: float = 2.0,
                 wall: Callable[[], float] = time_.time, outbox_max_age_days: float = 30.0,
                 outbox_max_rows: int = 100_000, queue_for_mqtt: bool = True,
                 mono: Callable[[], float] | None = None, boot: str | None | object = ...):
        if isinstance(boundary, str):
            from device.config import parse_hhmm
            boundary = parse_hhmm(boundary)
        self.path = Path(path).expanduser()
        self.boundary = boundary
        self.max_buffer = max_buffer
        self.busy_timeout_s = busy_timeout_s
        self.wall = wall  # unix seconds for outbox.created_utc: the outbox ages rows on this same axis
        # ... and follows the wall clock's steps against the monotonic one (device/adapters/outbox.py). A
        # ``wall`` given without ``mono`` is a world of one clock that never steps (tests, tools).
        if mono is None:
            own = wall is time_.time
            mono = time_.monotonic if own else wall
            if boot is ... and not own:
                boot = None
        self.mono = mono
        if boot is ...:
            from device.adapters.clock import boot_id
            boot = boot_id()
        self.boot = boot
        self.outbox_max_age_days = outbox_max_age_days
        self.outbox_max_rows = outbox_max_rows
        #: False with no broker configured: an outbox row would be written, kept 30 days and dropped
        #: unread, and would keep those days from being packed; a broker set up later starts from then.
        self.queue_for_mqtt = queue_for_mqtt
        self._next_prune = float("-inf")  # monotonic time of the next outbox bound check
        #: ``delivered(event_id) -> bool`` (the MQTT sink's, any thread): an event acknowledged by the
        #: broker before this flush gets no outbox row at all (nothing to insert, nothing to delete).
        self.delivered: Callable[[str], bool] | None = None
        self._pack_due = True             # look for closed days to pack at the next flush
        self._newest_day: str | None = None
        self._lock = threading.RLock()
        self._pending: deque[tuple[Event, str, float]] = deque()
        self._kv_pending: dict[str, str | None] = {}
        self._tagger = Rollup(boundary)
        # Rollups of the last days written, so a flush costs O(batch), not O(day); rebuilt from
        # the file after any failed transaction (they may hold events that were rolled back).
        self._day_cache: dict[str, Rollup] = {}
        self._day_ids: dict[str, set[str]] = {}  # ids stored per recent day: re-added events are ignored
        self._written: dict[str, tuple[dict, tuple | None]] = {}  # bouts/days rows as last written, per day
        self._conn: sqlite3.Connection | None = None
        self._closed = False
        self.write_errors = 0
        self.dropped = 0
        self.flushes = 0
        self.events_written = 0
        self.outbox_dropped = 0
        self.days_packed = 0
        self.last_error: str | None = None
        self._failing = False
        self._open()

    @classmethod
    def for_config(cls, cfg, **kw) -> "Store":
        from device.config import default_db_path, parse_hhmm
        kw.setdefault("outbox_max_age_days", cfg.mqtt.outbox_max_age_days)
        kw.setdefault("outbox_max_rows", cfg.mqtt.outbox_max_rows)
        kw.setdefault("queue_for_mqtt", bool(cfg.mqtt.host))
        return cls(default_db_path(cfg), parse_hhmm(cfg.coaching.day_boundary), **kw)

    # -- connection ------------------------------------------------------------------------
    def _open(self) -> bool:
        """Open and migrate; on failure remember why and try again at the next flush."""
        try:
            new = not self.path.exists()
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False,
                                   timeout=self.busy_timeout_s)
            if new:
                os.chmod(self.path, 0o640)  # history is personal: no world read
            try:
                if conn.execute("PRAGMA page_count").fetchone()[0] == 0:
                    conn.execute(f"PRAGMA page_size = {PAGE_SIZE}")  # only a new, empty file takes it
                mode = conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
                if mode.lower() != "wal":
                    log.warning("%s: journal_mode is %s, not wal", self.path, mode)
                conn.execute("PRAGMA synchronous=NORMAL")
                conn.execute("PRAGMA journal_size_limit=4194304")
                before = _check_version(conn, str(self.path))
                migrate(conn, str(self.path))
                if 0 < before < SCHEMA_VERSION:
                    log.info("%s: history schema v%d upgraded to v%d", self.path, before, SCHEMA_VERSION)
                self._seed_tagger(conn)
                if 0 < before < SCHEMA_VERSION:
                    self._repack(conn)
                self._compact(conn)
            except BaseException:
                conn.close()
                raise
        except StoreError:
            raise
        except (sqlite3.OperationalError, OSError) as e:  # read-only, locked, full: may pass
            self._failed(e, "open")
            return False
        except sqlite3.DatabaseError as e:  # not a database, malformed: will not pass by itself
            raise StoreError(f"{self.path}: not a usable history database ({e})") from None
        self._conn = conn
        return True

    def _repack(self, conn: sqlite3.Connection) -> None:
        """After an upgrade: apply the outbox bounds and pack every closed day (``_compact`` follows)."""
        t0 = time_.perf_counter()
        conn.execute("BEGIN IMMEDIATE")
        try:
            self._follow_clock(conn, self.wall())
            self._prune_outbox(conn, self.wall())
            n = self._pack(conn, None)
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        self.days_packed = 0
        log.info("%s: packed %d closed desk days in %.1f s", self.path, n, time_.perf_counter() - t0)

    def _compact(self, conn: sqlite3.Connection) -> None:
        """VACUUM once after an upgrade (or at a later start if a reader prevented it then).

        It rewrites the file without the freed pages and, out of WAL, with our page size; it
        is one transaction, so a kill leaves the old file. It needs the file to itself: with a
        reader (the dashboard) holding it, it is skipped with a warning until the next start.
        Day-to-day packing frees a few pages a day that new rows reuse, so it never asks for this.
        """
        free = conn.execute("PRAGMA freelist_count").fetchone()[0]
        size = conn.execute("PRAGMA page_size").fetchone()[0]
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        if size == PAGE_SIZE and not (free > COMPACT_FREE_PAGES and free > pages // 4):
            return
        t0 = time_.perf_counter()
        try:
            mode = conn.execute("PRAGMA journal_mode=DELETE").fetchone()[0]
            if mode.lower() == "wal":
                raise sqlite3.OperationalError("another connection has it open")
            conn.execute(f"PRAGMA page_size = {PAGE_SIZE}")
            conn.execute("VACUUM")
        except sqlite3.OperationalError as e:
            log.warning("%s: could not compact the history (%s); trying again at the next start", self.path, e)
            return
        finally:
            conn.execute("PRAGMA journal_mode=WAL")
        log.info("%s: compacted from %d pages of %d bytes (%d free) in %.1f s", self.path, pages, size, free,
                 time_.perf_counter() - t0)

    def _seed_tagger(self, conn: sqlite3.Connection) -> None:
        """Replay the last stored desk day so a bout running across a restart keeps its day."""
        row = conn.execute("SELECT day FROM events ORDER BY seq DESC LIMIT 1").fetchone() or \
            conn.execute("SELECT max(day) FROM packed_days").fetchone()
        if row is None or row[0] is None:
            return
        tagger = Rollup(self.boundary)
        d = date.fromisoformat(row[0])
        for e in _day_events(conn, row[0]):
            tagger.add(e, day=d)
        for e, day, _ in self._pending:  # events buffered while the file could not be opened
            tagger.add(e, day=date.fromisoformat(day))
        tagger.prune()
        self._tagger = tagger

    @property
    def conn(self) -> sqlite3.Connection | None:
        """The writer connection (for tests, ``doctor`` and the outbox sender on the loop thread)."""
        return self._conn

    # -- writing ---------------------------------------------------------------------------
    def add(self, events: Event | Iterable[Event]) -> None:
        """Buffer events for the next flush; tags each with its desk day now (bout context)."""
        if isinstance(events, Event):
            events = (events,)
        with self._lock:
            for e in events:
                try:
                    day = self._tagger.add(e)
                    utc = parse_ts(e.ts).timestamp()
                except (ValueError, TypeError, AttributeError) as err:
                    self.dropped += 1
                    log.error("history: dropped a malformed event %r: %s", getattr(e, "id", e), err)
                    continue
                self._pending.append((e, day.isoformat(), utc))
                if self._tagger.open_bout_day is None:
                    self._tagger.prune()
            over = len(self._pending) - self.max_buffer
            if over > 0:
                for _ in range(over):
                    self._pending.popleft()
                if self.dropped == 0 or (self.dropped + over) // 1000 != self.dropped // 1000:
                    log.error("history: write buffer full (%d events); dropped the oldest, %d so far",
                              self.max_buffer, self.dropped + over)
                self.dropped += over

    def set(self, key: str, value: str | None) -> None:
        """Buffer a kv write (``None`` deletes); written in the next flush's transaction."""
        with self._lock:
            self._kv_pending[key] = value

    def get(self, key: str, default: str | None = None) -> str | None:
        with self._lock:
            if key in self._kv_pending:
                v = self._kv_pending[key]
                return default if v is None else v
            if self._conn is None:
                return default
            try:
                row = self._conn.execute("SELECT value FROM kv WHERE key = ?", (key,)).fetchone()
            except sqlite3.Error as e:
                log.warning("history: cannot read kv %s: %s", key, e)
                return default
            return default if row is None or row[0] is None else row[0]

    def set_json(self, key: str, value: Any) -> None:
        self.set(key, None if value is None else json.dumps(value, separators=(",", ":")))

    def get_json(self, key: str, default: Any = None) -> Any:
        raw = self.get(key)
        if raw is None:
            return default
        try:
            return json.loads(raw)
        except ValueError:
            log.warning("history: kv %s is not JSON; ignored", key)
            return default

    @property
    def pending(self) -> int:
        return len(self._pending)

    def pending_events(self, newest: int | None = None) -> list[tuple[str, Event]]:
        """(desk day, event) of everything buffered (or of the ``newest`` n), oldest first (the daemon's RAM copy).

        ``newest`` walks only that many from the end: a buffer grown by a long card failure
        is not copied whole for each status change."""
        with self._lock:
            if newest is None or newest >= len(self._pending):
                return [(day, e) for e, day, _ in self._pending]
            tail = [(day, e) for e, day, _ in itertools.islice(reversed(self._pending), max(newest, 0))]
            tail.reverse()
            return tail

    def flush(self) -> bool:
        """Write everything buffered in one transaction. True on success (or nothing to do); never raises."""
        with self._lock:
            if not self._pending and not self._kv_pending:
                return True
            if self._conn is None:
                try:
                    if not self._open():
                        return False
                except StoreError as e:  # the file went bad while we waited: keep buffering
                    self._failed(e, "open")
                    return False
            batch = list(self._pending)
            kv = dict(self._kv_pending)
            conn = self._conn
            try:
                conn.execute("BEGIN IMMEDIATE")
                written = self._write(conn, batch, kv)
                conn.execute("COMMIT")
            except (sqlite3.Error, OSError) as e:
                try:
                    if conn.in_transaction:
                        conn.execute("ROLLBACK")
                except sqlite3.Error:
                    pass
                self._day_cache.clear()
                self._day_ids.clear()
                self._written.clear()
                self._pack_due = True
                self._failed(e, "write")
                return False
            for _ in batch:
                self._pending.popleft()
            for k, v in kv.items():
                if self._kv_pending.get(k, object()) == v:
                    del self._kv_pending[k]
            self.flushes += 1
            self.events_written += written
            if self._failing:
                log.warning("history: writing again after %d failed attempts; %d events caught up",
                            self.write_errors, len(batch))
                self._failing = False
            return True

    def _write(self, conn: sqlite3.Connection, batch: list[tuple[Event, str, float]],
               kv: dict[str, str | None]) -> int:
        written = 0
        now = self.wall()
        self._follow_clock(conn, now)
        fresh: dict[str, list[Event]] = {}
        rows = []
        for e, day, utc in batch:
            ids = self._ids(conn, day)
            if e.id in ids or self._stored_nearby(conn, e.id, day):
                continue  # a retried or re-added event: stored once, queued for MQTT once
            ids.add(e.id)
            payload = e.to_json()
            cur = conn.execute("INSERT INTO events (id, type, ts, utc, day, json) VALUES (?, ?, ?, ?, ?, ?)",
                               (e.id, e.type, e.ts, utc, day, payload))
            if self.queue_for_mqtt and (self.delivered is None or not self.delivered(e.id)):
                rows.append((cur.lastrowid, int(now)))
            fresh.setdefault(day, []).append(e)
            written += 1
            if self._newest_day is None or day > self._newest_day:
                self._newest_day = day
                self._pack_due = True
        # The outbox row only points at its event: the payload is the event's own json.
        conn.executemany("INSERT INTO outbox (seq, created_utc) VALUES (?, ?)", rows)
        for day in sorted(fresh):
            r = self._day_cache.get(day)
            if r is None:  # includes this batch's rows: same transaction
                r = _day_rollup(day, _day_events(conn, day), self.boundary)
            else:
                d = date.fromisoformat(day)
                for e in fresh[day]:
                    r.add(e, day=d)
            self._day_cache[day] = r
            if len(self._day_cache) > 3:
                del self._day_cache[min(self._day_cache)]
            days = r.days()
            stats = days[0] if days else DayStats(date.fromisoformat(day))
            self._write_rollup(conn, day, [b.as_row() for b in r.bouts()], stats.as_row())
        for k, v in kv.items():
            if v is None:
                conn.execute("DELETE FROM kv WHERE key = ?", (k,))
            else:
                # an upsert keeps the row's rowid, so the key index is not rewritten
                conn.execute("INSERT INTO kv (key, value) VALUES (?, ?) "
                             "ON CONFLICT (key) DO UPDATE SET value = excluded.value", (k, v))
        if self.mono() >= self._next_prune:
            self._prune_outbox(conn, now)
        if self._pack_due:
            self._pack(conn, PACK_PER_FLUSH)
        return written

    def _write_rollup(self, conn: sqlite3.Connection, day: str, bouts: list[tuple], stats: tuple) -> None:
        """Upsert the day's bouts and days rows, touching only the rows that changed (usually the last bout)."""
        written = self._written.get(day)
        if written is None:
            written = ({tuple(r)[0]: tuple(r) for r in conn.execute(
                f"SELECT {', '.join(Bout.COLUMNS)} FROM bouts WHERE day = ?", (day,))},
                conn.execute(f"SELECT {', '.join(DayStats.COLUMNS)} FROM days WHERE day = ?", (day,)).fetchone())
        old_bouts, old_stats = written
        new_bouts = {b[0]: b for b in bouts}
        gone = [(day, k) for k in old_bouts if k not in new_bouts]
        if gone:
            conn.executemany("DELETE FROM bouts WHERE day = ? AND start_utc = ?", gone)
        changed = [b for k, b in new_bouts.items() if old_bouts.get(k) != b]
        if changed:
            conn.executemany(f"INSERT OR REPLACE INTO bouts ({', '.join(Bout.COLUMNS)}) "
                             f"VALUES ({', '.join('?' * len(Bout.COLUMNS))})", changed)
        if old_stats is None or tuple(old_stats) != stats:
            conn.execute(f"INSERT OR REPLACE INTO days ({', '.join(DayStats.COLUMNS)}) "
                         f"VALUES ({', '.join('?' * len(DayStats.COLUMNS))})", stats)
        self._written[day] = (new_bouts, stats)
        while len(self._written) > 3:
            del self._written[min(self._written)]

    def _stored_nearby(self, conn: sqlite3.Connection, event_id: str, day: str) -> bool:
        """Is the event stored under the day before or after? (Re-added without its bout's context,
        an event after midnight may be tagged with the next day.)"""
        d = date.fromisoformat(day)
        return any(event_id in self._ids(conn, (d + timedelta(days=k)).isoformat()) for k in (-1, 1))

    def _ids(self, conn: sqlite3.Connection, day: str) -> set[str]:
        """The ids stored for ``day`` (live and packed), cached for the last few days written."""
        ids = self._day_ids.get(day)
        if ids is None:
            ids = set(_ids_of(day_payloads(conn, day)))
            self._day_ids[day] = ids
            while len(self._day_ids) > 8:
                del self._day_ids[min(self._day_ids)]
        return ids

    def _follow_clock(self, conn: sqlite3.Connection, now: float) -> None:
        """Before rows are queued: a wall-clock step moves the queued rows' times with it (device/adapters/outbox.py)."""
        from device.adapters.outbox import follow_clock_steps
        step = follow_clock_steps(conn, now, self.mono(), self.boot)
        if step:
            log.info("history: the wall clock stepped by %+.0f s; queued MQTT events keep their age", step)

    def _prune_outbox(self, conn: sqlite3.Connection, now: float) -> None:
        """Apply the outbox's bounds here too: with no broker configured no MQTT sink runs to do it."""
        from device.adapters.outbox import prune_outbox
        self._next_prune = self.mono() + OUTBOX_PRUNE_S
        old, over = prune_outbox(conn, now, self.outbox_max_age_days * 86400.0, self.outbox_max_rows)
        if old or over:
            first = self.outbox_dropped == 0
            self.outbox_dropped += old + over
            self._pack_due = True
            (log.warning if first else log.info)("history: dropped %d undelivered MQTT events from the outbox (%d older than %g days, "
                        "%d over %d rows); %d since start", old + over, old, self.outbox_max_age_days, over,
                        self.outbox_max_rows, self.outbox_dropped)

    def _pack(self, conn: sqlite3.Connection, limit: int | None) -> int:
        """Compress closed desk days into ``packed_days`` (one row a day); returns how many were packed.

        A day is closed when it is ``PACK_AFTER_DAYS`` before the newest stored day,
        holds no open bout, and none of its events still waits in the outbox
        (the outbox reads payloads from live rows). The newest day is never packed,
        so ``events.seq`` keeps growing.
        """
        newest = conn.execute("SELECT max(day) FROM events").fetchone()[0]
        if newest is None:
            self._pack_due = False
            return 0
        cutoff = (date.fromisoformat(newest) - timedelta(days=PACK_AFTER_DAYS)).isoformat()
        first_waiting = conn.execute("SELECT min(seq) FROM outbox").fetchone()[0]
        open_day = self._tagger.open_bout_day
        candidates = conn.execute("SELECT day, max(seq) FROM events WHERE day <= ? GROUP BY day ORDER BY day",
                                  (cutoff,)).fetchall()
        packed, more = 0, False
        for day, last_seq in candidates:
            if first_waiting is not None and last_seq >= first_waiting:
                break  # this day's events (and later ones) still wait for MQTT
            if open_day is not None and day >= open_day.isoformat():
                break
            if limit is not None and packed >= limit:
                more = True  # the rest next time: a flush must stay short (the loop waits for it)
                break
            old = conn.execute("SELECT data FROM packed_days WHERE day = ?", (day,)).fetchone()
            if old is not None and not _intact(old[0]):
                continue  # never rewrite a damaged day: its rows stay live, the damaged blob as it is
            payloads = day_payloads(conn, day)
            ids = _ids_of(payloads)
            if len(ids) != len(payloads):
                continue  # a row that is not an event: the day stays live, as it is
            conn.execute("INSERT OR REPLACE INTO packed_days (day, n, first_id, last_id, data) VALUES (?, ?, ?, ?, ?)",
                         (day, len(payloads), min(ids), max(ids), _pack_blob(payloads)))
            conn.execute("DELETE FROM events WHERE day = ? AND seq <= ?", (day, last_seq))
            packed += 1
        self.days_packed += packed
        self._pack_due = more
        return packed

    def _failed(self, e: BaseException, what: str) -> None:
        self.write_errors += 1
        self.last_error = f"{what}: {e}"
        if not self._failing:
            log.error("history: cannot %s %s (%s); keeping %d events buffered and retrying",
                      what, self.path, e, len(self._pending))
            self._failing = True
        else:
            log.debug("history: %s failed again (%s), %d buffered", what, e, len(self._pending))

    def close(self) -> None:
        """Flush and close; safe to call twice. Events that still cannot be written are logged as lost."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            self.flush()
            if self._pending:
                log.error("history: closing with %d events unwritten (%s)", len(self._pending), self.last_error)
            if self._conn is not None:
                try:
                    self._conn.close()
                except sqlite3.Error:
                    pass
                self._conn = None

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def stats(self) -> dict[str, Any]:
        """Counters for ``doctor``, logs and MQTT diagnostics."""
        return {"pending": len(self._pending), "write_errors": self.write_errors, "dropped": self.dropped,
                "flushes": self.flushes, "events_written": self.events_written, "last_error": self.last_error,
                "outbox_dropped": self.outbox_dropped, "days_packed": self.days_packed}

    # -- reading (flushed data; the dashboard reads the file itself) ----------------------------
    def _reader(self) -> sqlite3.Connection:
        if self._conn is None:
            raise StoreError(f"{self.path}: the history database is not open ({self.last_error})")
        return self._conn

    def days(self, from_date: date | str | None = None, to_date: date | str | None = None) -> list[DayStats]:
        with self._lock:
            return read_days(self._reader(), from_date, to_date)

    def bouts(self, day: date | str) -> list[Bout]:
        with self._lock:
            return read_bouts(self._reader(), day, day)

    def events(self, day: date | str | None = None, from_id: str | None = None,
               limit: int | None = 1000) -> list[Event]:
        with self._lock:
            return [e for _, e in read_events(self._reader(), day, from_id, limit)]

    def day_stats(self, day: date | str, as_of: datetime | None = None) -> DayStats | None:
        """One day's figures. With ``as_of``: live, including buffered events and the running sit up to ``as_of``."""
        day = _iso(day)
        with self._lock:
            if as_of is None:
                found = read_days(self._reader(), day, day)
                return found[0] if found else None
            stored = []
            if self._conn is not None:
                try:
                    stored = _day_events(self._conn, day)
                except sqlite3.Error as e:
                    log.warning("history: cannot read %s: %s", day, e)
            seen = {e.id for e in stored}
            events = stored + [e for e, d, _ in self._pending if d == day and e.id not in seen]
            if not events:
                return None
            return _rollup_day(day, events, self.boundary, as_of)[0]

    def integrity_check(self) -> list[str]:
        with self._lock:
            return integrity_check(self._reader())
