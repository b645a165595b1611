"""Replay a recorded or simulated trace through the engine: the same logic as the daemon.

The engine is stepped at each of its own deadlines between edges, so the
events carry exactly the times the live daemon would have produced, and a
replay is deterministic (ids come from a fixed node). The recording goes to
``Engine.run_edges`` a block of rows at a time (``replay_stream``, what
``deskpulse replay`` does: memory bounded by the block, not the file), which
gives the same events as feeding it edge by edge (tests/app/replay/test_replay.py
holds them equal); with the seat, in a fraction of the time.
"""
from __future__ import annotations

import math
from datetime import datetime, timedelta, timezone
from itertools import compress
from typing import Callable, Iterator
from zoneinfo import ZoneInfo

from device.config import Config
from device.core.engine import Engine
from device.core.events import Event, IdFactory
from device.adapters.trace import Trace, TraceStream, open_trace

SENSOR_SIGNALS = {"seat": {"seat", "button"}, "pir": {"pir", "button"}, "both": {"seat", "pir", "button"}}


def default_sensor(trace: Trace) -> str:
    """What the trace holds: both if it has both, else the one it has."""
    return _sensor_of(set(trace.header.signals) or set(trace.signals))


def trace_signals(stream: TraceStream) -> set[str]:
    """The signals a trace holds: its ``# signals:`` header, or (a file without one) its rows.

    Without the header this reads the file once more, to the end: only such files pay for it.
    """
    if stream.header.signals:
        return set(stream.header.signals)
    have: set[str] = set()
    for _, signals, _ in open_trace(stream.path).chunks():
        have.update(signals)
    return have


def _sensor_of(sigs: set[str]) -> str:
    if {"seat", "pir"} <= sigs:
        return "both"
    return "pir" if "pir" in sigs else "seat"


_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_DAY_US = 86_400_000_000
_HHMM = [f"{h:02d}:{m:02d}:" for h in range(24) for m in range(60)]   # by minute of the day
_SS = [f"{i:02d}" for i in range(60)]
_DOT_MMM = [f".{i:03d}" for i in range(1000)]


def _td_us(t: float) -> int:
    """``timedelta(seconds=t)`` in whole microseconds, rounded exactly as its constructor rounds.

    CPython's ``timedelta`` takes the integral seconds exactly, multiplies the fraction
    by 10**6 in floating point, keeps that product's integral part and rounds what is
    left half-to-even on the total (``_datetimemodule.c``, ``accum`` and ``delta_new``);
    this is that computation.
    """
    frac, whole = math.modf(t)
    us = int(whole) * 1_000_000
    if frac == 0.0:
        return us
    left, whole = math.modf(frac * 1e6)
    us += int(whole)
    if left > 0.5 or (left == 0.5 and us & 1):
        us += 1
    elif left < -0.5 or (left == -0.5 and us & 1):
        us -= 1
    return us


