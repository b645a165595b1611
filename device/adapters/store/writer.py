"""``Store``: the daemon's history writer, and what ties its collaborators together.

Size: about 315 lines: one flush, with its retry, reopen and error counting, is one job;
splitting it would split a transaction across modules.

- **Batched writes.** ``add`` only buffers (``buffer.py``); ``flush`` (called by the
  daemon every ``history.flush_interval_s``) writes the whole batch in one transaction
  (``batch.py``, then ``upkeep.py``). An SD card wears under per-second commits; one
  commit a minute costs a few pages.
- **The daemon never dies of its history.** A failed write (disk full, read-only card, a
  locked file) is counted (``write_errors``), logged once per streak, and retried at the
  next flush with the events still buffered. ``add``, ``set``, ``flush`` and ``close``
  never raise. A file that cannot be opened yet is opened again at the next flush.
- **Reads for the daemon** (``days``, ``bouts``, ``events``, ``day_stats``) go through the
  writer's own connection and lock; everyone else reads the file itself (``reads.py``).
"""
from __future__ import annotations

import json
import logging
import os
import sqlite3
import threading
import time as time_
from datetime import date, datetime, time
from pathlib import Path
from typing import Any, Callable, Iterable

from device.core.events import Event
from device.core.rollup import Bout, DayStats
from device.adapters.store.batch import BatchWriter
from device.adapters.store.buffer import DEFAULT_MAX_BUFFER, WriteBuffer
from device.adapters.store.connection import compact, connect_writer, integrity_check, prepare_writer
from device.adapters.store.reads import day_events, iso, read_bouts, read_days, read_events, rollup_day
from device.adapters.store.schema import SCHEMA_VERSION, StoreError
from device.adapters.store.upkeep import Upkeep

