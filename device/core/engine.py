"""Sensing + coaching + the button: raw edges in, ``Event``s out, pure logic.

Size: about 315 lines: the bulk replay path (``run``) drives the same state as the
per-edge path and a property test holds them equal, so they stay in one module.

The daemon, the replay, the simulator's tests and the benchmarks all drive
this one class, so they cannot disagree about what happened.

Ordering. Sensing back-dates transitions to the edge that began them, which
it only knows seconds (seat) or minutes (PIR alone) later. Coaching
therefore runs no further than ``sensing.holdback() + grace``: with a seat
the grace is zero (a prompt waits only as long as a pending seat decision
takes: ``seat_leave_confirm_s`` for a leave, up to a minute for a possible
perch with the PIR; with the PIR, for a press waiting for proof of a person,
until the proof or ``object_timeout_s`` (10 minutes), for a provisional return
until a sign of a person but no more than 3 minutes past its press, and for an
object call that a sign of a person may yet undo from its press, up to 45
minutes at that press (nobody is prompted on an empty chair meanwhile, and a
still person restored keeps their bout whole); then it is given, seated or,
short of a break, not); with a PIR alone it is ``PIR_GRACE_S``, so a still
reader is still prompted on time. If a back-dated change would still land
before an event already emitted, its time is clamped to keep the stream
ordered (rare, and bounded by the grace).
"""
from __future__ import annotations

from datetime import datetime
from typing import Any, Callable

from device import __version__
from device.core.button import Button
from device.core.coaching import Coach
from device.config import Config
from device.core.events import Event, EventFactory, IdFactory
from device.core.sensing import INF, Sensing

# PIR alone may hold a leave pending for pir_absence_s (minutes): let
# coaching run this far past the last movement. Below break_s, so a prompt
# given to a chair that was in fact empty is never given after the break.
PIR_GRACE_S = 90.0


