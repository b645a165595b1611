"""A seeded desk simulator: a person's days and what a seat switch and a PIR report.

Why it exists: the detection and the prompting are tuned and benchmarked on
days with a known truth, and real instrumented days are scarce. The model is
built from the physics in ``shared/traces/README.md`` rather than fitted to
the dev traces, so tuning against it does not overfit six files.

Layers, each from its own seeded stream (so asking for fewer signals, or a
different PIR, leaves the person's day unchanged):

1. the person: arrival, lunch, bouts of sitting split by short away spells
   (20-110 s) and ended by real breaks (minutes), leaning forward / perching
   (seat empty 10-60 s, truth still seated), still and active leg spells;
2. the seat switch: bounce bursts at every transition, weight-shift dropouts,
   electrical spikes, sometimes a bag left on the chair during a break;
3. the PIR: leg movements seen with partial coverage, a retriggerable
   one-shot with a hold time and a blocked time, false and warm-up triggers.

Everything is plain Python and one pass per layer: a 365-day run (~400,000
edges) takes a few seconds, because it feeds the replay benchmark.
"""
from __future__ import annotations

import math
import os
import random
from bisect import bisect_left
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from heapq import merge

DAY = 86400.0
HOUR = 3600.0


@dataclass(frozen=True)
class Profile:
    """How one kind of person uses the desk. Times of day are in hours."""

    work: bool = True
    arrive: tuple[float, float] = (8.5, 0.5)      # mean, sd
    leave: tuple[float, float] = (17.4, 0.6)      # may pass 24 (night owl)
    meal: tuple[float, float] = (12.3, 0.3)       # lunch (or dinner) start
    meal_min: tuple[float, float] = (30, 60)      # its length, minutes
    bout_med_s: float = 20 * 60                   # continuous sitting between real breaks
    bout_sigma: float = 0.85
    bout_max_s: float = 2.5 * HOUR
    short_away_per_h: float = 2.0                 # 20-110 s away spells inside a bout
    break_med_s: float = 5 * 60
    break_sigma: float = 0.7
    active_gap_s: float = 17.0                    # mean gap between *seen* leg movements
    active_med_s: float = 150.0
    still_med_s: float = 140.0
    still_max_s: float = 16 * 60
    perch_per_h: float = 0.25
    dropouts_per_h: float = 5.0
    bag_p: float = 0.04                           # chance per day of a bag on the chair during a long break
    meeting_p: float = 0.05                       # chance that a break is a meeting ...
    meeting_min: tuple[float, float] = (30, 90)   # ... of this many minutes (uniform)
    # chance per break of a bag put on the chair soon (20-60 s) after the stand-up and lifted
    # tens of seconds before the person sits back down (its own seeded stream: 0 leaves the day as it was)
    soon_bag_p: float = 0.0
    # How they answer a seated-routine prompt (device/sim/sim_person.py, the daemon's simulated desk only):
    respond_p: float = 0.65                       # does the routine (the PIR sees it) or presses the button
    button_p: float = 0.2                         # ... of which by pressing the button
    snooze_p: float = 0.08                        # holds the button to snooze instead
    walk_p: float = 0.5                           # a walk prompt: stands up a little earlier than planned


