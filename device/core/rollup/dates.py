"""Desk days and event times: which day a wall time belongs to, and an event's ``ts`` read (pure).

A desk day is the calendar date of the local wall time, minus one before
``coaching.day_boundary`` (local midnight unless set otherwise).
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta


def desk_day(wall: datetime, boundary: time = time(0)) -> date:
    """The desk day of a local wall time: the calendar date, minus one before ``boundary``.

    ``wall`` is read in its own offset (the event's local time), which is what a
    person means by "Tuesday".
    """
    if (wall.hour, wall.minute, wall.second, wall.microsecond) < (
            boundary.hour, boundary.minute, boundary.second, boundary.microsecond):
        return wall.date() - timedelta(days=1)
    return wall.date()


def parse_ts(ts: str) -> datetime:
    wall = datetime.fromisoformat(ts)
    if wall.tzinfo is None:
        raise ValueError(f"timestamp {ts!r} has no UTC offset")
    return wall
