"""Occupancy -> bouts, breaks and prompts: the coaching state machine, pure logic.

Size: about 320 lines, some 45 of them the rules below; the state it decides on lives in
its collaborators.

Inputs are occupancy changes (``sit``/``leave`` with back-dated times),
movement totals from the PIR, and commands (done, snooze, pause, resume);
``advance(now)`` fires what is due. Outputs go to ``self.out`` as
``(type, t, data)`` tuples; the engine turns them into ``Event``s.

The ``Coach`` decides; its collaborators keep the state: the bout in
progress (``BoutTracker``, bout.py), the prompt ladder's timing (``Ladder``,
ladder.py: the table of prompts is there), the wall clock's hours
(``Hours``, hours.py) and the state kept across a restart (state.py).

"Done" is a burst of leg movement seen by the PIR after a prompt
(``done_motion_s`` of movement within ``done_window_min``), the button, a
command, or simply a break. Each ``exercise_done`` says whether it came
``in_time`` (device/core/compliance.py: within ``done_window_min`` of the prompt
that asked, by something that answers it; a break answers only the walk), so
a break half an hour on ends the ladder without counting as the routine done.
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

from datetime import datetime
from typing import Any, Callable

from device.config import CoachingConfig
from device.core.coaching import state
from device.core.coaching.bout import BoutTracker
from device.core.coaching.hours import Hours
from device.core.coaching.ladder import INF, LEVEL_KIND, Ladder
from device.core.compliance import in_time, is_ask


class Coach:
    """The coaching state machine: occupancy and commands in, ``(type, t, data)`` out."""

    def __init__(self, cfg: CoachingConfig, wall_at: Callable[[float], datetime],
                 moving_total: Callable[[float], float] | None = None,
                 last_sign: Callable[[float], float] | None = None,
                 reminders: bool = True, blind: Callable[[float], bool] | None = None):
        self.cfg = cfg
        self.hours = Hours(cfg, wall_at)
        self.moving_total = moving_total or (lambda now: 0.0)
        self.last_sign = last_sign or (lambda now: now)
        # PIR alone (the engine sets these; see probable_break): no level-2 reminder, and no
        # prompt at all while ``blind(now)`` says the sensor cannot see a break
        self._blind = blind
        self.out: list[tuple[str, float, dict[str, Any]]] = []
        self.bout = BoutTracker()
        self.ladder = Ladder(cfg, reminders)
        self.paused_until = -INF
        self._advanced = -INF           # the last advance(now): a due it could not give stays given up
        self.pressed_at = -INF          # the desk's button was last pressed (a sign of a person too)

    # the engine's view of the state
    @property
    def seated(self) -> bool:
        return self.bout.seated

    @property
    def bout_start(self) -> float | None:
        return self.bout.start

    @property
    def level(self) -> int:
        """The alert standing now (0 = none)."""
        return self.ladder.level

    # ------------------------------------------------------------- occupancy
    def sit(self, t: float, sensor: str) -> None:
        bout, ladder = self.bout, self.ladder
        new_bout = bout.start is None
        if new_bout:
            bout.begin(t)
            ladder.restart(t)
        elif ladder.level in (1, 2) and not bout.seated and ladder.prompt_t <= bout.away_since:
            # up and back after the seated routine was asked for, short of a break: standing up
            # moved the legs more than the routine asks, so it counts, and the sitting that
            # needs the next prompt starts again here (the walk still needs a real break).
            # A prompt given while they were up was not answered by coming back: it stands.
            self._done(t, "stood", bout.away_since)
            ladder.start_over(t)
        bout.sit(t)
        self.out.append(("sit_start", t, {"sensor": sensor, "new_bout": new_bout}))

    def leave(self, t: float) -> None:
        if not self.bout.seated:
            return
        sat = self.bout.leave(t, self.cfg.break_s)
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
        ladder = self.ladder
        if self.bout.start is None or not self.bout.seated or not (framed or ladder.level or ladder.due < t):
            return
        if ladder.level:
            self._done(t, "break")
        ladder.clear()
        ladder.restart(t)

    def _end_bout(self, now: float) -> None:
        """The person has been away ``break_s``: the break is taken."""
        bout, ladder = self.bout, self.ladder
        assert bout.start is not None and bout.away_since is not None
        end = bout.away_since
        if ladder.level:
            if ladder.prompt_t <= end:
                self._done(now, "break", end)   # timed from the leaving, for in_time
            else:
                # prompted after the (back-dated) leaving: nobody saw it, nothing was done
                ladder.clear()
        self.out.append(("break", now, bout.close(self.hours.ts)))
        ladder.stop()

    # ------------------------------------------------------------- prompting
    def _prompt(self, now: float) -> None:
        ladder, bout = self.ladder, self.bout
        if self._blind is not None and self._blind(now):
            ladder.wait_for_sign(now)     # look again in a minute (the hold may yet prove shorter)
            return
        level = ladder.due_level(now)
        if level >= 2 and max(self.last_sign(now), self.pressed_at) <= max(ladder.prompt_t, bout.seated_since):
            # The reminder's beep and the walk prompt go to a person. With nothing moved or
            # shifted on the seat since the last prompt (and since this sitting began), the
            # chair more likely holds a bag than someone ignoring the LED: look again in a minute.
            ladder.wait_for_sign(now)
            return
        if level == 0:
            ladder.schedule()
            return
        exercise, repeat = ladder.give(now, level)
        ladder.moving_at_prompt = self.moving_total(now)
        bout.prompted(level)
        beep = level >= 2 and not self.hours.quiet(now)
        data = {
            "level": level, "kind": LEVEL_KIND[level], "exercise": exercise.brief(),
            "bout_s": round(now - bout.start, 1) if bout.start is not None else 0.0, "beep": beep,
            "repeat": repeat,
        }
        if is_ask(data):
            ladder.ask_t, ladder.ask_level = now, level
        self.out.append(("prompt", now, data))
        ladder.schedule()

    def _blocked(self, now: float) -> float | None:
        """If prompting is not allowed at ``now``, when to look again."""
        if now < self.paused_until:
            return self.paused_until
        if self.hours.off_hours(now):
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
        return self.bout.start is not None and self.ladder.due_level(now) <= 1

    def next_deadline(self) -> float:
        # Away, the prompt due is given only if it is still the seated routine when advance() runs:
        # judged at the last advance if that came after the due (the engine may reach it late, held
        # back by sensing), else advance() would refuse it and the engine would wait on it for ever.
        due = self.ladder.due
        if not (self.bout.seated or self._may_prompt_away(max(due, self._advanced))):
            due = INF
        return min(due, self.bout.break_due, self.paused_until if self.paused_until > -INF else INF)

    def wants_motion(self, now: float) -> bool:
        """Whether leg movement now could count as a seated routine done."""
        return self.ladder.wants_motion(now)

    def motion_watch(self) -> tuple[float, float]:
        """(movement total at the standing prompt, movement that makes it done), for ``wants_motion``."""
        return self.ladder.moving_at_prompt, self.cfg.done_motion_s

    def advance(self, now: float) -> None:
        bout, ladder = self.bout, self.ladder
        self._advanced = max(self._advanced, now)
        if self.paused_until != -INF and now >= self.paused_until:
            self.paused_until = -INF
            self.out.append(("resume", now, {"reason": "timer"}))
            if bout.start is not None:
                ladder.schedule()
        if bout.break_due <= now and not bout.seated and bout.start is not None:
            self._end_bout(now)
        if ladder.wants_motion(now):
            moved = self.moving_total(now) - ladder.moving_at_prompt
            if moved >= self.cfg.done_motion_s:
                self._done(now, "pir")
        if bout.start is not None and now >= ladder.due and (bout.seated or self._may_prompt_away(now)):
            again = self._blocked(now)
            if again is None:
                self._prompt(now)
            else:
                ladder.due = again

    # ------------------------------------------------------------- commands
    def done(self, now: float, how: str) -> bool:
        if not self.ladder.level:
            return False
        self._done(now, how)
        return True

    def _done(self, now: float, how: str, acted: float | None = None) -> None:
        """The standing alert is done ``how``; ``acted`` is when the person did it (a break: when they left)."""
        ladder = self.ladder
        level, exercise = ladder.level, ladder.exercise
        acted = now if acted is None else acted
        answered = in_time(ladder.ask_level, ladder.ask_t, how, acted, self.cfg.done_window_min * 60)
        self.out.append(("exercise_done", now, {
            "how": how, "level": level, "exercise": exercise.key if exercise else None,
            "latency_s": round(now - ladder.prompt_t, 1), "in_time": answered,
        }))
        self.bout.done += answered   # the break event's exercises_done: done in time, as everywhere
        ladder.answered(now)
        if self.bout.start is not None:
            ladder.schedule()

    def snooze(self, now: float) -> bool:
        ladder = self.ladder
        limit = self.cfg.snooze_max_in_row
        if ladder.snoozes_in_row >= limit or self.bout.start is None:
            self.out.append(("snooze_refused", now, {"in_row": ladder.snoozes_in_row, "limit": limit}))
            return False
        until = now + self.cfg.snooze_min * 60
        ladder.snooze(until)
        self.out.append(("snooze", now, {"minutes": self.cfg.snooze_min, "until_ts": self.hours.ts(until),
                                         "in_row": ladder.snoozes_in_row}))
        return True

    def pause(self, now: float, minutes: float | None, source: str) -> None:
        minutes = self.cfg.pause_default_min if minutes is None else minutes
        self.paused_until = now + minutes * 60
        self.ladder.clear()
        self.out.append(("pause", now, {"minutes": minutes, "until_ts": self.hours.ts(self.paused_until),
                                        "source": source}))

    def resume(self, now: float) -> bool:
        if self.paused_until == -INF:
            return False
        self.paused_until = -INF
        self.out.append(("resume", now, {"reason": "command"}))
        if self.bout.start is not None:
            self.ladder.schedule()
        return True

    def test_prompt(self, now: float) -> None:
        ex = self.ladder.rotation[0]
        self.out.append(("prompt", now, {"level": 1, "kind": "seated", "exercise": ex.brief(),
                                         "bout_s": 0.0, "beep": True, "repeat": 1, "test": True}))

    # -------------------------------------------------------------- status
    def alert(self) -> str:
        return self.ladder.alert()

    def snoozed_until(self) -> float | None:
        return self.ladder.snoozed_until()

    def next_prompt_in(self, now: float) -> float | None:
        ladder = self.ladder
        if self.bout.start is None or ladder.due == INF or ladder.awaiting_sign:
            return None   # (an escalation waiting for a sign of a person has no time)
        return max(0.0, max(ladder.due, self.paused_until) - now)

    # ---------------------------------------------------------- persistence
    def open_figures(self, now: float) -> dict[str, float]:
        """The bout still open at ``now``, for ``daemon_stop`` (``BoutTracker.open_figures``)."""
        return self.bout.open_figures(now)

    def export_state(self, now: float) -> dict[str, Any]:
        """The bout in progress as wall-clock offsets from ``now``, for a restart (state.py)."""
        return state.export_state(self, now)

    def restore(self, now: float, s: dict[str, Any], gap_s: float) -> None:
        """Resume a bout after a restart ``gap_s`` seconds after ``s`` was saved (state.py)."""
        state.restore(self, now, s, gap_s)
