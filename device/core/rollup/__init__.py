"""Desk days and per-day figures from a stream of events (pure: no I/O, no clock).

Why a *desk* day and not a calendar day: a bout of sitting is the unit of the
coaching, so it is never cut in two. A bout belongs to the day it began in
(the day boundary is local midnight unless ``coaching.day_boundary`` says
otherwise), and every event inside a bout carries the bout's day, so the
history shows 23:50-00:40 as one 50-minute bout on the first day, not two
short ones.

Durations come from the engine's figures (``sit_end.seated_s``, the ``break``
event's bout figures, ``daemon_stop``'s ``bout_s``/``sit_s`` of a bout still
open), which are measured on the monotonic axis; where an
event lacks them, from the difference of the events' aware ``ts`` values
(UTC seconds). Nothing here assumes a day has 86 400 seconds, so the 23- and
25-hour DST days total correctly.

The same ``Rollup`` serves two masters: ``summarize`` for a whole stream (the
history's per-day recompute, exports, tests), and the store's day tagging of
live events (``add`` returns the day; ``prune`` keeps only the open bout).

Modules: dates.py (``desk_day``, ``parse_ts``), rows.py (``DayStats``, ``Bout``: the
table rows), tallies.py (a bout's and a day's running figures), accumulate.py (``Rollup``,
``summarize``, ``summarize_stream``).
"""
from __future__ import annotations

from device.core.rollup.accumulate import Rollup, summarize, summarize_stream
from device.core.rollup.dates import desk_day, parse_ts
from device.core.rollup.rows import LONG_BOUT_S, Bout, DayStats
from device.core.rollup.tallies import DONE_HOWS

__all__ = ["DONE_HOWS", "LONG_BOUT_S", "Bout", "DayStats", "Rollup", "desk_day", "parse_ts", "summarize",
           "summarize_stream"]
