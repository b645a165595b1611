"""The simulated person answers prompts: the daemon's simulated desk (``run --simulate``, ``demo``).

``device.sim.simulate`` generates a person's day in advance, so on its own the
person never reacts to the LED: every prompt would end "done (break)". Here
the person watches the daemon's events and answers a seated-routine prompt
(level 1 or 2) the way people do, from the profile's ``respond_p``,
``button_p`` and ``snooze_p``:

- after a human delay (``DELAY_S``) they do the routine: a burst of leg
  movement long enough for coaching's done rule (``done_motion_s`` within
  ``done_window_min``), seen through the same PIR one-shot as the rest of
  the day (hold, block); where no PIR is wired the routine goes unseen;
- or they press the button (a press is "done"), or hold it to snooze;
- or they ignore it: the reminder, the walk prompt or the next break deals
  with it.

A walk prompt (level 3) makes them, with ``walk_p``, stand up a little
earlier than the generated day had them: the seat empties then and the PIR
sees them stand and walk away; the generated sit's remaining seat edges and
leg movements are left out, and they come back when the day had them come
back (so the break is longer).

They only answer while truly seated for the whole answer (the truth of the
simulated day); an answer not yet begun is dropped when the prompt goes away
first (done by other means, a break, snooze, pause).

Pure logic on injected time: ``Person`` takes ``now`` and events and plans
``Action``s; ``DeskStream`` merges the pre-generated seat edges, the PIR
(the day's motions plus the person's, through one incremental one-shot, so
its level stays consistent) and the button presses into one time-ordered
stream of edges; a walk's early leave replaces the rest of that sit. The threads and the daemon live in ``device/app/sim_desk.py`` and ``device/app/runner.py``.
"""
from __future__ import annotations

import heapq
import random
from bisect import bisect_right
from collections import deque
from dataclasses import dataclass

from device.sim.simulate import PROFILE_PARAMS, Profile, SimResult

INF = float("inf")

#: How long after a prompt a person starts to answer (seconds).
DELAY_S = (30.0, 180.0)
#: The routine's leg movement lasts this many times ``done_motion_s`` (so the PIR counts it as done).
BURST_X = (1.3, 2.5)
#: Gaps between leg movements during the routine (seconds): shorter than any PIR hold, so it stays high.
BURST_GAP_S = (0.3, 1.2)
#: A walk's early leave replaces the generated sit's seat edges until this long after its end (its
#: contact bounce lasts at most 40 ms), and its leg movements until this long after (walking away).
SEAT_SETTLE_S = 0.05
WALK_AWAY_S = 3.0
#: A press that means "done" (seconds held); a snooze is held ``button_hold_s`` plus SNOOZE_EXTRA_S.
PRESS_S = (0.15, 0.6)
SNOOZE_EXTRA_S = (0.4, 1.5)


