"""The rows one flush writes, inside the store's transaction: events, outbox rows, bouts and days, kv.

- **Each event once.** An event already stored (a retried flush, a re-added event) is
  skipped by its id, so it is stored once and queued for MQTT once.
- **The outbox row only points at its event** (its ``seq``): the payload is the event's
  own json. No row at all for an event the broker already acknowledged (``queue``).
- **Derived tables are recomputed, not incremented.** Each flush rebuilds the ``bouts``
  and ``days`` rows of the desk days it touched from that day's events, so a crash, a
  retry or a restart can never double-count. To keep a flush O(batch), not O(day), the
  rollups, stored ids and rows as last written of the last few days are cached; after
  a failed transaction they may hold what was rolled back, so ``forget`` drops them.
"""
from __future__ import annotations

import sqlite3
from datetime import date, time, timedelta
from typing import Callable

from device.core.events import Event
from device.core.rollup import Bout, DayStats, Rollup
from device.adapters.store.packed import ids_of
from device.adapters.store.reads import day_events, day_payloads, day_rollup
from device.adapters.store.upkeep import Upkeep


class BatchWriter:
    """Writes a flush's batch on the store's connection; the caller owns the transaction."""

    def __init__(self, boundary: time, wall: Callable[[], float], upkeep: Upkeep):
        self.boundary = boundary
        self.wall = wall  # unix seconds for outbox.created_utc: the outbox ages rows on this same axis
        self.upkeep = upkeep
        self._day_cache: dict[str, Rollup] = {}
        self._day_ids: dict[str, set[str]] = {}  # ids stored per recent day: re-added events are ignored
        self._written: dict[str, tuple[dict, tuple | None]] = {}  # bouts/days rows as last written, per day

    def forget(self) -> None:
        """After a failed transaction: the caches may hold rolled-back rows; rebuild them from the file."""
        self._day_cache.clear()
        self._day_ids.clear()
        self._written.clear()
        self.upkeep.pack_due = True

    def write(self, conn: sqlite3.Connection, batch: list[tuple[Event, str, float]],
              kv: dict[str, str | None], queue: Callable[[str], bool]) -> int:
        """Write ``batch`` and ``kv``; ``queue(event_id)``: whether a new event gets an outbox row. Returns events written."""
        written = 0
        now = self.wall()
        self.upkeep.follow_clock(conn, now)
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
            if queue(e.id):
                rows.append((cur.lastrowid, int(now)))
            fresh.setdefault(day, []).append(e)
            written += 1
            self.upkeep.saw_day(day)
        # The outbox row only points at its event: the payload is the event's own json.
        conn.executemany("INSERT INTO outbox (seq, created_utc) VALUES (?, ?)", rows)
        for day in sorted(fresh):
            r = self._day_cache.get(day)
            if r is None:  # includes this batch's rows: same transaction
                r = day_rollup(day, day_events(conn, day), self.boundary)
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
        self.upkeep.after_write(conn, now)
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
            ids = set(ids_of(day_payloads(conn, day)))
            self._day_ids[day] = ids
            while len(self._day_ids) > 8:
                del self._day_ids[min(self._day_ids)]
        return ids
