"""Plain SQL on the history schema (owned by device/adapters/store/schema.py), read-only.

One connection per request, kept on ``flask.g`` and opened with
``mode=ro`` so nothing the dashboard does can write the daemon's history.
A missing file or a database without the tables yet (the daemon has not run)
reads as an empty history, never as an error page. The daemon's live status,
read through ``kv`` and ``runtime_doc``, is judged in ``dashboard/status.py``.
"""
from __future__ import annotations

import itertools
import json
import sqlite3
from datetime import datetime
from pathlib import Path
from typing import Any, Iterator

from flask import current_app, g

from device.adapters import store
from device.core.rollup import Bout, DayStats
from device.adapters.store.sqlite_uri import sqlite_uri

DAY_COLUMNS = DayStats.COLUMNS
BOUT_COLUMNS = Bout.COLUMNS


def ro_uri(path: str | Path) -> str:
    """The read-only SQLite URI of exactly ``path`` (see device/adapters/store/sqlite_uri.py)."""
    return sqlite_uri(path, "ro")


def get_db() -> sqlite3.Connection | None:
    """This request's read-only connection, or None when there is no history file yet."""
    if "db" not in g:
        path = current_app.config["DB_PATH"]
        try:
            conn = sqlite3.connect(ro_uri(path), uri=True, check_same_thread=False)
            conn.execute("PRAGMA query_only = ON")
        except sqlite3.OperationalError:
            conn = None  # no file (yet): an empty history
        g.db = conn
    return g.db


def close_db(_exc: BaseException | None = None) -> None:
    conn = g.pop("db", None)
    if conn is not None:
        conn.close()


def _no_history(e: sqlite3.OperationalError) -> bool:
    """No history yet (the file or its tables not made), or a v1 one the daemon has not upgraded:
    the page shows an empty history rather than an error."""
    text = str(e)
    return "no such table" in text or "no such column" in text or "unable to open" in text


def _rows(sql: str, args: tuple = ()) -> list[tuple]:
    db = get_db()
    if db is None:
        return []
    try:
        return db.execute(sql, args).fetchall()
    except sqlite3.OperationalError as e:
        if _no_history(e):
            return []
        raise


def _iter(sql: str, args: tuple = ()) -> Iterator[tuple]:
    """Rows one at a time, for exports that may be large."""
    db = get_db()
    if db is None:
        return
    try:
        cur = db.execute(sql, args)
    except sqlite3.OperationalError as e:
        if _no_history(e):
            return
        raise
    yield from cur


def kv(key: str) -> str | None:
    rows = _rows("SELECT value FROM kv WHERE key = ?", (key,))
    return rows[0][0] if rows else None


def runtime_doc() -> dict[str, Any] | None:
    """The daemon's RAM copy (live status, events not yet flushed), or None.

    The daemon records where it is (kv ``runtime_file``, a tmpfs under /run). Reading it
    costs the SD card nothing and shows the desk as it is now rather than as of the last
    flush. Unreadable (another user, another mount namespace) simply means None.
    """
    if "dp_runtime" not in g:
        doc = None
        path = kv("runtime_file")
        if path:
            try:
                doc = json.loads(Path(path).read_text())
            except (OSError, ValueError):
                doc = None
        g.dp_runtime = doc if isinstance(doc, dict) else None
    return g.dp_runtime


def _day_columns() -> str:
    """The days columns to select: a file the daemon has not upgraded yet lacks the newest (0 there)."""
    if "day_columns" not in g:
        db = get_db()
        have = {r[1] for r in db.execute("PRAGMA table_info(days)")} if db is not None else set()
        cols = [c if c in have or not have else f"0 AS {c}" for c in DAY_COLUMNS]
        if have and "asks" not in have:   # before v4 compliance meant something else (and was a share)
            cols = ["NULL AS compliance" if c == "compliance" else c for c in cols]
        g.day_columns = ", ".join(cols)
    return g.day_columns


def day_row(day: str) -> dict[str, Any] | None:
    rows = _rows(f"SELECT {_day_columns()} FROM days WHERE day = ?", (day,))
    return dict(zip(DAY_COLUMNS, rows[0])) if rows else None


def days_between(first: str, last: str) -> list[dict[str, Any]]:
    rows = _rows(f"SELECT {_day_columns()} FROM days WHERE day BETWEEN ? AND ? ORDER BY day",
                 (first, last))
    return [dict(zip(DAY_COLUMNS, r)) for r in rows]


def iter_days(first: str, last: str) -> Iterator[tuple]:
    return _iter(f"SELECT {_day_columns()} FROM days WHERE day BETWEEN ? AND ? ORDER BY day",
                 (first, last))


def streak_rows() -> list[tuple]:
    """(day, seated_s, bouts_over_60) for every desk day, oldest first: enough for streaks."""
    return _rows("SELECT day, seated_s, bouts_over_60 FROM days ORDER BY day")


