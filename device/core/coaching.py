"""Occupancy -> bouts, breaks and prompts: the coaching state machine, pure logic.

Inputs are occupancy changes (``sit``/``leave`` with back-dated times),
movement totals from the PIR, and commands (done, snooze, pause, resume);
``advance(now)`` fires what is due. Outputs go to ``self.out`` as
``(type, t, data)`` tuples; the engine turns them into ``Event``s.

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

"Done" is a burst of leg movement seen by the PIR after a prompt
(``done_motion_s`` of movement within ``done_window_min``), the button, a
command, or simply a break. Each ``exercise_done`` says whether it came
``in_time`` (device/core/compliance.py: within ``done_window_min`` of the prompt
that asked, by something that answers it; a break answers only the walk), so
a break half an hour on ends the ladder without counting as the routine done. Doing the seated routine clears the alert but
the walk still comes at ``walk_prompt_min``: seated exercise helps, but
does not replace standing up. Done after the walk starts a new cycle.
Standing up and sitting back down (short of a break) while the seated
routine is asked for counts as done too, and the ladder starts over from
the return; the walk prompt still wants a break.

A prompt due while the person is up for less than ``break_s`` is not held:
the bout goes on, so the seated routine (LED only) is given at its time and
waits on the LED for their return (which does not count as standing up for
it); nothing is given once the chair has been empty for ``break_s``.

Escalations go to a person: they wait for the return, and a reminder or
walk prompt waits (looking again each minute) until something has shown one
since the last prompt and since this sitting began: leg motion, a weight
shift (``last_sign``) or the button. Nothing on the chair moving or shifting
is likelier a bag than someone ignoring the LED.

With the PIR alone (the engine's ``reminders=False`` and ``blind``), a bout's start
is a guess (a break may hide in a still spell), so a first prompt may be early:
it is not escalated by the level-2 beep, and no prompt is given while the sensor
cannot see a break at all (a hold longer than one). See ``probable_break``.

Snooze postpones the pending prompt by ``snooze_min``, at most
``snooze_max_in_row`` times before something is done. Pause stops prompting
until a set time and resumes by itself. Outside ``working_hours`` nothing
prompts; during ``quiet_hours`` prompts light the LED but never beep.
Prompts that fall due while paused or outside working hours are not
replayed one by one afterwards: only the highest level due is given.
"""
from __future__ import annotations

from datetime import datetime, time as dtime
from typing import Any, Callable

from device.core.compliance import in_time, is_ask
from device.config import CoachingConfig, parse_window
from device.core.exercises import WALK, seated_rotation

INF = float("inf")

LEVEL_KIND = {1: "seated", 2: "reminder", 3: "walk"}
ALERTS = {0: "none", 1: "routine", 2: "reminder", 3: "walk"}


#: How often an escalation waiting for a sign of a person looks again.
SIGN_POLL_S = 60.0


def in_window(window: tuple[dtime, dtime] | None, wall: datetime) -> bool:
    """Whether ``wall`` falls in a daily window like 22:00-07:00 (which may wrap midnight)."""
    if window is None:
        return False
    a, b = window
    now = wall.time()
    return a <= now < b if a <= b else (now >= a or now < b)


