"""``MqttSink``: the daemon's MQTT output (events, retained state, HA discovery) and command input.

Threads, and why:

- the daemon loop calls ``publish``/``set_state``/``kick``/``close``; they only
  put a message on a queue, so a slow or absent broker can never stall it;
- one *publishing thread* (``_run``) owns the outbox's SQLite connection and
  is the only caller of ``client.publish``: paho is not fully thread-safe;
- paho's network thread (``loop_start``) runs the callbacks, which only
  enqueue (PUBACK mids, connection changes) or parse a command and hand it to
  ``on_command`` (the daemon enqueues it into its own loop queue).

Delivery is QoS 1 tracked by mid (paho's ``info.rc`` stays 4 for messages
published offline and ``wait_for_publish`` raises, so neither is used); a row
leaves the outbox only when its PUBACK arrives. See ``device/outbox.py``.
"""
from __future__ import annotations

import logging
import queue
import ssl
import threading
import sqlite3
import time
from datetime import datetime, timedelta
from typing import Any, Callable

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from device import ha_discovery
from device.config import ConfigError, default_db_path, parse_hhmm
from device.mqtt_topics import OFFLINE, ONLINE, Command, Rejection, Topics, client_id, parse_command, state_json
from device.outbox import Outbox

log = logging.getLogger("deskpulse.mqtt")

CommandHandler = Callable[[Command | Rejection], None]


def tls_context(cfg) -> ssl.SSLContext:
    """Verify the broker against ``mqtt.ca_file`` (else the system CAs); optional client certificate."""
    m = cfg.mqtt
    try:
        ctx = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cafile=m.ca_file or None)
    except (OSError, ssl.SSLError) as e:
        raise ConfigError(f"{cfg.source}: mqtt.ca_file = {m.ca_file!r}: cannot load it ({_why(e)})") from None
    if m.cert_file:
        try:
            ctx.load_cert_chain(m.cert_file, m.key_file or None)
        except (OSError, ssl.SSLError) as e:
            raise ConfigError(f"{cfg.source}: mqtt.cert_file = {m.cert_file!r} / mqtt.key_file = {m.key_file!r}: "
                              f"cannot load them ({_why(e)})") from None
    return ctx


def _why(e: BaseException) -> str:
    return getattr(e, "strerror", None) or getattr(e, "reason", None) or str(e)


def make_client(cfg, cid: str | None = None, will_topic: str | None = None) -> mqtt.Client:
    """A paho client with auth, TLS and (optionally) the Last Will set from the config.

    Shared with ``watch`` and ``doctor`` so all three connect the same way.
    """
    m = cfg.mqtt
    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=cid or client_id(cfg), clean_session=True,
                         protocol=mqtt.MQTTv311)
    if m.username:
        client.username_pw_set(m.username, m.password or None)
    if m.tls:
        client.tls_set_context(tls_context(cfg))
    if will_topic:
        client.will_set(will_topic, OFFLINE, qos=1, retain=True)
    return client


