"""What hostile input on ``cmd`` costs the desk, against one local mosquitto started by this script.

1. Memory: an ``MqttSink`` alone in a child process; one payload of ``--mb`` MB on its
   ``cmd`` topic, then a valid command. Printed: the child's peak RSS (VmHWM) before and
   after, and the growth as a ratio to the payload (the same-run baseline is the child's
   own idle peak).
2. Floods: ``--n`` bad commands through the broker into a whole ``Daemon`` (FakeClock,
   mock pins, real history file), then one rate-limit interval of clock time. Printed:
   log lines (INFO and up, as under systemd), ``command_rejected`` events and their bytes
   in the history, and the history file's growth.

Each part runs in a child process per source tree, so an older checkout can be measured
in the same run: ``--before DIR`` (e.g. ``git archive <commit> | tar -x -C DIR``).

    python benchmarks/mqtt_hostile.py [--mb 200] [--n 2107] [--before DIR]
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from mqtt_bench import free_port, start_broker  # one broker starter for the MQTT benchmarks

HERE = Path(__file__).resolve().parents[1]

MEMORY_CHILD = r'''
import queue, sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from device import config
from device.adapters.mqtt.sink import MqttSink
from device.adapters.mqtt.commands import Rejection
def hwm():
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
port, db = int(sys.argv[2]), sys.argv[3]
cfg = config.from_dict({}, "b").replace(device={"device_id": "rss"}, history={"db_path": db},
                                        mqtt={"host": "127.0.0.1", "port": port})
got = queue.Queue()
sink = MqttSink(cfg, db_path=db, on_command=got.put)
while not sink.connected.is_set():
    time.sleep(0.01)
time.sleep(0.2)
print("ready", hwm(), flush=True)
for _ in range(2):
    r = got.get(timeout=600)
    print("rejected" if isinstance(r, Rejection) else "command", hwm(), flush=True)
sink.close()
'''

FLOOD_CHILD = r'''
import logging, sqlite3, sys, time, os
from datetime import datetime, timezone
from pathlib import Path
sys.path.insert(0, sys.argv[1])
import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from device import config
from device.adapters.clock import FakeClock
from device.app.daemon import Daemon
from device.adapters.mqtt.sink import MqttSink
from device.adapters.store import Store
port, db, n = int(sys.argv[2]), Path(sys.argv[3]), int(sys.argv[4])
lines = []
class Count(logging.Handler):
    def emit(self, record):
        lines.append(self.format(record))
h = Count(logging.INFO)
h.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
logging.getLogger().addHandler(h)
logging.getLogger().setLevel(logging.INFO)
cfg = config.from_dict({}, "b").replace(device={"device_id": "flood"}, history={"db_path": str(db)},
                                        mqtt={"host": "127.0.0.1", "port": port}, gpio={"pin_factory": "mock"})
clock = FakeClock(datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc))
store = Store(db)
sink = MqttSink(cfg, db_path=db)
daemon = Daemon(cfg, clock, store, sinks=[sink])
daemon.start()
while not sink.connected.is_set():
    time.sleep(0.01)
time.sleep(0.2)
daemon.flush(clock.monotonic())
def size():
    with sqlite3.connect(db) as c:
        c.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return os.path.getsize(db)
size0, lines0 = size(), len(lines)
pub = mqtt.Client(CallbackAPIVersion.VERSION2)
pub.connect("127.0.0.1", port)
pub.loop_start()
bad = [b"garbage", b'{"cmd":"explode"}', b'{"cmd":"pause","minutes":-3}', b'{"cmd":"pause","minuts":30}', b"[]"]
for i in range(n):
    pub.publish("deskpulse/flood/cmd", bad[i % len(bad)], qos=1)
deadline = time.monotonic() + 120
while sink.rejected < n and time.monotonic() < deadline:
    time.sleep(0.05)
    daemon.pump()
daemon.run_until(clock.monotonic() + 601)  # one rate-limit interval of clock time
daemon.flush(clock.monotonic())
with sqlite3.connect(db) as c:
    rows = c.execute("SELECT json FROM events WHERE type = 'command_rejected'").fetchall()
counted = sum(__import__("json").loads(j).get("count", 1) for (j,) in rows)
print("result", sink.rejected, len(lines) - lines0, len(rows), sum(len(j) for (j,) in rows), counted,
      size() - size0, flush=True)
daemon.stop("bench")
store.close()
pub.loop_stop()
'''


def memory(root: Path, port: int, work: Path, mb: int) -> tuple[int, int]:
    import paho.mqtt.client as mqtt
    from paho.mqtt.enums import CallbackAPIVersion
    child = subprocess.Popen([sys.executable, "-c", MEMORY_CHILD, str(root), str(port), str(work / "m.db")],
                             stdout=subprocess.PIPE, text=True)
    try:
        ready = child.stdout.readline().split()
        pub = mqtt.Client(CallbackAPIVersion.VERSION2)
        pub.connect("127.0.0.1", port)
        pub.loop_start()
        payload = b"x" * (mb << 20)
        pub.publish("deskpulse/rss/cmd", payload, qos=1).wait_for_publish(300)
        del payload
        pub.publish("deskpulse/rss/cmd", b'{"cmd":"snooze"}', qos=1)
        child.stdout.readline()
        after = child.stdout.readline().split()
        pub.loop_stop()
        pub.disconnect()
        return int(ready[1]), int(after[1])
    finally:
        child.wait(60)
        child.stdout.close()


def flood(root: Path, port: int, work: Path, n: int) -> list[int]:
    out = subprocess.run([sys.executable, "-c", FLOOD_CHILD, str(root), str(port), str(work / "f.db"), str(n)],
                         capture_output=True, text=True, timeout=600)
    line = [ln for ln in out.stdout.splitlines() if ln.startswith("result")]
    if not line:
        raise SystemExit(f"flood child failed: {out.stderr[-2000:]}")
    return [int(x) for x in line[0].split()[1:]]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--mb", type=int, default=200)
    ap.add_argument("--n", type=int, default=2107)
    ap.add_argument("--before", type=Path, help="an older source tree to measure in the same run")
    args = ap.parse_args()
    trees = ([("before", args.before.resolve())] if args.before else []) + [("this tree", HERE)]
    with tempfile.TemporaryDirectory() as tmp:
        broker, port = start_broker(Path(tmp))
        try:
            print(f"1. one {args.mb} MB payload on cmd: peak RSS of the sink's process (VmHWM)")
            for name, root in trees:
                work = Path(tempfile.mkdtemp(dir=tmp))
                base, peak = memory(root, port, work, args.mb)
                print(f"   {name:10s} idle {base / 1024:6.1f} MB -> {peak / 1024:6.1f} MB "
                      f"(growth {(peak - base) / 1024:6.1f} MB = {(peak - base) / 1024 / args.mb:.2f}x the payload)")
            print(f"2. {args.n} bad commands, then one rate-limit interval")
            for name, root in trees:
                work = Path(tempfile.mkdtemp(dir=tmp))
                rejected, lines, events, ev_bytes, counted, grew = flood(root, port, work, args.n)
                print(f"   {name:10s} rejected {rejected}, log lines {lines}, command_rejected events {events} "
                      f"({ev_bytes / 1024:.1f} KB of JSON, counting {counted}), history file +{grew / 1024:.0f} KB")
        finally:
            broker.terminate()
            broker.wait(10)


if __name__ == "__main__":
    main()
