"""What the simulated seat switch and PIR report of the person's day, with their physics.

The second and third layers of a simulated day (``device/sim/days.py`` seeds each
from its own stream, so asking for fewer signals, or another PIR, leaves the
person's day unchanged):

- the seat switch: bounce bursts at every transition, weight-shift dropouts and
  leaning forward (empty while seated), electrical spikes clear of the
  transitions, a bag's press and lift;
- the PIR: leg movements seen with partial coverage (active and still spells,
  sitting down and standing up), placing and fetching a bag, false and warm-up
  triggers, all through a retriggerable one-shot with a hold and a blocked time
  (``one_shot``, which the live simulated desk re-runs: ``device/sim/desk_stream.py``).
"""
from __future__ import annotations

import random
from bisect import bisect_left

from device.sim.draws import lognorm, loguniform
from device.sim.profiles import HOUR, Profile

# Seat switch noise (README physics).
BOUNCE_SHORT_S = (0.0003, 0.007)
BOUNCE_LONG_S = (0.007, 0.040)
BOUNCE_LONG_P = 0.08
DROPOUT_S = (0.5, 8.0)
PERCH_S = (10.0, 60.0)
SPIKE_S = (0.001, 0.010)
SPIKES_PER_H = 1.2
SPIKE_CLEAR_S = 1.0          # spikes land clear of real transitions, so every run is a glitch or real
# PIR
FALSE_PER_H = 1.0
WARMUP_S = 60.0
SIT_MOVE_P = 0.9             # sitting down / standing up is seen this often


# ---------------------------------------------------------------- the seat switch

def _holes(rng: random.Random, a: float, b: float, rate_h: float, dur: tuple[float, float],
           out: list[tuple[float, float]], log: bool) -> None:
    """Poisson-placed empty spells inside a seated interval, clear of its ends."""
    if rate_h <= 0:
        return
    t = a + 2.0
    while True:
        t += rng.expovariate(rate_h / HOUR)
        d = loguniform(rng, *dur) if log else rng.uniform(*dur)
        if t + d > b - 2.0:
            return
        out.append((t, t + d))
        t += d + 1.0


def _bounce(rng: random.Random, t: float, out: list[float]) -> None:
    """The transition at t and its contact bounce: an even number of extra toggles."""
    out.append(t)
    if rng.random() < BOUNCE_LONG_P:
        width, pairs = rng.uniform(*BOUNCE_LONG_S), rng.randint(2, 5)
    else:
        width, pairs = rng.uniform(*BOUNCE_SHORT_S), rng.randint(0, 3)
    if pairs:
        out.extend(sorted(t + rng.random() * width for _ in range(2 * pairs)))


def seat_toggles(rng: random.Random, p: Profile, sits: list[tuple[float, float]], bags: list[tuple[float, float]],
                 duration: float) -> tuple[list[float], dict[str, int]]:
    """The seat's toggles (unsorted, unrounded; level 0 before the first) and its counts.

    Structural high intervals (sits less their dropouts and perches, bags) with
    bounce at every transition, then spikes. The counts are ``dropouts``,
    ``perches`` and ``spikes``.
    """
    holes: list[tuple[float, float]] = []
    perches = dropouts = 0
    toggles: list[float] = []
    for a, b in sits:
        hs: list[tuple[float, float]] = []
        _holes(rng, a, b, p.dropouts_per_h, DROPOUT_S, hs, True)
        n_drop = len(hs)
        _holes(rng, a, b, p.perch_per_h, PERCH_S, hs, False)
        perches += len(hs) - n_drop
        dropouts += n_drop
        hs.sort()
        # Overlapping dropout and perch: keep the first, drop what collides with it.
        edge = a
        for h0, h1 in hs:
            if h0 >= edge + 1.0:
                holes.append((h0, h1))
                edge = h1
    structural: list[float] = []
    for a, b in sits:
        structural.append(a)
        structural.append(b)
    for h0, h1 in holes:
        structural.append(h0)
        structural.append(h1)
    for on, off in bags:
        structural.append(on)
        structural.append(off)
    structural.sort()
    for t in structural:
        _bounce(rng, t, toggles)
    spikes = 0
    t, last = 0.0, -SPIKE_CLEAR_S
    while True:
        t += rng.expovariate(SPIKES_PER_H / HOUR)
        if t >= duration:
            break
        w = rng.uniform(*SPIKE_S)
        i = bisect_left(structural, t - SPIKE_CLEAR_S)
        if t < last + SPIKE_CLEAR_S or (i < len(structural) and structural[i] < t + w + SPIKE_CLEAR_S):
            continue
        last = t + w
        toggles.append(t)
        toggles.append(t + w)
        spikes += 1
    return toggles, {"dropouts": dropouts, "perches": perches, "spikes": spikes}


