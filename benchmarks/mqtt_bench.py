"""MQTT throughput and latency against one local mosquitto started by this script.

1. Baseline: bare paho publishing N QoS 1 messages (the same payload size and the
   same in-flight window as the sink) until every PUBACK is in.
2. Outbox drain: a history file with an N-event backlog in ``outbox``; an
   ``MqttSink`` starts and sends it all, deleting each row on its PUBACK.
   Printed as a rate ratio to (1); target >= 0.5.
3. Latency: events handed to ``sink.publish`` (the daemon's call) one every
   ``--gap-ms`` while the store flushes every 100 events, timed to a
   subscriber receiving them: p50/p99, target p99 <= 20 ms.

    python benchmarks/mqtt_bench.py [--n 10000] [--latency-n 2000] [--gap-ms 2]
"""
from __future__ import annotations

import argparse
import json
import os
import queue
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import paho.mqtt.client as mqtt  # noqa: E402
from paho.mqtt.enums import CallbackAPIVersion  # noqa: E402

from device import config  # noqa: E402
from device.core.events import EventFactory, IdFactory  # noqa: E402
from device.adapters.mqtt.sink import MqttSink  # noqa: E402
from device.adapters.store import Store  # noqa: E402

WINDOW = 100


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_broker(d: Path) -> tuple[subprocess.Popen, int]:
    exe = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
    port = free_port()
    conf = d / "mosquitto.conf"
    conf.write_text(f"listener {port} 127.0.0.1\nallow_anonymous true\nmax_queued_messages 0\n"
                    + ("user root\n" if os.geteuid() == 0 else ""))
    proc = subprocess.Popen([exe, "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
            return proc, port
        except OSError:
            time.sleep(0.02)
    raise SystemExit("mosquitto did not start")


def events(n: int, node: int):
    start = datetime(2026, 3, 2, 8, tzinfo=timezone.utc)
    fac = EventFactory(lambda t: start + timedelta(seconds=t), IdFactory(node=node))
    return [fac.make("prompt", i * 0.5, level=1, kind="seated",
                     exercise={"key": "ankle_pumps", "name": "Ankle pumps", "instructions": "30 a minute for 60 s"},
                     bout_s=1800.0, beep=False, repeat=0) for i in range(n)]


def bare_paho(port: int, payloads: list[str]) -> float:
    acked = threading.Event()
    count = [0]

    def on_publish(c, u, mid, rc, props):
        count[0] += 1
        if count[0] == len(payloads):
            acked.set()
    connected = threading.Event()
    c = mqtt.Client(CallbackAPIVersion.VERSION2, client_id="bench-bare")
    c.max_inflight_messages_set(WINDOW)
    c.on_publish = on_publish
    c.on_connect = lambda *a: connected.set()
    t0 = time.perf_counter()  # connecting is in both timings
    c.connect("127.0.0.1", port)
    c.loop_start()
    connected.wait(10)
    for p in payloads:
        c.publish("bench/bare/event", p, qos=1)
    if not acked.wait(120):
        raise SystemExit(f"bare paho: only {count[0]} PUBACKs")
    dt = time.perf_counter() - t0
    c.disconnect()
    c.loop_stop()
    return dt


def cfg_for(port: int, db: Path, device: str):
    return config.from_dict({}, "bench").replace(device={"device_id": device}, history={"db_path": str(db)},
                                                 mqtt={"host": "127.0.0.1", "port": port, "discovery": False})


def drain(port: int, d: Path, n: int) -> float:
    db = d / "drain.db"
    store = Store(db)
    store.add(events(n, node=1))
    assert store.flush()
    store.close()
    t0 = time.perf_counter()  # from the sink's start: connecting, reading and deleting rows included
    sink = MqttSink(cfg_for(port, db, "drain"), db_path=db, window=WINDOW)
    while sink.outbox.acked < n:
        time.sleep(0.0005)
        if time.perf_counter() - t0 > 120:
            raise SystemExit(f"drain: only {sink.outbox.acked} acknowledged")
    dt = time.perf_counter() - t0
    sink.close()
    with sqlite3.connect(db) as c:
        left = c.execute("SELECT COUNT(*) FROM outbox").fetchone()[0]
    if left:
        raise SystemExit(f"drain: {left} rows left in the outbox")
    return dt


def latency(port: int, d: Path, n: int, gap_s: float) -> list[float]:
    db = d / "latency.db"
    store = Store(db)
    sink = MqttSink(cfg_for(port, db, "lat"), db_path=db, window=WINDOW)
    sink.connected.wait(10)
    got: queue.Queue = queue.Queue()
    sub_ready = threading.Event()
    sub = mqtt.Client(CallbackAPIVersion.VERSION2, client_id="bench-sub")
    sub.on_connect = lambda c, *a: (c.subscribe("deskpulse/lat/event", 1), sub_ready.set())
    sub.on_message = lambda c, u, m: got.put((time.perf_counter(), json.loads(m.payload)["id"]))
    sub.connect("127.0.0.1", port)
    sub.loop_start()
    sub_ready.wait(10)
    time.sleep(0.2)
    sent: dict[str, float] = {}
    evs = events(n, node=2)
    for i, e in enumerate(evs):
        store.add(e)
        sent[e.id] = time.perf_counter()
        sink.publish(e)
        if i % 100 == 99:  # the daemon's flush: the outbox rows appear and are matched by id
            store.flush()
            sink.flushed()
        time.sleep(gap_s)
    lat = []
    seen = set()
    while len(seen) < n:
        t, eid = got.get(timeout=30)
        if eid not in seen:
            seen.add(eid)
            lat.append((t - sent[eid]) * 1000)
    store.flush()
    sink.flushed()
    time.sleep(0.3)
    sink.close()
    store.close()
    sub.disconnect()
    sub.loop_stop()
    return lat


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=10000)
    ap.add_argument("--latency-n", type=int, default=2000)
    ap.add_argument("--gap-ms", type=float, default=2.0)
    args = ap.parse_args()
    d = Path(tempfile.mkdtemp(prefix="deskpulse-mqtt-bench-"))
    proc, port = start_broker(d)
    try:
        payloads = [e.to_json() for e in events(args.n, node=3)]
        bare = bare_paho(port, payloads)
        out = drain(port, d, args.n)
        lat = latency(port, d, args.latency_n, args.gap_ms / 1000)
    finally:
        proc.terminate()
        proc.wait(10)
        shutil.rmtree(d, ignore_errors=True)
    size = len(payloads[0])
    ratio = bare / out
    p50, p99 = statistics.median(lat), pct(lat, 99)
    print(f"payload {size} B, QoS 1, in-flight window {WINDOW}, mosquitto on 127.0.0.1")
    print(f"bare paho:     {args.n} msgs in {bare:.3f} s = {args.n / bare:,.0f} msg/s")
    print(f"outbox drain:  {args.n} rows in {out:.3f} s = {args.n / out:,.0f} msg/s (rows deleted on PUBACK)")
    print(f"drain/bare rate ratio: {ratio:.2f}  (target >= 0.5: {'met' if ratio >= 0.5 else 'NOT met'})")
    print(f"latency sink.publish -> subscriber, {len(lat)} events, one every {args.gap_ms:g} ms, "
          f"store flushing every 100: p50 {p50:.2f} ms, p99 {p99:.2f} ms, max {max(lat):.2f} ms "
          f"(target p99 <= 20 ms: {'met' if p99 <= 20 else 'NOT met'})")
    return 0 if ratio >= 0.5 and p99 <= 20 else 1


if __name__ == "__main__":
    sys.exit(main())
