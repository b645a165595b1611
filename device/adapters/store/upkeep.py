"""Keeping the history file small, inside the store's flush: packing closed days, bounding the outbox.

- **Packing.** Closed desk days (``PACK_AFTER_DAYS`` before the newest stored day, no open
  bout, nothing of theirs still waiting in the outbox) become one compressed row each in
  ``packed_days`` (``packed.py``), at most ``PACK_PER_FLUSH`` a flush so a flush stays short
  (the loop waits for it); a migrated file packs its whole past at open (``repack``).
- **The outbox's bounds.** With no broker configured no MQTT sink runs to apply them, so
  the store applies them too, every ``OUTBOX_PRUNE_S``; and before rows are queued, a
  wall-clock step moves the queued rows' times with it (``outbox_bounds.py``).

Every method runs inside the caller's transaction, except ``repack``, which is its own.
"""
from __future__ import annotations

import logging
import sqlite3
import time as time_
from datetime import date, timedelta
from pathlib import Path
from typing import Callable

from device.adapters.store.outbox_bounds import follow_clock_steps, prune_outbox
from device.adapters.store.packed import ids_of, intact, pack_blob
from device.adapters.store.reads import day_payloads

log = logging.getLogger("deskpulse.store")

#: Desk days this far before the newest stored day are packed (one compressed row per day).
PACK_AFTER_DAYS = 2
#: At most this many days are packed in one flush (a migrated file packs its past at open).
PACK_PER_FLUSH = 3
#: How often (wall seconds) the store applies the outbox's age and size bounds.
OUTBOX_PRUNE_S = 3600.0


class Upkeep:
    """The packing and outbox-bound state of one store: when each is due, and what each has done.

    ``open_day()`` is the desk day of the bout still open (None: none), which is never packed.
    """

    def __init__(self, *, wall: Callable[[], float], mono: Callable[[], float], boot: str | None,
                 outbox_max_age_days: float, outbox_max_rows: int, open_day: Callable[[], date | None]):
        self.wall = wall
        self.mono = mono
        self.boot = boot
        self.outbox_max_age_days = outbox_max_age_days
        self.outbox_max_rows = outbox_max_rows
        self.open_day = open_day
        self.next_prune = float("-inf")  # monotonic time of the next outbox bound check
        self.pack_due = True             # look for closed days to pack at the next flush
        self.newest_day: str | None = None
        self.outbox_dropped = 0
        self.days_packed = 0

    def saw_day(self, day: str) -> None:
        """An event was stored for ``day``: a new newest day may close an older one."""
        if self.newest_day is None or day > self.newest_day:
            self.newest_day = day
            self.pack_due = True

    def after_write(self, conn: sqlite3.Connection, now: float) -> None:
        """The end of a flush's transaction: the outbox bounds when due, then packing when due."""
        if self.mono() >= self.next_prune:
            self.prune_outbox(conn, now)
        if self.pack_due:
            self.pack(conn, PACK_PER_FLUSH)

    def repack(self, conn: sqlite3.Connection, path: Path) -> None:
        """After an upgrade: apply the outbox bounds and pack every closed day (``compact`` follows)."""
        t0 = time_.perf_counter()
        conn.execute("BEGIN IMMEDIATE")
        try:
            self.follow_clock(conn, self.wall())
            self.prune_outbox(conn, self.wall())
            n = self.pack(conn, None)
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        self.days_packed = 0
        log.info("%s: packed %d closed desk days in %.1f s", path, n, time_.perf_counter() - t0)

    def follow_clock(self, conn: sqlite3.Connection, now: float) -> None:
        """Before rows are queued: a wall-clock step moves the queued rows' times with it (outbox_bounds.py)."""
        step = follow_clock_steps(conn, now, self.mono(), self.boot)
        if step:
            log.info("history: the wall clock stepped by %+.0f s; queued MQTT events keep their age", step)

    def prune_outbox(self, conn: sqlite3.Connection, now: float) -> None:
        """Apply the outbox's bounds here too: with no broker configured no MQTT sink runs to do it."""
        self.next_prune = self.mono() + OUTBOX_PRUNE_S
        old, over = prune_outbox(conn, now, self.outbox_max_age_days * 86400.0, self.outbox_max_rows)
        if old or over:
            first = self.outbox_dropped == 0
            self.outbox_dropped += old + over
            self.pack_due = True
            (log.warning if first else log.info)("history: dropped %d undelivered MQTT events from the outbox (%d older than %g days, "
                        "%d over %d rows); %d since start", old + over, old, self.outbox_max_age_days, over,
                        self.outbox_max_rows, self.outbox_dropped)

    def pack(self, conn: sqlite3.Connection, limit: int | None) -> int:
        """Compress closed desk days into ``packed_days`` (one row a day); returns how many were packed.

        A day is closed when it is ``PACK_AFTER_DAYS`` before the newest stored day,
        holds no open bout, and none of its events still waits in the outbox
        (the outbox reads payloads from live rows). The newest day is never packed,
        so ``events.seq`` keeps growing.
        """
        newest = conn.execute("SELECT max(day) FROM events").fetchone()[0]
        if newest is None:
            self.pack_due = False
            return 0
        cutoff = (date.fromisoformat(newest) - timedelta(days=PACK_AFTER_DAYS)).isoformat()
        first_waiting = conn.execute("SELECT min(seq) FROM outbox").fetchone()[0]
        open_day = self.open_day()
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
            if old is not None and not intact(old[0]):
                continue  # never rewrite a damaged day: its rows stay live, the damaged blob as it is
            payloads = day_payloads(conn, day)
            ids = ids_of(payloads)
            if len(ids) != len(payloads):
                continue  # a row that is not an event: the day stays live, as it is
            conn.execute("INSERT OR REPLACE INTO packed_days (day, n, first_id, last_id, data) VALUES (?, ?, ?, ?, ?)",
                         (day, len(payloads), min(ids), max(ids), pack_blob(payloads)))
            conn.execute("DELETE FROM events WHERE day = ? AND seq <= ?", (day, last_seq))
            packed += 1
        self.days_packed += packed
        self.pack_due = more
        return packed
