"""The simulated person answers prompts: the daemon's simulated desk (``run --simulate``, ``demo``).

``device.simulate`` generates a person's day in advance, so on its own the
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

They only answer while truly seated for the whole answer (the truth of the
simulated day); an answer not yet begun is dropped when the prompt goes away
first (done by other means, a break, snooze, pause). Walk prompts (level 3)
are left to the pre-generated breaks: standing up earlier would mean cutting
the seat stream and the PIR's walk-away motion, which the generated day does
not model separately.

Pure logic on injected time: ``Person`` takes ``now`` and events and plans
``Action``s; ``DeskStream`` merges the pre-generated seat edges, the PIR
(the day's motions plus the person's, through one incremental one-shot, so
its level stays consistent) and the button presses into one time-ordered
stream of edges. The threads and the daemon live in ``device/commands/run.py``.
"""
from __future__ import annotations

import heapq
import random
from bisect import bisect_right
from dataclasses import dataclass

from device.simulate import PROFILE_PARAMS, Profile, SimResult

INF = float("inf")

#: How long after a prompt a person starts to answer (seconds).
DELAY_S = (30.0, 180.0)
#: The routine's leg movement lasts this many times ``done_motion_s`` (so the PIR counts it as done).
BURST_X = (1.3, 2.5)
#: Gaps between leg movements during the routine (seconds): shorter than any PIR hold, so it stays high.
BURST_GAP_S = (0.3, 1.2)
#: A press that means "done" (seconds held); a snooze is held ``button_hold_s`` plus SNOOZE_EXTRA_S.
PRESS_S = (0.15, 0.6)
SNOOZE_EXTRA_S = (0.4, 1.5)


@dataclass(frozen=True)
class Action:
    """What the person does about one prompt, starting at ``start``."""

    kind: str                                   # "exercise", "button" (done) or "snooze"
    start: float
    level: int
    motions: tuple[float, ...] = ()             # leg movements the PIR may see
    button: tuple[tuple[float, int], ...] = ()  # (t, level) of the button, pressed = 1

    @property
    def end(self) -> float:
        return max([self.start, *self.motions, *(t for t, _ in self.button)])


class Person:
    """Answers seated-routine prompts; deterministic for a seed (its own ``random.Random``)."""

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
        if type_ != "prompt" or data.get("test") or data.get("level") not in (1, 2):
            return None
        if self.pending is not None:
            return None  # already on it
        what, action = self._decide(now, int(data["level"]))
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

    def due(self) -> float | None:
        return self.pending.start if self.pending is not None else None

    def act(self, now: float) -> Action | None:
        """The planned action, if it begins by ``now`` (it is then no longer pending)."""
        a = self.pending
        if a is None or a.start > now:
            return None
        self.pending = None
        return a


class DeskStream:
    """The simulated desk's inputs as one time-ordered stream: ``next_time()``, then ``pop()``.

    Seat edges come from the generated day as they are. The PIR is a
    retriggerable one-shot (high until ``hold`` after the last motion, then
    blind for ``block``: ``device.simulate._one_shot``) run incrementally over
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
        self._si = 0
        self.person = person
        self.actions: list[Action] = []
        self._has_pir = "pir" in result.sensors
        self._motions = result.pir_motions if self._has_pir else []
        self._mi = 0
        self._extra: list[float] = []               # the person's motions (heap)
        self._button: list[tuple[float, int, int]] = []  # (t, seq, level) heap
        self._seq = 0
        self._hold, self._block = result.pir_hold_s, result.pir_block_s
        self._high, self._off, self._blocked = False, 0.0, -1.0
        self._consumed = -INF                       # the latest motion the one-shot has taken in

    # ------------------------------------------------------------------ the PIR one-shot
    def _next_motion(self) -> float:
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
        if self._si < len(self._seat):
            heads.append((self._seat[self._si][0], 1))
        if self._has_pir:
            t = self._pir_next()
            if t != INF:
                heads.append((round(t, 4), 2))
        if self._button:
            heads.append((self._button[0][0], 3))
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
            return self._initial.pop(0)
        if src == 1:
            self._si += 1
            return t, "seat", self._seat[self._si - 1][1]
        if src == 2:
            return self._pir_pop()
        if src == 3:
            bt, _, v = heapq.heappop(self._button)
            return bt, "button", v
        action = self.person.act(t)
        if action is not None:
            self.actions.append(action)
            self._inject(action.motions)
            for bt, v in action.button:
                if bt < self.end:
                    heapq.heappush(self._button, (round(bt, 4), self._seq, v))
                    self._seq += 1
        return None

    def edges(self):
        """Every edge to the end (no daemon: nothing answers prompts); for tests."""
        while self.next_time() is not None:
            e = self.pop()
            if e is not None:
                yield e
