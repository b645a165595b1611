"""The simulated person's day: when they sit, take breaks, and leave a bag on the chair.

The first layer of a simulated day (``device/sim/days.py`` seeds it and puts the
layers together): arrival, lunch, bouts of sitting split by short away spells
(20-110 s) and ended by real breaks (minutes), meetings, and bags left on the
chair during a long break or put down soon after the stand-up. What the seat
switch and the PIR make of it is ``device/sim/sensors.py``.
"""
from __future__ import annotations

import random

from device.sim.draws import lognorm, loguniform
from device.sim.profiles import HOUR, Profile

SHORT_AWAY_S = (20.0, 110.0)
MIN_SIT_S = 20.0
MIN_BREAK_S = 130.0          # a real break is clearly longer than the 120 s break rule
# A bag put down soon after leaving (Profile.soon_bag_p)
SOON_BAG_AFTER_S = (20.0, 60.0)   # pressed this long after the person stood up
SOON_BAG_RETURN_S = (10.0, 60.0)  # the person sits back down this long after lifting it
SOON_BAG_MIN_S = 60.0             # a shorter stay is not worth putting it down


def _segment(rng: random.Random, p: Profile, s: float, e: float, out: list[tuple[float, float]],
             breaks: list[tuple[float, float]]) -> None:
    """Fill [s, e) with bouts (split by short away spells) and real breaks."""
    t = s
    while t < e - MIN_SIT_S:
        bout_end = min(e, t + lognorm(rng, p.bout_med_s, p.bout_sigma, 60.0, p.bout_max_s))
        a = t
        while True:
            nxt = a + rng.expovariate(p.short_away_per_h / HOUR) if p.short_away_per_h else bout_end
            nxt = max(nxt, a + MIN_SIT_S)
            if nxt + SHORT_AWAY_S[1] + MIN_SIT_S >= bout_end:
                out.append((a, bout_end))
                break
            out.append((a, nxt))
            a = nxt + rng.uniform(*SHORT_AWAY_S)
        brk = lognorm(rng, p.break_med_s, p.break_sigma, MIN_BREAK_S, 45 * 60)
        if rng.random() < p.meeting_p:
            brk = rng.uniform(*p.meeting_min) * 60
        breaks.append((bout_end, bout_end + brk))
        t = bout_end + brk


def person_day(rng: random.Random, p: Profile, midnight: float, weekend: bool, multi: bool):
    """Seated intervals and breaks (absolute seconds) of one day."""
    sits: list[tuple[float, float]] = []
    breaks: list[tuple[float, float]] = []
    if not p.work or (weekend and multi and rng.random() < 0.85):
        return sits, breaks
    if weekend and multi:           # a short weekend session
        a = midnight + rng.uniform(10, 15) * HOUR
        _segment(rng, p, a, a + rng.uniform(1, 3) * HOUR, sits, breaks)
        return sits, breaks
    arrive = midnight + rng.gauss(*p.arrive) * HOUR
    leave = midnight + rng.gauss(*p.leave) * HOUR
    meal = midnight + rng.gauss(*p.meal) * HOUR
    meal_end = meal + rng.uniform(*p.meal_min) * 60
    if arrive < meal - 1800 and meal_end < leave - 1800:
        _segment(rng, p, arrive, meal, sits, breaks)
        if breaks:
            breaks[-1] = (breaks[-1][0], meal_end)
        _segment(rng, p, meal_end, leave, sits, breaks)
    else:
        _segment(rng, p, arrive, leave, sits, breaks)
    return sits, breaks


def bag(rng: random.Random, p: Profile, midnight: float, breaks: list[tuple[float, float]]):
    """Maybe one bag left on the chair while nobody sits: (on, off) or None."""
    if rng.random() >= p.bag_p:
        return None
    if not p.work:
        on = midnight + rng.uniform(9, 18) * HOUR
        return on, on + loguniform(rng, 600, 2 * HOUR)
    long = [b for b in breaks if b[1] - b[0] > 600]
    if not long:
        return None
    a, b = rng.choice(long)
    return a + rng.uniform(3, 20), b - rng.uniform(3, 15)


def soon_bags(rng: random.Random, p: Profile, sits: list[tuple[float, float]],
              breaks: list[tuple[float, float]], taken: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Bags put on the chair 20-60 s after the stand-up, lifted 10-60 s before the person sits back down.

    Only over breaks the person returns from (a sit starts where the break ends), and clear of
    a bag already there. The hard case for sensing: the press comes well inside the 60 s a
    person may take to come back, with the stand-up's and the put-down's leg motion around it.
    """
    out: list[tuple[float, float]] = []
    if p.soon_bag_p <= 0:
        return out
    returns = {a for a, _ in sits}
    for a, b in breaks:
        if rng.random() >= p.soon_bag_p:
            continue
        on = a + rng.uniform(*SOON_BAG_AFTER_S)
        off = b - rng.uniform(*SOON_BAG_RETURN_S)
        if b not in returns or off - on < SOON_BAG_MIN_S or any(x < off and on < y for x, y in taken):
            continue
        out.append((on, off))
    return out
