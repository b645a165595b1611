"""With both sensors: leg motion that proves a person is what presses the seat.

The physics (see shared/traces/README.md) and how this part answers it:

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

The PIR (``pir`` and the edge loop) calls ``_motion_while_pending`` at a rise and
``_motion_ended`` at a fall while something waits for proof: a press ("sit"), a
provisional sitting (``_unproven``) or an object call (``_object``); what they
prove is settled here, the waiting itself in ``objects``.
"""
from __future__ import annotations

from device.core.sensing.constants import INF, _OBJECT_STILL_S, _PICKUP_S, _SEPARATE_S, _SIT_MOTION_S


class ProofRules:
    """Proof of a person for ``Sensing`` (a mixin): leg motion while a press, a provisional sitting or an object call waits."""

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