class MqttSink:
    """Publishes events (durably, QoS 1), the retained state and discovery; receives commands.

    ``MqttSink(cfg, on_command=...)`` starts connecting in the background and
    returns at once; with the broker down the outbox simply waits.
    """

    def __init__(self, cfg, *, db_path=None, on_command: CommandHandler | None = None,
                 window: int = 100, poll_s: float = 15.0, prune_s: float = 3600.0,
                 close_timeout_s: float = 2.0, reconnect_max_s: int = 30, wall: Callable[[], str] | None = None):
        self.cfg = cfg
        self.topics = Topics.from_config(cfg)
        self.on_command = on_command
        self.poll_s = poll_s
        self.prune_s = prune_s
        self.close_timeout_s = close_timeout_s
        self.wall = wall
        self.rejected = 0
        self.commands = 0
        self.connected = threading.Event()
        self._q: queue.SimpleQueue[tuple[Any, ...]] = queue.SimpleQueue()
        self._closed = False
        self._status: dict[str, Any] | None = None
        self._refused: str | None = None
        self.outbox = Outbox(db_path or default_db_path(cfg), window=window,
                             max_age_days=cfg.mqtt.outbox_max_age_days, max_rows=cfg.mqtt.outbox_max_rows)
        self.client = make_client(cfg, will_topic=self.topics.status)
        self.client.max_inflight_messages_set(window)
        self.client.max_queued_messages_set(0)
        self.client.reconnect_delay_set(1, reconnect_max_s)
        self.client.on_connect = self._on_connect
        self.client.on_disconnect = self._on_disconnect
        self.client.on_publish = self._on_publish
        self.client.on_message = self._on_message
        self._thread = threading.Thread(target=self._run, name="mqtt-publisher", daemon=True)
        self._thread.start()
        if cfg.mqtt.host:
            self.client.connect_async(cfg.mqtt.host, cfg.mqtt.port, keepalive=cfg.mqtt.keepalive_s)
            self.client.loop_start()
            log.info("mqtt: connecting to %s:%d as %s (tls %s)", cfg.mqtt.host, cfg.mqtt.port,
                     client_id(cfg), "on" if cfg.mqtt.tls else "off")
        else:
            log.info("mqtt: no broker configured; events wait in the outbox")

    # -- the daemon's side (any thread; never blocks) ----------------------------------------
    def publish(self, event) -> None:
        self._q.put(("live", event.id, event.to_json()))

    def set_state(self, status: dict[str, Any]) -> None:
        self._q.put(("state", dict(status)))

    def kick(self) -> None:
        """The store has flushed: look at the outbox table now rather than at the next poll."""
        self._q.put(("kick",))

    # The daemon's optional sink hooks (device/daemon.py).
    def flushed(self) -> None:
        self.kick()

    def delivered(self, event_id: str) -> bool:
        """The store asks at its flush: already acknowledged? Then it queues no outbox row for it."""
        return self.outbox.delivered(event_id)

    def start(self, daemon) -> None:
        """Route commands into the daemon's loop queue; a rejection becomes its ``command_rejected`` event."""
        if self.on_command is not None:
            return

        def handle(result: Command | Rejection) -> None:
            if isinstance(result, Rejection):
                daemon.post_command("invalid", source="mqtt", error=result.reason)
            else:
                daemon.post_command(result.name, source="mqtt", **result.args)
        self.on_command = handle

    def close(self) -> None:
        """Publish ``offline``, give in-flight events a moment to be acknowledged, disconnect. Safe twice."""
        if self._closed:
            return
        self._closed = True
        self._q.put(("stop",))
        self._thread.join(self.close_timeout_s + 5)
        if self.cfg.mqtt.host:
            self.client.loop_stop()

    def __enter__(self) -> "MqttSink":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def stats(self) -> dict[str, Any]:
        return {**self.outbox.stats(), "connected": self.connected.is_set(), "commands": self.commands,
                "rejected": self.rejected}

    # -- paho's network thread: enqueue only ------------------------------------------------
    def _on_connect(self, client, userdata, flags, reason_code, properties) -> None:
        if reason_code.is_failure:
            if str(reason_code) != self._refused:  # once per reason, not at every retry
                log.warning("mqtt: broker refused the connection: %s", reason_code)
                self._refused = str(reason_code)
            return
        self._refused = None
        client.subscribe([(self.topics.cmd, 1), (f"{self.cfg.mqtt.discovery_prefix}/status", 1)])
        self.connected.set()
        self._q.put(("connected",))

    def _on_disconnect(self, client, userdata, flags, reason_code, properties) -> None:
        if self.connected.is_set():
            log.warning("mqtt: disconnected (%s); reconnecting", reason_code)
        self.connected.clear()

    def _on_publish(self, client, userdata, mid, reason_code, properties) -> None:
        self._q.put(("ack", mid))

    def _on_message(self, client, userdata, msg) -> None:
        try:
            if msg.topic == self.topics.cmd:
                self._command(msg.payload)
            elif msg.topic == f"{self.cfg.mqtt.discovery_prefix}/status" and msg.payload == b"online":
                self._q.put(("rediscover",))
        except Exception:  # a callback exception would kill paho's thread: never let one out
            log.exception("mqtt: error handling a message on %s", msg.topic)

    def _command(self, payload: bytes) -> None:
        result = parse_command(payload, self.cfg.coaching.pause_default_min)
        if isinstance(result, Rejection):
            self.rejected += 1
            log.warning("mqtt: rejected a command on %s: %s", self.topics.cmd, result.reason)
        else:
            self.commands += 1
            log.info("mqtt: command %s %s", result.name, result.args or "")
        if self.on_command is not None:
            self.on_command(result)

    # -- the publishing thread ------------------------------------------------------------
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
            for topic, payload in ha_discovery.configs(self.cfg, self.topics):
                self.client.publish(topic, payload, qos=1, retain=True)
        self._publish_state()

    def _run(self) -> None:
        ob = self.outbox
        ob.scan()  # learn the backlog before the first live event, so the backlog goes first
        state_every = self.cfg.mqtt.state_interval_s
        next_scan = next_state = next_prune = 0.0
        last_state_payload = None
        stopping = False
        while True:
            now = time.monotonic()
            timeout = max(0.0, min(next_scan, next_prune, next_state if self._status is not None else now + 3600)
                          - now)
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
                elif kind in ("connected", "rediscover"):
                    try:
                        self._announce()
                    except Exception:
                        log.exception("mqtt: announcing failed")
                    last_state_payload = None
                elif kind == "stop":
                    stopping = True
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


