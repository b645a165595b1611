"""Idle cost and disk writes of the daemon, against a baseline measured in the same run.

1. The real-time daemon (``deskpulse run`` with mock pins, an empty chair)
   runs for ``--seconds`` (default 60) beside a bare Python that imports the
   same libraries and sleeps as long. Both are child processes; their CPU
   time comes from ``resource.getrusage(RUSAGE_CHILDREN)`` deltas and their
   peak RSS from ``/proc/<pid>/status`` VmHWM read just before they end.
   Targets: extra CPU <= 0.1 s a minute, RSS <= 1.3x the baseline.
2. One simulated typical day (``--simulate typical --speed max --days 1``):
   the bytes the process caused to be written to storage (``write_bytes`` of
   ``/proc/self/io``, read by the child at its end) and the size of the
   history it left. Target: <= 1 MB. The runtime directory (the RAM copy of
   the resume state) is on a tmpfs, as /run is on a Pi. A day at ``max``
   speed lasts seconds, so the kernel never writes a page back between two
   commits and a page rewritten by several commits counts once; a real day
   writes every commit's pages back (within 30 s). So the day runs a second
   time with the history's files fsynced after each commit: that is what an
   SD card sees in real time.

Usage: python benchmarks/idle_bench.py [--seconds 60]
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

BASELINE = """
import sys, time
import gpiozero, gpiozero.pins.mock, sqlite3, json, queue, threading, socket, zoneinfo
import device.config, device.adapters.clock, device.core.events, device.adapters.store, device.core.engine, device.adapters.gpio.backend, device.adapters.gpio.inputs, device.adapters.gpio.outputs, device.app.daemon
print("ready", flush=True)
time.sleep(float(sys.argv[1]))
"""

DAY = """
import sys, json, os
import device.adapters.store as store
commits = [0]
flush = store.Store.flush
def counted(self):
    busy = bool(self._buffer.events or self._buffer.kv)
    ok = flush(self)
    if busy and ok:
        commits[0] += 1
        if os.environ.get("BENCH_WRITEBACK"):  # what real time does: each commit's pages reach the card
            for suffix in ("", "-wal", "-shm"):
                try:
                    fd = os.open(str(self.path) + suffix, os.O_RDONLY)
                except OSError:
                    continue
                os.fsync(fd)
                os.close(fd)
    return ok