class Engine:
    def __init__(self, cfg: Config, wall_at: Callable[[float], datetime], ids: IdFactory | None = None,
                 start_t: float = 0.0, initial: dict[str, int] | None = None,
                 resume: dict[str, Any] | None = None, resume_gap_s: float = 0.0):
        initial = initial or {}
        self.cfg = cfg
        self.events = EventFactory(wall_at, ids)
        self.sensing = Sensing(cfg.sensing, start_t, seat=initial.get("seat", 0), pir=initial.get("pir", 0))
        self.sensors = cfg.sensing.sensors
        pir_only = self.sensors == "pir"
        if pir_only:
            self.sensing.break_s = cfg.coaching.break_s
        self.coach = Coach(cfg.coaching, wall_at, self.sensing.moving_total, self.sensing.last_sign,
                           reminders=not pir_only, blind=self._pir_blind if pir_only else None)
        self._use_seat = self.sensing.use_seat
        self._use_pir = self.sensing.use_pir
        self._grace = PIR_GRACE_S if self.sensors == "pir" else 0.0
        self.button = Button(cfg.gpio.button_hold_s)
        self._now = start_t
        self._last_t = start_t
        self._coach_due = -INF  # cached coach.next_deadline(); -INF = unknown
        self._leave_at_start: float | None = None
        if resume:
            self.coach.restore(start_t, resume, resume_gap_s)
            if self.coach.seated and self._use_seat and not initial.get("seat"):
                # resumed seated, but the seat is empty now: they left while we were down (sensing
                # starts empty and would never report a leave, so an empty chair would be prompted)
                self._leave_at_start = start_t
        self._coach_due = self.coach.next_deadline()

    def _pir_blind(self, now: float) -> bool:
        """PIR alone: with a hold longer than a break, a break shorter than the hold never shows."""
        return self.sensing.hold_s > self.cfg.coaching.break_s

    # --------------------------------------------------------------- input
    def feed(self, t: float, signal: str, value: int) -> list[Event]:
        """One raw edge. Times must not go backwards; a late one is taken as now.

        Deadlines that fell before it (the loop woke late) are run first, each at its
        own time, so coaching and sensing meet them in the order they fell due.
        """
        out = self._catch_up(t)
        new = self._feed(t, signal, value)
        return out + new if out else new

    def _feed(self, t: float, signal: str, value: int) -> list[Event]:
        if t < self._now:
            t = self._now
        self._now = t
        sensing = self.sensing
        if signal == "seat":
            if self._use_seat:
                sensing.feed_seat(t, value)
        elif signal == "pir":
            if self._use_pir:
                sensing.feed_pir(t, value)
        elif signal == "button":
            self._button(t, value)
            return self._step(t)
        # the hot path of a replay: most edges (bounce, fidgeting) change nothing coaching sees
        if not sensing.changes and not sensing.restarts and t < self._coach_due and not self.coach.level:
            return []
        return self._step(t)

    def run(self, times, signals, values, end: float) -> list[Event]:
        """A whole recording (parallel arrays, in time order), then the end of input at ``end``.

        The same as feeding the edges one by one and stepping the engine at each of
        its deadlines in between (the daemon's way; ``tests/core`` checks they are
        identical). Where coaching has nothing to do before some time, sensing takes
        the edges and its own timers in one call (``Sensing.run``), which is where a
        replay spends its time; everything else goes through ``feed`` and ``advance``.
        """
        return self.run_edges(times, signals, values) + self.run_end(end)

    def run_end(self, end: float) -> list[Event]:
        """The end of a recording given to ``run_edges``: the deadlines up to ``end``, then ``finish``."""
        out: list[Event] = []
        d = self.next_deadline()
        while d is not None and d <= end:
            out += self._advance(d)
            d = self.next_deadline()
        return out + self.finish(end)

    def run_edges(self, times, signals, values) -> list[Event]:
        """``run`` without the end, so a long recording can be given stretch by stretch.

        All state lives in the engine and sensing between calls, so any split of the
        edges gives the events of one call (tests/app/replay/test_replay.py).
        """
        out: list[Event] = []
        sensing = self.sensing
        bulk = self.sensors != "pir"   # PIR-only sensing holds coaching back by its own rules
        i, n = 0, len(times)
        while i < n:
            t = times[i]
            if bulk:
                limit, watch = self._coach_idle(self._now)
                if limit is not None:
                    j, last, watched = sensing.run(times, signals, values, i, n, limit, watch)
                    if last is not None:
                        self._now = last
                        if sensing.changes or watched:
                            out += self._step(last)
                    if j != i or last is not None:
                        i = j
                        continue
            d = self.next_deadline()
            if d is not None and d <= t:
                out += self._advance(d)
            else:
                out += self._feed(t, signals[i], values[i])
                i += 1
        return out

    def _coach_idle(self, now: float) -> tuple[float | None, tuple[float, float] | None]:
        """(a time before which edges and sensing timers need no coaching step, what to watch), or (None, None).

        Coaching needs a step at an edge or timer only when occupancy changed, at or
        past its own deadline (or the button's hold timer), or while it watches for
        leg movement after a prompt, at the time it would run to (never earlier than
        ``Sensing.holdback_floor``): then sensing is told what movement to stop at.
        """
        cd = self._coach_due
        if cd == -INF:
            cd = self._coach_due = self.coach.next_deadline()
        button_due = self.button.due
        limit = cd if cd < button_due else button_due
        if now >= limit or self.sensing.changes:
            return None, None
        coach = self.coach
        # (with the seat there is no grace: coaching runs to min(now, holdback))
        if coach.level in (1, 2) and coach.wants_motion(self.sensing.holdback_floor(now)):
            return limit, coach.motion_watch()
        return limit, None

    def advance(self, now: float) -> list[Event]:
        """Run what is due up to ``now``: each earlier deadline at its own time, then ``now``."""
        out = self._catch_up(now)
        new = self._advance(now)
        return out + new if out else new

    def _catch_up(self, t: float) -> list[Event]:
        out: list[Event] = []
        d = self.next_deadline()
        while d is not None and d < t:
            out += self._advance(d)
            nd = self.next_deadline()
            if nd is not None and nd <= d:
                break   # nothing left strictly before t that stepping can move
            d = nd
        return out

    def _advance(self, now: float) -> list[Event]:
        if now < self._now:
            now = self._now
        self._now = now
        self.sensing.advance(now)
        if self.button.held(now):
            self.coach.snooze(now)
            self._coach_due = -INF
        return self._step(now)

    def command(self, now: float, name: str, **args: Any) -> list[Event]:
        """A command from the dashboard, MQTT or the button: done, snooze, pause, resume, test_prompt."""
        out = self.advance(now)
        now = self._now
        coach = self.coach
        if name == "done":
            coach.done(now, args.get("how", "command"))
        elif name == "snooze":
            coach.snooze(now)
        elif name == "pause":
            coach.pause(now, args.get("minutes"), args.get("source", "command"))
        elif name == "resume":
            coach.resume(now)
        elif name == "test_prompt":
            coach.test_prompt(now)
        elif name == "rejected":
            coach.out.append(("command_rejected", now, {"source": args.get("source", "?"),
                                                        "reason": str(args.get("reason", ""))[:200],
                                                        "count": int(args.get("count", 1))}))
        else:
            raise ValueError(f"unknown command {name!r}")
        self._coach_due = coach.next_deadline()
        return out + self._drain()

    def lifecycle(self, now: float, type_: str, **data: Any) -> list[Event]:
        """``daemon_start`` / ``daemon_stop`` events, ordered with the rest."""
        if type_ == "daemon_start":
            data = {"version": __version__, "sensors": self.sensors, **data}
        elif type_ == "daemon_stop":
            data = {**data, **self.coach.open_figures(max(now, self._now))}
        self.coach.out.append((type_, max(now, self._now), data))
        if type_ == "daemon_start" and self._leave_at_start is not None:
            self.coach.leave(max(self._leave_at_start, self._now))
            self._leave_at_start = None
            self._coach_due = self.coach.next_deadline()
        return self._drain()

    def finish(self, now: float) -> list[Event]:
        """End of input (a replay's end): settle what is pending without inventing the future."""
        return self.advance(now)

    # ---------------------------------------------------------------- time
    def next_deadline(self) -> float | None:
        d = min(self.sensing.next_deadline(), self.button.due)
        cd = self._coach_due
        if cd == -INF:
            cd = self._coach_due = self.coach.next_deadline()
        if cd != INF:
            hold = self.sensing.holdback()
            # held back past its deadline, coaching can only move once sensing does
            if hold is None or cd <= hold + self._grace:
                d = min(d, cd)
        return None if d == INF else d

    def _step(self, now: float) -> list[Event]:
        sensing, coach = self.sensing, self.coach
        if sensing.changes:
            sensor = self.sensors
            for t, seated in sensing.changes:
                if seated:
                    coach.sit(t, sensor)
                else:
                    coach.leave(t)
            sensing.changes.clear()
        if sensing.restarts:
            for t, framed in sensing.restarts:
                coach.probable_break(t, framed)
            sensing.restarts.clear()
        hold = sensing.holdback()
        coach_now = now if hold is None else min(now, hold + self._grace)
        if coach_now >= coach.next_deadline() or coach.wants_motion(coach_now):
            coach.advance(coach_now)
        self._coach_due = coach.next_deadline()
        return self._drain() if coach.out else []

    def _drain(self) -> list[Event]:
        out = []
        make = self.events.make_from
        last = self._last_t
        for type_, t, data in self.coach.out:
            if t < last:
                t = last
            last = t
            out.append(make(type_, t, data))   # coaching hands each data dict over
        self._last_t = last
        self.coach.out.clear()
        return out

    # -------------------------------------------------------------- button
    def _button(self, t: float, value: int) -> None:
        if value:
            self.coach.pressed_at = t   # someone is at the desk
        if self.button.edge(t, value):  # a short press: done (a hold snoozes, in _advance)
            self.coach.done(t, "button")
            self._coach_due = -INF

    # -------------------------------------------------------------- status
    def status(self, now: float) -> dict[str, Any]:
        coach = self.coach
        ts = lambda t: None if t is None or t == -INF else self.events.wall_at(t).isoformat(timespec="seconds")
        in_bout = coach.bout_start is not None
        return {
            "seated": coach.seated,
            "bout_s": round(now - coach.bout_start, 1) if in_bout else 0.0,
            "level": coach.level,
            "alert": coach.alert(),
            "next_prompt_in_s": coach.next_prompt_in(now),
            "paused_until_ts": ts(coach.paused_until),
            "snoozed_until_ts": ts(coach.snoozed_until()),
            "sensors": self.sensors,
        }

    def export_state(self, now: float) -> dict[str, Any]:
        return self.coach.export_state(now)
