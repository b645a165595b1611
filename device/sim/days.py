"""A seeded simulated run: the person's days, then what a seat switch and a PIR report.

``simulate`` is the generator: it checks the arguments, seeds one stream per
layer (so asking for fewer signals, or a different PIR, leaves the person's
day unchanged), runs the layers day by day and puts their edges together as
one ``SimResult``, the trace the files hold (``device/sim/files.py``) with
its truth. The layers: the person (``device/sim/routine.py``), the seat switch
and the PIR (``device/sim/sensors.py``); the people and the modules are data
(``device/sim/profiles.py``).
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from heapq import merge

from device.sim import routine
from device.sim.profiles import DAY, DEFAULT_PIR, DEFAULT_START, PIR_MODELS, PROFILE_PARAMS, PROFILES
from device.sim.sensors import one_shot, pir_motions, rounded_alternating, seat_toggles


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
    #: the one-shot on these plus the person's answers to prompts (device/sim/desk_stream.py)
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
        day_sits, day_breaks = routine.person_day(r_person, p, midnight, weekend, days > 1)
        sits.extend(day_sits)
        bag = routine.bag(r_person, p, midnight, day_breaks)
        day_bags = [bag] if bag else []
        soon = routine.soon_bags(r_bag, p, day_sits, day_breaks, day_bags)
        n_soon += len(soon)
        bags.extend(sorted(day_bags + soon))

    # Seat: structural high intervals -> toggles with bounce, then spikes.
    toggles, seat_counts = seat_toggles(r_seat, p, sits, bags, duration)
    seat0, seat_t = rounded_alternating(toggles, duration)

    # PIR: what it could see, then the one-shot.
    motions = pir_motions(r_pir, p, sits, bags, duration, cover)
    pir_edges = one_shot(motions, hold, block, duration)
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
    stats = {"sits": len(truth), "bags": len(bags), "dropouts": seat_counts["dropouts"],
             "perches": seat_counts["perches"], "spikes": seat_counts["spikes"], "pir_triggers": pir_v.count(1),
             "soon_bags": n_soon}
    return SimResult(start, duration, profile, seed, pir_model, sensors, times, sig, val, truth,
                     hold, block, stats, motions if "pir" in sensors else [], bag_truth)
