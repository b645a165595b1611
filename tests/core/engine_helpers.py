"""Helpers for driving the engine on a fake timeline."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from device import config
from device.core.engine import Engine
from device.core.events import IdFactory

START = datetime(2026, 3, 2, 8, 0, tzinfo=timezone(timedelta(hours=1)))


def make_engine(sensors: str = "both", **sections) -> Engine:
    cfg = config.load(None, env={}).replace(sensing={"sensors": sensors, **sections.pop("sensing", {})}, **sections)
    return Engine(cfg, wall_at=lambda t: START + timedelta(seconds=t), ids=IdFactory(node=1))


def run(engine: Engine, edges, until: float):
    """Feed (t, signal, value) edges, stepping the engine at its deadlines; return events."""
    out = []
    for t, sig, v in sorted(edges, key=lambda e: e[0]):
        if t > until:
            break
        _step_to(engine, t, out)
        out += engine.feed(t, sig, v)
    _step_to(engine, until, out)
    out += engine.advance(until)
    return out


def _step_to(engine, t, out):
    d = engine.next_deadline()
    while d is not None and d <= t:
        out += engine.advance(d)
        d = engine.next_deadline()


def types(events, *wanted):
    return [(e.type, round(e.t, 2)) for e in events if not wanted or e.type in wanted]


def sit(a: float, b: float, signal: str = "seat"):
    """A clean press from a to b (to the seat alone, a bag and a person look the same)."""
    return [(a, signal, 1), (b, signal, 0)]


def person(a: float, b: float, every: float = 120.0, shift_s: float = 2.0):
    """Someone sitting from a to b: a press with a 2 s weight shift every two minutes (off the
    5-minute marks), the sign of a person that a bag never gives."""
    edges, t = [(a, "seat", 1)], a + 100.0
    while t + shift_s < b:
        edges += [(t, "seat", 0), (t + shift_s, "seat", 1)]
        t += every
    return edges + [(b, "seat", 0)]


def pir_pulses(times, hold: float = 3.0):
    out = []
    for t in times:
        out += [(t, "pir", 1), (t + hold, "pir", 0)]
    return out
