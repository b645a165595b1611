"""MQTT topic names, the retained state payload and the command parser (pure).

Kept free of paho and of I/O so the same rules serve the daemon's sink, the
``watch`` command, ``doctor`` and the tests, and so a malformed command can be
fuzzed without a broker. Every desk lives under ``<prefix>/<device_id>/``:

- ``status``: retained ``online``/``offline`` (``offline`` is the Last Will);
- ``state``: retained JSON snapshot (see ``build_state``);
- ``event``: every event as ``Event.to_json()``, QoS 1, at least once;
- ``cmd``: incoming JSON commands (see ``parse_command``).
"""
from __future__ import annotations

import json
import math
import re
import socket
from dataclasses import dataclass, field
from typing import Any

#: Larger command payloads are rejected unread: nothing legitimate comes close.
MAX_COMMAND_BYTES = 1024
#: The most of one incoming MQTT packet the desk holds in memory (topic and header included).
#: Anything longer is read through and dropped (``device.adapters.mqtt.BoundedClient``): the broker's
#: own limit is up to 256 MB, and paho would otherwise hold the whole packet and copy it twice.
MAX_IN_PACKET = 128 * 1024
PAUSE_MIN_RANGE = (1.0, 1440.0)

ONLINE = "online"
OFFLINE = "offline"

_UNSAFE = re.compile(r"[^a-z0-9_-]+")


def sanitize_id(raw: str) -> str:
    """A device id safe in a topic level and in a Home Assistant unique_id/entity id.

    ``+``, ``#`` and ``/`` would change what a topic means; HA entity ids only
    take ``[a-z0-9_]``, so everything else becomes ``_`` (``-`` is kept: it is in
    topics and unique_ids; ``ha_discovery`` maps it only where HA needs ``[a-z0-9_]``).
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


# --------------------------------------------------------------------------- state

def _num(v: Any, digits: int = 0) -> float | int | None:
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
        return None
    return round(v, digits) if digits else int(round(v))


def build_state(status: dict[str, Any], ts: str | None = None) -> dict[str, Any]:
    """The retained ``state`` JSON from the daemon's status dict.

    ``status`` is ``Engine.status(now)`` plus today's totals, either under a
    ``today`` dict (``seated_s, breaks, prompts, exercises_done, compliance``)
    or as top-level ``today_*`` keys. Missing values become null rather than
    an error: a half-known state is better than a stale one in Home Assistant.
    ``compliance`` is a percentage (0-100, as in the ``days`` table: asks
    answered in time / asks, device/core/compliance.py), published to one decimal.
    """
    today = dict(status.get("today") or {})
    for k in ("seated_s", "breaks", "prompts", "exercises_done", "compliance", "bouts", "snoozes"):
        if f"today_{k}" in status and k not in today:
            today[k] = status[f"today_{k}"]
    seated = bool(status.get("seated", False))
    bout_s = _num(status.get("bout_s")) or 0
    seated_s = _num(today.get("seated_s"))
    comp = _num(today.get("compliance"), 1)
    out = {
        "state": "seated" if seated else "away",
        "seated": seated,
        "bout_s": bout_s,
        "bout_min": round(bout_s / 60, 1),
        "today_seated_s": seated_s or 0,
        "today_seated_min": round((seated_s or 0) / 60, 1),
        "breaks": _num(today.get("breaks")) or 0,
        "prompts": _num(today.get("prompts")) or 0,
        "exercises_done": _num(today.get("exercises_done")) or 0,
        "compliance": comp,
        "level": _num(status.get("level")) or 0,
        "alert": status.get("alert") or "none",
        "paused_until": status.get("paused_until_ts"),
        "snoozed_until": status.get("snoozed_until_ts"),
        "paused": bool(status.get("paused_until_ts")),
        "next_prompt_in_s": _num(status.get("next_prompt_in_s")),
    }
    if ts:
        out["ts"] = ts
    return out


def state_json(status: dict[str, Any], ts: str | None = None) -> str:
    return json.dumps(build_state(status, ts), separators=(",", ":"))


# --------------------------------------------------------------------------- commands

@dataclass(frozen=True)
class Command:
    """A valid command: ``name`` as ``Engine.command`` takes it, with its keyword ``args``."""
    name: str
    args: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Rejection:
    """An invalid command and why, in one line that is safe to log (no raw payload)."""
    reason: str


_SIMPLE = {"snooze", "done", "resume", "test_prompt"}
_ALIASES = {"test-prompt": "test_prompt", "testprompt": "test_prompt"}


def _short(v: Any) -> str:
    r = repr(v)
    return r if len(r) <= 32 else r[:29] + "..."


def parse_command(payload: bytes | bytearray | str, default_pause_min: float = 60.0) -> Command | Rejection:
    """Parse one ``cmd`` payload; never raises.

    Accepted: ``{"cmd":"snooze"}``, ``{"cmd":"done"}``, ``{"cmd":"resume"}``,
    ``{"cmd":"test_prompt"}``, ``{"cmd":"pause"}`` and
    ``{"cmd":"pause","minutes":30}`` (1 to 1440). Unknown keys are refused
    so a typo (``"minuts"``) is noticed instead of silently defaulted.
    """
    if isinstance(payload, str):
        payload = payload.encode("utf-8", "surrogatepass")
    if len(payload) > MAX_COMMAND_BYTES:
        return Rejection(f"payload too large ({len(payload)} bytes, limit {MAX_COMMAND_BYTES})")
    try:
        text = bytes(payload).decode("utf-8")
    except UnicodeDecodeError:
        return Rejection("payload is not UTF-8")
    try:
        obj = json.loads(text, parse_constant=lambda c: float("nan"))
    except (ValueError, RecursionError) as e:
        return Rejection(f"payload is not JSON ({str(e).splitlines()[0][:60]})")
    if not isinstance(obj, dict):
        return Rejection(f"payload must be a JSON object like {{\"cmd\":\"snooze\"}}, got {type(obj).__name__}")
    name = obj.get("cmd")
    if not isinstance(name, str):
        return Rejection("missing \"cmd\" string" if name is None else f"\"cmd\" must be a string, got {type(name).__name__}")
    name = _ALIASES.get(name, name)
    allowed = {"cmd", "minutes"} if name == "pause" else {"cmd"}
    extra = sorted(k for k in obj if k not in allowed)
    if name not in _SIMPLE and name != "pause":
        return Rejection(f"unknown command {_short(name)} (known: done, snooze, pause, resume, test_prompt)")
    if extra:
        return Rejection(f"unexpected key {_short(extra[0])} for command {name!r}")
    if name != "pause":
        return Command(name)
    minutes = obj.get("minutes", default_pause_min)
    if isinstance(minutes, bool) or not isinstance(minutes, (int, float)):
        return Rejection(f"\"minutes\" must be a number, got {type(minutes).__name__}")
    lo, hi = PAUSE_MIN_RANGE
    # Compared as they are: math.isfinite(10**400) raises OverflowError (ints have no infinity).
    if isinstance(minutes, float) and not math.isfinite(minutes) or not lo <= minutes <= hi:
        return Rejection(f"\"minutes\" must be from {lo:g} to {hi:g}, got {_short(minutes)}")
    return Command("pause", {"minutes": float(minutes)})
