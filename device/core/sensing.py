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
  - a person or an object (a bag)? Sitting down moves the legs as the seat
    loads; putting a bag down, or standing up before it, comes before its
    press. So a press is a person with a leg motion from its rising edge to
    ``_SIT_MOTION_S`` after it (a pulse still high across the press counts once
    its last movement, the fall less the hold, is known to be at or after it),
    a weight shift (objects never shift), or two separate motions within
    ``_REPEAT_S`` (a lone false trigger, about one an hour, is one motion; a
    bag almost never shows two; with a hold longer than that, within a hold,
    and a pulse retriggered past its hold is two), believed once the seat stays
    pressed ``_PICKUP_S`` after it (lifting a bag moves the legs just before the
    seat empties). There is no unconditional trusted return.
  - a long hold hides: a rising edge still marks the first motion after a
    quiet spell, but an output high across a press shows whether the legs moved
    after it only a hold later. A press such a pulse covers up to its release
    got no evidence either way and is not an object for want of it (a bag
    shorter than the hold reads as a person: that module's physics).
  - without that evidence: a press inside the perch window after leaving
    (``_RETURN_S``), or within a break of it (``_SAME_BOUT_S``) while a long
    hold hides it, is seated provisionally, so a still person back from a
    short absence keeps their bout and is prompted on time; coaching runs at
    most ``_UNPROVEN_RUN_S`` past the press until a sign of a person comes
    (so a bag is prompted only if a prompt falls due that soon), and with no
    sign it is an object from its press, retracted once the seat empties
    after ``_BAG_MIN_S`` or after ``object_timeout_s``. Any other press waits,
    holding coaching back to it, and is an object after ``object_timeout_s``;
    one that empties sooner than ``_BAG_MIN_S`` was a short sit (objects stay
    minutes). Every object call is recorded in ``object_calls`` as (press,
    decided at); proof of a person later restores the sitting from the press,
    and coaching waits at the press while that can happen (up to
    ``_OBJECT_STILL_S``), so a restored still person keeps their bout whole.
    An object lifted with a leg movement and pressed again within seconds is
    someone sitting down where it was, not a weight shift. A press released
    without proof within ``_SHORT_SIT_S`` is a short sit after all if someone
    sits down within ``_SAME_BOUT_S`` of its release (coaching is held back
    meanwhile, so the restored sitting lands in order).
  - whatever has sat ``_OBJECT_STILL_S`` without a leg movement or a weight
    shift is an object from the last sign of a person (a safety net behind the
    evidence above);
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
  Two signs move that line for a person: a lone leg motion (one pulse exactly
  the hold wide) after ``_LONE_GAP_S`` of stillness is likely the standing up
  that ends a still spell, so the silence after it is a break once it outlasts
  ``_LONE_ABSENCE_S``; and someone whose silences last 10 minutes or more
  far more often than breaks alone would (``reader``) is given
  ``_READER_FACTOR`` times ``pir_absence_s``. Dev days: bout IoU 0.803 ->
  0.832, sitting-time error +3.65 -> +4.20 %.
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

# With both sensors: an empty-seat spell this short, with leg motion strictly
# inside it, is perching or leaning forward, not leaving.
_PERCH_MAX_S = 60.0
# Motion this close to either end of an empty spell is the standing up or the
# sitting down itself, not evidence of someone staying.
_PERCH_EDGE_S = 3.0
# Standing up / sitting down shows as PIR activity within this of the seat edge.
_EDGE_S = 5.0
# With both sensors, the evidence that a press is a person (see ``_pend_expired``):
# sitting down moves the legs as the seat loads, so leg motion from the seat's rising
# edge to this long after it is a person (about 87 % of sit-downs, no bag: the motion of
# putting a bag down, or of the owner standing up, comes before its press, so the window
# does not reach back before the edge).
_SIT_MOTION_S = 2.0
# Two leg motions at least this far apart are separate (a lone trigger is one motion:
# its pulse is exactly the hold wide) ...
_SEPARATE_S = 1.0
# ... and two separate motions within this long are a person: a bag almost never shows
# two within two minutes, and a lone false trigger (about one an hour) is one.
_REPEAT_S = 120.0
# With both sensors: a press this soon after the seat was left continues the bout if it is
# the person (the scorer's and coaching's break is 120 s): without the motion of sitting
# down it is taken as seated at once, but only provisionally (see _object_check), so that a
# still person back from a short absence is prompted on time. (Up to _SAME_BOUT_S while a
# long hold hides the press: its evidence would come only a hold later.)
_RETURN_S = _PERCH_MAX_S
# Sitting down again within this of leaving continues the bout (coaching's break_s, the
# scorer's bout bridge): short presses without proof before it were sitting after all.
_SAME_BOUT_S = 120.0
# With both sensors: a press without proof of a person that ends sooner than this was a
# short sit if someone sits down again soon; one that lasted longer was an object (a bag
# is left for minutes to hours, and lifting it moves the legs as standing up does).
_SHORT_SIT_S = 180.0
# With both sensors: a bag is left on the chair for minutes: a provisional sitting that
# empties at least this long after its press without a sign of a person was an object.
_BAG_MIN_S = 60.0
# ... and coaching runs no further than this past its press until it shows a person (the
# engine holds it back): a bag is prompted only if a prompt falls due this soon, a still
# person back from a short absence is prompted on time (their prompt may be late only
# if it falls due later than this and their first sign of a person later than its
# tolerance). The same bound as a short sit: a sitting this long without a sign is suspect.
_UNPROVEN_RUN_S = _SHORT_SIT_S
# Lifting a bag moves the legs 0.5-3 s before the seat empties: motion proves a person
# only once the seat has stayed pressed this long after it.
_PICKUP_S = 5.0
# With both sensors: this long with neither leg motion nor a weight shift, what
# presses the seat is an object, not a person (a safety net behind the evidence a
# press needs: a bag accepted on a false trigger at its edge). The stillest seated
# people measured: 17 min on the shared days, 40 in our simulator's still readers. Also how
# long coaching waits at the press of an object call that a sign of a person may yet undo.
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
# PIR alone: a lone leg motion (a pulse exactly the hold wide) after this long without
# any is the standing up that ends a still spell, a twitch inside one, or a false
# trigger: a still spell is minutes, and a break begins with standing up, so a silence
# after it is a break once it outlasts _LONE_ABSENCE_S (breaks: 2 minutes to hours,
# median about 5), not only after ``pir_absence_s`` (still readers: tens of minutes).
_LONE_GAP_S = 300.0
_LONE_ABSENCE_S = 300.0
# PIR alone: a still reader. Breaks alone (lognormal, median about 5 min) make about one
# silence in six of those at least a break long (break_s) last 10 min or more
# (_LONG_SILENCE_S, _BREAKS_SHARE); a person whose silences reach that length more often
# than _READER_SHARE sits still for long spells, and their chair is called empty only
# after _READER_FACTOR x pir_absence_s. Silences of an hour or more (meals, nights) are
# breaks for anyone and not counted; the share starts from _READER_PRIOR silences at the
# breaks' own share, so it takes two long silences to call someone a reader. The factor
# is the largest that kept the sitting-time error of simulated days nobody scores on
# (seeds 50 000 on, neither the fixed nor the holdout set) within +-5 %: a reader's
# extra minutes are right, but everyone's bridged breaks count as sitting too.
_LONG_SILENCE_S = 600.0
_SILENCE_CAP_S = 3600.0
_READER_SHARE = 0.2
_BREAKS_SHARE = 0.15
_READER_PRIOR = 20.0
_READER_FACTOR = 1.15
_SILENCES_KEPT = 60
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
        self._return_t = 0.0            # both: when the seat was pressed again after a long empty spell
        self._pend_t = 0.0
        self._pend_due = INF
        self._object = False            # both: seat pressed by something that never moved
        self._object_t0: float | None = None  # ... the press it was called from (restored from there if a person after all)
        self._object_holding = False    # ... and coaching is held back to that press (so a restore lands in order)
        self._object_release = INF      # ... until then (the stillest person believed in)
        self._object_after = -INF       # ... motion after this can prove a person
        self._proof_t = -INF            # both: the motion that proved a person, awaiting _PICKUP_S of pressed seat
        self._left_t = -INF             # both: when the seat was last left (a confirmed leave)
        self._unproven = False          # both: seated provisionally (a return without the motion of sitting down)
        self._unproven_t0 = 0.0         # ... since this press
        self._unproven_left = 0.0       # ... after the seat was left at this time
        # both: presses that waited for proof of a person and were released without it
        # (seat_sit_confirm_s to object_timeout_s long), each (press, release): sitting after
        # all if a person sits down within _SAME_BOUT_S of the last (a short sit whose only
        # movement was standing up: lifting a bag looks the same, but a bag stays longer)
        self._maybe: list[tuple[float, float]] = []
        self._gap_t = 0.0               # when a press awaiting proof emptied (sit_gap)
        # both: one entry per object call: (the time occupancy is back-dated to, the time it was decided)
        self.object_calls: list[tuple[float, float]] = []
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
        self._gap_before = 0.0          # PIR alone: the silence before the current pulse
        self._silences: list[float] = []  # PIR alone: recent silences begun while seated, break_s to _SILENCE_CAP_S long
        self._silence_seated = False    # ... the current silence began while seated
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
        if self._pend in ("leave", "return", "sit_gap", "sit", "object_gap"):
            h = self._pend_t  # (a press waits at most object_timeout_s for proof of a person)
        if self._object and self._object_holding and self._object_t0 < h:
            h = self._object_t0  # an object call that a sign of a person would undo from its press
        if self._maybe and self._maybe[0][0] < h:
            h = self._maybe[0][0]  # short presses that may yet prove to have been sitting
        if self._unproven and self._unproven_t0 + _UNPROVEN_RUN_S < h:
            h = self._unproven_t0 + _UNPROVEN_RUN_S
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
    def reader(self) -> bool:
        """PIR alone: do this person's silences run long more often than breaks alone would?"""
        xs = self._silences
        long = sum(1 for x in xs if x >= _LONG_SILENCE_S)
        return (long + _READER_PRIOR * _BREAKS_SHARE) / (len(xs) + _READER_PRIOR) > _READER_SHARE

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
        waiting = self._pend is not None or self._object or self._unproven
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
                self._hold = hold
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
                waiting = self._pend is not None or self._object or self._unproven
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
                            self._hold = hold
                            self._motion_while_pending(t)
                            if self.changes:
                                last = t
                                i += 1
                                stop = 1
                                break
                            other = self._pend_due if self._pend_due < self._pir_due else self._pir_due
                            waiting = self._pend is not None or self._object or self._unproven
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
                    if waiting:
                        self._seat_raw, self._seat_raw_t, self._seat_commit_due = raw, raw_t, commit
                        self._pir_high, self._pir_rise_t, self._last_motion = high, rise_t, last_motion
                        self._hold = hold
                        self._motion_ended(rise_t, t)
                        if self.changes:
                            last = t
                            i += 1
                            stop = 1
                            break
                        other = self._pend_due if self._pend_due < self._pir_due else self._pir_due
                        waiting = self._pend is not None or self._object or self._unproven
                        due = commit if commit < other else other
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
        if self._pend == "object_gap" and self._moved_between(self._gap_t - _EDGE_S, t):
            # what was called an object was lifted with a leg movement (a bag's pickup moves the
            # legs before the seat empties, a still person's weight shift need not) and the seat
            # is pressed again within seconds: someone sitting down where the bag was, a press
            # of its own (a bag lifted 3-15 s before its owner sits back down)
            self._clear_pending()
            self._start_pending_sit(t)
            return
        if self._pend in ("sit_gap", "object_gap"):
            # the seat emptied briefly during a press awaiting proof of a person (or one
            # called an object): a weight shift, which objects do not make
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
            left = self._pend_t
            self._clear_pending()     # a weight shift: still seated, and a person
            if self._unproven:
                self._proven_seated()
            elif self.mode == "both" and self.seated and self._moved_between(left + _SEPARATE_S, t):
                # ... unless the legs moved while the seat was empty: someone may have stood up
                # and put a bag down within seconds. Seated still, but the press must show a
                # person (as a return does), or it is an object from here, the person gone
                # since the seat emptied
                self._unproven, self._unproven_t0, self._unproven_left = True, t, left
                self._pir_due = min(t + self.cfg.object_timeout_s, self._held_across(t))
        elif not self.seated:
            self._start_pending_sit(t)

    def _seat_released(self, t: float) -> None:
        if self.mode == "both":
            # a one-shot held high across the press hides when the legs moved until it falls:
            # still high now, it has shown them moving while the seat was pressed
            if self._unproven and self._pend is None and (self._moving_since(self._unproven_t0, t) or
                                                          self._hidden_by_hold(self._unproven_t0, t)):
                self._proven_seated()
            elif self._pend == "sit" and t - self._pend_t >= self.cfg.seat_sit_confirm_s and \
                    (self._moving_since(self._pend_t, t) or self._hidden_by_hold(self._pend_t, t)):
                t0 = self._pend_t
                self._clear_pending()
                self._change(t0, True)
            if not self.seated:
                self._pir_due = INF   # a proof awaiting the pickup time: the seat emptied first
        if self._unproven and t - self._unproven_t0 >= _BAG_MIN_S and self._pend is None:
            # a provisional sitting empties with no sign of a person: a weight shift if it comes
            # back soon (a person), else it was an object from its press (no perching for it)
            self._pend, self._pend_t = "leave", t
            self._pend_due = t + self.cfg.seat_leave_confirm_s
            return
        if self._object:
            # the object is lifted, or a person called an object shifts their weight
            self._object = False
            self._pend, self._pend_t = "object_gap", (t if self._object_t0 is None else self._object_t0)
            self._gap_t = t
            self._pend_due = t + self.cfg.seat_leave_confirm_s
            return
        if self._pend == "return":
            self._decide_return(t)
        if self._pend == "sit" and t - self._pend_t >= self.cfg.seat_sit_confirm_s:
            # a press awaiting proof of a person empties: a weight shift if it comes back soon
            self._pend = "sit_gap"
            self._gap_t = t
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
        if kind == "sit_gap" and self.mode == "both" and self._gap_t - t0 < _BAG_MIN_S:
            # too short for a bag (left for minutes): the only thing that presses a seat besides
            # an object is a person, so this was a short sit
            self._clear_pending()
            self._change(t0, True)
            self._change(self._gap_t, False)
            return
        if kind == "sit_gap" and self.mode == "both" and self._gap_t - t0 < _SHORT_SIT_S:
            # whatever pressed the seat went away without proof: a person only if one sits down soon
            self._maybe.append((t0, self._gap_t))
            self._left_t = self._gap_t
            self._clear_pending()
            return
        if kind in ("sit_gap", "object_gap"):
            self._clear_pending()     # whatever pressed the seat went away without proof
            return
        if kind == "maybe":
            self._maybe.clear()
            self._clear_pending()
            return
        if kind == "leave":
            self._clear_pending()
            if self._unproven and t0 - self._unproven_t0 >= _BAG_MIN_S:
                # a provisional sitting left without a sign of a person: an object since its
                # press, and the person away since they left before it (the engine stamps the
                # end at the press, after the sitting's start; coaching times the break from
                # the person's leaving, so their return is a new bout if it is one)
                self.object_calls.append((self._unproven_t0, due))
                t0 = self._unproven_left
            self._change(t0, False)
            return
        # a sit held long enough; with a PIR it must also be a person: the legs moved as
        # the seat was loaded, or (while it waits, see _motion_while_pending/_motion_ended)
        # a weight shift or two separate leg motions come. Nothing, and it is an object.
        if self.mode == "both" and not self._moving_since(t0, due):
            # compared as t0 + wait, the way the deadline was set: (t0 + w) - t0 can round
            # below w, and the timer would then set itself to the same time forever
            if t0 - self._left_t < _RETURN_S or \
                    t0 - self._left_t < _SAME_BOUT_S and self._held_across(t0) != INF:
                # back from a short absence, or a bag put down as its owner left:
                # seated, until _object_check finds no sign of a person. So is a press within
                # a break of leaving that a long hold hides (a pulse high across it, which shows
                # the sitting down only a hold later): waiting for it would hold the bout's
                # prompt back by up to the hold
                self._clear_pending()
                self._change(t0, True)
                left = self._left_t
                self._unproven, self._unproven_t0 = True, t0
                self._unproven_left = left
                self._pir_due = min(t0 + self.cfg.object_timeout_s, self._held_across(t0))
            elif due >= t0 + self.cfg.object_timeout_s:
                self._clear_pending()
                self._call_object(t0, due, t0, t0 + _SIT_MOTION_S)
            else:
                self._pend_due = t0 + self.cfg.object_timeout_s
                if self._pir_due == INF:
                    self._pir_due = self._held_across(t0)
            return
        self._clear_pending()
        self._change(t0, True)

    def _sat_down_moving(self, t0: float, now: float) -> bool:
        """Did the legs move from the press ``t0`` to ``_SIT_MOTION_S`` after it (as far as known at ``now``)?

        A rise in the window is movement; so is a pulse that began by the window's end
        and whose last movement (its fall less the hold, or, still high, at least
        ``now - hold``) is at or after ``t0``: a retriggered one-shot hides the
        movements inside it, but not that the legs were still moving then.
        """
        end = t0 + _SIT_MOTION_S
        hold = self._hold
        if self._pir_high and self._pir_rise_t <= end and now >= self._warm_until and \
                (self._pir_rise_t >= t0 or now - hold >= t0):
            return True
        for rise, fall in reversed(self._pulses):
            if fall < t0:
                return False
            if rise <= end and (rise >= t0 or fall - hold >= t0):
                return True
        return False

    def _held_across(self, t0: float) -> float:
        """When a pulse high across the press ``t0`` will, if still high, show the legs moving at or
        after it (a long hold hides the sitting down until then), or INF."""
        if self._pir_high and self._pir_rise_t <= t0 + _SIT_MOTION_S:
            return max(t0 + self._hold, self._warm_until)
        return INF

    def _hidden_by_hold(self, t0: float, now: float) -> bool:
        """Has one pulse been high from the press ``t0``'s sitting-down window to ``now``?

        Then the one-shot has hidden whatever the legs did since the press: a press that
        empties before ``t0 + hold`` (when the pulse would show motion after the press) got no
        evidence either way, and is not an object for want of it. Only a hold longer than
        the press can do this; a bag shorter than the hold is then a person (the physics
        of that module).
        """
        return self._pir_high and now >= self._warm_until and self._pir_rise_t <= t0 + _SIT_MOTION_S

    def _moving_since(self, t0: float, now: float) -> bool:
        """Evidence at ``now`` from the pulse still high: it covered the sitting-down window
        (``_sat_down_moving``), or began after it and has been retriggered since."""
        if self._sat_down_moving(t0, now):
            return True
        rise = self._pir_rise_t
        return self._pir_high and now >= self._warm_until and rise > t0 + _SIT_MOTION_S and \
            now - self._hold - rise >= _SEPARATE_S

    def _call_object(self, t0: float, now: float, restore_t: float | None, after: float) -> None:
        """What presses the seat since ``t0`` is an object (decided at ``now``).

        Proof of a person later (two separate leg motions after ``after``, or a
        weight shift) restores the sitting from ``restore_t`` (the press), or from
        the proof itself if None.
        """
        self._maybe.clear()
        self._object = True
        self._object_t0 = restore_t
        if restore_t is not None:
            # a still person may yet show themselves: coaching waits at the press (nothing is
            # prompted to an empty chair meanwhile), so that the sitting, if restored, continues
            # the bout as if the call never happened; for as long as the stillest person sits
            self._object_holding = True
            self._object_release = restore_t + _OBJECT_STILL_S
            if self._pir_due > self._object_release:
                self._pir_due = self._object_release
        else:
            self._object_holding = False
        self._object_after = after
        self.object_calls.append((t0, now))

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
        if self._maybe:
            self._pend, self._pend_due = "maybe", self._maybe[-1][1] + _SAME_BOUT_S
        else:
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
            self._gap_before = gap = t - silence_from
            if self._silence_seated and self.break_s <= gap < _SILENCE_CAP_S:
                self._silences.append(gap)
                if len(self._silences) > _SILENCES_KEPT:
                    del self._silences[0]
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
        """Both sensors: the legs began to move at ``t`` while a press waits for proof of a person."""
        if self._pend == "sit":
            if t < self._pend_t + self.cfg.seat_sit_confirm_s:
                return  # still inside the sit confirmation: its timer will see this motion
            after = self._pend_t + _SIT_MOTION_S
        elif self._object:
            after = self._object_after
        elif self._unproven:
            after = self._unproven_t0 + _SIT_MOTION_S
        else:
            return
        if self._moved_before(t, after):
            self._proof(t, t)

    def _motion_ended(self, rise: float, fall: float) -> None:
        """Both sensors: a pulse ended at ``fall`` while something waits (``run`` and ``_pir_off`` call it)."""
        if self._pend == "sit":
            t0 = self._pend_t
            if fall < t0 + self.cfg.seat_sit_confirm_s:
                return  # the confirmation's timer will see this pulse
            last = fall - self._hold
            if rise <= t0 + _SIT_MOTION_S and (rise >= t0 or last >= t0):
                self._clear_pending()     # the legs were moving as the seat was loaded
                self._change(t0, True)
                return
            after = t0 + _SIT_MOTION_S
        elif self._object:
            after = self._object_after
        elif self._unproven:
            t0 = self._unproven_t0
            if rise <= t0 + _SIT_MOTION_S and (rise >= t0 or fall - self._hold >= t0):
                self._proven_seated()     # the legs were moving as the seat was loaded
                return
            after = t0 + _SIT_MOTION_S
        else:
            return
        last = fall - self._hold
        if last > after and self._moved_before(last, after):
            self._proof(last, fall)

    def _moved_before(self, m: float, after: float) -> bool:
        """Was there a movement after ``after``, separate from the one at ``m`` and at most ``_REPEAT_S`` before it?

        A one-shot retriggered within its hold cannot say how far apart the movements inside a
        pulse were, only that each came within a hold of the last: with a hold longer than
        ``_REPEAT_S``, the window is the hold (two motions still, not a lone trigger).
        """
        hold = self._hold
        lo, hi = max(after, m - (hold if hold > _REPEAT_S else _REPEAT_S)), m - _SEPARATE_S
        if lo > hi:
            return False
        rises = self.motion_rises
        for i in range(len(rises) - 1, -1, -1):
            r = rises[i]
            if r < lo:
                break
            if r <= hi:
                return True
        for rise, fall in reversed(self._pulses):
            last = fall - hold
            if last < lo:
                break
            if last <= hi and last > rise or after <= rise <= hi and last >= m:
                return True   # a retriggered pulse before ``m``, or the one ending with ``m`` (each retrigger within a hold)
        return False

    def _proof(self, m: float, now: float) -> None:
        """Two separate leg motions, the second at ``m``: a person once the seat stays pressed ``_PICKUP_S``."""
        if abs(m - self._proof_t) < _SEPARATE_S:
            # the same motion seen again (at its rise, then as its pulse's last movement, the
            # fall less the hold, which rounds a hair later): keep the first, whose pickup
            # timer is set; moving it later left that timer a hair short of it for good
            m = min(m, self._proof_t)
        self._proof_t = m
        if self.seated:
            if now >= m + _PICKUP_S and self._pend is None:
                self._proven_seated()
            elif self._pir_due > m + _PICKUP_S:
                self._pir_due = m + _PICKUP_S
        elif now >= m + _PICKUP_S:
            self._proven(now)
        else:
            self._pir_due = m + _PICKUP_S

    def _proven_seated(self) -> None:
        """A provisional sitting showed a person: from now on only the still rule watches it."""
        self._unproven = False
        self._pir_due = max(self._seated_t, self._last_motion, self._seat_change_t) + _OBJECT_STILL_S

    def _proven(self, now: float) -> None:
        self._pir_due = INF
        if self._pend == "sit":
            t0 = self._pend_t
            self._clear_pending()
            self._change(t0, True)
        elif self._object:
            self._object = False
            self._change(self._proof_t if self._object_t0 is None else self._object_t0, True)

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
            if self._pend is not None or self._object or self._unproven:
                self._motion_ended(self._pir_rise_t, t)
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
            self._silence_seated = self.seated
            if self.seated:
                absence = self.cfg.pir_absence_s
                if self.reader:
                    absence *= _READER_FACTOR
                elif not sustained and self._gap_before >= _LONE_GAP_S and absence > _LONE_ABSENCE_S:
                    absence = _LONE_ABSENCE_S   # a lone motion: standing up after a still spell?
                self._pir_due = self._last_motion + absence
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
            if self.seated:
                self._object_check(due)
            elif self._pend == "sit" and self._moving_since(self._pend_t, due):
                t0 = self._pend_t     # a pulse high across the press has outlasted the hold
                self._clear_pending()
                self._change(t0, True)
            elif self._proof_t + _PICKUP_S <= due and (
                    self._pend == "sit" and self._proof_t > self._pend_t or
                    self._object and self._proof_t > self._object_after):
                self._proven(due)     # a proof of a person waited out the pickup time
            if self._object and self._object_holding and self._pir_due == INF:
                if due >= self._object_release:
                    self._object_holding = False   # past the stillest person: coaching goes on
                else:
                    self._pir_due = self._object_release
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
        if self._unproven:
            t0 = self._unproven_t0
            if self._pend is None and (self._proof_t >= t0 and due >= self._proof_t + _PICKUP_S or
                                       self._moving_since(t0, due)):
                self._proven_seated()    # two separate leg motions, and the seat still pressed
                return
            if due < t0 + self.cfg.object_timeout_s:
                self._pir_due = t0 + self.cfg.object_timeout_s
                return
            # no sign of a person since the press: it was an object, from the press (the
            # person away since they left before it, as above)
            self._clear_pending()
            self._change(self._unproven_left, False)
            self._call_object(t0, due, t0, t0 + _SIT_MOTION_S)
            return
        seen = due if self._pir_high else max(self._last_motion, self._seat_change_t, self._seated_t)
        if seen + _OBJECT_STILL_S > due:
            self._pir_due = seen + _OBJECT_STILL_S
            return
        # the person left at the last sign of them; what stays on the seat waits for proof of a person
        self._clear_pending()
        self._change(seen, False)
        self._call_object(seen, due, None, due)

    def _change(self, t: float, seated: bool) -> None:
        if seated == self.seated:
            return
        if seated and self._maybe:
            maybe, self._maybe = self._maybe, []
            if self._pend == "maybe":
                self._clear_pending()
            if t - maybe[-1][1] < _SAME_BOUT_S:
                for a, b in maybe:        # short sits after all: someone sat down again soon
                    self._change(a, True)
                    self._change(b, False)
        self._unproven = False
        if not seated:
            self._left_t = t
        if self.mode == "both":   # the object check runs while seated
            self._seated_t = t
            self._pir_due = max(t, self._last_motion, self._seat_change_t) + _OBJECT_STILL_S if seated else INF
        self.seated = seated
        self.changes.append((t, seated))
