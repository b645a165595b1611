"""kill -9 loses no event that the daemon has already announced (logged, shown, published).

Real processes: ``deskpulse run`` is killed right after it logs an event (the
worst moment: the event is out, the next flush is far off), then started again
on the same history and runtime directory, and stopped. Every event the killed
run logged must be in the history.
"""
from __future__ import annotations

import collections
import os
import re
import signal
import socket
import subprocess
import sys
from pathlib import Path

from device.core.events import TYPES
from device.adapters.store import open_readonly, read_events

ROOT = Path(__file__).resolve().parents[3]
LINE = re.compile(r"INFO\s+(\d\d:\d\d:\d\d) (\w+) ")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Runs:
    def __init__(self, tmp_path: Path):
        self.tmp = tmp_path
        self.db = tmp_path / "h.db"
        (tmp_path / "run").mkdir(exist_ok=True)
        self.env = {k: v for k, v in os.environ.items() if k not in ("NOTIFY_SOCKET", "INVOCATION_ID", "JOURNAL_STREAM")}
        self.env.update(XDG_RUNTIME_DIR=str(tmp_path / "run"), PYTHONPATH=str(ROOT))
        self.procs = []

    def config(self, name: str, body: str) -> Path:
        p = self.tmp / name
        p.write_text('[gpio]\npin_factory = "mock"\n[history]\nflush_interval_s = 60.0\n' + body)
        return p

    def start(self, cfg: Path, *extra: str) -> subprocess.Popen:
        p = subprocess.Popen([sys.executable, "-m", "device.cli", "run", "--config", str(cfg), "--db", str(self.db),
                              *extra], cwd=self.tmp, env=self.env, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True)
        self.procs.append(p)
        return p

    def kill_after(self, p: subprocess.Popen, n_events: int) -> list[tuple[str, str]]:
        """Read the log until ``n_events`` events are announced, kill -9 at once; every event it logged."""
        logged = []
        try:
            while len(logged) < n_events:
                line = p.stdout.readline()
                assert line, "the daemon ended before announcing enough events"
                m = LINE.search(line)
                if m and m.group(2) in TYPES:
                    logged.append((m.group(1), m.group(2)))
        finally:
            p.kill()
            rest = p.communicate(timeout=10)[0]
        logged += [(m.group(1), m.group(2)) for m in map(LINE.search, rest.splitlines()) if m and m.group(2) in TYPES]
        return logged

    def restart_and_stop(self, cfg: Path) -> None:
        """A plain run on the same history: it recovers what the killed one left in RAM; then SIGTERM."""
        p = self.start(cfg)
        for line in p.stdout:
            if "started:" in line:
                break
        p.send_signal(signal.SIGTERM)
        out = p.communicate(timeout=20)[0]
        assert p.returncode == 0, out

    def stored_from_killed_runs(self) -> collections.Counter:
        """(time, type) of the stored events, less those of the clean restarts (their ids' node)."""
        with open_readonly(self.db) as ro:
            events = [e for _, e in read_events(ro, limit=None)]
        clean = {e.id[-13:] for e in events if e.type == "daemon_stop" and e.data.get("reason") == "SIGTERM"}
        return collections.Counter((e.ts[11:19], e.type) for e in events if e.id[-13:] not in clean)

    def close(self):
        for p in self.procs:
            if p.poll() is None:
                p.kill()
                p.communicate(timeout=10)


def test_daemon_start_survives_a_kill_during_the_wait_for_the_broker(tmp_path):
    runs = Runs(tmp_path)
    try:
        # a broker that never answers: start() waits READY_WAIT_S for it after daemon_start
        waits = runs.config("mqtt.toml", f'[mqtt]\nhost = "127.0.0.1"\nport = {_free_port()}\n')
        plain = runs.config("plain.toml", "")
        logged = []
        for _ in range(3):
            logged += runs.kill_after(runs.start(waits), 1)
            runs.restart_and_stop(plain)
        assert [t for _, t in logged] == ["daemon_start"] * 3
        stored = runs.stored_from_killed_runs()
        assert sum(n for (_, t), n in stored.items() if t == "daemon_start") == 3
    finally:
        runs.close()


def test_no_announced_event_is_lost_to_kill_9_at_high_speed(tmp_path):
    runs = Runs(tmp_path)
    try:
        cfg = runs.config("c.toml", "")
        logged: list[tuple[str, str]] = []
        for i, n in enumerate((3, 17, 40, 85)):
            p = runs.start(cfg, "--simulate", "typical", "--speed", "20000", "--days", "3", "--seed", str(i))
            logged += runs.kill_after(p, n)
            runs.restart_and_stop(cfg)
        missing = collections.Counter(logged) - runs.stored_from_killed_runs()
        assert len(logged) >= 145 and not missing, f"{sum(missing.values())} of {len(logged)} lost: {dict(missing)}"
    finally:
        runs.close()
