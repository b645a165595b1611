"""An ``MqttSink`` alone in a process, so its memory can be measured: prints what it receives.

Used by the oversized-payload test and by ``benchmarks/mqtt_payload_rss.py``. Prints
``ready <VmHWM kB>`` once connected, then for every command it is handed
``command <name> <VmHWM kB>`` or ``rejected <VmHWM kB> <reason>``. Stops at end of stdin.

    python sink_proc.py PORT DEVICE DB
"""
from __future__ import annotations

import logging
import queue
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT))

from device import config  # noqa: E402
from device.adapters.mqtt.sink import MqttSink  # noqa: E402
from device.adapters.mqtt.commands import Rejection  # noqa: E402


def hwm_kb() -> int:
    """Peak resident set size of this process so far (kB), from /proc."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise RuntimeError("no VmHWM in /proc/self/status")


def main() -> int:
    port, device, db = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format="%(name)s %(message)s")
    cfg = config.from_dict({}, "sink_proc").replace(device={"device_id": device}, history={"db_path": db},
                                                    mqtt={"host": "127.0.0.1", "port": port})
    got: queue.Queue = queue.Queue()
    sink = MqttSink(cfg, db_path=db, on_command=got.put)
    deadline = time.monotonic() + 10
    while not sink.connected.is_set() and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.1)  # SUBACK
    print(f"ready {hwm_kb()}", flush=True)
    threading.Thread(target=lambda: (sys.stdin.read(), got.put(None)), daemon=True).start()
    while (r := got.get()) is not None:
        if isinstance(r, Rejection):
            print(f"rejected {hwm_kb()} {r.reason}", flush=True)
        else:
            print(f"command {r.name} {hwm_kb()}", flush=True)
    sink.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
