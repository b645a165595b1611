"""Desk days and date parameters.

A desk day begins at ``coaching.day_boundary`` local time (a night owl may set
04:00), so "today" is not always the calendar date. Dates from a URL are
checked strictly here; the API turns a ValueError into a 400.
"""
from __future__ import annotations

import re
from datetime import date, datetime, time as dtime, timedelta, tzinfo

_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")  # ASCII digits only, the whole string
MIN_DAY = date(2000, 1, 1)
MAX_DAY = date(2199, 12, 31)


def parse_day(value: str | None, name: str = "day") -> date:
    """A 'YYYY-MM-DD' parameter, or ValueError saying which parameter and why."""
    if value is None or value == "":
        raise ValueError(f"{name}: missing, expected a date like 2025-01-31")
    if len(value) > 10 or not _DAY.fullmatch(value):
        raise ValueError(f"{name}: {value[:40]!r} is not a date like 2025-01-31")
    try:
        d = date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{name}: {value!r} is not a real date") from None
    if not MIN_DAY <= d <= MAX_DAY:
        raise ValueError(f"{name}: {value} is outside {MIN_DAY} .. {MAX_DAY}")
    return d


def desk_day(now: datetime, boundary: dtime) -> date:
    """The desk day that ``now`` (aware, local) belongs to."""
    return (now - timedelta(hours=boundary.hour, minutes=boundary.minute)).date()


def day_start(day: date, boundary: dtime, tz: tzinfo) -> datetime:
    """When a desk day begins, aware in ``tz``."""
    return datetime.combine(day, boundary).replace(tzinfo=tz)


def parse_ts(ts: str | None) -> datetime | None:
    """An ISO timestamp from an event or the status, or None if absent or malformed."""
    if not isinstance(ts, str) or not ts:
        return None
    try:
        d = datetime.fromisoformat(ts)
    except ValueError:
        return None
    return d if d.tzinfo is not None else None


def utc_of(ts: str | None) -> float | None:
    d = parse_ts(ts)
    return d.timestamp() if d else None
