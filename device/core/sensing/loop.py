"""``Sensing``: the seat, the PIR and the fused rules tied into one occupancy, and the edge loop.

``Sensing`` is the parts (``SeatRules``, ``PirRules``, ``PerchRules``,
``ProofRules``, ``ObjectRules``, ``Evidence``) on one object: each declares
its own state (``_init_*``) and rules, and calls the others by name; this module
holds what ties them: the public API the engine uses, the edge loop ``run``
(the hot loop of a replay: it keeps the debounce and the PIR's per-pulse
bookkeeping in locals, and runs every timer in time order), ``advance``, the
holdback that keeps the event stream ordered, and ``_change``, the one place
occupancy changes. The parts are mixins rather than objects of their own so
that a rule reads ``self._x`` as before: no attribute layer in the hot loop.
"""
from __future__ import annotations

from device.config import SensingConfig
from device.core.sensing.constants import (
    INF, _DEFAULT_HOLD_S, _HOLD_EVIDENCE, _MIN_HOLD_S, _OBJECT_STILL_S, _SAME_BOUT_S, _UNPROVEN_RUN_S)
from device.core.sensing.evidence import Evidence
from device.core.sensing.fused import PerchRules
from device.core.sensing.objects import ObjectRules
from device.core.sensing.pir import PirRules
from device.core.sensing.proof import ProofRules
from device.core.sensing.seat import SeatRules

# one-edge signal columns for feed_seat/feed_pir
_SEAT1, _PIR1 = ("seat",), ("pir",)


class Sensing(SeatRules, PirRules, PerchRules, ProofRules, ObjectRules, Evidence):
    """Occupancy from the configured sensors; see the package docstring."""

    def __init__(self, cfg: SensingConfig, start_t: float = 0.0,
                 seat: int = 0, pir: int = 0):
        self.cfg = cfg
        self.mode = cfg.sensors
        self.use_seat = self.mode in ("seat", "both")
        self.use_pir = self.mode in ("pir", "both")
        self.changes: list[tuple[float, bool]] = []
        self.seated = False
        self._init_seat(start_t, seat)
        self._init_perch()
        self._init_objects(start_t)
        self._init_pir(start_t)
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

    def last_sign(self, now: float) -> float:
        """The latest moment something showed a person: leg motion (now, while the PIR is high) or a seat edge."""
        seen = self._seat_change_t if self.use_seat else -INF
        if self.use_pir and now >= self._warm_until:
            seen = max(seen, now if self._pir_high else self._last_motion)
        return seen

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

    # ------------------------------------------------------------- output
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
