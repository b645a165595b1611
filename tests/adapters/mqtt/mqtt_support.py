"""MQTT test support: a real mosquitto on a free port, a queue-backed subscriber, small helpers.

Named uniquely (not ``conftest``/``helpers``): with ``--import-mode=importlib`` every area
puts its own directory on sys.path, and a shared module name would resolve to whichever
area imported it first.

A real mosquitto per test session on a free port (never the system broker on 1883).

``Broker`` can be stopped (SIGTERM: it saves its persistence file), killed
(SIGKILL) and started again on the same port with the same persistence, so
QoS 1 sessions of persistent subscribers survive a restart. Callbacks of test
clients push into queues read with timeouts, as paho's own tests do.
"""
from __future__ import annotations

import json
import os
import queue
import shutil
import signal
import socket
import sqlite3
import subprocess
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from device.core.events import EventFactory, IdFactory

MOSQUITTO = "/usr/sbin/mosquitto"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Broker:
    def __init__(self, workdir: Path, port: int | None = None, extra: str = "", anonymous: bool = True):
        if not os.access(MOSQUITTO, os.X_OK):
            pytest.fail(f"{MOSQUITTO} not found: the MQTT tests need a real mosquitto (apt install mosquitto)")
        self.dir = workdir
        self.dir.mkdir(parents=True, exist_ok=True)
        self.port = port or free_port()
        self.extra = extra
        self.anonymous = anonymous
        self.proc: subprocess.Popen | None = None
        self.conf = self.dir / "mosquitto.conf"
        self.log = self.dir / "mosquitto.log"

    def write_conf(self) -> None:
        self.conf.write_text(
            f"listener {self.port} 127.0.0.1\n"
            f"allow_anonymous {'true' if self.anonymous else 'false'}\n"
            f"persistence true\n"
            f"persistence_location {self.dir}/\n"
            f"autosave_interval 1\n"
            f"autosave_on_changes true\n"
            f"max_queued_messages 0\n"
            f"log_dest file {self.log}\n"
            f"log_type error\nlog_type warning\nlog_type notice\n"
            # Started as root (a CI container), mosquitto would switch to the 'mosquitto' user
            # and silently fail to write its persistence file in our private tmp dir.
            + ("user root\n" if os.geteuid() == 0 else "")
            + self.extra)

    def start(self, timeout: float = 10.0) -> "Broker":
        self.write_conf()
        self.proc = subprocess.Popen([MOSQUITTO, "-c", str(self.conf)], stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                err = self.proc.stderr.read().decode(errors="replace")
                logtxt = self.log.read_text() if self.log.exists() else ""
                pytest.fail(f"mosquitto exited with {self.proc.returncode}: {err} {logtxt[-500:]}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return self
            except OSError:
                time.sleep(0.02)
        pytest.fail(f"mosquitto did not listen on {self.port} within {timeout}s")

    def stop(self) -> None:
        """Graceful: mosquitto writes its persistence file on SIGTERM."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(10)
        self._close()

    def kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)
        self._close()

    def _close(self) -> None:
        if self.proc and self.proc.stderr:
            self.proc.stderr.close()
        self.proc = None

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None



class Listener:
    """A test subscriber: every message goes into a queue; ``persistent`` keeps a QoS 1 session."""

    def __init__(self, port: int, topics: list[str], client_id: str = "", persistent: bool = False,
                 auth: tuple[str, str] | None = None):
        self.q: queue.Queue[mqtt.MQTTMessage] = queue.Queue()
        self.connected = queue.Queue()
        self.client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=client_id or f"listener-{os.getpid()}-{id(self)}",
                                  clean_session=not persistent)
        if auth:
            self.client.username_pw_set(*auth)
        self.topics = topics
        self.client.on_connect = self._on_connect
        self.client.on_message = lambda c, u, m: self.q.put(m)
        self.client.reconnect_delay_set(1, 1)
        self.client.connect_async("127.0.0.1", port, keepalive=10)
        self.client.loop_start()

    def _on_connect(self, client, userdata, flags, rc, props):
        if not rc.is_failure and self.topics:
            client.subscribe([(t, 1) for t in self.topics])
        self.connected.put(rc)

    def wait_connected(self, timeout=10.0):
        rc = self.connected.get(timeout=timeout)
        time.sleep(0.05)  # let the SUBACK land before the test publishes
        return rc

    def get(self, timeout=10.0) -> mqtt.MQTTMessage:
        return self.q.get(timeout=timeout)

    def until(self, pred, timeout=10.0) -> mqtt.MQTTMessage:
        deadline = time.monotonic() + timeout
        while True:
            m = self.q.get(timeout=max(0.01, deadline - time.monotonic()))
            if pred(m):
                return m

    def events(self, n_ids: set[str] | None = None, count: int | None = None, timeout=30.0) -> list[dict]:
        """Collect event payloads until all of ``n_ids`` (or ``count`` distinct) have arrived."""
        got: list[dict] = []
        seen: set[str] = set()
        deadline = time.monotonic() + timeout
        while (n_ids is not None and not n_ids <= seen) or (count is not None and len(seen) < count):
            left = deadline - time.monotonic()
            if left <= 0:
                if n_ids is None:
                    raise AssertionError(f"timed out; {count - len(seen)} events missing (got {len(seen)})")
                missing = sorted(n_ids - seen)
                raise AssertionError(f"timed out; {len(missing)} of {len(n_ids)} events missing (got {len(seen)}),"
                                     f" from {missing[0]} to {missing[-1]}; last received {got[-1]['id'] if got else None}")
            try:
                m = self.q.get(timeout=min(left, 1.0))
            except queue.Empty:
                continue
            if m.topic.endswith("/event"):
                d = json.loads(m.payload)
                got.append(d)
                seen.add(d["id"])
        return got

    def close(self):
        self.client.disconnect()
        self.client.loop_stop()



def mqtt_cfg(port: int, tmp_path: Path, device: str = "desk1", **mqtt_keys):
    from device import config
    cfg = config.from_dict({}, "test")
    return cfg.replace(device={"device_id": device}, history={"db_path": str(tmp_path / "history.db")},
                       mqtt={"host": "127.0.0.1", "port": port, **mqtt_keys})


def outbox_rows(db: Path) -> int:
    with sqlite3.connect(db) as c:
        return c.execute("SELECT COUNT(*) FROM outbox").fetchone()[0]


def wait_for(pred, timeout=10.0, what="condition"):
    deadline = time.monotonic() + timeout
    while not pred():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.01)


def has_mosquitto_passwd() -> bool:
    return shutil.which("mosquitto_passwd") is not None


# --- events ------------------------------------------------------------------------
START = datetime(2026, 3, 2, 8, 0, tzinfo=timezone(timedelta(hours=1)))


def factory(node: int = 7) -> EventFactory:
    return EventFactory(lambda t: START + timedelta(seconds=t), IdFactory(node=node))


def stream(n: int, t0: float = 0.0, node: int = 7, fac: EventFactory | None = None):
    """``n`` plausible events with increasing times (sit_start/sit_end pairs)."""
    fac = fac or factory(node)
    out = []
    for i in range(n):
        t = t0 + i * 1.5
        if i % 2 == 0:
            out.append(fac.make("sit_start", t, sensor="seat", new_bout=True))
        else:
            out.append(fac.make("sit_end", t, seated_s=1.5))
    return out
