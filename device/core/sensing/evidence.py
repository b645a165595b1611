"""What the PIR's recent pulses say about the legs around a seat edge: read-only questions.

The seat, perch and object rules ask these (did the legs move between two times, was
the output high across a window, did they move as the seat was loaded, two separate
motions?) of ``motion_rises`` and ``_pulses``, the PIR's history that ``PirRules`` and
the edge loop keep, and of the pulse still high. A retriggerable one-shot hides the
movements inside a pulse: its last movement is the fall less the learnt hold, and
while it stays high, at least ``now - hold``. Nothing here changes state.
"""
from __future__ import annotations

from device.core.sensing.constants import INF, _REPEAT_S, _SEPARATE_S, _SIT_MOTION_S


class Evidence:
    """Questions about leg motion, for ``Sensing`` (a mixin: it reads the PIR's state)."""

    def _moved_between(self, a: float, b: float) -> bool:
        rises = self.motion_rises
        for i in range(len(rises) - 1, -1, -1):
            r = rises[i]
            if r < a:
                return False
            if r <= b:
                return True
        return False

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

    def _moving_since(self, t0: float, now: float) -> bool:
        """Evidence at ``now`` from the pulse still high: it covered the sitting-down window
        (``_sat_down_moving``), or began after it and has been retriggered since."""
        if self._sat_down_moving(t0, now):
            return True
        rise = self._pir_rise_t
        return self._pir_high and now >= self._warm_until and rise > t0 + _SIT_MOTION_S and \
            now - self._hold - rise >= _SEPARATE_S

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
