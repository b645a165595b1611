"""MQTT topic names and the desk's ids in them (pure).

Kept free of paho and of I/O so the same names serve the daemon's sink, the
``watch`` and ``run`` commands, ``doctor`` and the tests. Every desk lives
under ``<prefix>/<device_id>/``:

- ``status``: retained ``online``/``offline`` (``offline`` is the Last Will);
- ``state``: retained JSON snapshot (see ``state.build_state``);
- ``event``: every event as ``Event.to_json()``, QoS 1, at least once;
- ``cmd``: incoming JSON commands (see ``commands.parse_command``).
"""
from __future__ import annotations

import re
import socket
from dataclasses import dataclass

ONLINE = "online"
OFFLINE = "offline"

_UNSAFE = re.compile(r"[^a-z0-9_-]+")


def sanitize_id(raw: str) -> str:
    """A device id safe in a topic level and in a Home Assistant unique_id/entity id.

    ``+``, ``#`` and ``/`` would change what a topic means; HA entity ids only
    take ``[a-z0-9_]``, so everything else becomes ``_`` (``-`` is kept: it is in
    topics and unique_ids; ``discovery`` maps it only where HA needs ``[a-z0-9_]``).
    """
    s = _UNSAFE.sub("_", raw.strip().lower()).strip("_-")
    return s[:64] or "desk"


def device_id(cfg) -> str:
    """``device.device_id`` from the config, else the host name, sanitised."""
    return sanitize_id(cfg.device.device_id or socket.gethostname())


def client_id(cfg) -> str:
    return cfg.mqtt.client_id or f"deskpulse-{device_id(cfg)}"


@dataclass(frozen=True)
class Topics:
    prefix: str
    device: str

    @classmethod
    def from_config(cls, cfg, device: str | None = None) -> "Topics":
        return cls(cfg.mqtt.topic_prefix.strip("/") or "deskpulse", sanitize_id(device) if device else device_id(cfg))

    @property
    def base(self) -> str:
        return f"{self.prefix}/{self.device}"

    @property
    def status(self) -> str:
        return f"{self.base}/status"

    @property
    def state(self) -> str:
        return f"{self.base}/state"

    @property
    def event(self) -> str:
        return f"{self.base}/event"

    @property
    def cmd(self) -> str:
        return f"{self.base}/cmd"

