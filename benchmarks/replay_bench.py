"""Replay speed: a 365-day two-sensor trace through the engine vs csv.reader merely reading it.

    python benchmarks/replay_bench.py [--days 365] [--seed 1] [--repeat 3] [--parts]

Both are timed in this run on this machine (these machines are noisy, so the
ratio is what counts). The replay side is what `deskpulse replay` does:
parse and validate the trace, run sensing and coaching, serialise every event
as a JSON line (to an in-memory sink). Best of --repeat runs each. Target: <= 3x.
--parts also times the three stages apart (parse, engine with event objects, JSON).
"""
from __future__ import annotations

import argparse
import csv
import io
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from device import config  # noqa: E402
from device.replay import replay  # noqa: E402
from device.simulate import simulate, write  # noqa: E402
from device.trace import read_trace  # noqa: E402


def best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--days", type=int, default=365)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--parts", action="store_true", help="also time parsing, the engine and JSON apart")
    a = ap.parse_args()
    cfg = config.load(None, env={})
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "year.csv")
        t0 = time.perf_counter()
        write(simulate("typical", days=a.days, seed=a.seed), path)
        gen = time.perf_counter() - t0
        size = os.path.getsize(path)

        def baseline():
            with open(path, newline="") as f:
                for _ in csv.reader(f):
                    pass

        counts = {}

        def full_replay():
            sink = io.StringIO()
            n = 0
            for ev in replay(read_trace(path), cfg):
                sink.write(ev.to_json() + "\n")
                n += 1
            counts["events"] = n

        edges = len(read_trace(path).times)
        base = best(baseline, a.repeat)
        rep = best(full_replay, a.repeat)
        parts = {}
        if a.parts:
            trace = read_trace(path)
            evs = list(replay(trace, cfg))
            parts = {"parse (read_trace)": best(lambda: read_trace(path), a.repeat),
                     "engine + events": best(lambda: list(replay(trace, cfg)), a.repeat),
                     "JSON lines": best(lambda: "".join(ev.to_json() + "\n" for ev in evs), a.repeat)}
    print(f"trace: {a.days} days, {edges:,} edges, {size / 1e6:.1f} MB (simulated in {gen:.1f} s)")
    print(f"csv.reader read only : {base:.3f} s")
    print(f"deskpulse replay     : {rep:.3f} s  ({counts['events']:,} events, {rep / edges * 1e6:.2f} us/edge)")
    print(f"ratio replay / csv.reader: {rep / base:.2f}x  (target <= 3x)")
    for name, secs in parts.items():
        print(f"  {name:20s}: {secs:.3f} s  ({secs / base:.2f}x csv.reader)")


if __name__ == "__main__":
    main()