store.Store.flush = counted
from device.cli import main
rc = main(sys.argv[1:])
print("COMMITS " + str(commits[0]), file=sys.stderr)
io = dict(line.split(": ") for line in open("/proc/self/io").read().splitlines())
print("IO " + json.dumps({k: int(v) for k, v in io.items()}), file=sys.stderr)
sys.exit(rc)
"""


def _hwm_kb(pid: int) -> int:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def _cpu_s(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


WARMUP_S = 5.0


def _measure(cmd: list[str], seconds: float, env: dict, cwd: str) -> tuple[float, float, int]:
    """(total CPU s, steady-state CPU s over ``seconds`` after a warm-up, peak RSS KiB) of one child."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    p = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(WARMUP_S)  # a benchmark, not a test: real time is the point
    c0 = _cpu_s(p.pid)
    time.sleep(seconds)
    steady = _cpu_s(p.pid) - c0
    hwm = _hwm_kb(p.pid)
    p.send_signal(signal.SIGTERM)
    try:
        p.wait(timeout=10)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return cpu, steady, hwm


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=60.0, help="how long each idle process runs (default 60)")
    args = ap.parse_args()
    env = {k: v for k, v in os.environ.items() if k not in ("NOTIFY_SOCKET", "INVOCATION_ID", "JOURNAL_STREAM")}
    env["PYTHONPATH"] = str(ROOT)
    with tempfile.TemporaryDirectory(prefix="deskpulse-bench-") as tmp:
        cfg = Path(tmp) / "mock.toml"
        cfg.write_text('[gpio]\npin_factory = "mock"\n')
        env["XDG_RUNTIME_DIR"] = tmp
        daemon_cmd = [sys.executable, "-m", "device.cli", "run", "--config", str(cfg), "--db", f"{tmp}/idle.db"]
        base_cmd = [sys.executable, "-c", BASELINE, str(args.seconds + WARMUP_S + 5)]
        base_cpu, base_steady, base_rss = _measure(base_cmd, args.seconds, env, tmp)
        d_cpu, d_steady, d_rss = _measure(daemon_cmd, args.seconds, env, tmp)

        shm = Path("/dev/shm")
        ram = tempfile.mkdtemp(prefix="deskpulse-bench-run-", dir=shm) if shm.is_dir() else tmp
        day = {}
        for mode in ("max", "writeback"):
            day_db = Path(tmp) / f"day-{mode}.db"
            day_env = dict(env, XDG_RUNTIME_DIR=ram, **({"BENCH_WRITEBACK": "1"} if mode == "writeback" else {}))
            r = subprocess.run([sys.executable, "-c", DAY, "run", "--config", str(cfg), "--simulate", "typical",
                                "--speed", "max", "--days", "1", "--db", str(day_db)],
                               env=day_env, cwd=tmp, capture_output=True, text=True, timeout=600)
            io_line = [ln for ln in r.stderr.splitlines() if ln.startswith("IO ")]
            commits = [int(ln.split()[1]) for ln in r.stderr.splitlines() if ln.startswith("COMMITS ")]
            io = json.loads(io_line[-1][3:]) if io_line else {}
            files = sum(p.stat().st_size for p in Path(tmp).glob(day_db.name + "*"))
            import sqlite3
            from device.adapters.store import count_events
            conn = sqlite3.connect(day_db)
            n_events = count_events(conn)
            conn.close()
            day[mode] = (io, commits[0] if commits else 0, files, n_events)
        if ram != tmp:
            import shutil
            shutil.rmtree(ram, ignore_errors=True)

    per_min = 60.0 / args.seconds
    extra = (d_steady - base_steady) * per_min
    ratio = d_rss / base_rss if base_rss else float("nan")
    print(f"idle, {args.seconds:g} s each after {WARMUP_S:g} s of start-up (empty chair, mock pins, real time):")
    print(f"  baseline python (same imports, sleeps): cpu {base_steady:.3f} s idle, {base_cpu:.3f} s in all   "
          f"peak RSS {base_rss / 1024:.1f} MiB")
    print(f"  deskpulse run:                          cpu {d_steady:.3f} s idle, {d_cpu:.3f} s in all   "
          f"peak RSS {d_rss / 1024:.1f} MiB")
    print(f"  extra CPU {extra:+.3f} s a minute idle (target <= 0.1); start-up once {d_cpu - base_cpu - (d_steady - base_steady):+.3f} s")
    print(f"  RSS {ratio:.2f}x baseline (target <= 1.3)")
    io, commits, files, n_events = day["max"]
    wb = io.get("write_bytes", 0)
    print("one simulated typical day (--speed max, runtime directory on tmpfs):")
    print(f"  {n_events} events, {commits} commits; written to storage {wb / 1e6:.2f} MB (write_bytes, "
          f"{wb / max(commits, 1) / 1024:.1f} KiB a commit), {io.get('wchar', 0) / 1e6:.2f} MB through write() "
          f"(incl. logs); history files {files / 1e6:.2f} MB")
    print(f"  target <= 1 MB: {'met' if wb <= 1e6 else 'NOT met'}")
    io_rt, commits_rt, _, _ = day["writeback"]
    rt = io_rt.get("write_bytes", 0)
    print(f"  the same day with each commit's pages written back, as in real time: {rt / 1e6:.2f} MB "
          f"({rt / max(commits_rt, 1) / 1024:.1f} KiB a commit, {rt / max(wb, 1):.1f}x the --speed max figure)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