PROFILE_PARAMS: dict[str, Profile] = {
    "typical": Profile(),
    "fidgety": Profile(bout_med_s=12 * 60, short_away_per_h=3.5, break_med_s=4 * 60, break_sigma=1.0, active_gap_s=10.0,
                       active_med_s=240.0, still_med_s=40.0, still_max_s=3 * 60, dropouts_per_h=8.0, respond_p=0.75),
    "long_sitter": Profile(arrive=(8.2, 0.4), leave=(17.8, 0.5), bout_med_s=45 * 60, bout_sigma=0.6,
                           bout_max_s=3 * HOUR, short_away_per_h=1.2, break_med_s=6 * 60,
                           active_gap_s=19.0, still_med_s=150.0, still_max_s=15 * 60, respond_p=0.55,
                           snooze_p=0.12),
    "still_reader": Profile(arrive=(9.0, 0.6), bout_med_s=50 * 60, bout_sigma=0.7, bout_max_s=3 * HOUR,
                            short_away_per_h=0.8, active_gap_s=16.0, active_med_s=100.0,
                            still_med_s=9 * 60, still_max_s=40 * 60, perch_per_h=0.6, dropouts_per_h=4.0,
                            respond_p=0.5, button_p=0.35),
    "day_off": Profile(work=False, bag_p=0.15),
    "night_owl": Profile(arrive=(13.5, 0.8), leave=(25.5, 0.6), meal=(19.0, 0.4), meal_min=(35, 70),
                         bout_med_s=22 * 60),
    # The wider physics (issue #10.5); new profiles, so the days above stay as they were.
    "noisy_mat": Profile(dropouts_per_h=30.0, perch_per_h=0.5, soon_bag_p=0.04),
    "deep_reader": Profile(arrive=(9.0, 0.6), bout_med_s=55 * 60, bout_sigma=0.6, bout_max_s=3 * HOUR,
                           short_away_per_h=0.6, active_gap_s=18.0, active_med_s=80.0,
                           still_med_s=14 * 60, still_max_s=60 * 60, perch_per_h=0.3, dropouts_per_h=2.5,
                           soon_bag_p=0.05, respond_p=0.5, button_p=0.35),
    "bag_carrier": Profile(bag_p=0.0, soon_bag_p=0.3, meeting_p=0.15, meeting_min=(30, 180)),
    "late_night": Profile(arrive=(16.0, 0.8), leave=(27.0, 0.7), meal=(20.0, 0.4), meal_min=(30, 60),
                          bout_med_s=30 * 60, soon_bag_p=0.05),
}
PROFILES: tuple[str, ...] = tuple(PROFILE_PARAMS)


@dataclass(frozen=True)
class PirModel:
    hold_s: tuple[float, float]     # one value drawn per run: a module's RC is fixed
    block_s: tuple[float, float]


PIR_MODELS: dict[str, PirModel] = {
    "am312": PirModel((2.0, 2.0), (2.0, 2.2)),
    "hc_sr501_min": PirModel((3.0, 5.0), (2.3, 2.5)),
    "hc_sr501_long": PirModel((30.0, 60.0), (2.3, 2.5)),
    # The potentiometer between and beyond (issue #10.5): new models, the ones above unchanged.
    "hc_sr501_mid": PirModel((8.0, 25.0), (2.3, 2.5)),
    "hc_sr501_max": PirModel((120.0, 300.0), (2.3, 2.5)),
}
DEFAULT_PIR = "hc_sr501_min"
DEFAULT_START = datetime.fromisoformat("2026-03-02T00:00:00+01:00")  # a Monday

# Seat switch noise (README physics).
BOUNCE_SHORT_S = (0.0003, 0.007)
BOUNCE_LONG_S = (0.007, 0.040)
BOUNCE_LONG_P = 0.08
DROPOUT_S = (0.5, 8.0)
PERCH_S = (10.0, 60.0)
SPIKE_S = (0.001, 0.010)
SPIKES_PER_H = 1.2
SPIKE_CLEAR_S = 1.0          # spikes land clear of real transitions, so every run is a glitch or real
SHORT_AWAY_S = (20.0, 110.0)
MIN_SIT_S = 20.0
MIN_BREAK_S = 130.0          # a real break is clearly longer than the 120 s break rule
# PIR
FALSE_PER_H = 1.0
WARMUP_S = 60.0
SIT_MOVE_P = 0.9             # sitting down / standing up is seen this often
# A bag put down soon after leaving (Profile.soon_bag_p)
SOON_BAG_AFTER_S = (20.0, 60.0)   # pressed this long after the person stood up
SOON_BAG_RETURN_S = (10.0, 60.0)  # the person sits back down this long after lifting it
SOON_BAG_MIN_S = 60.0             # a shorter stay is not worth putting it down


