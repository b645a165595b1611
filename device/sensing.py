"""Raw seat/PIR edges -> debounced occupancy ("seated" / "away"), pure logic.

No threads, no I/O, no clock: ``feed_seat``/``feed_pir`` take an edge with
its time, ``advance(now)`` runs the confirmation timers. Occupancy changes are
appended to ``self.changes`` as ``(t, seated)`` with ``t`` back-dated to the
edge that began the transition, so confirmation delays never bias durations.

The physics (see shared/traces/README.md) and how each part answers it:

* Seat contact bounce (< 40 ms) and electrical spikes (1-10 ms): a level
  must hold ``seat_spike_s`` to count (our own debounce, identical on every
  GPIO backend and in replay; gpiozero's bounce_time differs per backend).
* Weight shifts (seat empty 0.5-8 s while seated): leaving is confirmed only
  after ``seat_leave_confirm_s`` of empty seat; sitting after
  ``seat_sit_confirm_s`` of pressed seat (activPAL's > 3 s rule).
* With both sensors, the PIR settles what the seat cannot:
  - an object on the chair presses the seat but never moves legs: a press
    becomes a person only with leg motion near it (``_PERSON_LOOKBACK_S``
    before, up to ``object_timeout_s`` after); and whatever has sat
    ``_OBJECT_STILL_S`` without a leg movement or a weight shift is an object
    from the last sign of a person (a bag put down by someone moving at the
    desk, or right after they left, is accepted at first);
  - standing up and sitting down move the legs; leaning forward or
    perching on the front edge (seat empty 10-60 s) does not, or leaves the
    legs moving under the desk. An empty spell of at most ``_PERCH_MAX_S``
    is still sitting if the legs moved inside it, or if they moved at
    neither of its ends (within ``_EDGE_S``); so the decision on a return
    waits ``_EDGE_S`` after it.
* PIR alone: a retriggerable one-shot that stays high ``hold`` seconds after
  the last movement. The hold is learnt as the shortest high pulse seen, so
  the true last movement is ``fall - hold``. Arrival needs
  ``pir_arrival_pulses`` within ``pir_arrival_window_s`` (a lone false
  trigger is not a person); leaving is declared after ``pir_absence_s``
  without movement and back-dated to the last movement. A still reader and
  an empty chair look the same to a PIR: that is the physics, not a bug.
  Occupancy holds the likelier answer (still seated) for the seated time,
  but prompting takes the cautious one: every silence of ``break_s`` (a shorter
  one cannot be a break) is reported in ``restarts`` with whether the sustained
  motion of standing up or sitting down framed it. Coaching restarts its ladder
  at a framed one, so someone back from a short break is not nagged at once, and
  at a bare one only while a prompt stands. With a hold longer than a break, a
  break shorter than the hold never shows at all: the engine then gives no
  prompts (``hold_s``). Measured on the dev days: false prompts 41 -> 10 -> 6 -> 3.
* PIR warm-up: the module fires spuriously in its first minute, so its
  edges are ignored for ``pir_warmup_s`` after start.

``holdback()`` is the earliest time a future change could be back-dated to;
the engine runs coaching no further ahead of it than a small grace, which is
what keeps the event stream ordered without buffering.
"""
from __future__ import annotations

from device.config import SensingConfig

INF = float("inf")

# With both sensors: motion up to this long before a seat press counts as the
# person sitting down (the PIR sees the approach before the seat is loaded).
_PERSON_LOOKBACK_S = 30.0
# With both sensors: an empty-seat spell this short, with leg motion strictly
# inside it, is perching or leaning forward, not leaving.
_PERCH_MAX_S = 60.0
# Motion this close to either end of an empty spell is the standing up or the
# sitting down itself, not evidence of someone staying.
_PERCH_EDGE_S = 3.0
# Standing up / sitting down shows as PIR activity within this of the seat edge.
_EDGE_S = 5.0
# With both sensors, a press waits this long for leg motion (proof of a person)
# while holding coaching back; after it, an object is suspected and coaching runs on.
_PERSON_WAIT_S = 120.0
# With both sensors, a press this soon after the seat was left is the person
# coming back (a bag is left behind when leaving for longer), so it needs no
# further proof; later presses wait for leg motion or a weight shift.
_TRUSTED_RETURN_S = 60.0
# With both sensors: this long with neither leg motion nor a weight shift, what
# presses the seat is an object, not a person: a bag put down by someone moving at
# the desk (that motion proves nothing), or within a minute of leaving (a trusted
# return). The stillest seated people measured: 17 min on the shared days, 33 min
# in our simulator's still readers.
_OBJECT_STILL_S = 2700.0
# The shortest credible PIR hold; below it a high pulse is a glitch.
_MIN_HOLD_S = 0.5
# The hold assumed until a few pulses have shown the module's own (an
# HC-SR501 at its minimum): one long first pulse is movement, not the hold.
_DEFAULT_HOLD_S = 3.0
_HOLD_EVIDENCE = 3
# A single high pulse this much longer than the hold is sustained movement:
# as good as a second pulse for PIR-only arrival.
_SUSTAINED_S = 5.0
# PIR alone: a silence as long as a break (coaching's break_s, ``Sensing.break_s``)
# that begins or ends with a pulse outlasting the hold by _STAND_MOTION_S (the
# retriggered motion of standing up or sitting down, longer than a leg twitch)
# was probably a break. A silence shorter than a break cannot be one, so the
# break itself is the threshold.
_STAND_MOTION_S = 0.3
# one-edge signal columns for feed_seat/feed_pir
_SEAT1, _PIR1 = ("seat",), ("pir",)


