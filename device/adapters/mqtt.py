"""``MqttSink``: the daemon's MQTT output (events, retained state, HA discovery) and command input.

Threads, and why:

- the daemon loop calls ``publish``/``set_state``/``kick``/``close``; they only
  put a message on a queue, so a slow or absent broker can never stall it;
- one *publishing thread* (``_run``) owns the outbox's SQLite connection and
  is the only caller of ``client.publish``: paho is not fully thread-safe;
- paho's network thread (``loop_start``) runs the callbacks, which only
  enqueue (PUBACK mids, connection changes) or parse a command and hand it to
  ``on_command`` (the daemon enqueues it into its own loop queue).

Hostile input costs little: a retained message on ``cmd`` is not a command (it
would replay at every connect); an incoming packet longer than ``MAX_IN_PACKET``
is read through and dropped without being held (``BoundedClient``); a flood of
HA birth messages is answered once per ``REDISCOVER_MIN_S``. Rejections are only
counted here: the daemon logs and records them, rate-limited (``device/app/daemon.py``).

Delivery is QoS 1 tracked by mid (paho's ``info.rc`` stays 4 for messages
published offline and ``wait_for_publish`` raises, so neither is used); a row
leaves the outbox only when its PUBACK arrives. See ``device/adapters/store/outbox.py``.
"""
from __future__ import annotations

import json
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

from device.adapters import ha_discovery
from device.config import ConfigError, default_db_path, parse_hhmm
from device.adapters.mqtt_topics import (MAX_COMMAND_BYTES, MAX_IN_PACKET, OFFLINE, ONLINE, Command, Rejection, Topics,
                                 client_id, parse_command, state_json)
from device.adapters.store.outbox import Outbox
from device.adapters.store.sqlite_uri import sqlite_uri

log = logging.getLogger("deskpulse.mqtt")

CommandHandler = Callable[[Command | Rejection], None]

#: HA birth messages (``homeassistant/status`` ``online``) answered at most this often (seconds);
#: one inside the interval is answered at its end, never dropped.
REDISCOVER_MIN_S = 10.0
#: The history's kv key pinning each device id's HA id scheme (``ha_discovery``): {device_id: "exact"|"legacy"}.
HA_IDS_KEY = "mqtt_ha_ids"

_PUBLISH = 0x30
_CHUNK = 64 * 1024
_KEEP = 2 + 65535 + 2  # the longest topic a PUBLISH can carry, with its length and the message id


class BoundedClient(mqtt.Client):
    """paho's ``Client`` holding at most ``max_in_packet`` bytes of any incoming PUBLISH.

    paho (2.x) reads a packet whole into one bytearray before decoding it, then copies
    it twice more while decoding (``struct.unpack`` of the topic, then of the message
    id); it has no limit of its own for what it receives, and MQTT 3.1.1 cannot tell the
    broker one (MQTT 5's Maximum Packet Size could, but only with brokers that speak 5).
    A 200 MB payload cost 633 MB here. So once the fixed header has said a PUBLISH is
    longer than the limit, this receive hook keeps its first bytes (topic and message
    id: enough to decode it and to send the PUBACK, so the broker does not send it
    again) and reads the rest through in 64 KiB pieces that are dropped at once. The
    message reaches ``on_message`` cut short; ``take_oversized()`` tells it so.

    It relies on paho's private ``_sock_recv`` and ``_in_packet`` (checked at start: a paho
    that reads differently gets a warning and no bound; tests/adapters/mqtt/test_hostile_commands.py
    measures the memory through a real broker, so an upgrade that breaks it fails there).
    """

    def __init__(self, *args, max_in_packet: int = MAX_IN_PACKET, **kw):
        super().__init__(*args, **kw)
        self.max_in_packet: int | None = max(max_in_packet, _KEEP)
        self._oversized: int | None = None
        if not {"command", "have_remaining", "remaining_length", "packet"} <= set(getattr(self, "_in_packet", {})):
            log.warning("mqtt: this paho-mqtt reads packets differently; incoming messages are not size-bounded")
            self.max_in_packet = None  # plain paho then: still correct, only not bounded

    def _sock_recv(self, bufsize: int) -> bytes:
        p = self._in_packet
        if self.max_in_packet is None:
            pass
        elif not p["command"]:
            self._oversized = None  # a new packet starts
        elif p["have_remaining"] and p["command"] & 0xF0 == _PUBLISH and p["remaining_length"] > self.max_in_packet:
            self._oversized = p["remaining_length"]
            del p["packet"][_KEEP:]
            bufsize = min(bufsize, _CHUNK)
        return super()._sock_recv(bufsize)

    def take_oversized(self) -> int | None:
        """The real length (bytes after the fixed header) of the PUBLISH being handled, if it was cut; once."""
        n, self._oversized = self._oversized, None
        return n


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


