"""With both sensors: an empty seat bridged by leg motion (perching) is still sitting.

The physics (see shared/traces/README.md) and how this part answers it:

* standing up and sitting down move the legs; leaning forward or
  perching on the front edge (seat empty 10-60 s) does not, or leaves the
  legs moving under the desk. An empty spell of at most ``_PERCH_MAX_S``
  is still sitting if the legs moved inside it, or if they moved at
  neither of its ends (within ``_EDGE_S``); so the decision on a return
  waits ``_EDGE_S`` after it.

The seat starts a "return" when it is pressed again after the leave
confirmation; ``_decide_return`` settles it at the press, or at its timer
``_EDGE_S`` later. A return that was not perching is a new press, which the
object rules (``objects``) then judge like any other.
"""
from __future__ import annotations

from device.core.sensing.constants import _EDGE_S, _PERCH_EDGE_S


class PerchRules:
    """The perch rule of ``Sensing`` (a mixin): a return after a long empty spell, perching or an absence?"""

    def _init_perch(self) -> None:
        self._return_t = 0.0            # both: when the seat was pressed again after a long empty spell

    def _start_return(self, t: float) -> None:
        # back after a long empty spell: perching or a short absence?
        # decided once the sitting-down edge has been seen by the PIR
        self._pend = "return"
        self._return_t = t
        self._pend_due = t + _EDGE_S

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
