"""The live simulated desk's inputs: a generated day merged with the person's answers, in time order.

``DeskStream`` merges the pre-generated seat edges, the PIR (the day's motions
plus the person's, through one incremental one-shot, ``device/sim/live_pir.py``,
so its level stays consistent) and the button presses into one time-ordered
stream of edges, and turns each ``Action`` the person (``device/sim/person.py``)
planned into edges when its time comes; a walk's early leave replaces the
rest of that sit.
"""
from __future__ import annotations

import heapq
from bisect import bisect_right
from collections import deque

from device.sim.days import SimResult
from device.sim.live_pir import INF, LivePir, in_cuts
from device.sim.person import Action, Person

#: A walk's early leave replaces the generated sit's seat edges until this long after its end (its
#: contact bounce lasts at most 40 ms), and its leg movements until this long after (walking away).
SEAT_SETTLE_S = 0.05
WALK_AWAY_S = 3.0


class DeskStream:
    """The simulated desk's inputs as one time-ordered stream: ``next_time()``, then ``pop()``.

    Seat edges come from the generated day as they are. The PIR is a
    retriggerable one-shot (high until ``hold`` after the last motion, then
    blind for ``block``: ``device.sim.sensors.one_shot``) run incrementally over
    the day's motions plus the person's (``LivePir``); with no answers it gives
    exactly the generated PIR edges. A ``pop()`` that reaches the start of a
    planned action turns it into motions and button edges and returns None.
    """

    def __init__(self, result: SimResult, person: Person | None = None):
        n0 = len(result.sensors)
        self.end = result.duration_s
        self._initial = list(zip(result.times[:n0], result.signals[:n0], result.values[:n0]))
        self._seat = [(t, v) for t, s, v in zip(result.times[n0:], result.signals[n0:], result.values[n0:])
                      if s == "seat"]
        self._seat_t = [t for t, _ in self._seat]
        self._si = 0
        self._seat_level = next((v for t, s, v in self._initial if s == "seat"), 0)
        # a walk's early leave: (from, to) spans of the generated seat edges left out, in time order
        self._seat_cuts: deque[tuple[float, float]] = deque()
        self.person = person
        self.actions: list[Action] = []
        self._has_pir = "pir" in result.sensors
        self._pir = LivePir(result.pir_motions if self._has_pir else [], result.pir_hold_s, result.pir_block_s,
                            self.end)
        self._edges: list[tuple[float, int, str, int]] = []  # the person's edges: (t, seq, signal, level) heap
        self._seq = 0

    def _heads(self) -> list[tuple[float, int]]:
        """(time, source) of each source's next item; the order of sources breaks ties."""
        heads = []
        if self._initial:
            heads.append((self._initial[0][0], 0))
        while self._seat_cuts and self._si < len(self._seat) and in_cuts(self._seat_cuts, self._seat[self._si][0]):
            self._si += 1
        if self._si < len(self._seat):
            heads.append((self._seat[self._si][0], 1))
        if self._has_pir:
            t = self._pir.next()
            if t != INF:
                heads.append((round(t, 4), 2))
        if self._edges:
            heads.append((self._edges[0][0], 3))
        if self.person is not None and self.person.due() is not None:
            heads.append((self.person.due(), 4))
        return heads

    def next_time(self) -> float | None:
        heads = self._heads()
        return min(heads)[0] if heads else None

    def pop(self) -> tuple[float, str, int] | None:
        """The next edge ``(t, signal, level)``; None when the next item was the start of an answer."""
        heads = self._heads()
        if not heads:
            return None
        t, src = min(heads)
        if src == 0:
            edge = self._initial.pop(0)
        elif src == 1:
            self._si += 1
            edge = t, "seat", self._seat[self._si - 1][1]
        elif src == 2:
            return self._pir.pop()
        elif src == 3:
            bt, _, sig, v = heapq.heappop(self._edges)
            edge = bt, sig, v
        else:
            action = self.person.act(t)
            if action is not None:
                self._act(action)
            return None
        if edge[1] == "seat":
            self._seat_level = edge[2]
        return edge

    def _push(self, t: float, signal: str, v: int) -> None:
        if t < self.end:
            heapq.heappush(self._edges, (round(t, 4), self._seq, signal, v))
            self._seq += 1

    def _act(self, action: Action) -> None:
        self.actions.append(action)
        if action.away_until is not None:
            # Up now: the generated sit's seat edges up to its end (its bounce included) and what the
            # PIR would have seen until they walked away are replaced by leaving now.
            t0, seat_to = action.start, action.away_until + SEAT_SETTLE_S
            self._seat_cuts.append((t0, seat_to))
            self._pir.cut(t0, action.away_until + WALK_AWAY_S)
            i = bisect_right(self._seat_t, seat_to) - 1
            after = self._seat[i][1] if i >= 0 else self._seat_level  # the generated level once that sit ended
            if after != self._seat_level:
                self._push(t0, "seat", after)
        self._pir.inject(action.motions)
        for bt, v in action.button:
            self._push(bt, "button", v)

    def edges(self):
        """Every edge to the end (no daemon: nothing answers prompts); for tests."""
        while self.next_time() is not None:
            e = self.pop()
            if e is not None:
                yield e
