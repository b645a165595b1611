"""``deskpulse export``: the history as CSV or JSON, for spreadsheets and your own analysis.

Reads the database read-only (safe while the daemon runs). CSV has a header
row; JSON is always one array (streamed, so a long event history needs no
memory). Events in JSON are exactly their MQTT/database payloads plus the desk
``day``; in CSV the type-specific fields are one JSON column, ``data``.

The rows and the text are made here for the dashboard's export links too
(``dashboard/api.py``): ``day_row``/``bout_row``/``event_row`` shape one row,
``chunks`` writes them, so a file has one shape wherever it was made.
"""
from __future__ import annotations

import argparse
import csv
import json
import sys
from datetime import date

CORE = ("v", "id", "type", "t", "ts")


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--format", choices=("csv", "json"), default="csv", help="default: csv")
    p.add_argument("--what", choices=("days", "bouts", "events"), default="days", help="default: days")
    p.add_argument("--from", dest="from_date", metavar="DATE", help="first desk day, YYYY-MM-DD (inclusive)")
    p.add_argument("--to", dest="to_date", metavar="DATE", help="last desk day, YYYY-MM-DD (inclusive)")
    p.add_argument("--config", metavar="FILE", help="configuration file (to find the database)")
    p.add_argument("--db", metavar="PATH", help="history database; default: from the configuration")
    p.add_argument("--out", metavar="FILE", help="write here instead of standard output")


def _date(v: str | None, flag: str):
    from device.errors import UserError
    if v is None:
        return None
    try:
        return date.fromisoformat(v)
    except ValueError:
        raise UserError(f"{flag} {v!r}: not a date like 2025-01-31") from None


def run(args: argparse.Namespace) -> int:
    from device import config
    from device.errors import UserError
    from device.adapters.store import StoreError, open_readonly

    start, end = _date(args.from_date, "--from"), _date(args.to_date, "--to")
    if start and end and start > end:
        raise UserError(f"--from {start} is after --to {end}")
    db = args.db or config.default_db_path(config.load(args.config))
    conn = open_readonly(db)
    try:
        rows = _rows(conn, args.what, start, end)
        if args.out:
            try:
                out = open(args.out, "w", newline="", encoding="utf-8")
            except OSError as e:
                raise UserError(f"--out {args.out}: cannot write ({e.strerror})") from None
            with out:
                out.writelines(chunks(args.format, args.what, rows))
        else:
            sys.stdout.writelines(chunks(args.format, args.what, rows))
    except StoreError:
        raise
    except Exception as e:
        import sqlite3
        if isinstance(e, sqlite3.Error):
            raise UserError(f"{db}: cannot read the history ({e})") from None
        raise
    finally:
        conn.close()
    return 0


def day_row(row) -> dict:
    """A ``days`` table row (``DayStats.COLUMNS`` order) as exported."""
    from device.core.rollup import DayStats
    return DayStats.from_row(row).as_dict()


def bout_row(row) -> dict:
    """A ``bouts`` table row (``Bout.COLUMNS`` order) as exported."""
    from device.core.rollup import Bout
    d = Bout.from_row(row).as_dict()
    d.pop("open")
    return d


def event_row(day: str, payload) -> dict:
    """A stored event (its JSON payload, or the Event) as exported: the payload plus its desk ``day``."""
    from device.core.events import Event
    e = payload if isinstance(payload, Event) else Event.from_dict(json.loads(payload))
    return {**e.to_dict(), "day": day}


def _rows(conn, what: str, start, end):
    """Yields dicts, paging events by id so a years-long history streams."""
    from device.adapters.store import read_bouts, read_days, read_events
    if what == "days":
        yield from (d.as_dict() for d in read_days(conn, start, end))
    elif what == "bouts":
        for b in read_bouts(conn, start, end):
            d = b.as_dict()
            d.pop("open")
            yield d
    else:
        last = None
        while True:
            page = read_events(conn, start, last, 2000, end or "9999-12-31")
            if not page:
                return
            for day, e in page:
                yield event_row(day, e)
            last = page[-1][1].id


def _columns(what: str) -> list[str]:
    from device.core.rollup import DayStats
    if what == "days":
        return list(DayStats.COLUMNS)
    if what == "bouts":
        return ["day", "start_ts", "end_ts", "start_utc", "bout_s", "seated_s", "prompts",
                "exercises_done", "max_level"]
    return ["id", "type", "ts", "t", "day", "v", "data"]


def chunks(fmt: str, what: str, rows):
    """The export's text, a piece at a time (a line per row, about)."""
    if fmt == "json":
        yield "["
        for i, row in enumerate(rows):
            yield ("," if i else "") + "\n" + json.dumps(row, separators=(",", ":"))
        yield "\n]\n"
        return
    import io
    buf = io.StringIO()
    cols = _columns(what)
    w = csv.DictWriter(buf, fieldnames=cols, extrasaction="ignore", lineterminator="\n")
    w.writeheader()
    for row in rows:
        if what == "events":
            data = {k: v for k, v in row.items() if k not in CORE and k != "day"}
            row = {**{k: row[k] for k in CORE}, "day": row["day"],
                   "data": json.dumps(data, separators=(",", ":"), sort_keys=True)}
        w.writerow({k: "" if row.get(k) is None else row[k] for k in cols})
        yield buf.getvalue()
        buf.seek(0)
        buf.truncate()
    yield buf.getvalue()
