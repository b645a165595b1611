"""The simulated desk's PIR, run live: the day's motions plus the person's, through one one-shot.

The generator computes a day's PIR edges in one pass (``device.sim.sensors.one_shot``:
high until ``hold`` after the last motion, then blind for ``block``). On the
live simulated desk the person adds motions as they answer prompts, so here
the same one-shot runs incrementally over the day's motions and the person's
(``inject``); with no answers it gives exactly the generated PIR edges. A
walk's early leave cuts out the motions the day had them make at the desk
after they left (``cut``).
"""
from __future__ import annotations

import heapq
from collections import deque

INF = float("inf")


def in_cuts(cuts: deque, t: float) -> bool:
    """Whether ``t`` (never earlier than the last asked) is in a span left out."""
    while cuts and cuts[0][1] < t:
        cuts.popleft()
    return bool(cuts) and cuts[0][0] <= t


class LivePir:
    """The PIR's edges one at a time: ``next()`` is the next edge's time, ``pop()`` takes it."""

    def __init__(self, motions: list[float], hold: float, block: float, end: float):
        self.end = end
        self._motions = motions
        self._mi = 0
        self._extra: list[float] = []               # the person's motions (heap)
        self._hold, self._block = hold, block
        self._high, self._off, self._blocked = False, 0.0, -1.0
        self._consumed = -INF                       # the latest motion the one-shot has taken in
        # a walk's early leave: (from, to) spans of the generated motions left out, in time order
        self._cuts: deque[tuple[float, float]] = deque()

    def cut(self, t0: float, t1: float) -> None:
        """Leave out the generated motions from ``t0`` to ``t1`` (not before any cut already made)."""
        self._cuts.append((t0, t1))

    def _next_motion(self) -> float:
        while self._cuts and self._mi < len(self._motions) and in_cuts(self._cuts, self._motions[self._mi]):
            self._mi += 1  # what the generated day had them do at the desk after they left for a walk
        m = self._motions[self._mi] if self._mi < len(self._motions) else INF
        return min(m, self._extra[0]) if self._extra else m

    def _take_motion(self) -> float:
        if self._extra and (self._mi >= len(self._motions) or self._extra[0] < self._motions[self._mi]):
            m = heapq.heappop(self._extra)
        else:
            m = self._motions[self._mi]
            self._mi += 1
        self._consumed = max(self._consumed, m)
        return m

    def next(self) -> float:
        """The next PIR edge's time (unrounded), taking in motions that only retrigger or fall blind."""
        while True:
            m = self._next_motion()
            if self._high:
                if m <= self._off:
                    self._take_motion()
                    self._off = m + self._hold
                    continue
                return self._off if self._off < self.end else INF
            if m < self._blocked:
                self._take_motion()
                continue
            return m

    def pop(self) -> tuple[float, str, int]:
        if self._high:
            self._high, self._blocked = False, self._off + self._block
            return round(self._off, 4), "pir", 0
        m = self._take_motion()
        self._high, self._off = True, m + self._hold
        return round(m, 4), "pir", 1

    def inject(self, motions) -> None:
        """The person's motions: seen as the day's are, from now on."""
        for m in motions:
            if not 0.0 <= m < self.end:
                continue
            if m >= self._consumed:
                heapq.heappush(self._extra, m)
            elif self._high and m <= self._off:  # inside the pulse already under way: it only retriggers
                self._off = max(self._off, m + self._hold)
            # else: while the module is blind; it sees nothing
