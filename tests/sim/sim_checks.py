"""What the simulator's tests check a generated run against: the physics the README promises.

Asserted from the generated edges themselves (run lengths, gaps), not from the
generator's internals.
"""
from __future__ import annotations

from datetime import datetime

from device.sim.days import SimResult
from device.sim.routine import MIN_SIT_S
from device.sim.sensors import PERCH_S

EPS = 2e-4          # times are rounded to 0.1 ms in the file and in memory
GLITCH_S = 0.041    # bounce and spikes are shorter than this
MONDAY = datetime.fromisoformat("2026-03-02T00:00:00+01:00")


def runs(result, signal):
    """(start, end, level) of each constant-level run of one signal, up to the end."""
    edges = [(t, v) for t, s, v in result.edges({signal})]
    out = []
    for (t0, v0), (t1, _) in zip(edges, edges[1:]):
        out.append((t0, t1, v0))
    if edges:
        out.append((edges[-1][0], result.duration_s, edges[-1][1]))
    return out


def seated_at(truth, t):
    return any(a <= t < b for a, b in truth)


def within_one_sit(truth, t0, t1):
    return any(a <= t0 and t1 <= b for a, b in truth)


def check_physics(r: SimResult) -> None:
    assert len(r.times) == len(r.signals) == len(r.values)
    assert all(a <= b for a, b in zip(r.times, r.times[1:])), "edges sorted by time"
    assert r.times[:len(r.sensors)] == [0.0] * len(r.sensors)
    assert set(r.signals) == set(r.sensors)
    assert r.times[-1] < r.duration_s
    for sig in r.sensors:
        vals = [v for _, v in ((t, v) for t, s, v in r.edges({sig}))]
        assert all(a != b for a, b in zip(vals, vals[1:])), f"{sig} levels alternate"
    # Truth: sorted, disjoint, inside the trace, at least 20 s each.
    for a, b in r.truth:
        assert 0 <= a < b <= r.duration_s
        assert b - a >= MIN_SIT_S - 1e-3 or a == 0 or b == r.duration_s
    assert all(b1 <= a2 for (_, b1), (a2, _) in zip(r.truth, r.truth[1:]))
    if "seat" in r.sensors:
        seat = runs(r, "seat")
        for a, b, v in seat:
            d = b - a
            # A run is a glitch (bounce or spike) or a real level; nothing in between.
            assert d < GLITCH_S or d > 0.4 or b == r.duration_s or a == 0.0, (a, b, v)
            if v == 0 and d > GLITCH_S and within_one_sit(r.truth, a, b) and 0.0 < a and b < r.duration_s:
                # empty while seated: a weight shift (0.5-8 s) or leaning forward (10-60 s); one the
                # trace's start or end cuts short can be shorter
                assert 0.45 <= d <= PERCH_S[1] + 0.05, (a, d)
            if v == 1 and d > GLITCH_S and not seated_at(r.truth, (a + b) / 2):
                assert r.stats["bags"] > 0, f"seat pressed with nobody seated at {a}"
    if "pir" in r.sensors:
        pir = runs(r, "pir")
        for a, b, v in pir[1:]:
            if b == r.duration_s:
                continue
            if v == 1:
                assert b - a >= r.pir_hold_s - EPS, f"PIR high {b - a:.4f} s < hold at {a}"
            else:
                assert b - a >= r.pir_block_s - EPS, f"PIR low {b - a:.4f} s < block at {a}"