class Sensing:
    """Occupancy from the configured sensors; see the module docstring."""

    def __init__(self, cfg: SensingConfig, start_t: float = 0.0,
                 seat: int = 0, pir: int = 0):
        self.cfg = cfg
        self.mode = cfg.sensors
        self.use_seat = self.mode in ("seat", "both")
        self.use_pir = self.mode in ("pir", "both")
        self.changes: list[tuple[float, bool]] = []
        self.restarts: list[tuple[float, bool]] = []  # PIR alone: (return after a long silence, framed by standing up/sitting down)
        self.seated = False
        self.motion_rises: list[float] = []   # accepted PIR rises (recent), for the perch rule
        self.moving_s = 0.0                   # cumulative seconds of leg movement seen, for "done" bursts

        # seat debounce
        self._spike = cfg.seat_spike_s
        self._seat_raw = seat
        self._seat_raw_t = start_t
        self._seat_stable = 0           # the level at start is confirmed like any other
        self._seat_commit_due = start_t + self._spike if seat else INF
        # seat occupancy: a pending transition began at _pend_t
        self._pend: str | None = None   # "sit" | "sit_gap" | "leave" | "return" | None
        self._left_t = -INF             # when the seat was last left (a confirmed leave)
        self._return_t = 0.0            # both: when the seat was pressed again after a long empty spell
        self._pend_t = 0.0
        self._pend_due = INF
        self._object = False            # both: seat pressed by something that never moved
        self._seat_change_t = start_t   # when the seat level last changed (a committed edge)
        self._seated_t = start_t        # both: when the current seated spell began

        # PIR
        self._warm_until = start_t + cfg.pir_warmup_s
        self._pir_high = False
        self._pir_rise_t = -INF
        self._min_width = INF           # shortest high pulse seen
        self._widths_seen = 0
        self._hold = _DEFAULT_HOLD_S    # learnt from _min_width once there is evidence
        self._last_motion = -INF        # time of the last movement (high now => now)
        self._recent_rises: list[float] = []
        self._pulses: list[tuple[float, float]] = []  # recent (rise, fall), for edge checks
        self._pir_due = INF             # PIR alone: arrival, absence and return verdicts; both: the object check
        self._last_sustained = False    # the last pulse outlasted the hold (standing up, sitting down)
        self._resume_t: float | None = None  # PIR alone: a return after a long silence, awaiting its width
        self._resume_from = 0.0         # ... and where that silence began
        self.break_s = 120.0            # PIR alone: coaching's break_s (the engine sets it), the probable-break length
        if pir and not cfg.pir_warmup_s:
            self._pir_on(start_t)

    # ------------------------------------------------------------------ API
    def next_deadline(self) -> float:
        return min(self._seat_commit_due, self._pend_due, self._pir_due)

    def holdback(self) -> float | None:
        """Earliest time a change not yet emitted could be back-dated to, or None.

        The engine runs coaching no further than this (plus a grace), which
        keeps the event stream in time order without a reorder buffer.
        """
        h = INF
        if self._pend in ("leave", "return", "sit_gap"):
            h = self._pend_t
        elif self._pend == "sit" and self._pend_due <= self._pend_t + _PERSON_WAIT_S:
            h = self._pend_t  # (a press waiting longer for proof of a person does not hold coaching back)
        if self._seat_commit_due != INF and self._seat_raw_t < h:
            h = self._seat_raw_t
        if self.mode == "pir":
            if self._resume_t is not None:
                h = min(h, self._resume_from)  # a probable break would restart coaching from there
            elif self.seated and not self._pir_high and self._last_motion < h:
                h = self._last_motion
            elif not self.seated and self._recent_rises and self._recent_rises[0] < h:
                h = self._recent_rises[0]
        return None if h == INF else h

    def last_sign(self, now: float) -> float:
        """The latest moment something showed a person: leg motion (now, while the PIR is high) or a seat edge."""
        seen = self._seat_change_t if self.use_seat else -INF
        if self.use_pir and now >= self._warm_until:
            seen = max(seen, now if self._pir_high else self._last_motion)
        return seen

    @property
    def hold_s(self) -> float:
        """The PIR's hold time as learnt so far (the shortest high pulse; 3 s until three are seen)."""
        return self._hold

    def moving_total(self, now: float) -> float:
        """Cumulative seconds of movement up to ``now`` (an ongoing pulse included)."""
        if self._pir_high and now >= self._warm_until:
            return self.moving_s + max(0.0, now - self._pir_rise_t - self._hold)
        return self.moving_s

    def feed_seat(self, t: float, v: int) -> None:
        if t >= self.next_deadline():
            self.advance(t)
        self.run((t,), _SEAT1, (v,), 0, 1, INF)

    def feed_pir(self, t: float, v: int) -> None:
        if t >= self.next_deadline():
            self.advance(t)
        if self.mode == "pir":
            self._pir_edge(t, v)
        else:
            self.run((t,), _PIR1, (v,), 0, 1, INF)

    def run(self, times, signals, values, i: int, n: int, limit: float,
            watch: tuple[float, float] | None = None) -> tuple[int, float | None, bool]:
        """Take edges ``i..n-1`` and the timers due between them, in time order.

        With the seat (alone or fused with the PIR) this is the one implementation
        of an edge: ``feed_seat``/``feed_pir`` call it with a single edge, a replay
        with a whole recording, so the daemon and a replay cannot disagree. Each
        timer due at or before an edge runs first, at its own time (as the replay
        loop stepping the engine at each deadline does), then the edge.

        It stops early so the engine can step coaching exactly where the one-edge
        path would: before an edge or timer at or after ``limit`` (coaching's next
        deadline), before a signal other than seat and PIR, right after the edge or
        timer that changed occupancy (``self.changes``), and, with ``watch =
        (movement at the prompt, movement needed)``, right after the edge or timer
        at which the movement since a prompt may have reached the "done" amount
        (tested against ``moving_total(now)``, which is never below what coaching
        will read at or before ``now``). Edges of a sensor not in use are skipped.

        Returns (index of the first edge not taken, time of the last edge or timer
        taken or None, whether it stopped for ``watch``). The loop keeps the hot
        state in locals; the timers read the seat and PIR levels and the last
        movement, so those are written back before a timer runs, the rest on return.
        """
        use_pir = self.use_pir
        spike, warm = self._spike, self._warm_until
        rises, pulses = self.motion_rises, self._pulses
        raw, raw_t, commit, stable = self._seat_raw, self._seat_raw_t, self._seat_commit_due, self._seat_stable
        high, rise_t, last_motion = self._pir_high, self._pir_rise_t, self._last_motion
        min_w, seen, hold, moving = self._min_width, self._widths_seen, self._hold, self.moving_s
        other = self._pend_due if self._pend_due < self._pir_due else self._pir_due
        waiting = self._pend is not None or self._object
        watching = watch is not None
        base, needed = watch if watching else (0.0, INF)
        n_rises, n_pulses = len(rises), len(pulses)
        last = None
        stop = 0          # 1: stopped before edge i; 2: stopped for watch before edge i
        due = commit if commit < other else other
        for i in range(i, n):
            t = times[i]
            while due <= t:
                if due >= limit:
                    stop = 1
                    break
                self._seat_raw, self._seat_raw_t, self._seat_commit_due = raw, raw_t, commit
                self._pir_high, self._pir_rise_t, self._last_motion = high, rise_t, last_motion
                # advance(due), its first timer dispatched here as advance() would
                if due == commit:
                    self._seat_commit()
                elif due == self._pend_due:
                    self._pend_expired(due)
                else:
                    self._pir_timer(due)
                commit, stable = self._seat_commit_due, self._seat_stable
                other = self._pend_due if self._pend_due < self._pir_due else self._pir_due
                if commit <= due or other <= due:   # a timer it set for no later: advance() runs it now
                    self.advance(due)
                    commit, stable = self._seat_commit_due, self._seat_stable
                    other = self._pend_due if self._pend_due < self._pir_due else self._pir_due
                last = due
                if self.changes:
                    stop = 1
                    break
                if watching and (moving + max(0.0, due - rise_t - hold) if high and due >= warm else moving) - base >= needed:
                    stop = 2
                    break
                waiting = self._pend is not None or self._object
                due = commit if commit < other else other
            if stop or t >= limit:
                stop = stop or 1
                break
            sig = signals[i]
            if sig == "pir":
                if not use_pir:
                    continue
                if t < warm:
                    high, rise_t = bool(values[i]), t   # track the level, but do not believe it yet
                elif values[i]:
                    if not high:
                        # a rise: movement now
                        high = True
                        rise_t = last_motion = t
                        rises.append(t)
                        n_rises += 1
                        if n_rises > 512:
                            del rises[:256]
                            n_rises -= 256
                        if waiting:
                            self._seat_raw, self._seat_raw_t, self._seat_commit_due = raw, raw_t, commit
                            self._pir_high, self._pir_rise_t, self._last_motion = high, rise_t, last_motion
                            self._motion_while_pending(t)
                            if self.changes:
                                last = t
                                i += 1
                                stop = 1
                                break
                            other = self._pend_due if self._pend_due < self._pir_due else self._pir_due
                            waiting = self._pend is not None or self._object
                            due = commit if commit < other else other
                elif high:
                    # a fall: the hold is learnt from the shortest pulse; movement ended a hold ago
                    high = False
                    width = t - rise_t
                    if width >= _MIN_HOLD_S:
                        seen += 1
                        if width < min_w:
                            min_w = width
                        hold = min_w if seen >= _HOLD_EVIDENCE or min_w < _DEFAULT_HOLD_S else _DEFAULT_HOLD_S
                    d = t - hold
                    last_motion = d if d > rise_t else rise_t
                    pulses.append((rise_t, t))
                    n_pulses += 1
                    if n_pulses > 256:
                        del pulses[:128]
                        n_pulses -= 128
                    d = width - hold
                    if d > 0.0:
                        moving += d
            elif sig == "seat":
                v = values[i]
                if v != raw:
                    if commit != INF:
                        # the previous raw level did not hold long enough: a bounce or spike
                        commit = INF if v == stable else t + spike
                    else:
                        commit = t + spike
                    raw, raw_t = v, t
                    due = commit if commit < other else other
            else:
                stop = 1
                break
            last = t
            if watching and (moving + max(0.0, t - rise_t - hold) if high and t >= warm else moving) - base >= needed:
                i += 1
                stop = 2
                break
        else:
            i = n
        self._seat_raw, self._seat_raw_t, self._seat_commit_due = raw, raw_t, commit
        self._pir_high, self._pir_rise_t, self._last_motion = high, rise_t, last_motion
        self._min_width, self._widths_seen, self._hold, self.moving_s = min_w, seen, hold, moving
        return i, last, stop == 2

    def holdback_floor(self, now: float) -> float:
        """The earliest time ``holdback()`` can return until an edge at or after ``now``.

        New pending transitions start at edges or commits (not before ``now``),
        a pending return or weight-shift gap keeps its start, and a press still
        waiting for proof of a person can turn into a gap that holds coaching
        back to the press: so the floor is the earliest of these.
        """
        h = self.holdback()
        floor = now if h is None or h > now else h
        if self._pend == "sit" and self._pend_t < floor:
            floor = self._pend_t
        return floor

    def _pir_edge(self, t: float, v: int) -> None:
        if t < self._warm_until:
            self._pir_high = bool(v)  # track the level, but do not believe it yet
            self._pir_rise_t = t
            return
        if v:
            if not self._pir_high:
                self._pir_on(t)
        elif self._pir_high:
            self._pir_off(t)

    def advance(self, now: float) -> None:
        """Run every timer due at or before ``now``, in time order."""
        while True:
            due = self.next_deadline()
            if due > now:
                return
            if due == self._seat_commit_due:
                self._seat_commit()
            elif due == self._pend_due:
                self._pend_expired(due)
            else:
                self._pir_timer(due)

    # ------------------------------------------------------------ the seat
    def _seat_commit(self) -> None:
        t, level = self._seat_raw_t, self._seat_raw
        self._seat_commit_due = INF
        self._seat_stable = level
        self._seat_change_t = t
        if level:
            self._seat_pressed(t)
        else:
            self._seat_released(t)

    def _seat_pressed(self, t: float) -> None:
        if self._pend == "sit_gap":
            # the seat emptied briefly during a press awaiting proof of a person:
            # a weight shift, which objects do not make
            t0 = self._pend_t
            self._clear_pending()
            self._change(t0, True)
            return
        if self._pend == "leave":
            if self.mode == "both" and t - self._pend_t >= self.cfg.seat_leave_confirm_s:
                # back after a long empty spell: perching or a short absence?
                # decided once the sitting-down edge has been seen by the PIR
                self._pend = "return"
                self._return_t = t
                self._pend_due = t + _EDGE_S
                return
            self._clear_pending()     # a weight shift: still seated
        elif not self.seated:
            self._start_pending_sit(t)

    def _seat_released(self, t: float) -> None:
        self._object = False
        if self._pend == "return":
            self._decide_return(t)
        if self._pend == "sit" and t - self._pend_t >= self.cfg.seat_sit_confirm_s:
            # a press awaiting proof of a person empties: a weight shift if it comes back soon
            self._pend = "sit_gap"
            self._pend_due = t + self.cfg.seat_leave_confirm_s
            return
        if self.seated:
            self._pend, self._pend_t = "leave", t
            wait = _PERCH_MAX_S if self.mode == "both" else self.cfg.seat_leave_confirm_s
            self._pend_due = t + wait
        else:
            self._clear_pending()     # a press too short to be sitting

    def _start_pending_sit(self, t: float) -> None:
        self._pend, self._pend_t = "sit", t
        self._pend_due = t + self.cfg.seat_sit_confirm_s

    def _decide_return(self, now: float) -> None:
        t0, t2 = self._pend_t, self._return_t
        moved_inside = self._moved_between(t0 + _PERCH_EDGE_S, t2 - _PERCH_EDGE_S)
        edges_still = not self._active_during(t0 - _EDGE_S, t0 + _EDGE_S) and \
            not self._active_during(t2 - _EDGE_S, min(now, t2 + _EDGE_S))
        self._clear_pending()
        if moved_inside or edges_still:
            return                    # perched: seated throughout
        self._change(t0, False)
        self._start_pending_sit(t2)
        if now >= self._pend_due:
            self._pend_expired(now)

    def _active_during(self, a: float, b: float) -> bool:
        """Was the PIR output high at any moment of [a, b]?"""
        if self._pir_high and self._pir_rise_t <= b:
            return True
        for rise, fall in reversed(self._pulses):
            if fall < a:
                return False
            if rise <= b:
                return True
        return False

    def _pend_expired(self, due: float) -> None:
        kind, t0 = self._pend, self._pend_t
        if kind == "return":
            self._decide_return(due)
            return
        if kind == "sit_gap":
            self._clear_pending()     # whatever pressed the seat went away without proof
            return
        if kind == "leave":
            self._clear_pending()
            self._change(t0, False)
            return
        # a sit held long enough; with a PIR it must also be a person
        if self.mode == "both" and not self._person_near(t0, due):
            # compared as t0 + wait, the way the deadline was set: (t0 + w) - t0 can round
            # below w, and the timer would then set itself to the same time forever
            if due >= t0 + self.cfg.object_timeout_s:
                self._clear_pending()
                self._object = True
            elif due >= t0 + _PERSON_WAIT_S:
                self._pend_due = t0 + self.cfg.object_timeout_s
            else:
                self._pend_due = t0 + min(_PERSON_WAIT_S, self.cfg.object_timeout_s)
            return
        self._clear_pending()
        self._change(t0, True)

    def _person_near(self, t0: float, now: float) -> bool:
        if self._pir_high or self._last_motion >= t0 - _PERSON_LOOKBACK_S:
            return True
        return t0 - self._left_t <= _TRUSTED_RETURN_S

    def _moved_between(self, a: float, b: float) -> bool:
        rises = self.motion_rises
        for i in range(len(rises) - 1, -1, -1):
            r = rises[i]
            if r < a:
                return False
            if r <= b:
                return True
        return False

    def _clear_pending(self) -> None:
        self._pend = None
        self._pend_due = INF

    # ------------------------------------------------------------- the PIR
    def _pir_on(self, t: float) -> None:
        silence_from = self._last_motion
        self._pir_high = True
        self._pir_rise_t = t
        self._last_motion = t
        self.motion_rises.append(t)
        if len(self.motion_rises) > 512:
            del self.motion_rises[:256]
        if self.mode == "both":
            self._motion_while_pending(t)
        elif self.mode == "pir":
            self._pir_due = INF
            if not self.seated:
                self._arrival_evidence(t)
            elif t - silence_from >= self.break_s:
                if self._last_sustained:
                    self.restarts.append((t, True))
                else:
                    # the verdict waits for this pulse's width: still high past the hold
                    # (the timer) or not (its fall); coaching is held back meanwhile
                    self._resume_t, self._resume_from = t, silence_from
                    self._pir_due = t + self._hold + _STAND_MOTION_S

    def _motion_while_pending(self, t: float) -> None:
        """Both sensors: legs moved at ``t`` while a press waits for proof of a person."""
        if self._pend == "sit" and t < self._pend_t + self.cfg.seat_sit_confirm_s:
            pass  # still inside the sit confirmation: its timer will see this motion
        elif self._pend == "sit" or self._object:
            # a press waiting for a person (or an object) now sees legs move
            t0 = self._pend_t if self._pend == "sit" else t
            self._clear_pending()
            self._object = False
            if self._seat_stable:
                self._change(t0, True)

    def _pir_off(self, t: float) -> None:
        self._pir_high = False
        width = t - self._pir_rise_t
        if width >= _MIN_HOLD_S:
            self._widths_seen += 1
            self._min_width = min(self._min_width, width)
            self._hold = self._min_width if self._widths_seen >= _HOLD_EVIDENCE else \
                min(self._min_width, _DEFAULT_HOLD_S)
        hold = self._hold
        self._last_motion = max(self._pir_rise_t, t - hold)
        if self.mode == "both":
            self._pulses.append((self._pir_rise_t, t))
            if len(self._pulses) > 256:
                del self._pulses[:128]
        self.moving_s += max(0.0, width - hold)
        if self.mode == "pir":
            sustained = width >= hold + _STAND_MOTION_S
            if self._resume_t is not None:
                if self.seated:
                    self.restarts.append((self._resume_t, sustained))
                self._resume_t = None
            self._last_sustained = sustained
            if not self.seated and width >= hold + _SUSTAINED_S:
                self._arrival_evidence(self._pir_rise_t, sustained=True)
            if self.seated:
                self._pir_due = self._last_motion + self.cfg.pir_absence_s
            elif self._recent_rises:
                self._pir_due = self._recent_rises[0] + self.cfg.pir_arrival_window_s

    def _arrival_evidence(self, t: float, sustained: bool = False) -> None:
        window = self.cfg.pir_arrival_window_s
        rises = self._recent_rises
        if not sustained:
            rises.append(t)
        while rises and rises[0] < t - window:
            rises.pop(0)
        if sustained or len(rises) >= self.cfg.pir_arrival_pulses:
            first = rises[0] if rises else t
            rises.clear()
            self._pir_due = INF
            self._change(first, True)
        else:
            self._pir_due = rises[0] + window

    def _pir_timer(self, due: float) -> None:
        self._pir_due = INF
        if self.mode == "both":
            self._object_check(due)
            return
        if self._resume_t is not None:
            # the return after a long silence is still moving past the hold: sitting down
            if self.seated:
                self.restarts.append((self._resume_t, True))
            self._resume_t = None
            return
        if self.seated:
            self._change(self._last_motion, False)
        else:
            self._recent_rises.clear()  # a lone trigger: not a person

    # ------------------------------------------------------------- output
    def _object_check(self, due: float) -> None:
        """Both sensors, seated: has anything shown a person within ``_OBJECT_STILL_S``?

        Armed lazily: the timer runs once per ``_OBJECT_STILL_S`` of sitting and
        re-arms from the latest evidence (leg motion, any committed seat edge).
        """
        if not self.seated:
            return
        seen = due if self._pir_high else max(self._last_motion, self._seat_change_t, self._seated_t)
        if seen + _OBJECT_STILL_S > due:
            self._pir_due = seen + _OBJECT_STILL_S
            return
        # the person left at the last sign of them; what stays on the seat waits for legs to move
        self._clear_pending()
        self._change(seen, False)
        self._object = True

    def _change(self, t: float, seated: bool) -> None:
        if seated == self.seated:
            return
        if not seated:
            self._left_t = t
        if self.mode == "both":   # the object check runs while seated
            self._seated_t = t
            self._pir_due = max(t, self._last_motion, self._seat_change_t) + _OBJECT_STILL_S if seated else INF
        self.seated = seated
        self.changes.append((t, seated))
