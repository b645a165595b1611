"""Replay speed and memory: a two-sensor trace through the engine vs csv.reader merely reading it.

    python benchmarks/replay_bench.py [--days 365] [--seed 1] [--repeat 3] [--parts]
    python benchmarks/replay_bench.py --memory [--lengths 1,10,365,3660] [--repeat 3]

Both are timed in this run on this machine (these machines are noisy, so the
ratio is what counts). The replay side is what `deskpulse replay` does:
stream and validate the trace block by block, run sensing and coaching,
serialise every event as a JSON line (to a sink that keeps nothing). Best of
--repeat runs each. Bound: <= 6x (issue #11; the first goal, <= 3x, needs compiled code). --parts also times the three stages apart
(parse, engine with event objects, JSON).

--memory, for each length in days: the same ratio, and the peak RSS of child
processes (``os.wait4``'s ``ru_maxrss``, the kernel's VmHWM) running
``deskpulse simulate --days N``, ``deskpulse replay`` and ``deskpulse replay
--summary`` on that trace, beside a bare ``python -c "import device.cli"``.
Target: every peak under 64 MB at any length.
"""
from __future__ import annotations

import argparse
import csv
import io
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from device import config  # noqa: E402
from device.app.replay import replay, replay_stream  # noqa: E402
from device.sim.simulate import simulate, write  # noqa: E402
from device.adapters.trace import open_trace, read_trace  # noqa: E402

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")


def best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


class _Null:
    """A text sink that keeps nothing (stdout to /dev/null without the syscalls)."""

    def write(self, s: str) -> int:
        return len(s)


def _time_both(path: str, cfg, repeat: int) -> tuple[float, float, int]:
    """(csv.reader seconds, replay seconds, events): best of ``repeat`` each."""
    def baseline():
        with open(path, newline="") as f:
            for _ in csv.reader(f):
                pass

    counts = {}

    def full_replay():
        sink = _Null()
        n = 0
        with open_trace(path) as stream:
            for ev in replay_stream(stream, cfg):
                sink.write(ev.to_json() + "\n")
                n += 1
        counts["events"] = n

    return best(baseline, repeat), best(full_replay, repeat), counts["events"]


def peak_rss_mb(args: list[str]) -> float:
    """Peak RSS (MB) of a child process running ``args``, its output thrown away."""
    p = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    err = p.stderr.read().decode()
    p.stderr.close()
    if p.returncode:
        raise SystemExit(f"{' '.join(args)} failed ({p.returncode}): {err}")
    return usage.ru_maxrss / 1024   # KiB on Linux


def memory(lengths: list[int], seed: int, repeat: int) -> None:
    cfg = config.load(None, env={})
    cli = [sys.executable, "-m", "device.cli"]
    bare = peak_rss_mb([sys.executable, "-c", "import device.cli, device.app.replay, device.sim.simulate"])
    print(f"bare python importing deskpulse: {bare:.1f} MB peak RSS")
    print("| days | edges | trace | csv.reader | replay | ratio | peak RSS: simulate | replay | replay --summary |")
    print("|---|---|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for days in lengths:
            path = os.path.join(tmp, f"d{days}.csv")
            sim_mb = peak_rss_mb(cli + ["simulate", "--days", str(days), "--seed", str(seed), "--out", path])
            rep_mb = peak_rss_mb(cli + ["replay", path])
            sum_mb = peak_rss_mb(cli + ["replay", "--summary", path])
            edges = sum(len(t) for t, _, _ in open_trace(path).chunks())
            base, rep, _ = _time_both(path, cfg, repeat)
            print(f"| {days:,} | {edges:,} | {os.path.getsize(path) / 1e6:.1f} MB | {base:.3f} s | {rep:.3f} s "
                  f"| {rep / base:.2f}x | {sim_mb:.1f} MB | {rep_mb:.1f} MB | {sum_mb:.1f} MB |", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--days", type=int, default=365)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--parts", action="store_true", help="also time parsing, the engine and JSON apart")
    ap.add_argument("--memory", action="store_true", help="peak RSS and ratio for each of --lengths")
    ap.add_argument("--lengths", default="1,10,365,3660", help="days, comma-separated (with --memory)")
    a = ap.parse_args()
    if a.memory:
        memory([int(x) for x in a.lengths.split(",")], a.seed, a.repeat)
        return
    cfg = config.load(None, env={})
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "year.csv")
        t0 = time.perf_counter()
        write(simulate("typical", days=a.days, seed=a.seed), path)
        gen = time.perf_counter() - t0
        size = os.path.getsize(path)

        edges = len(read_trace(path).times)
        base, rep, events = _time_both(path, cfg, a.repeat)
        parts = {}
        if a.parts:
            trace = read_trace(path)
            evs = list(replay(trace, cfg))
            parts = {"parse (read_trace)": best(lambda: read_trace(path), a.repeat),
                     "engine + events": best(lambda: list(replay(trace, cfg)), a.repeat),
                     "JSON lines": best(lambda: "".join(ev.to_json() + "\n" for ev in evs), a.repeat)}
    print(f"trace: {a.days} days, {edges:,} edges, {size / 1e6:.1f} MB (simulated in {gen:.1f} s)")
    print(f"csv.reader read only : {base:.3f} s")
    print(f"deskpulse replay     : {rep:.3f} s  ({events:,} events, {rep / edges * 1e6:.2f} us/edge)")
    print(f"ratio replay / csv.reader: {rep / base:.2f}x  (bound <= 6x)")
    for name, secs in parts.items():
        print(f"  {name:20s}: {secs:.3f} s  ({secs / base:.2f}x csv.reader)")


if __name__ == "__main__":
    main()
