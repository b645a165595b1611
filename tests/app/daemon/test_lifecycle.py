"""Start and stop (device/app/daemon/lifecycle.py): the real process (SIGTERM, kill -9, restart and resume,
sd_notify on a real socket), and in process (one daemon per history, a failed start lets go of everything)."""
from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from device.adapters.store import integrity_check

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def proc_env(tmp_path):
    cfg = tmp_path / "config.toml"
    cfg.write_text('[gpio]\npin_factory = "mock"\n[history]\nflush_interval_s = 1.0\n')
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    path = str(tmp_path / "notify")
    sock.bind(path)
    sock.settimeout(10)
    env = {k: v for k, v in os.environ.items() if k not in ("INVOCATION_ID", "JOURNAL_STREAM")}
    env.update(NOTIFY_SOCKET=path, WATCHDOG_USEC="400000", XDG_RUNTIME_DIR=str(tmp_path / "run"),
               PYTHONPATH=str(ROOT))
    (tmp_path / "run").mkdir()
    started = []

    def start(*extra):
        p = subprocess.Popen([sys.executable, "-m", "device.cli", "run", "--config", str(cfg),
                              "--db", str(tmp_path / "h.db"), *extra],
                             cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        started.append(p)
        return p

    def expect(msg: bytes):
        while True:
            got = sock.recv(4096)
            if msg in got.split(b"\n"):
                return

    yield start, expect, tmp_path / "h.db"
    for p in started:
        if p.poll() is None:
            p.kill()
        p.wait()
        p.stdout.close()
    sock.close()


def events(db):
    conn = sqlite3.connect(db)
    try:
        return [json.loads(r[0]) for r in conn.execute("SELECT json FROM events ORDER BY rowid")]
    finally:
        conn.close()


def test_sigterm_stops_cleanly_and_notifies(proc_env):
    start, expect, db = proc_env
    p = start()
    expect(b"READY=1")
    expect(b"WATCHDOG=1")
    expect(b"WATCHDOG=1")  # from the loop, again and again
    p.send_signal(signal.SIGTERM)
    expect(b"STOPPING=1")
    assert p.wait(timeout=5) == 0
    out = p.stdout.read()
    assert "stopped (SIGTERM)" in out and "Traceback" not in out
    ev = events(db)
    assert ev[0]["type"] == "daemon_start" and ev[-1] == {**ev[-1], "type": "daemon_stop", "reason": "SIGTERM"}
    assert integrity_check(db) == []


def _seed_bout(db, seconds_ago: float, clean=False):
    """A history whose last saved state is a bout 20 minutes old, saved ``seconds_ago`` (wall clock)."""
    from device.adapters.store import Store
    with Store(db) as s:
        ts = (datetime.now().astimezone() - timedelta(seconds=seconds_ago)).isoformat()
        s.set_json("daemon_state", {"ts": ts, "clean": clean, "engine": {
            "seated": True, "bout_start_ago": 1200.0, "away_since_ago": None, "seated_since_ago": 1200.0,
            "bout_seated_s": 0.0, "bout_prompts": 0, "bout_done": 0, "bout_max_level": 0, "level": 0,
            "prompt_ago": None, "anchor_ago": 1200.0, "seated_done": False, "walk_beeps": 0,
            "next_exercise": 0, "paused_for": None}})
    return ts


def test_kill_9_and_a_quick_restart_resume_the_bout(proc_env):
    start, expect, db = proc_env
    _seed_bout(db, 20)
    p = start()
    expect(b"READY=1")
    p.kill()  # kill -9: no daemon_stop, nothing flushed on the way out
    p.wait(timeout=5)
    p = start()
    expect(b"READY=1")
    p.send_signal(signal.SIGTERM)
    assert p.wait(timeout=5) == 0
    starts = [e for e in events(db) if e["type"] == "daemon_start"]
    assert [s["resumed_bout"] for s in starts] == [True, True]
    assert integrity_check(db) == []


def test_a_restart_after_longer_than_a_break_closes_the_bout_where_it_was_last_seen(proc_env):
    start, expect, db = proc_env
    ts = _seed_bout(db, 600)
    p = start()
    expect(b"READY=1")
    p.send_signal(signal.SIGTERM)
    assert p.wait(timeout=5) == 0
    ev = events(db)
    assert ev[0]["type"] == "daemon_stop" and ev[0]["reason"] == "unclean" and ev[0]["ts"][:19] == ts[:19]
    assert ev[1]["type"] == "daemon_start" and ev[1]["resumed_bout"] is False


def test_repeated_kill_9_never_corrupts_the_history(proc_env):
    start, expect, db = proc_env
    seen = 0
    for i in range(5):
        p = start("--simulate", "typical", "--speed", "4000", "--seed", str(i))
        expect(b"READY=1")
        try:
            p.wait(timeout=0.3 + 0.2 * i)  # let it write for a moment
        except subprocess.TimeoutExpired:
            pass
        p.kill()
        p.wait(timeout=5)
        assert integrity_check(db) == []
        n = len(events(db))
        assert n > seen
        seen = n


def test_a_second_daemon_on_the_same_history_refuses_to_start(desk, cfg, tmp_path):
    """Two writers would store events twice and fight over the status: one clear line, no pins taken."""
    from device.errors import UserError
    from device.adapters.gpio.backend import make_pin_factory
    first = desk().start()
    other = make_pin_factory("mock")
    second = type(first)(cfg, tmp_path, other)     # conftest's Desk, with pins of its own
    try:
        with pytest.raises(UserError, match="another deskpulse daemon is running on"):
            second.start()
        assert second.daemon.inputs is None, "refused before touching the pins"
    finally:
        second.store.close()
        other.close()
    first.sit(3)                                   # the first desk is unaffected
    assert first.events("sit_start")
    first.stop()
    third = desk().start()                         # and once it has stopped, a new one starts
    assert third.daemon.lifecycle.lock is not None


def test_a_start_that_fails_after_the_pins_are_up_lets_go_of_them_and_the_lock(desk, monkeypatch):
    from device.adapters.liveness import daemon_alive
    d = desk()

    def broken(now):
        raise RuntimeError("tick failed")
    monkeypatch.setattr(d.daemon, "tick", broken)
    with pytest.raises(RuntimeError):
        d.daemon.start()
    assert d.daemon.stopped and d.daemon.stop_reason == "error"
    assert daemon_alive(d.db) is False                       # the lock is free for the next try
    again = desk()                                           # the pins are free: a new daemon takes them
    again.start()
    assert again.daemon.inputs.devices