def _n(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def answers_summary(kinds: list[str], prompts: int) -> str:
    """One line on how the person answered: ``kinds`` of their actions, of ``prompts`` prompts."""
    return (f"answered {len(kinds)} of {_n(prompts, 'prompt', 'prompts')}: "
            f"{_n(kinds.count('exercise'), 'routine', 'routines')} the PIR saw, "
            f"{_n(kinds.count('button'), 'button press', 'button presses')}, "
            f"{_n(kinds.count('snooze'), 'snooze', 'snoozes')}, "
            f"{_n(kinds.count('walk'), 'walk', 'walks')} taken early")


@dataclass(frozen=True)
class Action:
    """What the person does about one prompt, starting at ``start``."""

    kind: str                                   # "exercise", "button" (done), "snooze" or "walk"
    start: float
    level: int
    motions: tuple[float, ...] = ()             # leg movements the PIR may see
    button: tuple[tuple[float, int], ...] = ()  # (t, level) of the button, pressed = 1
    away_until: float | None = None             # walk: up at start instead of here (the generated sit's end)

    @property
    def end(self) -> float:
        return max([self.start, *self.motions, *(t for t, _ in self.button)])


class Person:
    """Answers prompts; deterministic for a seed (its own ``random.Random``)."""

    def __init__(self, profile: str | Profile, seed: int, truth: list[tuple[float, float]], *,
                 pir: bool = True, button: bool = True, done_motion_s: float = 20.0, button_hold_s: float = 2.0):
        name = profile if isinstance(profile, str) else "custom"
        self.p = PROFILE_PARAMS[profile] if isinstance(profile, str) else profile
        self.rng = random.Random(f"{seed}:respond:{name}")
        self.truth = list(truth)
        self._starts = [a for a, _ in self.truth]
        self.pir, self.button = pir, button
        self.done_motion_s, self.button_hold_s = done_motion_s, button_hold_s
        self.pending: Action | None = None
        self.log: list[tuple[float, int, str]] = []  # (prompt t, level, what was decided), for tests and stats

    def seated(self, a: float, b: float) -> bool:
        """Whether the person is truly at the desk over all of [a, b]."""
        i = bisect_right(self._starts, a) - 1
        return i >= 0 and self.truth[i][0] <= a and b <= self.truth[i][1]

    def notice(self, now: float, type_: str, data: dict) -> Action | None:
        """An event from the daemon at ``now``; returns the action it made the person plan, if any."""
        if type_ in ("exercise_done", "break", "snooze", "pause"):
            if self.pending is not None and self.pending.start > now:
                self.pending = None  # the LED went dark before they began
            return None
        if type_ != "prompt" or data.get("test") or data.get("level") not in (1, 2, 3):
            return None
        if self.pending is not None:
            return None  # already on it
        level = int(data["level"])
        what, action = self._walk(now) if level == 3 else self._decide(now, level)
        self.log.append((now, int(data["level"]), what))
        self.pending = action
        return action

    def _decide(self, now: float, level: int) -> tuple[str, Action | None]:
        """(what they chose: exercise, button, snooze, ignore, unseen or away; the action, if any)."""
        rng, p = self.rng, self.p
        # the same draws whatever is decided, so one prompt's answer does not shift the next ones
        u, u_how = rng.random(), rng.random()
        start = round(now + rng.uniform(*DELAY_S), 4)  # edges are on the trace's 0.1 ms grid
        burst = self.done_motion_s * rng.uniform(*BURST_X)
        press = rng.uniform(*PRESS_S)
        snooze_hold = self.button_hold_s + rng.uniform(*SNOOZE_EXTRA_S)
        motions_rng = random.Random(rng.random())
        if u < p.respond_p:
            if self.button and (u_how < p.button_p or not self.pir):
                action = Action("button", start, level, button=((start, 1), (start + press, 0)))
            elif self.pir:
                ms, t = [], start
                while t < start + burst:
                    ms.append(round(t, 4))
                    t += motions_rng.uniform(*BURST_GAP_S)
                action = Action("exercise", start, level, motions=tuple(ms))
            else:
                return "unseen", None  # done, but nothing can see it
        elif u < p.respond_p + p.snooze_p and self.button:
            action = Action("snooze", start, level, button=((start, 1), (start + snooze_hold, 0)))
        else:
            return "ignore", None
        if not self.seated(action.start - 1.0, action.end + 1.0):
            return "away", None  # they get up (a break, a short errand) before they would have answered
        return action.kind, action

    def _walk(self, now: float) -> tuple[str, Action | None]:
        """A walk prompt: stand up a little earlier than the generated day had them (walk), or not (ignore)."""
        rng = self.rng
        u = rng.random()
        start = round(now + rng.uniform(*DELAY_S), 4)
        stand, away = rng.uniform(0.0, 1.5), rng.uniform(1.5, 4.0)
        if u >= self.p.walk_p:
            return "ignore", None
        i = bisect_right(self._starts, now) - 1
        if i < 0 or not self.truth[i][0] <= now < self.truth[i][1] - 5.0 or start >= self.truth[i][1] - 5.0:
            return "away", None  # up by then anyway
        motions = (round(start + stand, 4), round(start + away, 4)) if self.pir else ()
        return "walk", Action("walk", start, 3, motions=motions, away_until=self.truth[i][1])

    def due(self) -> float | None:
        return self.pending.start if self.pending is not None else None

    def act(self, now: float) -> Action | None:
        """The planned action, if it begins by ``now`` (it is then no longer pending)."""
        a = self.pending
        if a is None or a.start > now:
            return None
        self.pending = None
        if a.away_until is not None:  # from now on they are away until the generated day had them leave
            i = bisect_right(self._starts, a.start) - 1
            self.truth[i] = (self.truth[i][0], a.start)
        return a


class DeskStream:
    """The simulated desk's inputs as one time-ordered stream: ``next_time()``, then ``pop()``.

    Seat edges come from the generated day as they are. The PIR is a
    retriggerable one-shot (high until ``hold`` after the last motion, then
    blind for ``block``: ``device.sim.simulate._one_shot``) run incrementally over
    the day's motions plus the person's; with no answers it gives exactly the
    generated PIR edges. A ``pop()`` that reaches the start of a planned
    action turns it into motions and button edges and returns None.
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
        # a walk's early leave: (from, to) spans of the generated seat edges and motions left out, in time order
        self._seat_cuts: deque[tuple[float, float]] = deque()
        self._motion_cuts: deque[tuple[float, float]] = deque()
        self.person = person
        self.actions: list[Action] = []
        self._has_pir = "pir" in result.sensors
        self._motions = result.pir_motions if self._has_pir else []
        self._mi = 0
        self._extra: list[float] = []               # the person's motions (heap)
        self._edges: list[tuple[float, int, str, int]] = []  # the person's edges: (t, seq, signal, level) heap
        self._seq = 0
        self._hold, self._block = result.pir_hold_s, result.pir_block_s
        self._high, self._off, self._blocked = False, 0.0, -1.0
        self._consumed = -INF                       # the latest motion the one-shot has taken in

    # ------------------------------------------------------------------ the PIR one-shot
    @staticmethod
    def _cut(cuts: deque, t: float) -> bool:
        """Whether ``t`` (never earlier than the last asked) is in a span left out."""
        while cuts and cuts[0][1] < t:
            cuts.popleft()
        return bool(cuts) and cuts[0][0] <= t

    def _next_motion(self) -> float:
        while self._motion_cuts and self._mi < len(self._motions) and self._cut(self._motion_cuts, self._motions[self._mi]):
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

    def _pir_next(self) -> float:
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

    def _pir_pop(self) -> tuple[float, str, int]:
        if self._high:
            self._high, self._blocked = False, self._off + self._block
            return round(self._off, 4), "pir", 0
        m = self._take_motion()
        self._high, self._off = True, m + self._hold
        return round(m, 4), "pir", 1

    def _inject(self, motions) -> None:
        for m in motions:
            if not 0.0 <= m < self.end:
                continue
            if m >= self._consumed:
                heapq.heappush(self._extra, m)
            elif self._high and m <= self._off:  # inside the pulse already under way: it only retriggers
                self._off = max(self._off, m + self._hold)
            # else: while the module is blind; it sees nothing

    # ------------------------------------------------------------------ the stream
    def _heads(self) -> list[tuple[float, int]]:
        """(time, source) of each source's next item; the order of sources breaks ties."""
        heads = []
        if self._initial:
            heads.append((self._initial[0][0], 0))
        while self._seat_cuts and self._si < len(self._seat) and self._cut(self._seat_cuts, self._seat[self._si][0]):
            self._si += 1
        if self._si < len(self._seat):
            heads.append((self._seat[self._si][0], 1))
        if self._has_pir:
            t = self._pir_next()
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
            return self._pir_pop()
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
            self._motion_cuts.append((t0, action.away_until + WALK_AWAY_S))
            i = bisect_right(self._seat_t, seat_to) - 1
            after = self._seat[i][1] if i >= 0 else self._seat_level  # the generated level once that sit ended
            if after != self._seat_level:
                self._push(t0, "seat", after)
        self._inject(action.motions)
        for bt, v in action.button:
            self._push(bt, "button", v)

    def edges(self):
        """Every edge to the end (no daemon: nothing answers prompts); for tests."""
        while self.next_time() is not None:
            e = self.pop()
            if e is not None:
                yield e


def replay_answering(engine, stream: DeskStream, person: Person, store, now: list[float], end: float,
                     flush_every_s: float, signals: tuple[str, ...] = ("seat", "pir", "button"),
                     finish: bool = True) -> None:
    """Drive ``engine`` with ``stream`` up to ``end``, ``person`` seeing each event, into ``store``.

    The demo's past weeks and the dashboard tests' answering histories both write this
    way (one loop, so the seeded figures are the demo's). ``now[0]`` is the desk's own clock
    (the store's outbox ages by it); edges of other ``signals`` (not wired) are dropped.
    """
    def add(events):
        store.add(events)
        for e in events:
            person.notice(now[0], e.type, e.data)
    next_flush, last = flush_every_s, None
    while True:
        t = stream.next_time()
        t = end if t is None else min(t, end)
        deadline = engine.next_deadline()
        if deadline is not None and deadline <= t and deadline != last:  # an answer may be planned before t
            now[0] = last = max(now[0], deadline)
            add(engine.advance(deadline))
            continue
        if t >= end:
            break
        now[0] = t
        edge = stream.pop()
        if edge is not None and edge[1] in signals:
            add(engine.feed(*edge))
        if t >= next_flush:
            store.flush()
            next_flush = t + flush_every_s
    now[0] = end
    add(engine.finish(end) if finish else engine.advance(end))