class Coach:
    def __init__(self, cfg: CoachingConfig, wall_at: Callable[[float], datetime],
                 moving_total: Callable[[float], float] | None = None,
                 last_sign: Callable[[float], float] | None = None,
                 reminders: bool = True, blind: Callable[[float], bool] | None = None):
        self.cfg = cfg
        self.wall_at = wall_at
        self._iso_s = getattr(wall_at, "iso_s", None)
        self.moving_total = moving_total or (lambda now: 0.0)
        self.last_sign = last_sign or (lambda now: now)
        # PIR alone (the engine sets these; see probable_break): no level-2 reminder, and no
        # prompt at all while ``blind(now)`` says the sensor cannot see a break
        self._reminders = reminders
        self._blind = blind
        self.out: list[tuple[str, float, dict[str, Any]]] = []
        self._rotation = seated_rotation(cfg.exercises)
        self._next_exercise = 0
        self._working = parse_window(cfg.working_hours)
        self._quiet = parse_window(cfg.quiet_hours)
        self._first = cfg.first_prompt_min * 60
        self._reminder = cfg.reminder_after_min * 60
        self._walk = cfg.walk_prompt_min * 60
        self._walk_repeat = cfg.walk_repeat_min * 60

        self.seated = False
        self.bout_start: float | None = None
        self._away_since: float | None = None
        self._seated_since = 0.0
        self._bout_seated_s = 0.0
        self._bout_prompts = 0
        self._bout_done = 0
        self._bout_max_level = 0

        self.level = 0                  # the alert standing now (0 = none)
        self._exercise = None           # the exercise of the standing alert
        self._prompt_t = 0.0            # when the standing alert was given
        self._ask_t = 0.0               # when the standing ask (device/core/compliance.py) was first given
        self._ask_level = 1
        self._moving_at_prompt = 0.0
        self._anchor = 0.0              # the ladder is timed from here (bout start, or last walk done)
        self._seated_done = False       # the seated routine of this cycle was done
        self._walk_beeps = 0
        self._snooze_until = -INF
        self._snoozes_in_row = 0
        self.paused_until = -INF
        self._due = INF                 # next prompt due (engine time)
        self._advanced = -INF           # the last advance(now): a due it could not give stays given up
        self._awaiting_sign = False     # an escalation is due but waits for a sign of a person
        self.pressed_at = -INF          # the desk's button was last pressed (a sign of a person too)
        self._break_due = INF

    # ------------------------------------------------------------- occupancy
    def sit(self, t: float, sensor: str) -> None:
        new_bout = self.bout_start is None
        if new_bout:
            self._begin_bout(t)
        elif self.level in (1, 2) and not self.seated and self._prompt_t <= self._away_since:
            # up and back after the seated routine was asked for, short of a break: standing up
            # moved the legs more than the routine asks, so it counts, and the sitting that
            # needs the next prompt starts again here (the walk still needs a real break).
            # A prompt given while they were up was not answered by coming back: it stands.
            self._done(t, "stood", self._away_since)
            self._anchor = t
            self._seated_done = False
            self._schedule()
        if self.seated:
            # seated already: a bout resumed after a restart, its sit confirmed again by sensing;
            # the sit so far (before the restart and during it) stays in the bout's seated time
            self._bout_seated_s += max(0.0, t - self._seated_since)
        self.seated = True
        self._seated_since = t
        self._away_since = None
        self._break_due = INF
        self.out.append(("sit_start", t, {"sensor": sensor, "new_bout": new_bout}))

    def leave(self, t: float) -> None:
        if not self.seated:
            return
        self.seated = False
        sat = max(0.0, t - self._seated_since)
        self._bout_seated_s += sat
        self._away_since = t
        self._break_due = t + self.cfg.break_s
        self.out.append(("sit_end", t, {"seated_s": round(sat, 3)}))

    def probable_break(self, t: float, framed: bool = True) -> None:
        """PIR alone: the person may have been away before ``t`` (see sensing).

        The occupancy and the bout record go on (a still reader is likelier),
        but the ladder restarts at ``t``: prompting someone minutes after they
        sat back down is worse than prompting a still reader a little late.
        A silence ``framed`` by the movement of standing up or sitting down
        always restarts it; a bare one only ends a standing alert (counted as
        done by the break), since after a prompt the silence is as likely the
        walk it asked for, and the escalations after a missed break are what
        nags the wrong person; or when a prompt fell due during it (held back,
        since the chair may have been empty): given at the return, it would
        greet someone who may have just sat down, and it is late anyway if the
        silence was a still spell.
        """
        if self.bout_start is None or not self.seated or not (framed or self.level or self._due < t):
            return
        if self.level:
            self._done(t, "break")
        self.level = 0
        self._exercise = None
        self._anchor = t
        self._seated_done = False
        self._walk_beeps = 0
        self._snoozes_in_row = 0
        self._snooze_until = -INF
        self._schedule()

    def _begin_bout(self, t: float) -> None:
        self.bout_start = t
        self._bout_seated_s = 0.0
        self._bout_prompts = 0
        self._bout_done = 0
        self._bout_max_level = 0
        self._snoozes_in_row = 0
        self._snooze_until = -INF
        self._anchor = t
        self._seated_done = False
        self._walk_beeps = 0
        self._schedule()

    def _end_bout(self, now: float) -> None:
        """The person has been away ``break_s``: the break is taken."""
        assert self.bout_start is not None and self._away_since is not None
        start, end = self.bout_start, self._away_since
        if self.level:
            if self._prompt_t <= end:
                self._done(now, "break", end)   # timed from the leaving, for in_time
            else:
                # prompted after the (back-dated) leaving: nobody saw it, nothing was done
                self.level = 0
                self._exercise = None
        self.out.append(("break", now, {
            "bout_start_ts": self._ts(start), "bout_end_ts": self._ts(end),
            "bout_s": round(end - start, 3), "seated_s": round(self._bout_seated_s, 3),
            "prompts": self._bout_prompts, "exercises_done": self._bout_done,
            "max_level": self._bout_max_level,
        }))
        self.bout_start = None
        self._break_due = INF
        self._due = INF
        self._snoozes_in_row = 0

    # -------------------------------------------------------------- the ladder
    def _schedule(self) -> None:
        """Set ``_due`` to the next prompt of the ladder after the current level."""
        self._awaiting_sign = False
        a = self._anchor
        if self.level == 0:
            due = a + self._walk if self._seated_done else a + self._first
        elif self.level == 1:
            due = min(self._prompt_t + self._reminder, a + self._walk) if self._reminders else a + self._walk
        elif self.level == 2:
            due = a + self._walk
        elif self._walk_beeps < max(1, self.cfg.walk_repeat_max):
            due = self._prompt_t + self._walk_repeat
        else:
            due = INF
        self._due = max(due, self._snooze_until)

    def _due_level(self, now: float) -> int:
        a = self._anchor
        if now >= a + self._walk:
            return 3
        if self._seated_done:
            return 0
        if self.level >= 1 and now >= self._prompt_t + self._reminder and self._reminders:
            return 2
        return max(self.level, 1) if now >= a + self._first else 0

    def _prompt(self, now: float) -> None:
        if self._blind is not None and self._blind(now):
            self._due = now + SIGN_POLL_S     # look again in a minute (the hold may yet prove shorter)
            self._awaiting_sign = True
            return
        level = self._due_level(now)
        if level >= 2 and max(self.last_sign(now), self.pressed_at) <= max(self._prompt_t, self._seated_since):
            # The reminder's beep and the walk prompt go to a person. With nothing moved or
            # shifted on the seat since the last prompt (and since this sitting began), the
            # chair more likely holds a bag than someone ignoring the LED: look again in a minute.
            self._due = now + SIGN_POLL_S
            self._awaiting_sign = True
            return
        if level == 0:
            self._schedule()
            return
        if level == 3:
            if self.level == 3:
                self._walk_beeps += 1
            else:
                self._walk_beeps = 1
            exercise = WALK
        elif self.level in (1, 2) and self._exercise is not None:
            exercise = self._exercise
        else:
            exercise = self._rotation[self._next_exercise % len(self._rotation)]
            self._next_exercise += 1
        first_of_level = level != self.level
        self.level = level
        self._exercise = exercise
        self._prompt_t = now
        self._moving_at_prompt = self.moving_total(now)
        self._bout_prompts += 1
        self._bout_max_level = max(self._bout_max_level, level)
        beep = level >= 2 and not in_window(self._quiet, self.wall_at(now))
        data = {
            "level": level, "kind": LEVEL_KIND[level], "exercise": exercise.brief(),
            "bout_s": round(now - self.bout_start, 1) if self.bout_start is not None else 0.0, "beep": beep,
            "repeat": self._walk_beeps if level == 3 else (1 if first_of_level else 2),
        }
        if is_ask(data):
            self._ask_t, self._ask_level = now, level
        self.out.append(("prompt", now, data))
        self._schedule()

    def _blocked(self, now: float) -> float | None:
        """If prompting is not allowed at ``now``, when to look again."""
        if now < self.paused_until:
            return self.paused_until
        if self._working is not None and not in_window(self._working, self.wall_at(now)):
            return now + 60.0  # re-check each minute: cheap, and DST-proof
        return None

    # ----------------------------------------------------------------- time
    def _may_prompt_away(self, now: float) -> bool:
        """Whether the prompt due at ``now`` is given while the chair is empty (for less than ``break_s``).

        The bout goes on while someone is up short of a break, so the seated
        routine (level 1: the LED, no beep) is given at its time: they see it
        when they sit back down, and the prompt is not late. Escalations beep
        and the walk prompt asks to stand up: those go to a person, so they
        wait for the return (or go with the bout when the break is taken).
        """
        return self.bout_start is not None and self._due_level(now) <= 1

    def next_deadline(self) -> float:
        # Away, the prompt due is given only if it is still the seated routine when advance() runs:
        # judged at the last advance if that came after the due (the engine may reach it late, held
        # back by sensing), else advance() would refuse it and the engine would wait on it for ever.
        due = self._due if self.seated or self._may_prompt_away(max(self._due, self._advanced)) else INF
        return min(due, self._break_due, self.paused_until if self.paused_until > -INF else INF)

    def wants_motion(self, now: float) -> bool:
        """Whether leg movement now could count as a seated routine done."""
        return self.level in (1, 2) and now <= self._prompt_t + self.cfg.done_window_min * 60

    def motion_watch(self) -> tuple[float, float]:
        """(movement total at the standing prompt, movement that makes it done), for ``wants_motion``."""
        return self._moving_at_prompt, self.cfg.done_motion_s

    def advance(self, now: float) -> None:
        self._advanced = max(self._advanced, now)
        if self.paused_until != -INF and now >= self.paused_until:
            self.paused_until = -INF
            self.out.append(("resume", now, {"reason": "timer"}))
            if self.bout_start is not None:
                self._schedule()
        if self._break_due <= now and not self.seated and self.bout_start is not None:
            self._end_bout(now)
        if self.wants_motion(now):
            moved = self.moving_total(now) - self._moving_at_prompt
            if moved >= self.cfg.done_motion_s:
                self._done(now, "pir")
        if self.bout_start is not None and now >= self._due and (self.seated or self._may_prompt_away(now)):
            again = self._blocked(now)
            if again is None:
                self._prompt(now)
            else:
                self._due = again

    # ------------------------------------------------------------- commands
    def done(self, now: float, how: str) -> bool:
        if not self.level:
            return False
        self._done(now, how)
        return True

    def _done(self, now: float, how: str, acted: float | None = None) -> None:
        """The standing alert is done ``how``; ``acted`` is when the person did it (a break: when they left)."""
        level, exercise = self.level, self._exercise
        acted = now if acted is None else acted
        answered = in_time(self._ask_level, self._ask_t, how, acted, self.cfg.done_window_min * 60)
        self.out.append(("exercise_done", now, {
            "how": how, "level": level, "exercise": exercise.key if exercise else None,
            "latency_s": round(now - self._prompt_t, 1), "in_time": answered,
        }))
        self._bout_done += answered   # the break event's exercises_done: done in time, as everywhere
        self._snoozes_in_row = 0
        self._snooze_until = -INF
        self.level = 0
        self._exercise = None
        if level == 3:
            self._anchor = now          # a new cycle: seated routine in 30 min, walk in 60
            self._seated_done = False
        else:
            self._seated_done = True
        if self.bout_start is not None:
            self._schedule()

    def snooze(self, now: float) -> bool:
        limit = self.cfg.snooze_max_in_row
        if self._snoozes_in_row >= limit or self.bout_start is None:
            self.out.append(("snooze_refused", now, {"in_row": self._snoozes_in_row, "limit": limit}))
            return False
        self._snoozes_in_row += 1
        until = now + self.cfg.snooze_min * 60
        self._snooze_until = until
        self.level = 0
        self._exercise = None
        self._due = max(self._due, until)
        self.out.append(("snooze", now, {"minutes": self.cfg.snooze_min, "until_ts": self._ts(until),
                                         "in_row": self._snoozes_in_row}))
        return True

    def pause(self, now: float, minutes: float | None, source: str) -> None:
        minutes = self.cfg.pause_default_min if minutes is None else minutes
        self.paused_until = now + minutes * 60
        self.level = 0
        self._exercise = None
        self.out.append(("pause", now, {"minutes": minutes, "until_ts": self._ts(self.paused_until),
                                        "source": source}))

    def resume(self, now: float) -> bool:
        if self.paused_until == -INF:
            return False
        self.paused_until = -INF
        self.out.append(("resume", now, {"reason": "command"}))
        if self.bout_start is not None:
            self._schedule()
        return True

    def test_prompt(self, now: float) -> None:
        ex = self._rotation[0]
        self.out.append(("prompt", now, {"level": 1, "kind": "seated", "exercise": ex.brief(),
                                         "bout_s": 0.0, "beep": True, "repeat": 1, "test": True}))

    # -------------------------------------------------------------- status
    def alert(self) -> str:
        return ALERTS[self.level]

    def snoozed_until(self) -> float | None:
        return self._snooze_until if self._snooze_until != -INF else None

    def next_prompt_in(self, now: float) -> float | None:
        if self.bout_start is None or self._due == INF or self._awaiting_sign:
            return None   # (an escalation waiting for a sign of a person has no time)
        return max(0.0, max(self._due, self.paused_until) - now)

    def _ts(self, t: float) -> str:
        if self._iso_s is not None:   # a replay's WallMapper formats it without a datetime
            return self._iso_s(t)
        return self.wall_at(t).isoformat(timespec="seconds")

    # ---------------------------------------------------------- persistence
    def open_figures(self, now: float) -> dict[str, float]:
        """The bout still open at ``now`` on the monotonic axis, for ``daemon_stop``: ``bout_s`` (to
        now if seated, else to the leaving, as a ``break`` would say) and ``sit_s`` (the sit in
        progress). A history that closes the bout there (no resume) needs no wall-clock difference."""
        if self.bout_start is None:
            return {}
        if self.seated:
            return {"bout_s": round(now - self.bout_start, 3), "sit_s": round(max(0.0, now - self._seated_since), 3)}
        end = self._away_since if self._away_since is not None else now
        return {"bout_s": round(max(0.0, end - self.bout_start), 3)}

    def export_state(self, now: float) -> dict[str, Any]:
        """The bout in progress as wall-clock offsets from ``now``, for a restart."""
        def ago(t: float | None) -> float | None:
            return None if t is None or t in (INF, -INF) else round(now - t, 3)
        return {
            "seated": self.seated, "bout_start_ago": ago(self.bout_start),
            "away_since_ago": ago(self._away_since), "seated_since_ago": ago(self._seated_since),
            "bout_seated_s": self._bout_seated_s, "bout_prompts": self._bout_prompts,
            "bout_done": self._bout_done, "bout_max_level": self._bout_max_level,
            "level": self.level, "prompt_ago": ago(self._prompt_t) if self.level else None,
            "ask_ago": ago(self._ask_t) if self.level else None, "ask_level": self._ask_level,
            "anchor_ago": ago(self._anchor), "seated_done": self._seated_done,
            "walk_beeps": self._walk_beeps, "next_exercise": self._next_exercise,
            "paused_for": (round(self.paused_until - now, 3) if self.paused_until != -INF else None),
        }

    def restore(self, now: float, s: dict[str, Any], gap_s: float) -> None:
        """Resume a bout after a restart ``gap_s`` seconds (wall clock) after ``s`` was saved.

        The process was down for ``gap_s``: the person is assumed to have
        stayed as they were (sitting or away) until ``now``; the bout goes on
        if they were seated or away for less than ``break_s`` in total.
        """
        if s.get("bout_start_ago") is None:
            return
        back = lambda key: now - gap_s - s[key]
        self.bout_start = back("bout_start_ago")
        self._anchor = back("anchor_ago") if s.get("anchor_ago") is not None else self.bout_start
        self._bout_seated_s = float(s.get("bout_seated_s", 0.0))
        self._bout_prompts = int(s.get("bout_prompts", 0))
        self._bout_done = int(s.get("bout_done", 0))
        self._bout_max_level = int(s.get("bout_max_level", 0))
        self._seated_done = bool(s.get("seated_done", False))
        self._walk_beeps = int(s.get("walk_beeps", 0))
        self._next_exercise = int(s.get("next_exercise", 0))
        self.level = int(s.get("level", 0))
        if self.level and s.get("prompt_ago") is not None:
            self._prompt_t = back("prompt_ago")
            self._exercise = WALK if self.level == 3 else self._rotation[(self._next_exercise - 1) % len(self._rotation)]
            self._ask_t = back("ask_ago") if s.get("ask_ago") is not None else self._prompt_t
            self._ask_level = 3 if self.level == 3 else 1
        if s.get("paused_for") is not None:
            self.paused_until = now - gap_s + s["paused_for"]
        if s.get("seated"):
            self.seated = True
            self._seated_since = back("seated_since_ago")
        else:
            self._away_since = back("away_since_ago") if s.get("away_since_ago") is not None else now - gap_s
            self._break_due = self._away_since + self.cfg.break_s
        self._schedule()
