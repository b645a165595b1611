"""Building and running the daemon (device/app/runner.py): signals caught from the start; an upgrade asks
systemd for time first (opening an older history recomputes its days once)."""
from __future__ import annotations

import socket
import sqlite3
from datetime import datetime

from device import config
from device.app.runner import run_daemon
from device.app.sim_desk import SimSpec
from device.adapters.store import Store

MONDAY = datetime.fromisoformat("2026-03-02T00:00:00+01:00")


def test_an_upgrade_extends_the_start_timeout_before_ready(tmp_path, monkeypatch):
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    path = str(tmp_path / "notify")
    sock.bind(path)
    sock.settimeout(0.2)
    monkeypatch.setenv("NOTIFY_SOCKET", path)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path / "run"))
    monkeypatch.delenv("RUNTIME_DIRECTORY", raising=False)
    db = tmp_path / "history.db"
    Store(db).close()
    with sqlite3.connect(db) as c:   # as v3 left it: no asks columns, user_version 3
        c.execute("ALTER TABLE days DROP COLUMN asks")
        c.execute("ALTER TABLE days DROP COLUMN answered_in_time")
        c.execute("PRAGMA user_version = 3")
    cfg = config.load(None, env={}).replace(gpio={"pin_factory": "mock"}, history={"db_path": str(db)},
                                            mqtt={"host": ""})

    def messages():
        out = []
        try:
            while True:
                out.append(sock.recv(4096).decode())
        except (TimeoutError, socket.timeout):
            return out

    try:
        assert run_daemon(cfg, sim=SimSpec("typical", 1, 3, None, MONDAY), with_sinks=False) == 0
        first = messages()
        extend = [i for i, m in enumerate(first) if m.startswith("EXTEND_TIMEOUT_USEC=")]
        ready = [i for i, m in enumerate(first) if m.startswith("READY=1")]
        assert extend and ready and extend[0] < ready[0], first
        assert int(first[extend[0]].split("\n")[0].split("=")[1]) >= 300_000_000
        with sqlite3.connect(db) as c:
            assert c.execute("PRAGMA user_version").fetchone()[0] == 4
        assert run_daemon(cfg, sim=SimSpec("typical", 1, 4, None, MONDAY), with_sinks=False) == 0
        assert not [m for m in messages() if m.startswith("EXTEND_TIMEOUT_USEC=")]   # only when upgrading
    finally:
        sock.close()


def test_a_second_signal_during_the_first_one_does_not_hang_the_stop():
    """Ctrl-C twice, or timeout(1)'s TERM to the process and again to its group: the second handler runs inside the first's
    ``event.set()``, on the same thread; it must not wait for the lock that thread holds."""
    import threading

    from device.app.runner import Stopper

    stopper = Stopper()
    posted = []
    stopper.post = posted.append

    class EventHitBySecondSignal:
        def __init__(self):
            self.lock = threading.Lock()  # like the lock inside threading.Event.set()
            self.calls = 0

        def set(self):
            with self.lock:
                self.calls += 1
                if self.calls == 1:
                    stopper("SIGINT")  # the second signal, handled while the first holds the lock

    stopper.event = EventHitBySecondSignal()
    t = threading.Thread(target=stopper, args=("SIGTERM",), daemon=True)
    t.start()
    t.join(2.0)
    assert not t.is_alive(), "the stop request hung on its own lock"
    assert stopper.reason == "SIGTERM" and posted == ["SIGTERM"] and stopper.event.calls == 1
