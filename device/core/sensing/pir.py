"""The PIR: warm-up, the learnt hold, movement, and occupancy from the PIR alone.

The physics (see shared/traces/README.md) and how this part answers it:

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

The edge loop (``Sensing.run``) keeps this part's per-pulse bookkeeping (hold
learning, ``_pulses``, ``motion_rises``, ``moving_s``) in locals, the same as
``_pir_on``/``_pir_off`` here, which take the PIR's edges alone and on
``feed_pir`` (a change to one must be made to the other; a test holds them
equal). With both sensors, a rise or a fall while a press waits for proof of a
person goes to ``proof``, and the PIR's timer runs the object rules' check.
"""
from __future__ import annotations

from device.core.sensing.constants import (
    INF, _BREAKS_SHARE, _DEFAULT_HOLD_S, _HOLD_EVIDENCE, _LONE_ABSENCE_S, _LONE_GAP_S,
    _LONG_SILENCE_S, _MIN_HOLD_S, _READER_FACTOR, _READER_PRIOR, _READER_SHARE, _SILENCE_CAP_S,
    _SILENCES_KEPT, _STAND_MOTION_S, _SUSTAINED_S)


class PirRules:
    """The PIR's part of ``Sensing`` (a mixin): its state, its edges and its timer."""

    def _init_pir(self, start_t: float) -> None:
        cfg = self.cfg
        self.restarts: list[tuple[float, bool]] = []  # PIR alone: (return after a long silence, framed by standing up/sitting down)
        self.motion_rises: list[float] = []   # accepted PIR rises (recent), for the perch rule
        self.moving_s = 0.0                   # cumulative seconds of leg movement seen, for "done" bursts
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
            self._object_timer(due)
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
