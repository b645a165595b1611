"""Packed days: a closed desk day's events as one zlib-compressed row of ``packed_days``.

The blob is the day's event payloads (JSON), one a line, in emission order. This module
is the format only: making a blob, reading one back, and salvaging what a damaged one
(bit rot on an SD card) still holds. Which days get packed, and when, is ``upkeep.py``'s.
"""
from __future__ import annotations

import json
import logging
import zlib

log = logging.getLogger("deskpulse.store")


def unpack(blob: bytes) -> list[str]:
    """A packed day's events: their JSON payloads in emission order.

    A damaged blob (bit rot on an SD card) must not stop the history or the
    dashboard: what still decompresses and parses is returned, and the damage
    logged once per blob.
    """
    try:
        return zlib.decompress(blob).decode("utf-8").split("\n")
    except (zlib.error, UnicodeDecodeError, TypeError) as e:
        kept = _salvage(blob)
        key = hash(bytes(blob)) if isinstance(blob, (bytes, bytearray, memoryview)) else id(blob)
        if key not in _DAMAGED:
            _DAMAGED.add(key)
            log.error("history: a packed day is damaged (%s); %d events recovered from it", e, len(kept))
        return kept


_DAMAGED: set[int] = set()


def intact(blob: bytes) -> bool:
    """Whether a blob decompresses whole (a damaged day is never rewritten)."""
    try:
        zlib.decompress(blob).decode("utf-8")
        return True
    except (zlib.error, UnicodeDecodeError, TypeError):
        return False


def _salvage(blob) -> list[str]:
    """The whole JSON lines that a damaged zlib stream still yields before the damage."""
    out, d = b"", zlib.decompressobj()
    try:
        data = bytes(blob)
        for i in range(0, len(data), 16):  # small steps: a step that hits the damage yields nothing
            out += d.decompress(data[i:i + 16])
    except (zlib.error, TypeError):
        pass
    kept = []
    for line in out.decode("utf-8", "ignore").split("\n"):
        try:
            if isinstance(json.loads(line).get("id"), str):
                kept.append(line)
        except (ValueError, AttributeError):
            continue
    return kept


def pack_blob(payloads: list[str]) -> bytes:
    """The blob of a day's payloads (in emission order)."""
    return zlib.compress("\n".join(payloads).encode("utf-8"), 9)


def id_of(payload: str) -> str:
    """The event id in one payload (raises on a row that is not an event)."""
    return json.loads(payload)["id"]


def ids_of(payloads: list[str]) -> list[str]:
    """The ids of a day's payloads, leaving out rows that are not events (damaged: see ``reads.day_events``)."""
    out = []
    for p in payloads:
        try:
            out.append(id_of(p))
        except (ValueError, KeyError, TypeError, AttributeError):
            continue
    return out
