"""The MQTT sink's publishing thread: drains the outbox, publishes the retained state and discovery.

It is the only caller of ``client.publish`` (paho is not fully thread-safe) and owns the
outbox's SQLite connection. Everything reaches it through one queue of tuples, put there
by the sink (``sink.py``: ``live``, ``state``, ``kick``, ``stop``) and by paho's callbacks
(``ack``, ``connected``, ``rediscover``); it never blocks the daemon.

Delivery is QoS 1 tracked by mid (paho's ``info.rc`` stays 4 for messages
published offline and ``wait_for_publish`` raises, so neither is used); a row
leaves the outbox only when its PUBACK arrives. See ``device/adapters/store/outbox.py``.
"""
from __future__ import annotations

import logging
import queue
import sqlite3
import threading
import time
from datetime import datetime, timedelta
from typing import Any, Callable

import paho.mqtt.client as mqtt

from device.adapters.mqtt import discovery
from device.adapters.mqtt.ha_ids import HaIds
from device.adapters.mqtt.state import state_json
from device.adapters.mqtt.topics import OFFLINE, ONLINE, Topics
from device.adapters.store.outbox import Outbox
from device.config import parse_hhmm

log = logging.getLogger("deskpulse.mqtt")


class Publisher:
    """The ``mqtt-publisher`` thread of one ``MqttSink``: ``start()``, feed ``q``, put ``("stop",)``, ``join()``."""

    def __init__(self, cfg, topics: Topics, client: mqtt.Client, outbox: Outbox, q: queue.SimpleQueue,
                 connected: threading.Event, ha_ids: HaIds, *, wall: Callable[[], str] | None,
                 poll_s: float, prune_s: float, close_timeout_s: float, rediscover_min_s: float):
        self.cfg = cfg
        self.topics = topics
        self.client = client
        self.outbox = outbox
        self._q = q
        self.connected = connected
        self.ha_ids = ha_ids
        self.wall = wall
        self.poll_s = poll_s
        self.prune_s = prune_s
        self.close_timeout_s = close_timeout_s
        self.rediscover_min_s = rediscover_min_s
        self._status: dict[str, Any] | None = None
        self._thread = threading.Thread(target=self._run, name="mqtt-publisher", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def join(self) -> None:
        """Wait for the thread to end after ``("stop",)``: its own shutdown takes up to ``close_timeout_s``."""
        self._thread.join(self.close_timeout_s + 5)

    def _send_event(self, payload: str) -> int | None:
        info = self.client.publish(self.topics.event, payload, qos=1)
        if info.rc not in (mqtt.MQTT_ERR_SUCCESS, mqtt.MQTT_ERR_NO_CONN):
            log.warning("mqtt: publish failed: %s", mqtt.error_string(info.rc))
            return None
        return info.mid  # NO_CONN: paho holds it and sends it on reconnect; the PUBACK still comes by mid

    def _full_status(self) -> dict[str, Any]:
        """The daemon's status plus today's totals from the history's ``days`` row (flushed data)."""
        status = self._status or {}
        if "today" in status or "today_seated_s" in status:
            return status
        conn = self.outbox._db()
        if conn is None:
            return status
        try:
            ts = status.get("updated_ts")
            wall = datetime.fromisoformat(ts) if ts else datetime.now().astimezone()
            b = parse_hhmm(self.cfg.coaching.day_boundary)
            day = (wall - timedelta(hours=b.hour, minutes=b.minute)).date().isoformat()
            row = conn.execute("SELECT seated_s, breaks, prompts, exercises_done, compliance FROM days "
                               "WHERE day = ?", (day,)).fetchone()
        except (sqlite3.Error, ValueError, TypeError):
            return status
        keys = ("seated_s", "breaks", "prompts", "exercises_done", "compliance")
        return {**status, "today": dict(zip(keys, row)) if row else {k: 0 for k in keys[:4]}}

    def _publish_state(self, full: dict[str, Any] | None = None) -> None:
        if self._status is None or not self.connected.is_set():
            return
        ts = self.wall() if self.wall else datetime.now().astimezone().isoformat(timespec="seconds")
        full = full if full is not None else self._full_status()
        self.client.publish(self.topics.state, state_json(full, ts), qos=0, retain=True)

    def _announce(self) -> None:
        """On (re)connect or HA's birth message: status, discovery configs, current state."""
        self.client.publish(self.topics.status, ONLINE, qos=1, retain=True)
        if self.cfg.mqtt.discovery:
            for topic, payload in discovery.configs(self.cfg, self.topics, self.ha_ids.decide()):
                self.client.publish(topic, payload, qos=1, retain=True)
        self._publish_state()

    def _run(self) -> None:
        ob = self.outbox
        ob.scan()  # learn the backlog before the first live event, so the backlog goes first
        state_every = self.cfg.mqtt.state_interval_s
        next_scan = next_state = next_prune = next_rediscover = 0.0
        last_state_payload = None
        rediscover = stopping = False
        while True:
            now = time.monotonic()
            timeout = max(0.0, min(next_scan, next_prune, next_state if self._status is not None else now + 3600,
                                   next_rediscover if rediscover else now + 3600) - now)
            try:
                msgs = [self._q.get(timeout=timeout)]
            except queue.Empty:
                msgs = []
            while len(msgs) < 2000:
                try:
                    msgs.append(self._q.get_nowait())
                except queue.Empty:
                    break
            scan = False
            state_changed = False
            for m in msgs:
                kind = m[0]
                if kind == "ack":
                    ob.ack(m[1])
                elif kind == "live":
                    ob.offer_live(m[1], m[2])
                elif kind == "state":
                    self._status = m[1]
                    state_changed = True
                elif kind == "kick":
                    scan = True
                elif kind == "connected":
                    self._try_announce()
                    last_state_payload = None
                elif kind == "rediscover":
                    rediscover = True  # coalesced: a flood of births costs one announce per interval
                elif kind == "stop":
                    stopping = True
            if rediscover and time.monotonic() >= next_rediscover:
                rediscover = False
                next_rediscover = time.monotonic() + self.rediscover_min_s
                self._try_announce()
                last_state_payload = None
            try:
                now = time.monotonic()
                if scan or now >= next_scan or (ob.more_rows and len(ob.send_q) < ob.window):
                    ob.scan()
                    next_scan = now + self.poll_s
                ob.pump(self._send_event)
                ob.commit()
                if now >= next_prune:
                    ob.prune()
                    next_prune = now + self.prune_s
                if self._status is not None and (state_changed or now >= next_state):
                    full = self._full_status()
                    payload = state_json(full)
                    if payload != last_state_payload or now >= next_state:
                        self._publish_state(full)
                        last_state_payload = payload
                        next_state = now + state_every
            except Exception:
                log.exception("mqtt: publishing thread error; continuing")
                time.sleep(0.5)
            if stopping:
                self._shutdown()
                return

    def _try_announce(self) -> None:
        try:
            self._announce()
        except Exception:
            log.exception("mqtt: announcing failed")

    def _shutdown(self) -> None:
        ob = self.outbox
        deadline = time.monotonic() + self.close_timeout_s
        if self.connected.is_set():
            # Give in-flight events their PUBACKs; whatever is left stays in the outbox for next time.
            while ob.inflight and time.monotonic() < deadline:
                try:
                    m = self._q.get(timeout=max(0.0, deadline - time.monotonic()))
                except queue.Empty:
                    break
                if m[0] == "ack":
                    ob.ack(m[1])
            try:
                info = self.client.publish(self.topics.status, OFFLINE, qos=1, retain=True)
                info.wait_for_publish(max(0.1, deadline - time.monotonic()))
            except (RuntimeError, ValueError):
                pass
            self.connected.clear()
            self.client.disconnect()
        ob.commit()
        ob.close()
        s = ob.stats()
        log.info("mqtt: closed (%d sent, %d acknowledged, %d left in the outbox for next time)",
                 s["sent"], s["acked"], s["inflight"] + s["queued"])

