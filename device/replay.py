"""Replay a recorded or simulated trace through the engine: the same logic as the daemon.

The engine is stepped at each of its own deadlines between edges, so the
events carry exactly the times the live daemon would have produced, and a
replay is deterministic (ids come from a fixed node). With the seat, the whole
recording goes to ``Engine.run``, which gives the same events as that edge-by-
edge loop (tests/engine/test_replay.py holds them equal) in a fraction of the
time; PIR-only replays use the edge-by-edge loop below.
"""
from __future__ import annotations

from datetime import timedelta
from itertools import compress
from typing import Iterator
from zoneinfo import ZoneInfo

from device.config import Config
from device.engine import Engine
from device.events import Event, IdFactory
from device.trace import Trace

SENSOR_SIGNALS = {"seat": {"seat", "button"}, "pir": {"pir", "button"}, "both": {"seat", "pir", "button"}}


def default_sensor(trace: Trace) -> str:
    """What the trace holds: both if it has both, else the one it has."""
    sigs = set(trace.header.signals) or set(trace.signals)
    if {"seat", "pir"} <= sigs:
        return "both"
    return "pir" if "pir" in sigs else "seat"


def wall_mapper(trace: Trace, cfg: Config):
    start = trace.header.start
    tz = ZoneInfo(cfg.device.timezone) if cfg.device.timezone else start.tzinfo

    def wall_at(t: float):
        return (start + timedelta(seconds=t)).astimezone(tz)
    return wall_at


def replay(trace: Trace, cfg: Config, sensor: str | None = None) -> Iterator[Event]:
    sensor = sensor or default_sensor(trace)
    if cfg.sensing.sensors != sensor:
        cfg = cfg.replace(sensing={"sensors": sensor})
    engine = Engine(cfg, wall_mapper(trace, cfg), ids=IdFactory(node=0), start_t=0.0)
    wanted = SENSOR_SIGNALS[sensor]
    if sensor != "pir":
        times, signals, values = trace.times, trace.signals, trace.values
        if not set(signals) <= wanted:
            keep = [s in wanted for s in signals]
            times, signals, values = (list(compress(a, keep)) for a in (times, signals, values))
        yield from engine.run(times, signals, values, trace.duration_s)
        return
    feed, advance, next_deadline = engine.feed, engine.advance, engine.next_deadline
    deadline = next_deadline()
    for t, sig, value in zip(trace.times, trace.signals, trace.values):
        if sig not in wanted:
            continue
        while deadline is not None and deadline <= t:
            yield from advance(deadline)
            deadline = next_deadline()
        out = feed(t, sig, value)
        if out:
            yield from out
        deadline = next_deadline()
    end = trace.duration_s
    while deadline is not None and deadline <= end:
        yield from advance(deadline)
        deadline = next_deadline()
    yield from engine.finish(end)
