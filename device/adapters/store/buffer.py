"""What waits for the store's next flush: events tagged with their desk day, and kv writes.

``add`` only buffers (an SD card wears under per-second commits). Each event is tagged
with its desk day as it arrives, by a ``Rollup`` that sees every event in order, so a bout
running across the day boundary keeps the day it started in. The buffer is bounded
(``max_buffer``): while the file cannot be written, beyond that the oldest events are
dropped, counted and logged. Not thread-safe by itself: the ``Store`` holds its lock.
"""
from __future__ import annotations

import itertools
import logging
from collections import deque
from datetime import date, time
from typing import Iterable

from device.core.events import Event
from device.core.rollup import Rollup, parse_ts

log = logging.getLogger("deskpulse.store")

DEFAULT_MAX_BUFFER = 50_000


class WriteBuffer:
    """``events``: ``(event, desk day, unix time)`` oldest first; ``kv``: key -> value (None deletes)."""

    def __init__(self, boundary: time, max_buffer: int = DEFAULT_MAX_BUFFER):
        self.boundary = boundary
        self.max_buffer = max_buffer
        self.events: deque[tuple[Event, str, float]] = deque()
        self.kv: dict[str, str | None] = {}
        self.tagger = Rollup(boundary)
        self.dropped = 0

    def add(self, events: Event | Iterable[Event]) -> None:
        """Buffer events; tags each with its desk day now (bout context)."""
        if isinstance(events, Event):
            events = (events,)
        for e in events:
            try:
                day = self.tagger.add(e)
                utc = parse_ts(e.ts).timestamp()
            except (ValueError, TypeError, AttributeError) as err:
                self.dropped += 1
                log.error("history: dropped a malformed event %r: %s", getattr(e, "id", e), err)
                continue
            self.events.append((e, day.isoformat(), utc))
            if self.tagger.open_bout_day is None:
                self.tagger.prune()
        over = len(self.events) - self.max_buffer
        if over > 0:
            for _ in range(over):
                self.events.popleft()
            if self.dropped == 0 or (self.dropped + over) // 1000 != self.dropped // 1000:
                log.error("history: write buffer full (%d events); dropped the oldest, %d so far",
                          self.max_buffer, self.dropped + over)
            self.dropped += over

    def retag(self, d: date, stored: Iterable[Event]) -> None:
        """A new tagger that has seen the last stored desk day ``d`` and then what is buffered.

        At open: a bout running across a restart keeps its day, and so do events buffered
        while the file could not be opened.
        """
        tagger = Rollup(self.boundary)
        for e in stored:
            tagger.add(e, day=d)
        for e, day, _ in self.events:
            tagger.add(e, day=date.fromisoformat(day))
        tagger.prune()
        self.tagger = tagger

    def written(self, batch: list, kv: dict[str, str | None]) -> None:
        """A flush committed ``batch`` (the oldest events) and ``kv``: forget them, keeping kv set since."""
        for _ in batch:
            self.events.popleft()
        for k, v in kv.items():
            if self.kv.get(k, object()) == v:
                del self.kv[k]

    def pending_events(self, newest: int | None = None) -> list[tuple[str, Event]]:
        """(desk day, event) of everything buffered (or of the ``newest`` n), oldest first.

        ``newest`` walks only that many from the end: a buffer grown by a long card failure
        is not copied whole for each status change."""
        if newest is None or newest >= len(self.events):
            return [(day, e) for e, day, _ in self.events]
        tail = [(day, e) for e, day, _ in itertools.islice(reversed(self.events), max(newest, 0))]
        tail.reverse()
        return tail