def make_client(cfg, cid: str | None = None, will_topic: str | None = None, bounded: bool = False) -> mqtt.Client:
    """A paho client with auth, TLS and (optionally) the Last Will set from the config.

    Shared with ``watch`` and ``doctor`` so all three connect the same way. ``bounded``:
    a ``BoundedClient`` (the daemon, which takes commands from whoever may publish on ``cmd``).
    """
    m = cfg.mqtt
    cls = BoundedClient if bounded else mqtt.Client
    client = cls(CallbackAPIVersion.VERSION2, client_id=cid or client_id(cfg), clean_session=True,
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
                 close_timeout_s: float = 2.0, reconnect_max_s: int = 30, wall: Callable[[], str] | None = None,
                 rediscover_min_s: float = REDISCOVER_MIN_S):
        self.cfg = cfg
        self.topics = Topics.from_config(cfg)
        self.on_command = on_command
        self.poll_s = poll_s
        self.prune_s = prune_s
        self.close_timeout_s = close_timeout_s
        self.wall = wall
        self.rejected = 0
        self.commands = 0
        self.ignored_retained = 0
        self.rediscover_min_s = rediscover_min_s
        self.db_path = db_path or default_db_path(cfg)
        self.ha_ids: str | None = None  # decided at the first announce (_decide_ha_ids) ...
        # ... from what the history held before this run: by the time the broker answers, the
        # daemon may have flushed this run's daemon_start, and a new desk would look old.
        self._had_events = _history_had_events(self.db_path)
        self._retained_logged = False
        self.connected = threading.Event()
        self._q: queue.SimpleQueue[tuple[Any, ...]] = queue.SimpleQueue()
        self._closed = False
        self._status: dict[str, Any] | None = None
        self._refused: str | None = None
        self.outbox = Outbox(self.db_path, window=window,
                             max_age_days=cfg.mqtt.outbox_max_age_days, max_rows=cfg.mqtt.outbox_max_rows)
        self.client = make_client(cfg, will_topic=self.topics.status, bounded=True)
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

    # The daemon's optional sink hooks (device/app/daemon.py).
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
                "rejected": self.rejected, "ignored_retained": self.ignored_retained}

    # -- paho's network thread: enqueue only ------------------------------------------------
    def _on_connect(self, client, userdata, flags, reason_code, properties) -> None:
        if reason_code.is_failure:
            if str(reason_code) != self._refused:  # once per reason, not at every retry
                log.warning("mqtt: broker refused the connection: %s", reason_code)
                self._refused = str(reason_code)
            return
        self._refused = None
        self._retained_logged = False
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
            cut = client.take_oversized() if isinstance(client, BoundedClient) else None
            if msg.topic == self.topics.cmd:
                if msg.retain:
                    self._ignore_retained()
                elif cut is not None:
                    size = cut - 2 - len(msg.topic.encode()) - (2 if msg.qos else 0)
                    self._handle(Rejection(f"payload too large ({size} bytes, limit {MAX_COMMAND_BYTES})"))
                else:
                    self._handle(parse_command(msg.payload, self.cfg.coaching.pause_default_min))
            elif msg.topic == f"{self.cfg.mqtt.discovery_prefix}/status" and cut is None and msg.payload == b"online":
                self._q.put(("rediscover",))
        except Exception:  # a callback exception would kill paho's thread: never let one out
            log.exception("mqtt: error handling a message on %s", msg.topic)

    def _ignore_retained(self) -> None:
        """A retained command would be obeyed again at every connect (a ``pause`` for ever): never a command."""
        self.ignored_retained += 1
        if not self._retained_logged:  # once per connection: the broker hands it over at each
            self._retained_logged = True
            log.warning("mqtt: ignored a retained message on %s (commands are never retained); clear it with "
                        "mosquitto_pub -t %s -r -n", self.topics.cmd, self.topics.cmd)

    def _handle(self, result: Command | Rejection) -> None:
        if isinstance(result, Rejection):
            self.rejected += 1  # logged and recorded by the daemon, rate-limited
            log.debug("mqtt: rejected a command on %s: %s", self.topics.cmd, result.reason)
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
            for topic, payload in ha_discovery.configs(self.cfg, self.topics, self._decide_ha_ids()):
                self.client.publish(topic, payload, qos=1, retain=True)
        self._publish_state()

    def _decide_ha_ids(self) -> str:
        """``exact`` or ``legacy`` HA ids for this desk (``ha_discovery``), decided once and pinned in the history.

        The one-off migration: the two schemes differ only for a device id with a ``-``.
        Such a desk whose history already has events ran an older version, which
        published legacy unique_ids; HA keys its entities (history, automations) by
        them, so it keeps them. A new desk gets exact ids. ``mqtt.ha_unique_ids``
        overrides (and re-pins). Until the history file exists nothing is pinned.
        """
        if self.ha_ids is not None:
            return self.ha_ids
        dev, want = self.topics.device, self.cfg.mqtt.ha_unique_ids
        try:
            conn = sqlite3.connect(sqlite_uri(self.db_path, "rw"), uri=True, timeout=5.0)
        except sqlite3.Error:
            return want if want != "auto" else "exact"  # no history yet: a new desk
        try:
            with conn:
                row = conn.execute("SELECT value FROM kv WHERE key = ?", (HA_IDS_KEY,)).fetchone()
                pins = _json_dict(row[0] if row else None)
                if want != "auto":
                    ids = want
                elif pins.get(dev) in ha_discovery.IDS:
                    ids = pins[dev]
                elif "-" in dev and (self._had_events if self._had_events is not None else _has_events(conn)):
                    ids = "legacy"
                    log.info("mqtt: %s ran before: keeping the Home Assistant ids it has (with '-' as '_'; "
                             "see mqtt.ha_unique_ids in docs/mqtt.md)", dev)
                else:
                    ids = "exact"
                if pins.get(dev) != ids:
                    pins[dev] = ids
                    conn.execute("INSERT OR REPLACE INTO kv (key, value) VALUES (?, ?)",
                                 (HA_IDS_KEY, json.dumps(pins, separators=(",", ":"))))
        except sqlite3.Error as e:
            # Not pinned; tried again at the next announce. Meanwhile the safe side: keep what HA may have.
            ids = want if want != "auto" else "legacy" if "-" in dev and self._had_events is not False else "exact"
            log.warning("mqtt: cannot read or pin the Home Assistant ids in %s (%s); using %s for now",
                        self.db_path, e, ids)
            return ids
        finally:
            conn.close()
        self.ha_ids = ids
        return ids

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


def _json_dict(raw: str | None) -> dict:
    try:
        d = json.loads(raw) if raw else {}
    except ValueError:
        return {}
    return d if isinstance(d, dict) else {}


def _history_had_events(db_path) -> bool | None:
    """Whether the history file holds events now (None: cannot tell). No file: a new desk."""
    try:
        conn = sqlite3.connect(sqlite_uri(db_path, "ro"), uri=True, timeout=5.0)
    except sqlite3.Error:
        return False  # no such file yet
    try:
        return _has_events(conn)
    except sqlite3.Error:
        return None
    finally:
        conn.close()


def _has_events(conn: sqlite3.Connection) -> bool:
    """Whether this history holds any event (a previous run's): live rows or packed days."""
    for table in ("events", "packed_days"):
        try:
            if conn.execute(f"SELECT 1 FROM {table} LIMIT 1").fetchone():
                return True
        except sqlite3.OperationalError:
            continue  # an older schema without that table
    return False


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