@dataclass
class SimResult:
    """Edges as parallel lists (like ``device.adapters.trace.Trace``), sorted by time.

    The first rows give each signal's level at t = 0, as in a trace file.
    Times are already rounded to the trace file's 0.1 ms, and truth to 1 ms,
    so what ``write`` puts on disk reads back identical.
    """

    start: datetime
    duration_s: float
    profile: str
    seed: int
    pir_model: str
    sensors: tuple[str, ...]
    times: list[float]
    signals: list[str]
    values: list[int]
    truth: list[tuple[float, float]]
    pir_hold_s: float
    pir_block_s: float
    stats: dict[str, int] = field(default_factory=dict)
    #: what the PIR could see (sorted, before the one-shot): the daemon's simulated desk re-runs
    #: the one-shot on these plus the person's answers to prompts (device/sim/sim_person.py)
    pir_motions: list[float] = field(default_factory=list)
    #: (on, off) of every bag on the chair, seconds like ``truth`` (to 1 ms, clipped to the trace):
    #: the truth for the object metrics (benchmarks/accuracy.py); not written to the trace files
    bags: list[tuple[float, float]] = field(default_factory=list)

    @property
    def note(self) -> str:
        return (f"simulated {self.profile} person, {self.pir_model} PIR (hold {self.pir_hold_s:.1f} s), "
                f"seed {self.seed}")

    def edges(self, only: set[str] | None = None):
        rows = zip(self.times, self.signals, self.values)
        return rows if only is None else ((t, s, v) for t, s, v in rows if s in only)


def _lognorm(rng: random.Random, median: float, sigma: float, lo: float, hi: float) -> float:
    return min(hi, max(lo, median * math.exp(rng.gauss(0.0, sigma))))


def _loguniform(rng: random.Random, lo: float, hi: float) -> float:
    return lo * math.exp(rng.random() * math.log(hi / lo))


# ---------------------------------------------------------------- the person

def _segment(rng: random.Random, p: Profile, s: float, e: float, out: list[tuple[float, float]],
             breaks: list[tuple[float, float]]) -> None:
    """Fill [s, e) with bouts (split by short away spells) and real breaks."""
    t = s
    while t < e - MIN_SIT_S:
        bout_end = min(e, t + _lognorm(rng, p.bout_med_s, p.bout_sigma, 60.0, p.bout_max_s))
        a = t
        while True:
            nxt = a + rng.expovariate(p.short_away_per_h / HOUR) if p.short_away_per_h else bout_end
            nxt = max(nxt, a + MIN_SIT_S)
            if nxt + SHORT_AWAY_S[1] + MIN_SIT_S >= bout_end:
                out.append((a, bout_end))
                break
            out.append((a, nxt))
            a = nxt + rng.uniform(*SHORT_AWAY_S)
        brk = _lognorm(rng, p.break_med_s, p.break_sigma, MIN_BREAK_S, 45 * 60)
        if rng.random() < p.meeting_p:
            brk = rng.uniform(*p.meeting_min) * 60
        breaks.append((bout_end, bout_end + brk))
        t = bout_end + brk


def _person_day(rng: random.Random, p: Profile, midnight: float, weekend: bool, multi: bool):
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


def _bag(rng: random.Random, p: Profile, midnight: float, breaks: list[tuple[float, float]]):
    """Maybe one bag left on the chair while nobody sits: (on, off) or None."""
    if rng.random() >= p.bag_p:
        return None
    if not p.work:
        on = midnight + rng.uniform(9, 18) * HOUR
        return on, on + _loguniform(rng, 600, 2 * HOUR)
    long = [b for b in breaks if b[1] - b[0] > 600]
    if not long:
        return None
    a, b = rng.choice(long)
    return a + rng.uniform(3, 20), b - rng.uniform(3, 15)


