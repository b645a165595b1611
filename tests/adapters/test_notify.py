"""notify.py on a real unix datagram socket, and the journald log format."""
from __future__ import annotations

import io
import os
import socket

import pytest

from device.adapters.notify import Notifier, setup_logging


@pytest.fixture
def notify_socket(tmp_path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    path = str(tmp_path / "notify")
    s.bind(path)
    s.settimeout(2)
    yield s, path
    s.close()


def test_notify_ready_watchdog_stopping(notify_socket):
    sock, path = notify_socket
    now = [0.0]
    n = Notifier({"NOTIFY_SOCKET": path, "WATCHDOG_USEC": "10000000"}, monotonic=lambda: now[0])
    assert n.watchdog_interval_s == 5.0
    assert n.ready("watching both")
    assert sock.recv(1024) == b"READY=1\nSTATUS=watching both"
    assert not n.watchdog()  # just said we live
    now[0] = 5.0
    assert n.watchdog()
    assert sock.recv(1024) == b"WATCHDOG=1"
    now[0] = 6.0
    assert not n.watchdog()
    assert n.stopping()
    assert sock.recv(1024) == b"STOPPING=1"
    n.close()


def test_notify_abstract_socket():
    name = f"deskpulse-test-{os.getpid()}"
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.bind("\0" + name)
    s.settimeout(2)
    try:
        n = Notifier({"NOTIFY_SOCKET": "@" + name})
        assert n.ready()
        assert s.recv(1024) == b"READY=1"
        n.close()
    finally:
        s.close()


def test_notify_is_a_no_op_outside_systemd_and_survives_a_dead_socket(tmp_path):
    assert not Notifier({}).ready()
    n = Notifier({"NOTIFY_SOCKET": str(tmp_path / "gone")})
    assert not n.ready() and not n.stopping()  # logged once, never raised
    n.close()


def test_watchdog_for_another_pid_is_ignored():
    n = Notifier({"NOTIFY_SOCKET": "/x", "WATCHDOG_USEC": "1000000", "WATCHDOG_PID": "1"})
    assert n.watchdog_s is None


def test_journald_logs_carry_priorities_and_no_timestamps():
    import logging
    buf = io.StringIO()
    setup_logging(False, env={"INVOCATION_ID": "x"}, stream=buf)
    log = logging.getLogger("deskpulse.test")
    log.info("hello")
    log.warning("careful")
    log.debug("hidden")
    assert buf.getvalue() == "<6>hello\n<4>careful\n"
    buf = io.StringIO()
    setup_logging(True, env={}, stream=buf)
    log.debug("shown")
    assert buf.getvalue().endswith("DEBUG   shown\n") and buf.getvalue()[2] == ":"
    logging.getLogger("deskpulse").handlers.clear()
    logging.getLogger("deskpulse").propagate = True