def day_bouts(day: str) -> list[dict[str, Any]]:
    rows = _rows(f"SELECT {', '.join(BOUT_COLUMNS)} FROM bouts WHERE day = ? ORDER BY start_utc", (day,))
    return [dict(zip(BOUT_COLUMNS, r)) for r in rows]


def iter_bouts(first: str, last: str) -> Iterator[tuple]:
    return _iter(f"SELECT {', '.join(BOUT_COLUMNS)} FROM bouts WHERE day BETWEEN ? AND ? ORDER BY start_utc",
                 (first, last))


def _event_rows(fn, *args):
    """Run one of device.adapters.store's event readers (live rows and packed days) on this request's connection."""
    db = get_db()
    if db is None:
        return None
    try:
        return fn(db, *args)
    except sqlite3.OperationalError as e:
        if _no_history(e):
            return None
        raise


def day_events(day: str) -> list[dict[str, Any]]:
    """Every event of a desk day, oldest (lowest id) first, as dicts with ``utc`` added.

    The stored ones, plus those the daemon has emitted but not yet flushed (its RAM copy).
    """
    events = [_load(raw) for raw in _event_rows(store.day_payloads, day) or []]
    doc = runtime_doc()
    pending = doc.get("pending") if doc else None
    if isinstance(pending, list):  # already dicts: copied (utc is added below), not re-serialised
        events += [dict(p[1]) for p in pending
                   if isinstance(p, list) and len(p) == 2 and p[0] == day and isinstance(p[1], dict)]
    out, seen = [], set()
    for ev in events:
        if ev is None or ev.get("id") in seen:
            continue
        try:
            ev["utc"] = datetime.fromisoformat(ev["ts"]).timestamp()
        except (KeyError, TypeError, ValueError):
            continue  # one bad row must not take the page down
        seen.add(ev.get("id"))
        out.append(ev)
    out.sort(key=lambda ev: str(ev.get("id", "")))
    return out


def _iter_rows(first: str | None, last: str | None, after: str | None) -> Iterator[tuple[str, str, str]]:
    db = get_db()
    if db is None:
        return
    try:
        yield from store.iter_event_rows(db, first, last, after)
    except sqlite3.OperationalError as e:
        if _no_history(e):
            return
        raise


def events_page(day: str | None, after: str | None, limit: int) -> list[dict[str, Any]]:
    """Events by id (time order), ``limit`` at most, strictly after ``after``; optionally one day."""
    rows = itertools.islice(_iter_rows(day, day, after), limit)
    return [ev for _, _, raw in rows if (ev := _load(raw)) is not None]


def iter_event_rows(first: str, last: str, shape) -> Iterator[Any]:
    """``shape(day, payload)`` for every stored event of the days, in id order; a row it
    cannot read (garbled JSON, a missing field) is left out, not the whole export."""
    for _, day, raw in _iter_rows(first, last, None):
        try:
            yield shape(day, raw)
        except (ValueError, KeyError, TypeError):
            continue


def last_event_id(day: str) -> str | None:
    return _event_rows(store.last_event_id, day)


def history_version() -> tuple | None:
    """Changes whenever the daemon stores an event or rewrites a ``days`` row; O(1) in the years.

    - ``max(events.seq)``: every stored event takes the next seq, and every change of
      ``days`` comes with a stored event (the store rolls days up from their events);
    - ``max(packed_days.rowid)``: a late event for a packed day can be packed into it in
      the same flush, which deletes its row and leaves ``max(seq)`` where it was; but
      packing writes the day with ``INSERT OR REPLACE``, which gives the row a new,
      larger rowid (SQLite picks it before removing the old row);
    - the newest ``days`` row, for a row rewritten without a new event (an upgrade).

    A VACUUM may renumber rowids, but the store runs it only at the daemon's start, which
    stores ``daemon_start`` and so moves ``max(seq)`` past every version seen before.

    Three lookups at the end of their b-trees (``seq`` is the events' rowid), not a scan of
    the packed days. None (no caching) for a v1 history not upgraded yet (no ``packed_days``)."""
    rows = _rows("SELECT (SELECT max(seq) FROM events), (SELECT max(rowid) FROM packed_days)")
    newest = _rows(f"SELECT {_day_columns()} FROM days ORDER BY day DESC LIMIT 1")
    return (tuple(rows[0]) + (tuple(newest[0]) if newest else ())) if rows else None


def simulated_days() -> tuple[str, str] | None:
    """(first, last) desk day that ``deskpulse demo`` made up for a fresh history (kv ``simulated_days``)."""
    try:
        span = json.loads(kv("simulated_days") or "null")
        return (span["from"], span["to"]) if isinstance(span["from"], str) and isinstance(span["to"], str) else None
    except (ValueError, TypeError, KeyError):
        return None


def first_day() -> str | None:
    rows = _rows("SELECT min(day) FROM days")
    return rows[0][0] if rows else None


def _load(raw: str) -> dict[str, Any] | None:
    try:
        ev = json.loads(raw)
    except ValueError:
        return None  # one bad row must not take the page down
    return ev if isinstance(ev, dict) else None
