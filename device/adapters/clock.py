"""The only place deskpulse reads time.

Two axes, never mixed:

- ``monotonic()``: engine seconds. All durations (bouts, breaks, confirmation
  delays, snooze) are measured here, so an NTP step on a Pi without an RTC
  cannot stretch or shrink a bout.
- ``wall()``: timezone-aware local time, only for timestamps and day
  boundaries.

``wall_at(t)`` maps an engine second to wall time *as the wall clock reads
now*: after an NTP correction, earlier events keep the timestamps they were
given, later ones use the corrected clock.

``boot_id()`` names the boot whose ``monotonic()`` axis this is (None when
there is no such axis to share): a daemon restarted within one boot measures
how long it was down on the monotonic clock, which no NTP step can stretch.

``FakeClock`` is what tests and simulations advance instead of sleeping.
"""
from __future__ import annotations

import os
import threading
import time
from datetime import datetime, timedelta, timezone, tzinfo


def boot_id() -> str | None:
    """This boot's id (Linux): two processes with the same one share ``time.monotonic()``'s axis."""
    try:
        with open("/proc/sys/kernel/random/boot_id") as f:
            return f.read().strip() or None
    except OSError:
        return None


def local_tz() -> tzinfo:
    return datetime.now().astimezone().tzinfo  # type: ignore[return-value]


class SystemClock:
    def __init__(self, tz: tzinfo | None = None):
        self.tz = tz

    def monotonic(self) -> float:
        return time.monotonic()

    def wall(self) -> datetime:
        return datetime.now(self.tz).astimezone(self.tz)

    def wall_at(self, t: float) -> datetime:
        return self.wall() - timedelta(seconds=self.monotonic() - t)

    def sleep(self, seconds: float) -> None:
        time.sleep(max(0.0, seconds))

    def boot_id(self) -> str | None:
        """Processes of one boot share ``monotonic()``: a restart measures its downtime on it."""
        return boot_id()


class FakeClock:
    """A clock that moves only when told to.

    ``start`` is the wall time at engine second ``t0``. ``advance`` moves both
    axes; ``jump_wall`` moves only the wall clock (an NTP step). ``sleep``
    advances instead of blocking, so code written against a clock runs at
    full speed in tests.
    """

    def __init__(self, start: datetime, t0: float = 0.0):
        if start.tzinfo is None:
            raise ValueError("FakeClock needs a timezone-aware start")
        self._t = t0
        self._wall0 = start
        self._t0 = t0
        self._lock = threading.Lock()
        self._boot = os.urandom(8).hex()  # one FakeClock is one boot: daemons restarted on it share it

    def boot_id(self) -> str:
        return self._boot

    def monotonic(self) -> float:
        return self._t

    def wall(self) -> datetime:
        return self.wall_at(self._t)

    def wall_at(self, t: float) -> datetime:
        # UTC arithmetic: aware + timedelta in a DST zone would add wall hours, not real ones
        return (self._wall0.astimezone(timezone.utc) + timedelta(seconds=t - self._t0)).astimezone(self._wall0.tzinfo)

    def advance(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("monotonic time cannot go backwards")
        with self._lock:
            self._t += seconds

    def set(self, t: float) -> None:
        with self._lock:
            if t < self._t:
                raise ValueError("monotonic time cannot go backwards")
            self._t = t

    def jump_wall(self, seconds: float) -> None:
        self._wall0 = (self._wall0.astimezone(timezone.utc) + timedelta(seconds=seconds)).astimezone(self._wall0.tzinfo)

    def sleep(self, seconds: float) -> None:
        self.advance(max(0.0, seconds))


class ScaledClock:
    """Real time running ``speed`` times faster: the simulated desk's clock.

    ``until`` stops it there (the demo's end of day): at 120x a loaded machine that
    is late by half a second is a simulated minute late, and a stop meant for 23:59
    would be stamped on the next day.
    """

    def __init__(self, start: datetime, speed: float, until: float | None = None):
        if speed <= 0:
            raise ValueError("speed must be positive")
        self.speed = speed
        self._real0 = time.monotonic()
        self._wall0 = start
        self._until = float("inf") if until is None else until

    def monotonic(self) -> float:
        return min((time.monotonic() - self._real0) * self.speed, self._until)

    def wall(self) -> datetime:
        return self.wall_at(self.monotonic())

    def wall_at(self, t: float) -> datetime:
        return (self._wall0.astimezone(timezone.utc) + timedelta(seconds=t)).astimezone(self._wall0.tzinfo)

    def sleep(self, seconds: float) -> None:
        time.sleep(max(0.0, seconds) / self.speed)