def _soon_bags(rng: random.Random, p: Profile, sits: list[tuple[float, float]],
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


# ---------------------------------------------------------------- the seat switch

def _holes(rng: random.Random, a: float, b: float, rate_h: float, dur: tuple[float, float],
           out: list[tuple[float, float]], log: bool) -> None:
    """Poisson-placed empty spells inside a seated interval, clear of its ends."""
    if rate_h <= 0:
        return
    t = a + 2.0
    while True:
        t += rng.expovariate(rate_h / HOUR)
        d = _loguniform(rng, *dur) if log else rng.uniform(*dur)
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
            end = min(b, t + _lognorm(rng, p.active_med_s, 0.8, 10.0, 20 * 60))
            m = t + expo(rate)
            while m < end:
                out.append(m)
                m += expo(rate)
        else:
            end = min(b, t + _lognorm(rng, p.still_med_s, 0.8, 20.0, p.still_max_s))
        t, active = end, not active
    if rng.random() < SIT_MOVE_P * cover:
        out.append(b - rng.uniform(0.0, 1.0))
    if rng.random() < 0.5:
        out.append(b + rng.uniform(0.3, 2.5))        # walking away


def _one_shot(motions: list[float], hold: float, block: float, duration: float) -> list[tuple[float, int]]:
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


# ---------------------------------------------------------------- assembly

def _rounded_alternating(toggles: list[float], duration: float) -> tuple[int, list[float]]:
    """Level at 0 (parity of toggles before it) and the in-range toggles, rounded."""
    toggles.sort()
    lo = bisect_left(toggles, 0.0)
    hi = bisect_left(toggles, duration)
    return lo & 1, [round(t, 4) for t in toggles[lo:hi]]


def simulate(profile: str, days: int, seed: int, start: datetime = DEFAULT_START,
             pir_model: str = DEFAULT_PIR, signals: tuple[str, ...] | list[str] = ("seat", "pir"),
             pir_hold_s: float | None = None) -> SimResult:
    """Simulate ``days`` whole days from ``start``; same arguments, same result.

    ``pir_hold_s`` overrides the module's hold time (an HC-SR501's potentiometer).
    """
    if profile not in PROFILE_PARAMS:
        raise ValueError(f"unknown profile {profile!r} (known: {', '.join(PROFILES)})")
    if pir_model not in PIR_MODELS:
        raise ValueError(f"unknown PIR model {pir_model!r} (known: {', '.join(PIR_MODELS)})")
    if pir_hold_s is not None and not 1.0 <= pir_hold_s <= 600.0:
        raise ValueError(f"PIR hold {pir_hold_s} s is outside 1-600 s")
    if days < 1:
        raise ValueError("days must be at least 1")
    if start.tzinfo is None:
        raise ValueError("start must be timezone-aware")
    sensors = tuple(s for s in ("seat", "pir") if s in signals)
    if not sensors or len(sensors) != len(set(signals)):
        raise ValueError(f"signals must be a non-empty subset of seat,pir, got {','.join(signals)}")
    p = PROFILE_PARAMS[profile]
    pm = PIR_MODELS[pir_model]
    duration = days * DAY
    r_person = random.Random(f"{seed}:person:{profile}")
    r_seat = random.Random(f"{seed}:seat")
    r_pir = random.Random(f"{seed}:pir:{pir_model}")
    r_bag = random.Random(f"{seed}:bag:{profile}")
    hold = round(r_pir.uniform(*pm.hold_s), 1)
    block = round(r_pir.uniform(*pm.block_s), 2)
    if pir_hold_s is not None:
        hold = float(pir_hold_s)
    cover = r_pir.uniform(0.8, 0.95)

    # Day d's local midnight, in seconds from start (a start after midnight begins mid-day).
    day0 = start.replace(hour=0, minute=0, second=0, microsecond=0)
    m0 = (day0 - start).total_seconds()
    sits: list[tuple[float, float]] = []
    bags: list[tuple[float, float]] = []
    n_soon = 0
    for d in range(days + (1 if m0 < 0 else 0)):
        midnight = m0 + d * DAY
        weekend = (day0 + timedelta(days=d)).weekday() >= 5
        day_sits, day_breaks = _person_day(r_person, p, midnight, weekend, days > 1)
        sits.extend(day_sits)
        bag = _bag(r_person, p, midnight, day_breaks)
        day_bags = [bag] if bag else []
        soon = _soon_bags(r_bag, p, day_sits, day_breaks, day_bags)
        n_soon += len(soon)
        bags.extend(sorted(day_bags + soon))

    # Seat: structural high intervals -> toggles with bounce, then spikes.
    holes: list[tuple[float, float]] = []
    perches = dropouts = 0
    seat_toggles: list[float] = []
    for a, b in sits:
        hs: list[tuple[float, float]] = []
        _holes(r_seat, a, b, p.dropouts_per_h, DROPOUT_S, hs, True)
        n_drop = len(hs)
        _holes(r_seat, a, b, p.perch_per_h, PERCH_S, hs, False)
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
        _bounce(r_seat, t, seat_toggles)
    spikes = 0
    t, last = 0.0, -SPIKE_CLEAR_S
    while True:
        t += r_seat.expovariate(SPIKES_PER_H / HOUR)
        if t >= duration:
            break
        w = r_seat.uniform(*SPIKE_S)
        i = bisect_left(structural, t - SPIKE_CLEAR_S)
        if t < last + SPIKE_CLEAR_S or (i < len(structural) and structural[i] < t + w + SPIKE_CLEAR_S):
            continue
        last = t + w
        seat_toggles.append(t)
        seat_toggles.append(t + w)
        spikes += 1
    seat0, seat_t = _rounded_alternating(seat_toggles, duration)

    # PIR: what it could see, then the one-shot.
    motions: list[float] = []
    for a, b in sits:
        _leg_motion(r_pir, p, a, b, cover, motions)
    for on, off in bags:          # placing and fetching the bag
        motions.append(on - r_pir.uniform(0.5, 3.0))
        motions.append(off - r_pir.uniform(0.5, 3.0))
    t = 0.0
    while True:
        t += r_pir.expovariate(FALSE_PER_H / HOUR)
        if t >= duration:
            break
        motions.append(t)
    for _ in range(r_pir.randint(2, 4)):
        motions.append(r_pir.uniform(1.0, WARMUP_S))
    motions = [m for m in motions if 0.0 <= m < duration]
    motions.sort()
    pir_edges = _one_shot(motions, hold, block, duration)
    pir_t = [round(t, 4) for t, _ in pir_edges]
    pir_v = [v for _, v in pir_edges]

    truth = [(round(max(a, 0.0), 3), round(min(b, duration), 3)) for a, b in sits if b > 0 and a < duration]
    truth = [(a, b) for a, b in truth if b > a]
    bag_truth = [(round(max(a, 0.0), 3), round(min(b, duration), 3)) for a, b in bags if b > 0 and a < duration]

    streams = []
    times: list[float] = [0.0] * len(sensors)
    sig: list[str] = []
    val: list[int] = []
    for s in sorted(sensors):       # initial rows: pir before seat, as the recorder writes
        sig.append(s)
        val.append(0 if s == "pir" else seat0)   # the PIR is powered on at 0: low
    if "seat" in sensors:
        streams.append(((t, "seat", (seat0 + i + 1) & 1) for i, t in enumerate(seat_t)))
    if "pir" in sensors:
        streams.append(zip(pir_t, ["pir"] * len(pir_t), pir_v))
    for t, s, v in merge(*streams, key=lambda e: e[0]):
        times.append(t)
        sig.append(s)
        val.append(v)
    stats = {"sits": len(truth), "bags": len(bags), "dropouts": dropouts, "perches": perches,
             "spikes": spikes, "pir_triggers": pir_v.count(1), "soon_bags": n_soon}
    return SimResult(start, duration, profile, seed, pir_model, sensors, times, sig, val, truth,
                     hold, block, stats, motions if "pir" in sensors else [], bag_truth)


def truth_path(trace_path: str) -> str:
    """``day.csv`` -> ``day.truth.csv``, as the scorer expects."""
    base = trace_path[:-4] if trace_path.endswith(".csv") else trace_path
    return base + ".truth.csv"


def write(result: SimResult, path: str | os.PathLike) -> tuple[str, str]:
    """Write the trace (``deskpulse-trace v1``) and its truth file; returns both paths.

    A fast path equivalent to ``device.adapters.trace.TraceWriter``: one string join
    instead of a method call per edge, which matters for a year of edges.
    """
    path = os.fspath(path)
    head = (f"# deskpulse-trace v1\n# start: {result.start.isoformat()}\n"
            f"# duration_s: {result.duration_s:g}\n# signals: {','.join(result.sensors)}\n"
            f"# note: {result.note}\nt,signal,value\n")
    with open(path, "w", encoding="utf-8") as f:
        f.write(head)
        f.write("".join([f"{t:.4f},{s},{v}\n" for t, s, v in zip(result.times, result.signals, result.values)]))
    tp = truth_path(path)
    with open(tp, "w", encoding="utf-8") as f:
        f.write("start,end\n")
        f.write("".join([f"{a:.3f},{b:.3f}\n" for a, b in result.truth]))
    return path, tp


# ---------------------------------------------------------------- long runs, window by window

#: ``deskpulse simulate`` simulates and writes a long run this many days at a time, so its
#: memory is bounded by the window (~0.25 MB a day), not by the run (ten years took 0.9 GB).
WINDOW_DAYS = 91


def _window_seed(seed: int, k: int) -> int:
    """Window k's seed: window 0 keeps ``seed`` (a run of one window is ``simulate``'s own)."""
    if k == 0:
        return seed
    import hashlib
    return int.from_bytes(hashlib.blake2b(f"{seed}:window:{k}".encode(), digest_size=8).digest(), "big")


def write_days(profile: str, days: int, seed: int, path: str | os.PathLike, start: datetime = DEFAULT_START,
               pir_model: str = DEFAULT_PIR, signals: tuple[str, ...] | list[str] = ("seat", "pir"),
               pir_hold_s: float | None = None, window_days: int | None = None) -> tuple[str, str, int, float]:
    """``write(simulate(...), path)`` for a run of any length, in windows of ``window_days``.

    Up to ``window_days`` days the files are exactly ``write``'s. A longer run is
    consecutive windows, each ``simulate`` from the day it begins with its own seed
    and the first window's PIR hold (a module's RC is fixed); a window's first rows
    (each signal's level at its start) are kept only where they change a level, so
    a person still seated at a window's midnight stands up there, in the edges and
    in the truth alike. The last window has at least two days (one day alone would
    be simulated as a working day whatever its weekday). Returns the two paths, the
    number of edges and the seated seconds.
    """
    path = os.fspath(path)
    window_days = window_days or WINDOW_DAYS
    spans = []
    d = 0
    while d < days:
        n = min(window_days, days - d)
        if days - d - n == 1:   # never leave a last window of one day
            n += 1
        spans.append((d, n))
        d += n
    tp = truth_path(path)
    edges, seated = 0, 0.0
    level: dict[str, int] = {}
    with open(path, "w", encoding="utf-8") as f, open(tp, "w", encoding="utf-8") as ft:
        hold = pir_hold_s
        for k, (d0, n) in enumerate(spans):
            r = simulate(profile, n, _window_seed(seed, k), start + timedelta(days=d0), pir_model, signals,
                         pir_hold_s=hold)
            if k == 0:
                hold = r.pir_hold_s
                f.write(f"# deskpulse-trace v1\n# start: {start.isoformat()}\n"
                        f"# duration_s: {days * DAY:g}\n# signals: {','.join(r.sensors)}\n"
                        f"# note: {r.note}\nt,signal,value\n")
                ft.write("start,end\n")
            off = d0 * DAY
            rows = zip(r.times, r.signals, r.values)
            first = len(r.sensors)
            out = []
            for i, (t, s, v) in enumerate(rows):
                if i < first and k > 0 and level.get(s) == v:
                    continue   # a window's initial level that changes nothing
                out.append(f"{t + off:.4f},{s},{v}\n")
                level[s] = v
            f.write("".join(out))
            ft.write("".join([f"{a + off:.3f},{b + off:.3f}\n" for a, b in r.truth]))
            edges += len(out)
            seated += sum(b - a for a, b in r.truth)
            del r, out
    return path, tp, edges, seated
