"""Event making and a Store-backed desk for the MQTT tests (imported by path via conftest's sys.path)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from device.events import EventFactory, IdFactory

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
