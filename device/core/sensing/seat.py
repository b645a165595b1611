"""The seat: debounce, the sit and leave confirmations, and the pending transitions.

The physics (see shared/traces/README.md) and how this part answers it:

* Seat contact bounce (< 40 ms) and electrical spikes (1-10 ms): a level
  must hold ``seat_spike_s`` to count (our own debounce, identical on every
  GPIO backend and in replay; gpiozero's bounce_time differs per backend).
* Weight shifts (seat empty 0.5-8 s while seated): leaving is confirmed only
  after ``seat_leave_confirm_s`` of empty seat; sitting after
  ``seat_sit_confirm_s`` of pressed seat (activPAL's > 3 s rule).

A committed edge starts, ends or settles one pending transition (``_pend``:
"sit", "leave", and with both sensors "return", "sit_gap", "object_gap",
"maybe"), whose timer ``_pend_due`` decides it. The raw edges themselves are
debounced in the edge loop (``Sensing.run``), which keeps that state in locals;
this part takes the committed level. With both sensors, the PIR settles what the
seat cannot: the seat hands those cases to the perch rule (``fused``) and the
object rules (``objects``).
"""
from __future__ import annotations

from device.core.sensing.constants import INF, _PERCH_MAX_S, _SAME_BOUT_S


class SeatRules:
    """The seat's part of ``Sensing`` (a mixin): its state and what a committed edge or its timer does."""

    def _init_seat(self, start_t: float, seat: int) -> None:
        # seat debounce
        self._spike = self.cfg.seat_spike_s
        self._seat_raw = seat
        self._seat_raw_t = start_t
        self._seat_stable = 0           # the level at start is confirmed like any other
        self._seat_commit_due = start_t + self._spike if seat else INF
        # seat occupancy: a pending transition began at _pend_t
        self._pend: str | None = None   # "sit" | "sit_gap" | "leave" | "return" | None
        self._pend_t = 0.0
        self._pend_due = INF
        self._seat_change_t = start_t   # when the seat level last changed (a committed edge)

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
        if self._pend in ("sit_gap", "object_gap"):
            # the seat emptied briefly during a press awaiting proof of a person (or one
            # called an object): see objects
            self._gap_pressed(t)
            return
        if self._pend == "leave":
            if self.mode == "both" and t - self._pend_t >= self.cfg.seat_leave_confirm_s:
                self._start_return(t)     # back after a long empty spell: see fused
                return
            left = self._pend_t
            self._clear_pending()     # a weight shift: still seated, and a person
            if self.mode == "both":
                self._weight_shift(left, t)
        elif not self.seated:
            self._start_pending_sit(t)

    def _seat_released(self, t: float) -> None:
        if self.mode == "both" and self._released_with_pir(t):
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

    def _pend_expired(self, due: float) -> None:
        kind, t0 = self._pend, self._pend_t
        if kind == "return":
            self._decide_return(due)
            return
        if kind in ("sit_gap", "object_gap", "maybe"):
            self._gap_expired(kind, t0)
            return
        if kind == "leave":
            self._clear_pending()
            if self._unproven:
                t0 = self._unproven_left_at(t0, due)
            self._change(t0, False)
            return
        # a sit held long enough; with a PIR it must also be a person: the legs moved as
        # the seat was loaded, or (while it waits, see _motion_while_pending/_motion_ended)
        # a weight shift or two separate leg motions come. Nothing, and it is an object.
        if self.mode == "both" and not self._moving_since(t0, due):
            self._sit_without_motion(t0, due)
            return
        self._clear_pending()
        self._change(t0, True)

    def _clear_pending(self) -> None:
        if self._maybe:
            self._pend, self._pend_due = "maybe", self._maybe[-1][1] + _SAME_BOUT_S
        else:
            self._pend = None
            self._pend_due = INF
