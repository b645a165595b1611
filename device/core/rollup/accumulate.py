"""``Rollup``: a stream of events accumulated into desk days and bouts (pure: no I/O, no clock).

``summarize`` and ``summarize_stream`` run one over a whole stream; the
store keeps one to tag live events with their day (package docstring).
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Iterable, Iterator

from device.core.compliance import DEFAULT_WINDOW_S, Asks, percent
from device.core.events import Event
from device.core.rollup.dates import desk_day, parse_ts
from device.core.rollup.rows import LONG_BOUT_S, Bout, DayStats
from device.core.rollup.tallies import _BoutAcc, _DayAcc, _is_num, _num


class Rollup:
    """Accumulates events into desk days.

    Feed events in emission order with ``add``; it returns each event's desk
    day. ``days(as_of)`` gives the figures, counting a bout still running up
    to its last ``sit_end`` or, when ``as_of`` (an aware datetime) is given
    and the person is seated, up to ``as_of``.

    Streams are not always tidy (a daemon crash leaves a sit without its end,
    a history may begin mid-bout), so: a ``sit_start`` while seated closes
    the open sit at the last event seen; a new bout, or a ``daemon_start``
    that did not resume its bout, closes the open bout without a break; a
    ``sit_end`` or ``break`` with no bout open opens one from its own figures.
    """

    def __init__(self, boundary: time = time(0), window_s: float = DEFAULT_WINDOW_S):
        self.boundary = boundary
        self._asks = Asks(window_s)
        self._days: dict[date, _DayAcc] = {}
        self._bout: _BoutAcc | None = None
        self._last_closed: _BoutAcc | None = None  # for an exercise_done(how=break) right after its break
        self._sit_utc: float | None = None
        self._last_utc: float | None = None

    # -- feeding ---------------------------------------------------------------------------
    def add(self, event: Event, day: date | None = None) -> date:
        """Account for ``event``; return its desk day. ``day`` forces it (a stored event's day)."""
        wall = parse_ts(event.ts)
        utc = wall.timestamp()
        data = event.data
        typ = event.type

        if typ == "daemon_stop" and self._bout is not None and self._bout.final is None:
            # A wall clock stepped during the bout must not stretch or shrink it: its figures so far
            # are the engine's (monotonic); the open sit is re-anchored so that it measures sit_s here.
            bout_s, sit_s = data.get("bout_s"), data.get("sit_s")
            if _is_num(bout_s):
                seated = self._sit_utc is not None
                self._bout.span_s = float(bout_s)
                if seated:  # measured to now: the bout's end so far is here, whatever the wall clock did
                    self._bout.end_utc = utc
                self._bout.span_utc = self._bout.end_utc
            if self._sit_utc is not None and _is_num(sit_s):
                self._sit_utc = utc - float(sit_s)
        if typ == "daemon_start" and not data.get("resumed_bout"):
            self._close_sit(self._last_utc)
            self._close_bout()
        if typ == "sit_start":
            self._close_sit(self._last_utc)
            if data.get("new_bout", True) or self._bout is None:
                self._close_bout()
                self._open_bout(day or desk_day(wall, self.boundary), event.ts, utc)
            self._sit_utc = utc
        elif typ == "sit_end":
            seated = data.get("seated_s")
            if self._bout is None:
                start = utc - _num(seated, 0.0)
                self._open_bout(day or desk_day(wall - timedelta(seconds=utc - start), self.boundary),
                                event.ts, start)
            start = self._sit_utc if self._sit_utc is not None else utc
            self._add_seated(_num(seated, max(0.0, utc - start)))
            self._sit_utc = None
            self._bout.end_ts, self._bout.end_utc = event.ts, utc
        elif typ == "break":
            if self._bout is None:
                bts = data.get("bout_start_ts") or event.ts
                bwall = parse_ts(bts)
                self._open_bout(day or desk_day(bwall, self.boundary), bts, bwall.timestamp())
            self._close_sit(utc)
            b = self._bout
            self._acc(b.day).breaks += 1
            b.final = dict(data)
            self._close_bout()
            self._last_closed = b
        if self._last_utc is None or typ == "daemon_stop":
            self._last_utc = utc   # a stop is the last moment known, even on a wall clock stepped back
        else:
            self._last_utc = max(self._last_utc, utc)

        bout = self._bout
        if bout is None and typ == "exercise_done" and data.get("how") == "break" and self._last_closed:
            bout = self._last_closed
        if typ == "break":
            bout = self._last_closed
        the_day = bout.day if bout is not None else (day or desk_day(wall, self.boundary))
        if day is not None:
            the_day = day
        acc = self._acc(the_day)
        what, ask = self._asks.feed(typ, utc, data, the_day)
        if what == "ask":
            acc.asks += 1
        elif what == "answered":
            self._acc(ask.tag).answered += 1
        elif what == "withdrawn":
            self._acc(ask.tag).asks -= 1
        if typ == "prompt" and data.get("test"):
            pass   # a test prompt is no prompt: not counted anywhere
        elif typ == "prompt":
            acc.prompts += 1
            if bout is not None:
                bout.prompts += 1
                bout.max_level = max(bout.max_level, int(_num(data.get("level"), 0)))
        elif typ == "exercise_done" and what == "answered":
            # only an exercise that answered its ask in time is done (device/core/compliance.py): one ignored
            # until a late break ended the prompts, or done with no prompt standing, is not
            acc.exercises_done += 1
            how = data.get("how")
            if how in acc.done:
                acc.done[how] += 1
            if bout is not None:
                bout.exercises_done += 1
        elif typ == "snooze":
            acc.snoozes += 1
        return the_day

    def _acc(self, day: date) -> _DayAcc:
        acc = self._days.get(day)
        if acc is None:
            acc = self._days[day] = _DayAcc()
        return acc

    def _open_bout(self, day: date, ts: str, utc: float) -> None:
        self._bout = _BoutAcc(day=day, start_ts=ts, start_utc=utc, end_ts=ts, end_utc=utc)
        self._acc(day).bouts.append(self._bout)
        self._last_closed = None

    def _close_bout(self) -> None:
        self._bout = None

    def _add_seated(self, seconds: float) -> None:
        self._bout.seated_s += seconds
        self._acc(self._bout.day).seated_s += seconds

    def _close_sit(self, utc: float | None) -> None:
        """A sit that never got its sit_end: count it up to ``utc`` (the last thing we know)."""
        if self._sit_utc is not None and self._bout is not None and utc is not None:
            self._add_seated(max(0.0, utc - self._sit_utc))
            self._bout.end_utc = max(self._bout.end_utc, utc)
        self._sit_utc = None

    # -- reading ---------------------------------------------------------------------------
    @property
    def open_bout_day(self) -> date | None:
        return self._bout.day if self._bout else None

    def bouts(self, as_of: datetime | None = None) -> list[Bout]:
        return [b for day in sorted(self._days) for b in self._day_bouts(day, as_of)]

    def _day_bouts(self, day: date, as_of: datetime | None) -> list[Bout]:
        as_of_utc = as_of.timestamp() if as_of is not None else None
        out = []
        for b in self._days[day].bouts:
            sit = self._sit_utc if b is self._bout else None
            bout = b.figures(sit, as_of_utc)
            bout.open = b is self._bout
            out.append(bout)
        return out

    def days(self, as_of: datetime | None = None) -> list[DayStats]:
        out = []
        for day in sorted(self._days):
            acc = self._days[day]
            bouts = self._day_bouts(day, as_of)
            seated = acc.seated_s
            if as_of is not None and self._bout is not None and self._bout.day == day \
                    and self._sit_utc is not None:
                seated += max(0.0, as_of.timestamp() - self._sit_utc)
            out.append(DayStats(
                day=day, seated_s=seated, bouts=len(bouts),
                longest_bout_s=max((b.bout_s for b in bouts), default=0.0),
                bouts_over_30=sum(b.bout_s >= LONG_BOUT_S[0] for b in bouts),
                bouts_over_60=sum(b.bout_s >= LONG_BOUT_S[1] for b in bouts),
                breaks=acc.breaks, prompts=acc.prompts, exercises_done=acc.exercises_done,
                done_pir=acc.done["pir"], done_button=acc.done["button"],
                done_break=acc.done["break"], done_command=acc.done["command"], done_stood=acc.done["stood"],
                snoozes=acc.snoozes, asks=acc.asks, answered_in_time=acc.answered,
                compliance=percent(acc.answered, acc.asks)))
        return out

    def pop_days(self, before: date) -> list[DayStats]:
        """``days()`` of the days before ``before``, then forgotten (a long stream in bounded memory).

        Only for days no later event can belong to: ``summarize_stream`` decides which.
        """
        done = {d: acc for d, acc in self._days.items() if d < before}
        if not done:
            return []
        keep = {d: acc for d, acc in self._days.items() if d >= before}
        self._days = done
        try:
            return self.days()
        finally:
            self._days = keep

    def prune(self) -> None:
        """Forget everything but the open bout: the store only needs this rollup to tag days."""
        keep = self._bout
        self._days = {}
        if keep is not None:
            self._acc(keep.day).bouts.append(keep)


def summarize(events: Iterable[Event], boundary: time = time(0), as_of: datetime | None = None) -> list[DayStats]:
    """Per-day figures of a whole event stream."""
    r = Rollup(boundary)
    for e in events:
        r.add(e)
    return r.days(as_of)


def summarize_stream(events: Iterable[Event], boundary: time = time(0), every: int = 1000) -> Iterator[DayStats]:
    """``summarize(events, boundary)``, day by day as the days close: memory bounded by a few days.

    A day is given once it is two days behind the latest event's and before the open (or
    just closed) bout's day: no later event of a time-ordered stream can belong to it.
    """
    r = Rollup(boundary)
    latest: date | None = None
    for n, e in enumerate(events, 1):
        day = r.add(e)
        if latest is None or day > latest:
            latest = day
        if n % every == 0:
            before = latest - timedelta(days=2)
            for b in (r._bout, r._last_closed):
                if b is not None and b.day < before:
                    before = b.day
            yield from r.pop_days(before)
    yield from r.days()
