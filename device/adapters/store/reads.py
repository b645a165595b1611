"""Reading the history: plain SQL on any connection, read-only or not (the dashboard, ``export``, the store).

Events live in two places, merged here so no reader has to care: live rows of ``events``
and closed days packed into ``packed_days`` (``packed.py``). ``read_days`` and
``read_bouts`` read the derived tables; ``day_events`` and ``rollup_day`` rebuild a day's
figures from its events (the store's flush, the v4 upgrade, live figures).
"""
from __future__ import annotations

import heapq
import itertools
import json
import logging
import sqlite3
from datetime import date, datetime, time
from typing import Callable, Iterable, Iterator

from device.core.events import Event
from device.core.rollup import Bout, DayStats, Rollup
from device.adapters.store.packed import id_of, unpack

log = logging.getLogger("deskpulse.store")


def iso(d: date | str | None) -> str | None:
    """A desk day as its ISO string (strings and None pass through)."""
    return d.isoformat() if isinstance(d, date) else d


def read_days(conn: sqlite3.Connection, from_date: date | str | None = None,
              to_date: date | str | None = None) -> list[DayStats]:
    """The ``days`` rows from ``from_date`` to ``to_date`` (inclusive; None: open-ended), by day."""
    sql = f"SELECT {', '.join(DayStats.COLUMNS)} FROM days WHERE day >= ? AND day <= ? ORDER BY day"
    rows = conn.execute(sql, (iso(from_date) or "0000", iso(to_date) or "9999")).fetchall()
    return [DayStats.from_row(r) for r in rows]


def read_bouts(conn: sqlite3.Connection, from_date: date | str | None = None,
               to_date: date | str | None = None) -> list[Bout]:
    """The ``bouts`` rows of the desk days from ``from_date`` to ``to_date``, by start."""
    sql = f"SELECT {', '.join(Bout.COLUMNS)} FROM bouts WHERE day >= ? AND day <= ? ORDER BY start_utc"
    rows = conn.execute(sql, (iso(from_date) or "0000", iso(to_date) or "9999")).fetchall()
    return [Bout.from_row(r) for r in rows]


def iter_event_rows(conn: sqlite3.Connection, first_day: date | str | None = None,
                    last_day: date | str | None = None, after_id: str | None = None) -> Iterator[tuple[str, str, str]]:
    """``(id, day, json)`` of the stored events in id order, lazily: live rows and packed days merged.

    Only the packed days whose ids can come next are decompressed, so paging
    through years costs a day's blob per page, not the whole history.
    """
    lo, hi, after = iso(first_day) or "0000", iso(last_day) or "9999", after_id or ""
    sources: list[tuple[str, Callable[[], list[tuple[str, str, str]]]]] = []
    live = [(r[0], r[1], r[2]) for r in conn.execute(
        "SELECT id, day, json FROM events WHERE day >= ? AND day <= ? AND id > ? ORDER BY id", (lo, hi, after))]
    if live:
        sources.append((live[0][0], lambda live=live: live))

    def loader(day: str):
        def load() -> list[tuple[str, str, str]]:
            row = conn.execute("SELECT data FROM packed_days WHERE day = ?", (day,)).fetchone()
            rows = [(id_of(p), day, p) for p in unpack(row[0])] if row else []
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
    day = iso(day)
    out: list[str] = []
    row = conn.execute("SELECT data FROM packed_days WHERE day = ?", (day,)).fetchone()
    if row is not None:
        out = unpack(row[0])
    # seq = insertion (emission) order, which survives a wall clock stepping back; ids may not.
    out += [r[0] for r in conn.execute("SELECT json FROM events WHERE day = ? ORDER BY seq", (day,))]
    return out


def last_event_id(conn: sqlite3.Connection, day: date | str) -> str | None:
    """The greatest id stored for one desk day (live rows and its packed row)."""
    day = iso(day)
    live = conn.execute("SELECT max(id) FROM events WHERE day = ?", (day,)).fetchone()[0]
    packed = conn.execute("SELECT last_id FROM packed_days WHERE day = ?", (day,)).fetchone()
    return max((x for x in (live, packed[0] if packed else None) if x), default=None)


def max_event_id(conn: sqlite3.Connection) -> str | None:
    """The greatest stored id (live rows and packed days): a restarted daemon's ids continue after it."""
    live = conn.execute("SELECT max(id) FROM events").fetchone()[0]
    packed = conn.execute("SELECT max(last_id) FROM packed_days").fetchone()[0]
    return max((x for x in (live, packed) if x), default=None)


def count_events(conn: sqlite3.Connection) -> int:
    """Events stored, live and packed."""
    live = conn.execute("SELECT count(*) FROM events").fetchone()[0]
    return live + conn.execute("SELECT coalesce(sum(n), 0) FROM packed_days").fetchone()[0]


def day_events(conn: sqlite3.Connection, day: str) -> list[Event]:
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


def day_rollup(day: str, events: Iterable[Event], boundary: time) -> Rollup:
    """A ``Rollup`` fed one desk day's events (the store keeps it and feeds it each flush's new ones)."""
    r = Rollup(boundary)
    d = date.fromisoformat(day)
    for e in events:
        r.add(e, day=d)
    return r


def rollup_day(day: str, events: Iterable[Event], boundary: time, as_of: datetime | None = None):
    """``(DayStats, bouts)`` of one desk day from its events (``as_of``: a running sit counts up to then)."""
    r = day_rollup(day, events, boundary)
    days = r.days(as_of)
    return (days[0] if days else DayStats(date.fromisoformat(day))), r.bouts(as_of)
