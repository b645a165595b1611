"""Rejected commands, rate-limited per source: a typo shows at once, a flood costs a bounded log and history."""
from __future__ import annotations

import logging
from typing import Callable

log = logging.getLogger("deskpulse.daemon")

#: Rejected commands (per source) logged and recorded one by one before a flood is summarised ...
REJECT_BURST = 5
#: ... in one ``command_rejected`` event (with its ``count``) and one log line per this many clock seconds.
REJECT_INTERVAL_S = 600.0


class RejectLimiter:
    """How many rejected commands of one source get a log line and an event each (pure; time is passed in).

    A typo in an automation should show at once, in the log and as a ``command_rejected``
    event; a flood (2,107 hostile commands cost 6,300 log lines and 0.85 MB of history)
    must not. The first ``burst`` in an interval are reported one by one; the rest are
    counted, and at the end of the interval one summary stands for them (``count``).
    While the flood goes on there is one summary per interval and nothing else; one
    quiet interval (no rejection at all) gives the next mistake its own report again.
    Every rejection is in exactly one event's ``count``.
    """

    def __init__(self, burst: int = REJECT_BURST, interval_s: float = REJECT_INTERVAL_S):
        self.burst, self.interval_s = burst, interval_s
        self._end: float | None = None  # end of the current interval; None: quiet
        self._left = burst
        self._held = 0
        self._last = ""

    def admit(self, now: float, reason: str) -> bool:
        """True: report this one now (count 1). False: counted into the next summary."""
        if self._end is None:
            self._end, self._left = now + self.interval_s, self.burst
        if self._left > 0:
            self._left -= 1
            return True
        self._held += 1
        self._last = reason
        return False

    def due(self, now: float) -> tuple[int, str] | None:
        """At the end of an interval: ``(count, last reason)`` of the held ones, if any."""
        if self._end is None or now < self._end:
            return None
        if not self._held:
            self._end = None  # a quiet interval: the next one gets the full burst
            return None
        out = (self._held, self._last)
        self._end, self._left, self._held = now + self.interval_s, 0, 0  # still flooding
        return out

    def next_due(self) -> float | None:
        return self._end

    def take(self) -> tuple[int, str] | None:
        """At a stop: ``(count, last reason)`` of the held ones now, if any (else they go uncounted)."""
        if not self._held:
            return None
        out = (self._held, self._last)
        self._held = 0
        return out


class Rejects:
    """One ``RejectLimiter`` per command source, and the log lines; ``record(now, source, reason, count)``
    emits the ``command_rejected`` event (the daemon's engine, on the loop thread)."""

    def __init__(self, record: Callable[[float, str, str, int], None]):
        self._record = record
        self._by_source: dict[str, RejectLimiter] = {}

    def __bool__(self) -> bool:
        return bool(self._by_source)

    def reject(self, now: float, source: str, reason: str) -> None:
        """One rejected command: logged and recorded, or counted into the next summary (``RejectLimiter``)."""
        lim = self._by_source.setdefault(source, RejectLimiter())
        if lim.admit(now, reason):
            log.warning("command from %s rejected: %s", source, reason)
            self._record(now, source, reason, 1)

    def report(self, now: float, stopping: bool = False) -> None:
        """The summaries due now (at a stop: every one still held)."""
        for source, lim in self._by_source.items():
            held = lim.take() if stopping else lim.due(now)
            if held:
                n, last = held
                log.warning("%d more commands from %s rejected in the last %.0f min (the last: %s)",
                            n, source, lim.interval_s / 60, last)
                self._record(now, source, last, n)

    def next_wake(self, wake: float) -> float:
        """``wake``, or the end of a limiter's interval if that comes sooner."""
        for lim in self._by_source.values():
            if lim.next_due() is not None:
                wake = min(wake, lim.next_due())
        return wake