class WallMapper:
    """A replay's wall clock: engine second ``t`` is ``start + t`` in ``tz``.

    Calling it gives that aware datetime (what coaching and ``status`` use). A replay
    stamps ~20,000 events a year, and ``timedelta`` + ``astimezone`` + ``isoformat``
    + ``timestamp`` cost ~2.5 us each time, so ``stamp``/``iso_s`` build the same
    strings arithmetically from the instant in microseconds, with the UTC offset
    cached per UTC day and the date per local day. A UTC day is cached only if its
    offset is a whole number of minutes and the same at its first and last
    microsecond; a day with a DST change in it, an odd historical offset, or a start
    whose zone is not a fixed offset takes the datetime path.
    ``tests/app/replay/test_replay_stamps.py`` compares both on random and DST-edge times.
    """

    def __init__(self, start: datetime, tz):
        self.start, self.tz = start, tz
        self._fast = isinstance(start.tzinfo, timezone)   # then start + td is UTC arithmetic
        self._e0 = (start - _EPOCH) // timedelta(microseconds=1) if self._fast else 0
        self._offsets: dict[int, tuple[int, str] | None] = {}   # UTC day -> (offset in us, "+HH:MM")
        self._dates: dict[int, str] = {}                        # local day -> "YYYY-MM-DDT"

    def __call__(self, t: float) -> datetime:
        return (self.start + timedelta(seconds=t)).astimezone(self.tz)

    def _offset(self, day: int) -> tuple[int, str] | None:
        first = _EPOCH + timedelta(days=day)
        a = first.astimezone(self.tz)
        off = a.utcoffset()
        entry = None
        if off is not None and not off % timedelta(minutes=1) and \
                (first + timedelta(microseconds=_DAY_US - 1)).astimezone(self.tz).utcoffset() == off:
            entry = (off // timedelta(microseconds=1), a.isoformat()[19:])   # YYYY-MM-DDTHH:MM:SS+HH:MM
        self._offsets[day] = entry
        return entry

    def _local(self, t: float) -> tuple[str, int, int, int] | None:
        """(offset suffix, local day, microsecond of that day, instant in us), or None."""
        e = self._e0 + _td_us(t)
        day = e // _DAY_US
        off = self._offsets[day] if day in self._offsets else self._offset(day)
        if off is None:
            return None
        ld, r = divmod(e + off[0], _DAY_US)
        return off[1], ld, r, e

    def _date(self, ld: int) -> str:
        d = self._dates[ld] = (_EPOCH + timedelta(days=ld)).date().isoformat() + "T"
        return d

    def stamp(self, t: float) -> tuple[str, int]:
        """``(w.isoformat(timespec="milliseconds"), int(w.timestamp() * 1000))`` for ``w = self(t)``."""
        if self._fast:   # self._local(t), inline: this runs for every event
            e = self._e0 + _td_us(t)
            day = e // _DAY_US
            off = self._offsets[day] if day in self._offsets else self._offset(day)
            if off is not None:
                ld, r = divmod(e + off[0], _DAY_US)
                m, r = divmod(r, 60_000_000)
                s, ms = divmod(r // 1000, 1000)
                d = self._dates[ld] if ld in self._dates else self._date(ld)
                return d + _HHMM[m] + _SS[s] + _DOT_MMM[ms] + off[1], int(e / 1_000_000 * 1000)
        w = self(t)
        return w.isoformat(timespec="milliseconds"), int(w.timestamp() * 1000)

    def iso_s(self, t: float) -> str:
        """``self(t).isoformat(timespec="seconds")``."""
        if self._fast:
            x = self._local(t)
            if x is not None:
                suffix, ld, r, _ = x
                m, r = divmod(r, 60_000_000)
                d = self._dates[ld] if ld in self._dates else self._date(ld)
                return d + _HHMM[m] + _SS[r // 1_000_000] + suffix
        return self(t).isoformat(timespec="seconds")


def wall_mapper(trace: Trace | TraceStream, cfg: Config) -> WallMapper:
    start = trace.header.start
    return WallMapper(start, ZoneInfo(cfg.device.timezone) if cfg.device.timezone else start.tzinfo)


def _engine(trace: Trace | TraceStream, cfg: Config, sensor: str) -> Engine:
    if cfg.sensing.sensors != sensor:
        cfg = cfg.replace(sensing={"sensors": sensor})
    return Engine(cfg, wall_mapper(trace, cfg), ids=IdFactory(node=0), start_t=0.0)


def _only(wanted: set[str], times, signals, values):
    if not set(signals) <= wanted:
        keep = [s in wanted for s in signals]
        times, signals, values = (list(compress(a, keep)) for a in (times, signals, values))
    return times, signals, values


def replay(trace: Trace, cfg: Config, sensor: str | None = None,
           on_engine: Callable[[Engine], None] | None = None) -> Iterator[Event]:
    """The engine's events for a whole trace held in memory. ``on_engine`` is handed the engine
    before it runs, so a harness (benchmarks/accuracy.py) can read what sensing records beyond events."""
    sensor = sensor or default_sensor(trace)
    engine = _engine(trace, cfg, sensor)
    if on_engine is not None:
        on_engine(engine)
    times, signals, values = _only(SENSOR_SIGNALS[sensor], trace.times, trace.signals, trace.values)
    yield from engine.run(times, signals, values, trace.duration_s)


def replay_stream(stream: TraceStream, cfg: Config, sensor: str | None = None) -> Iterator[Event]:
    """An open trace replayed block by block, its events yielded as each block is done.

    The events are those of ``replay(read_trace(path))``, byte for byte. A malformed row
    raises ``TraceError`` when its block is reached, after the events before it.
    """
    sensor = sensor or _sensor_of(trace_signals(stream))
    engine = _engine(stream, cfg, sensor)
    wanted = SENSOR_SIGNALS[sensor]
    for times, signals, values in stream.chunks():
        yield from engine.run_edges(*_only(wanted, times, signals, values))
    yield from engine.run_end(stream.duration_s)