def probe(cfg, timeout: float = 5.0) -> tuple[bool, str, str]:
    """A real MQTT CONNECT with the configured id suffix, login and TLS: ``(ok, summary, fix)``.

    For ``deskpulse doctor``: tells "unreachable", "TLS not verified", "login
    refused" and "not an MQTT broker" apart. Never includes the password.
    """
    import os
    m = cfg.mqtt
    where = f"{m.host}:{m.port}"
    done: queue.Queue = queue.Queue()
    try:
        client = make_client(cfg, cid=f"{client_id(cfg)}-doctor-{os.getpid()}")
    except ConfigError as e:
        return False, str(e), "check mqtt.ca_file, mqtt.cert_file and mqtt.key_file"
    client.on_connect = lambda c, u, f, rc, p: done.put(rc)
    try:
        if m.tls:  # our own handshake first: paho leaks the socket of a failed one
            import socket
            with socket.create_connection((m.host, m.port), timeout=timeout) as raw:
                with tls_context(cfg).wrap_socket(raw, server_hostname=m.host):
                    pass
        client.connect(m.host, m.port, keepalive=max(5, m.keepalive_s))
    except ssl.SSLCertVerificationError as e:
        return False, f"{where}: TLS certificate not verified ({e.verify_message})", \
            "set mqtt.ca_file to the CA that signed the broker's certificate, and use the name in it as mqtt.host"
    except ssl.SSLError as e:
        return False, f"{where}: TLS handshake failed ({e.reason or e})", \
            "is this the broker's TLS port? check mqtt.tls, mqtt.port and the certificates"
    except OSError as e:
        return False, f"{where}: {e.strerror or e}", "is the broker running? check mqtt.host and mqtt.port"
    client.loop_start()
    try:
        rc = done.get(timeout=timeout)
    except queue.Empty:
        return False, f"{where}: no MQTT answer (CONNACK) within {timeout:g} s", \
            "is this an MQTT port? a TLS listener needs mqtt.tls = true"
    finally:
        client.disconnect()
        client.loop_stop()
    tls = ", TLS verified" if m.tls else ""
    if rc.is_failure:
        fix = ("check mqtt.username and the password (mqtt.password or DESKPULSE_MQTT_PASSWORD)"
               if rc.value in (4, 5, 134, 135) else "see the broker's log")
        return False, f"{where}: the broker refused the login: {rc}", fix
    who = f" as {m.username}" if m.username else " (anonymous)"
    return True, f"{where}: MQTT login accepted{who}{tls}", ""
