"""A whole desk in a process, as fast as it can go: simulated person -> Daemon -> Store + MqttSink.

Used by the no-loss and kill tests (and the benchmark), which SIGKILL it. The
daemon runs on a FakeClock with mock GPIO; simulated seat/PIR edges go into
its queue exactly as gpiozero callbacks would put them there. Prints
``progress <edges done> <edges total>`` now and then and ``done`` at the end.

    python desk_proc.py CONFIG.toml --days N [--seed S] [--offset-days D] [--profile P]
"""
from __future__ import annotations

import argparse
import logging
import sqlite3
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT))

from device import config  # noqa: E402
from device.adapters.clock import FakeClock  # noqa: E402
from device.app.daemon import Daemon  # noqa: E402
from device.adapters.mqtt.sink import MqttSink  # noqa: E402
from device.sim.simulate import DEFAULT_START, simulate  # noqa: E402
from device.adapters.store import Store  # noqa: E402


def _rows(db) -> int:
    with sqlite3.connect(db) as c:
        return c.execute("SELECT COUNT(*) FROM outbox").fetchone()[0]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("config")
    ap.add_argument("--days", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--offset-days", type=int, default=0)
    ap.add_argument("--profile", default="fidgety")
    ap.add_argument("--linger", type=float, default=0.0,
                    help="after the last day, keep running (like a real daemon) until the outbox is empty")
    args = ap.parse_args()
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format="%(name)s %(message)s")
    cfg = config.load(args.config)
    start = DEFAULT_START + timedelta(days=args.offset_days)
    sim = simulate(args.profile, args.days, args.seed, start=start)
    clock = FakeClock(start)
    store = Store.for_config(cfg)
    sink = MqttSink(cfg, reconnect_max_s=1)
    daemon = Daemon(cfg, clock, store, sinks=[sink], version="test")
    daemon.start()
    edges = list(sim.edges())
    total = len(edges)
    for i, (t, sig, v) in enumerate(edges):
        daemon.run_until(t)
        daemon.queue.put((t, sig, v))
        daemon.pump()
        if i % 500 == 0:
            print(f"progress {i} {total}", flush=True)
    daemon.run_until(sim.duration_s)
    if args.linger:
        daemon.flush(clock.monotonic())
        deadline = time.monotonic() + args.linger
        while time.monotonic() < deadline and _rows(store.path):
            time.sleep(0.05)
        print(f"lingered, {_rows(store.path)} rows left", flush=True)
    daemon.stop("end")
    store.close()
    print("done", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
