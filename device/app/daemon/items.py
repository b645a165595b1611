"""What arrives on the daemon's queue: an edge tuple ``(t, signal, value)``, or one of these."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Command:
    name: str
    args: dict[str, Any] = field(default_factory=dict)
    source: str = "command"


@dataclass
class InboxChanged:
    """The dashboard's inbox directory got a file (from the inotify thread)."""


@dataclass
class Stop:
    reason: str = "stop"