def rounded_alternating(toggles: list[float], duration: float) -> tuple[int, list[float]]:
    """Level at 0 (parity of toggles before it) and the in-range toggles, rounded."""
    toggles.sort()
    lo = bisect_left(toggles, 0.0)
    hi = bisect_left(toggles, duration)
    return lo & 1, [round(t, 4) for t in toggles[lo:hi]]


# ---------------------------------------------------------------- the PIR

def _leg_motion(rng: random.Random, p: Profile, a: float, b: float, cover: float, out: list[float]) -> None:
    """Seen leg movements while seated on [a, b): active and still spells, sit/stand motion."""
    if rng.random() < 0.6:
        out.append(a - rng.uniform(0.5, 4.0))        # approaching the chair
    if rng.random() < SIT_MOVE_P * cover:
        out.append(a + rng.uniform(0.0, 1.5))
    t, active = a, True
    expo, rate = rng.expovariate, 1.0 / p.active_gap_s
    while t < b:
        if active:
            end = min(b, t + lognorm(rng, p.active_med_s, 0.8, 10.0, 20 * 60))
            m = t + expo(rate)
            while m < end:
                out.append(m)
                m += expo(rate)
        else:
            end = min(b, t + lognorm(rng, p.still_med_s, 0.8, 20.0, p.still_max_s))
        t, active = end, not active
    if rng.random() < SIT_MOVE_P * cover:
        out.append(b - rng.uniform(0.0, 1.0))
    if rng.random() < 0.5:
        out.append(b + rng.uniform(0.3, 2.5))        # walking away


def pir_motions(rng: random.Random, p: Profile, sits: list[tuple[float, float]], bags: list[tuple[float, float]],
                duration: float, cover: float) -> list[float]:
    """What the PIR could see (sorted, inside the trace): leg movements, bags, false and warm-up triggers."""
    motions: list[float] = []
    for a, b in sits:
        _leg_motion(rng, p, a, b, cover, motions)
    for on, off in bags:          # placing and fetching the bag
        motions.append(on - rng.uniform(0.5, 3.0))
        motions.append(off - rng.uniform(0.5, 3.0))
    t = 0.0
    while True:
        t += rng.expovariate(FALSE_PER_H / HOUR)
        if t >= duration:
            break
        motions.append(t)
    for _ in range(rng.randint(2, 4)):
        motions.append(rng.uniform(1.0, WARMUP_S))
    motions = [m for m in motions if 0.0 <= m < duration]
    motions.sort()
    return motions


def one_shot(motions: list[float], hold: float, block: float, duration: float) -> list[tuple[float, int]]:
    """A retriggerable one-shot: high until ``hold`` after the last motion, then blind for ``block``."""
    edges: list[tuple[float, int]] = []
    high, off, blocked = False, 0.0, -1.0
    for m in motions:
        if high:
            if m <= off:
                off = m + hold
                continue
            edges.append((off, 0))
            high, blocked = False, off + block
        if m < blocked:
            continue
        edges.append((m, 1))
        high, off = True, m + hold
    if high and off < duration:
        edges.append((off, 0))
    return edges
