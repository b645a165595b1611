"""The simulator's files: a simulated run as a ``deskpulse-trace v1`` file and its truth file.

``write`` puts one ``SimResult`` on disk; ``write_days`` writes a run of any
length window by window (``deskpulse simulate``), so its memory is bounded by
the window, not by the run. The truth file (``day.truth.csv`` beside
``day.csv``) is what the scorer reads.
"""
from __future__ import annotations

import os
from datetime import datetime, timedelta

from device.sim.days import SimResult, simulate
from device.sim.profiles import DAY, DEFAULT_PIR, DEFAULT_START


def truth_path(trace_path: str) -> str:
    """``day.csv`` -> ``day.truth.csv``, as the scorer expects."""
    base = trace_path[:-4] if trace_path.endswith(".csv") else trace_path
    return base + ".truth.csv"


def _header(start: datetime, duration_s: float, sensors, note: str) -> str:
    """A trace's header and column line (the format: ``device/adapters/trace/format.py``)."""
    return (f"# deskpulse-trace v1\n# start: {start.isoformat()}\n"
            f"# duration_s: {duration_s:g}\n# signals: {','.join(sensors)}\n"
            f"# note: {note}\nt,signal,value\n")


def write(result: SimResult, path: str | os.PathLike) -> tuple[str, str]:
    """Write the trace (``deskpulse-trace v1``) and its truth file; returns both paths.

    A fast path equivalent to ``device.adapters.trace.TraceWriter``: one string join
    instead of a method call per edge, which matters for a year of edges.
    """
    path = os.fspath(path)
    with open(path, "w", encoding="utf-8") as f:
        f.write(_header(result.start, result.duration_s, result.sensors, result.note))
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
                f.write(_header(start, days * DAY, r.sensors, r.note))
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