log = logging.getLogger("deskpulse.store")


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
        self.busy_timeout_s = busy_timeout_s
        self.wall = wall  # unix seconds for outbox.created_utc: the outbox ages rows on this same axis
        # ... and follows the wall clock's steps against the monotonic one (outbox_bounds.py). A
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
        #: False with no broker configured: an outbox row would be written, kept 30 days and dropped
        #: unread, and would keep those days from being packed; a broker set up later starts from then.
        self.queue_for_mqtt = queue_for_mqtt
        #: ``delivered(event_id) -> bool`` (the MQTT sink's, any thread): an event acknowledged by the
        #: broker before this flush gets no outbox row at all (nothing to insert, nothing to delete).
        self.delivered: Callable[[str], bool] | None = None
        self._lock = threading.RLock()
        self._buffer = WriteBuffer(boundary, max_buffer)
        self._upkeep = Upkeep(wall=wall, mono=mono, boot=boot, outbox_max_age_days=outbox_max_age_days,
                              outbox_max_rows=outbox_max_rows, open_day=lambda: self._buffer.tagger.open_bout_day)
        self._batch = BatchWriter(boundary, wall, self._upkeep)
        self._conn: sqlite3.Connection | None = None
        self._closed = False
        self.write_errors = 0
        self.flushes = 0
        self.events_written = 0
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
            conn = connect_writer(self.path, self.busy_timeout_s)
            try:
                before = prepare_writer(conn, self.path)
                self._seed_tagger(conn)
                if 0 < before < SCHEMA_VERSION:
                    self._upkeep.repack(conn, self.path)
                compact(conn, self.path)
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

    def _seed_tagger(self, conn: sqlite3.Connection) -> None:
        """Replay the last stored desk day so a bout running across a restart keeps its day."""
        row = conn.execute("SELECT day FROM events ORDER BY seq DESC LIMIT 1").fetchone() or \
            conn.execute("SELECT max(day) FROM packed_days").fetchone()
        if row is None or row[0] is None:
            return
        self._buffer.retag(date.fromisoformat(row[0]), day_events(conn, row[0]))

    @property
    def conn(self) -> sqlite3.Connection | None:
        """The writer connection (for tests, ``doctor`` and the outbox sender on the loop thread)."""
        return self._conn

    # -- writing ---------------------------------------------------------------------------
    def add(self, events: Event | Iterable[Event]) -> None:
        """Buffer events for the next flush; tags each with its desk day now (bout context)."""
        with self._lock:
            self._buffer.add(events)

    def set(self, key: str, value: str | None) -> None:
        """Buffer a kv write (``None`` deletes); written in the next flush's transaction."""
        with self._lock:
            self._buffer.kv[key] = value

    def get(self, key: str, default: str | None = None) -> str | None:
        with self._lock:
            if key in self._buffer.kv:
                v = self._buffer.kv[key]
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
        return len(self._buffer.events)

    def pending_events(self, newest: int | None = None) -> list[tuple[str, Event]]:
        """(desk day, event) of everything buffered (or of the ``newest`` n), oldest first (the daemon's RAM copy)."""
        with self._lock:
            return self._buffer.pending_events(newest)

    def flush(self) -> bool:
        """Write everything buffered in one transaction. True on success (or nothing to do); never raises."""
        with self._lock:
            if not self._buffer.events and not self._buffer.kv:
                return True
            if self._conn is None:
                try:
                    if not self._open():
                        return False
                except StoreError as e:  # the file went bad while we waited: keep buffering
                    self._failed(e, "open")
                    return False
            batch = list(self._buffer.events)
            kv = dict(self._buffer.kv)
            conn = self._conn
            try:
                conn.execute("BEGIN IMMEDIATE")
                written = self._batch.write(conn, batch, kv, self._queue)
                conn.execute("COMMIT")
            except (sqlite3.Error, OSError) as e:
                try:
                    if conn.in_transaction:
                        conn.execute("ROLLBACK")
                except sqlite3.Error:
                    pass
                self._batch.forget()
                self._failed(e, "write")
                return False
            self._buffer.written(batch, kv)
            self.flushes += 1
            self.events_written += written
            if self._failing:
                log.warning("history: writing again after %d failed attempts; %d events caught up",
                            self.write_errors, len(batch))
                self._failing = False
            return True

    def _queue(self, event_id: str) -> bool:
        """Does a newly stored event get an outbox row? Not with no broker, nor once the broker has it."""
        return self.queue_for_mqtt and (self.delivered is None or not self.delivered(event_id))

    def _failed(self, e: BaseException, what: str) -> None:
        self.write_errors += 1
        self.last_error = f"{what}: {e}"
        if not self._failing:
            log.error("history: cannot %s %s (%s); keeping %d events buffered and retrying",
                      what, self.path, e, len(self._buffer.events))
            self._failing = True
        else:
            log.debug("history: %s failed again (%s), %d buffered", what, e, len(self._buffer.events))

    def close(self) -> None:
        """Flush and close; safe to call twice. Events that still cannot be written are logged as lost."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            self.flush()
            if self._buffer.events:
                log.error("history: closing with %d events unwritten (%s)", len(self._buffer.events), self.last_error)
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

    # -- counters ----------------------------------------------------------------------------
    @property
    def dropped(self) -> int:
        """Events dropped unwritten: malformed, or over ``max_buffer``."""
        return self._buffer.dropped

    @property
    def outbox_dropped(self) -> int:
        return self._upkeep.outbox_dropped

    @property
    def days_packed(self) -> int:
        return self._upkeep.days_packed

    def stats(self) -> dict[str, Any]:
        """Counters for ``doctor``, logs and MQTT diagnostics."""
        return {"pending": len(self._buffer.events), "write_errors": self.write_errors, "dropped": self.dropped,
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
        day = iso(day)
        with self._lock:
            if as_of is None:
                found = read_days(self._reader(), day, day)
                return found[0] if found else None
            stored = []
            if self._conn is not None:
                try:
                    stored = day_events(self._conn, day)
                except sqlite3.Error as e:
                    log.warning("history: cannot read %s: %s", day, e)
            seen = {e.id for e in stored}
            events = stored + [e for e, d, _ in self._buffer.events if d == day and e.id not in seen]
            if not events:
                return None
            return rollup_day(day, events, self.boundary, as_of)[0]

    def integrity_check(self) -> list[str]:
        with self._lock:
            return integrity_check(self._reader())
