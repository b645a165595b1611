"""The ``cmd`` topic's commands: the parser of one incoming payload (pure, never raises).

Kept free of paho and of I/O so a malformed command can be fuzzed without a broker;
the sink (``sink.py``) hands each result, a ``Command`` or a ``Rejection``, to the daemon.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any

#: Larger command payloads are rejected unread: nothing legitimate comes close.
MAX_COMMAND_BYTES = 1024
PAUSE_MIN_RANGE = (1.0, 1440.0)


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
