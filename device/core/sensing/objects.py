"""With both sensors: what presses the seat without proof of a person, and objects.

The physics (see shared/traces/README.md) and how this part answers it:

* With both sensors, the PIR settles what the seat cannot (the proof
  itself, leg motion as the seat loads or two separate motions, is ``proof``):
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

The seat (``seat``) hands these cases here: a press the sit confirmation found
without motion (``_sit_without_motion``), the seat emptied or pressed again while
one waits (the "sit_gap" and "object_gap" transitions, and the short sits kept in
``_maybe``), a weight shift with leg motion. The PIR's timer runs ``_object_timer``.
"""
from __future__ import annotations

from device.core.sensing.constants import (
    INF, _BAG_MIN_S, _EDGE_S, _OBJECT_STILL_S, _PICKUP_S, _RETURN_S, _SAME_BOUT_S, _SEPARATE_S,
    _SHORT_SIT_S, _SIT_MOTION_S)


class ObjectRules:
    """The object rules of ``Sensing`` (a mixin): provisional sittings, object calls and their reversal."""

    def _init_objects(self, start_t: float) -> None:
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
        self._seated_t = start_t        # both: when the current seated spell began

    # ------------------------------------------------------- the seat's hand-offs
    def _sit_without_motion(self, t0: float, due: float) -> None:
        """The press at ``t0`` held the sit confirmation (at ``due``) without the motion of sitting down."""
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

    def _gap_pressed(self, t: float) -> None:
        """The seat is pressed again while a press awaiting proof of a person (or one called an object) is empty."""
        if self._pend == "object_gap" and self._moved_between(self._gap_t - _EDGE_S, t):
            # what was called an object was lifted with a leg movement (a bag's pickup moves the
            # legs before the seat empties, a still person's weight shift need not) and the seat
            # is pressed again within seconds: someone sitting down where the bag was, a press
            # of its own (a bag lifted 3-15 s before its owner sits back down)
            self._clear_pending()
            self._start_pending_sit(t)
            return
        # the seat emptied briefly during a press awaiting proof of a person (or one
        # called an object): a weight shift, which objects do not make
        t0 = self._pend_t
        self._clear_pending()
        self._change(t0, True)

    def _weight_shift(self, left: float, t: float) -> None:
        """The seat, empty since ``left``, was pressed again at ``t`` within the leave confirmation."""
        if self._unproven:
            self._proven_seated()
        elif self.seated and self._moved_between(left + _SEPARATE_S, t):
            # ... unless the legs moved while the seat was empty: someone may have stood up
            # and put a bag down within seconds. Seated still, but the press must show a
            # person (as a return does), or it is an object from here, the person gone
            # since the seat emptied
            self._unproven, self._unproven_t0, self._unproven_left = True, t, left
            self._pir_due = min(t + self.cfg.object_timeout_s, self._held_across(t))

    def _released_with_pir(self, t: float) -> bool:
        """The seat emptied at ``t``: what the PIR says of the press; True if that settled the release."""
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
            return True
        if self._object:
            # the object is lifted, or a person called an object shifts their weight
            self._object = False
            self._pend, self._pend_t = "object_gap", (t if self._object_t0 is None else self._object_t0)
            self._gap_t = t
            self._pend_due = t + self.cfg.seat_leave_confirm_s
            return True
        return False

    def _gap_expired(self, kind: str, t0: float) -> None:
        """A "sit_gap" or "object_gap" stayed empty the leave confirmation, or the "maybe" wait ran out."""
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
        if kind == "maybe":
            self._maybe.clear()
        self._clear_pending()     # whatever pressed the seat went away without proof

    def _unproven_left_at(self, t0: float, due: float) -> float:
        """A provisional sitting's seat, empty since ``t0``, is confirmed left at ``due``: when the person left."""
        if t0 - self._unproven_t0 >= _BAG_MIN_S:
            # a provisional sitting left without a sign of a person: an object since its
            # press, and the person away since they left before it (the engine stamps the
            # end at the press, after the sitting's start; coaching times the break from
            # the person's leaving, so their return is a new bout if it is one)
            self.object_calls.append((self._unproven_t0, due))
            return self._unproven_left
        return t0

    # ------------------------------------------------------------- object calls
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

    def _object_timer(self, due: float) -> None:
        """The PIR's timer with both sensors: the object check, a press proven by a long pulse or a pickup wait."""
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
