"""The prompt ladder: which prompt falls due when, and the alert standing (pure timing rules).

The ladder (DESIGN.md section 3), measured from the start of the bout (a
bout is continuous sitting; leaving for less than ``break_s`` does not end
it):

====================  ==============================================  =====
when                  what                                            beep
====================  ==============================================  =====
first_prompt_min      level 1: a seated routine (rotating exercise)   no
+ reminder_after_min  level 2: the same, if not done yet              one
walk_prompt_min       level 3: stand up and walk                      one
every walk_repeat_min level 3 again, at most walk_repeat_max beeps    one
====================  ==============================================  =====

Doing the seated routine clears the alert but the walk still comes at
``walk_prompt_min``: seated exercise helps, but does not replace standing
up. Done after the walk starts a new cycle (the ladder is timed from there).
A snooze postpones the pending prompt to ``snooze_until``. With the PIR
alone (``reminders=False``) there is no level-2 reminder.

``Ladder`` holds this timing state for the bout in progress and says what
is due; whether a due prompt may be given (someone there, working hours,
pause) is the ``Coach``'s call (device/core/coaching/coach.py).
"""
from __future__ import annotations

from device.config import CoachingConfig
from device.core.exercises import WALK, Exercise, seated_rotation

INF = float("inf")

LEVEL_KIND = {1: "seated", 2: "reminder", 3: "walk"}
ALERTS = {0: "none", 1: "routine", 2: "reminder", 3: "walk"}

#: How often an escalation waiting for a sign of a person looks again.
SIGN_POLL_S = 60.0


class Ladder:
    """The ladder of the bout in progress: the alert standing, the next prompt due, the snoozes."""

    def __init__(self, cfg: CoachingConfig, reminders: bool = True):
        self.cfg = cfg
        self.reminders = reminders      # False with the PIR alone: no level-2 reminder
        self.rotation = seated_rotation(cfg.exercises)
        self.next_exercise = 0
        self.first = cfg.first_prompt_min * 60
        self.reminder = cfg.reminder_after_min * 60
        self.walk = cfg.walk_prompt_min * 60
        self.walk_repeat = cfg.walk_repeat_min * 60

        self.level = 0                  # the alert standing now (0 = none)
        self.exercise: Exercise | None = None   # the exercise of the standing alert
        self.prompt_t = 0.0             # when the standing alert was given
        self.ask_t = 0.0                # when the standing ask (device/core/compliance.py) was first given
        self.ask_level = 1
        self.moving_at_prompt = 0.0
        self.anchor = 0.0               # the ladder is timed from here (bout start, or last walk done)
        self.seated_done = False        # the seated routine of this cycle was done
        self.walk_beeps = 0
        self.snooze_until = -INF
        self.snoozes_in_row = 0
        self.due = INF                  # next prompt due (engine time)
        self.awaiting_sign = False      # an escalation is due but waits for a sign of a person

    # -------------------------------------------------------------- timing
    def schedule(self) -> None:
        """Set ``due`` to the next prompt of the ladder after the current level."""
        self.awaiting_sign = False
        a = self.anchor
        if self.level == 0:
            due = a + self.walk if self.seated_done else a + self.first
        elif self.level == 1:
            due = min(self.prompt_t + self.reminder, a + self.walk) if self.reminders else a + self.walk
        elif self.level == 2:
            due = a + self.walk
        elif self.walk_beeps < max(1, self.cfg.walk_repeat_max):
            due = self.prompt_t + self.walk_repeat
        else:
            due = INF
        self.due = max(due, self.snooze_until)

    def due_level(self, now: float) -> int:
        """The highest level due at ``now`` (0: none): prompts missed meanwhile are not given one by one."""
        a = self.anchor
        if now >= a + self.walk:
            return 3
        if self.seated_done:
            return 0
        if self.level >= 1 and now >= self.prompt_t + self.reminder and self.reminders:
            return 2
        return max(self.level, 1) if now >= a + self.first else 0

    def wait_for_sign(self, now: float) -> None:
        """A prompt is due but may not be given yet: look again in ``SIGN_POLL_S``, with no countdown."""
        self.due = now + SIGN_POLL_S
        self.awaiting_sign = True

    # --------------------------------------------------------------- moves
    def restart(self, t: float) -> None:
        """Time the ladder from ``t`` (a new bout, or a probable break), nothing snoozed."""
        self.snoozes_in_row = 0
        self.snooze_until = -INF
        self.anchor = t
        self.seated_done = False
        self.walk_beeps = 0
        self.schedule()

    def start_over(self, t: float) -> None:
        """The seated routine was answered by standing up: the next cycle is timed from ``t``."""
        self.anchor = t
        self.seated_done = False
        self.schedule()

    def give(self, now: float, level: int) -> tuple[Exercise, int]:
        """A prompt of ``level`` is given at ``now``: (its exercise, its ``repeat``)."""
        if level == 3:
            if self.level == 3:
                self.walk_beeps += 1
            else:
                self.walk_beeps = 1
            exercise = WALK
        elif self.level in (1, 2) and self.exercise is not None:
            exercise = self.exercise
        else:
            exercise = self.rotation[self.next_exercise % len(self.rotation)]
            self.next_exercise += 1
        first_of_level = level != self.level
        self.level = level
        self.exercise = exercise
        self.prompt_t = now
        return exercise, (self.walk_beeps if level == 3 else (1 if first_of_level else 2))

    def answered(self, now: float) -> None:
        """The standing alert is done at ``now``; after the walk, a new cycle starts there."""
        level = self.level
        self.snoozes_in_row = 0
        self.snooze_until = -INF
        self.clear()
        if level == 3:
            self.anchor = now          # a new cycle: seated routine in 30 min, walk in 60
            self.seated_done = False
        else:
            self.seated_done = True

    def snooze(self, until: float) -> None:
        """The pending prompt is put off to ``until``; the alert standing goes out."""
        self.snoozes_in_row += 1
        self.snooze_until = until
        self.clear()
        self.due = max(self.due, until)

    def clear(self) -> None:
        """No alert standing (the LED goes out)."""
        self.level = 0
        self.exercise = None

    def stop(self) -> None:
        """The bout is over: nothing due, the snoozes in a row forgotten."""
        self.due = INF
        self.snoozes_in_row = 0

    # -------------------------------------------------------------- status
    def wants_motion(self, now: float) -> bool:
        """Whether leg movement now could count as a seated routine done."""
        return self.level in (1, 2) and now <= self.prompt_t + self.cfg.done_window_min * 60

    def alert(self) -> str:
        return ALERTS[self.level]

    def snoozed_until(self) -> float | None:
        return self.snooze_until if self.snooze_until != -INF else None
