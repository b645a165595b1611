"""``MqttSink``: the daemon's MQTT output (events, retained state, HA discovery) and command input.

Threads, and why:

- the daemon loop calls ``publish``/``set_state``/``kick``/``close``; they only
  put a message on a queue, so a slow or absent broker can never stall it;
- one *publishing thread* (``publisher.Publisher``) owns the outbox's SQLite connection and
  is the only caller of ``client.publish``: paho is not fully thread-safe;
- paho's network thread (``loop_start``) runs the callbacks, which only
  enqueue (PUBACK mids, connection changes) or parse a command and hand it to
  ``on_command`` (the daemon enqueues it into its own loop queue).

Hostile input costs little: a retained message on ``cmd`` is not a command (it
would replay at every connect); an incoming packet longer than ``bounded.MAX_IN_PACKET``
is read through and dropped without being held (``BoundedClient``); a flood of
HA birth messages is answered once per ``REDISCOVER_MIN_S``. Rejections are only
counted here: the daemon logs and records them, rate-limited (``device/app/daemon.py``).

Who does what: ``publisher.py`` (the publishing thread, the outbox, the retained state and
discovery), ``client.py`` and ``bounded.py`` (the paho client), ``commands.py`` (the parser),
``ha_ids.py`` (the Home Assistant id scheme pinned in the history).
"""
from __future__ import annotations

import logging
import queue
import threading
from typing import Any, Callable

from device.adapters.mqtt.bounded import BoundedClient
from device.adapters.mqtt.client import make_client
from device.adapters.mqtt.commands import MAX_COMMAND_BYTES, Command, Rejection, parse_command
from device.adapters.mqtt.ha_ids import HaIds
from device.adapters.mqtt.publisher import Publisher
from device.adapters.mqtt.topics import Topics, client_id
from device.adapters.store.outbox import Outbox
from device.config import default_db_path

log = logging.getLogger("deskpulse.mqtt")

CommandHandler = Callable[[Command | Rejection], None]

#: HA birth messages (``homeassistant/status`` ``online``) answered at most this often (seconds);
#: one inside the interval is answered at its end, never dropped.
REDISCOVER_MIN_S = 10.0


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
        self.rejected = 0
        self.commands = 0
        self.ignored_retained = 0
        self.db_path = db_path or default_db_path(cfg)
        # Before the outbox opens the history: what it held before this run decides the HA ids.
        self.ha_ids = HaIds(self.db_path, self.topics.device, cfg.mqtt.ha_unique_ids)
        self._retained_logged = False
        self.connected = threading.Event()
        self._q: queue.SimpleQueue[tuple[Any, ...]] = queue.SimpleQueue()
        self._closed = False
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
        self._publisher = Publisher(cfg, self.topics, self.client, self.outbox, self._q, self.connected,
                                    self.ha_ids, wall=wall, poll_s=poll_s, prune_s=prune_s,
                                    close_timeout_s=close_timeout_s, rediscover_min_s=rediscover_min_s)
        self._publisher.start()
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
        self._publisher.join()
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
