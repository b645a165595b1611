"""Bytes the history writes per simulated desk day: batched flushes vs a commit per event.

SD cards wear by the amount written (and by small writes rounded up to an
erase block), so this measures what SQLite hands to the kernel (``wchar`` in
/proc/self/io, every write syscall, WAL and checkpoints included) while
storing the same seeded days of events two ways, in the same run:

- baseline: ``flush()`` after every event (what a naive logger does);
- batched: ``flush()`` once per ``flush_interval_s`` of simulated time (the
  daemon's way), with and without a kv status write at each flush that has events.

Prints bytes and commits per day and the ratios to the baseline.
Run: ``python3 benchmarks/history_writes.py [days] [flush_interval_s]``.
"""
from __future__ import annotations

import random
import sys
import tempfile
import time as _time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "store")]
from store_helpers import Desk  # noqa: E402

from device.adapters.store import Store  # noqa: E402

M = 60.0


def workdays(n: int, seed: int = 42) -> Desk:
    """A seeded office worker: 8-9 h at the desk, bouts of ~exp(25 min), prompts and some done."""
    rng = random.Random(seed)
    d = Desk(datetime(2024, 3, 4, 8, 30, tzinfo=ZoneInfo("Europe/Berlin")))
    for day in range(n):
        t = day * 86400.0 + rng.uniform(0, 1800)
        end = t + rng.uniform(8, 9) * 3600
        while t < end:
            bout_end = t + min(rng.expovariate(1 / (25 * M)), 110 * M) + 60
            d.sit_start(t)
            s = t
            done = False
            for at, level in ((30 * M, 1), (35 * M, 2), (60 * M, 3)):
                if s + at < bout_end - 1:
                    if level == 1 or not done:
                        d.prompt(s + at, level)
                        done = rng.random() < 0.6
                        if done:
                            d.done(s + at + 40, rng.choice(("pir", "button")))
                if level == 1 and s + at >= bout_end - 1:
                    done = True
            while True:                 # fidgeting: short absences inside the bout
                nxt = t + rng.uniform(5 * M, 20 * M)
                if nxt >= bout_end:
                    break
                d.sit_end(nxt)
                t = nxt + rng.uniform(10, 90)
                d.sit_start(t)
            d.sit_end(bout_end)
            d.finish()
            t = bout_end + 120 + rng.expovariate(1 / (6 * M))
    return d


def wchar() -> int:
    for line in Path("/proc/self/io").read_text().splitlines():
        if line.startswith("wchar:"):
            return int(line.split()[1])
    raise RuntimeError("no wchar in /proc/self/io")


def run(events, mode: str, interval: float) -> tuple[int, int, float]:
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "h.db")
        before, t0 = wchar(), _time.perf_counter()
        next_flush = events[0].t + interval
        for e in events:
            if mode != "per-event":
                while e.t >= next_flush:   # the daemon's timer fires every interval
                    if mode == "batched+kv" and store.pending:   # the daemon writes status when it changed
                        store.set_json("status", {"t": next_flush, "seated": True})
                    store.flush()
                    next_flush += interval
            store.add(e)
            if mode == "per-event":
                store.flush()
        store.close()
        return wchar() - before, store.flushes, _time.perf_counter() - t0


def main() -> None:
    days = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    interval = float(sys.argv[2]) if len(sys.argv) > 2 else 60.0
    events = workdays(days).events
    print(f"{days} simulated workdays, {len(events)} events ({len(events) / days:.0f}/day), "
          f"flush interval {interval:g} s")
    base = None
    for mode in ("per-event", "batched", "batched+kv"):
        written, commits, secs = run(events, mode, interval)
        base = base or (written, secs)
        print(f"{mode:>11}: {written / days / 1024:8.1f} KiB/day  {commits / days:6.0f} commits/day  "
              f"ratio to per-event: bytes {written / base[0]:.3f}  cpu {secs / base[1]:.3f}")


if __name__ == "__main__":
    main()
