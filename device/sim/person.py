"""The simulated person answers prompts: what they do about each one, planned ahead.

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
leg movements are left out (``device/sim/desk_stream.py``), and they come
back when the day had them come back (so the break is longer).

They only answer while truly seated for the whole answer (the truth of the
simulated day); an answer not yet begun is dropped when the prompt goes away
first (done by other means, a break, snooze, pause).

Pure logic on injected time: ``Person`` takes ``now`` and events and plans
``Action``s; ``DeskStream`` (``device/sim/desk_stream.py``) turns them into
edges. The threads and the daemon live in ``device/app/sim_desk.py`` and ``device/app/runner.py``.
"""
from __future__ import annotations

import random
from bisect import bisect_right
from dataclasses import dataclass

from device.sim.profiles import PROFILE_PARAMS, Profile

#: How long after a prompt a person starts to answer (seconds).
DELAY_S = (30.0, 180.0)
#: The routine's leg movement lasts this many times ``done_motion_s`` (so the PIR counts it as done).
BURST_X = (1.3, 2.5)
#: Gaps between leg movements during the routine (seconds): shorter than any PIR hold, so it stays high.
BURST_GAP_S = (0.3, 1.2)
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
