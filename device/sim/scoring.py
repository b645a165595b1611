"""Accuracy figures against ground truth: the definitions of ``shared/tools/score.py``, in process.

Why a copy: the evaluation harness (``benchmarks/accuracy.py``) scores hundreds of
simulated days without writing files or starting a process per day, and the
project must not import from ``../shared`` (a plain clone has no such folder).
This module mirrors score.py figure for figure; ``tests/sim/test_scoring.py``
holds the two equal on the dev days whenever ../shared is present. Change one
only with the other.

Figures (aggregated over days, seconds weighted), as score.py defines them:
  iou           seated seconds: |truth ∩ measured| / |truth ∪ measured|
  bout_iou      the same after bridging gaps shorter than MIN_BREAK_S in both
  time_err_pct  (measured seated seconds - true seated seconds) / true, in %
  prompt_recall every true bout longer than LIMIT_S + TOL_LATE_S must get a
                prompt within [start + LIMIT_S - TOL_EARLY_S, start + LIMIT_S + TOL_LATE_S]
  false_prompts prompts outside [bout start + LIMIT_S - TOL_EARLY_S, bout end + MIN_BREAK_S]

Events are read as score.py reads a replay's JSON lines: ``sit_start`` /
``sit_end`` / ``prompt`` with ``t`` as the JSON carries it (``Event.to_json``
writes ``t`` to the millisecond, so it is rounded the same way here).
"""
from __future__ import annotations

from typing import Iterable, Sequence

LIMIT_S = 30 * 60        # first prompt after 30 min of continuous sitting
MIN_BREAK_S = 120.0      # off the chair at least this long ends a bout
TOL_EARLY_S = 30.0
TOL_LATE_S = 60.0

Intervals = list[tuple[float, float]]


def json_t(t: float) -> float:
    """``t`` as a replay's JSON line carries it (``Event.to_json``: ``'%.3f'``)."""
    return float("%.3f" % t)


def parse_events(events: Iterable, duration: float) -> tuple[Intervals, list[float]]:
    """Measured seated intervals and prompt times from ``Event``-like objects (``.type``, ``.t``).

    score.py's ``parse_replay``: a ``sit_start`` while seated and a ``sit_end`` while not are
    ignored; a sitting still open at the end closes at ``duration``.
    """
    occ: Intervals = []
    prompts: list[float] = []
    cur = None
    for ev in events:
        typ = ev.type
        if typ == "sit_start":
            if cur is None:
                cur = json_t(ev.t)
        elif typ == "sit_end":
            if cur is not None:
                occ.append((cur, json_t(ev.t)))
                cur = None
        elif typ == "prompt":
            prompts.append(json_t(ev.t))
    if cur is not None:
        occ.append((cur, duration))
    return occ, prompts


def total(iv: Intervals) -> float:
    return sum(b - a for a, b in iv)


def intersect(x: Intervals, y: Intervals) -> float:
    """Seconds in both of two sorted lists of disjoint intervals."""
    out, i, j = 0.0, 0, 0
    while i < len(x) and j < len(y):
        a, b = max(x[i][0], y[j][0]), min(x[i][1], y[j][1])
        if b > a:
            out += b - a
        if x[i][1] < y[j][1]:
            i += 1
        else:
            j += 1
    return out


def bouts(sits: Intervals) -> Intervals:
    """Sittings with gaps under MIN_BREAK_S bridged."""
    out: Intervals = []
    for a, b in sorted(sits):
        if out and a - out[-1][1] < MIN_BREAK_S:
            out[-1] = (out[-1][0], max(b, out[-1][1]))
        else:
            out.append((a, b))
    return out


def prompts_due(truth: Intervals) -> list[float]:
    """When each true bout that is long enough is due its first prompt."""
    return [a + LIMIT_S for a, b in bouts(truth) if b - a >= LIMIT_S + TOL_LATE_S]


def missed_prompts(truth: Intervals, prompts: Sequence[float]) -> list[float]:
    """The due times no prompt met."""
    return [d for d in prompts_due(truth) if not any(d - TOL_EARLY_S <= p <= d + TOL_LATE_S for p in prompts)]


def false_prompts(truth: Intervals, prompts: Sequence[float]) -> list[float]:
    """The prompts outside every bout's window."""
    tb = bouts(truth)
    return [p for p in prompts if not any(a + LIMIT_S - TOL_EARLY_S <= p <= b + MIN_BREAK_S for a, b in tb)]


def score_day(name: str, truth: Intervals, occ: Intervals, prompts: Sequence[float]) -> dict:
    """One trace's row, with score.py's ``score`` keys and values."""
    inter = intersect(truth, occ)
    union = total(truth) + total(occ) - inter
    tb, mb = bouts(truth), bouts(occ)
    binter = intersect(tb, mb)
    bunion = total(tb) + total(mb) - binter
    due = prompts_due(truth)
    return {
        "trace": name,
        "truth_s": round(total(truth)), "measured_s": round(total(occ)),
        "intersection_s": round(inter), "union_s": round(union),
        "bout_intersection_s": round(binter), "bout_union_s": round(bunion),
        "prompts_due": len(due), "prompts_hit": len(due) - len(missed_prompts(truth, prompts)),
        "prompts_false": len(false_prompts(truth, prompts)),
        "prompts": len(prompts),
    }


def aggregate(rows: Sequence[dict]) -> dict:
    """score.py's totals (its ``days`` is the number of traces, whatever their length)."""
    def s(k: str) -> int:
        return sum(r[k] for r in rows)
    truth = s("truth_s")
    return {
        "traces": len(rows),
        "iou": round(s("intersection_s") / s("union_s"), 4) if s("union_s") else 1.0,
        "bout_iou": round(s("bout_intersection_s") / s("bout_union_s"), 4) if s("bout_union_s") else 1.0,
        "time_err_pct": round(100 * (s("measured_s") - truth) / truth, 2) if truth else 0.0,
        "prompt_recall": round(s("prompts_hit") / s("prompts_due"), 3) if s("prompts_due") else 1.0,
        "false_prompts": s("prompts_false"),
        "days": len(rows),
    }


def read_truth(path: str) -> Intervals:
    """A ``NAME.truth.csv`` file's ``start,end`` rows."""
    sits: Intervals = []
    with open(path, encoding="utf-8") as f:
        next(f)
        for line in f:
            if line.strip():
                a, b = line.strip().split(",")
                sits.append((float(a), float(b)))
    return sits
