"""Raw seat/PIR edges -> debounced occupancy ("seated" / "away"), pure logic.

No threads, no I/O, no clock: ``feed_seat``/``feed_pir`` take an edge with
its time, ``advance(now)`` runs the confirmation timers. Occupancy changes are
appended to ``self.changes`` as ``(t, seated)`` with ``t`` back-dated to the
edge that began the transition, so confirmation delays never bias durations.

The physics (see shared/traces/README.md) and the module that answers each part:

* ``seat``: contact bounce and spikes (our own debounce), weight shifts (the
  sit and leave confirmations), and the pending transitions a press or an
  empty seat starts.
* ``pir``: the PIR's warm-up, its learnt hold, movement, and PIR alone:
  arrival, absence, probable breaks and still readers.
* ``fused``: with both sensors, an empty spell bridged by leg motion
  (perching, leaning forward) is still sitting.
* ``objects``: with both sensors, objects (a bag) told from people: the
  evidence a press needs, object calls, their reversal, long-hold modules.
* ``evidence``: the questions those rules ask of the PIR's recent pulses.
* ``constants``: the windows and thresholds, each with what was measured.
* ``loop``: ``Sensing``, which ties them: its state is the union of the
  parts' (each part declares its own), the edge loop ``Sensing.run``, the
  timers, ``holdback`` and the one place occupancy changes.

``holdback()`` is the earliest time a future change could be back-dated to;
the engine runs coaching no further ahead of it than a small grace, which is
what keeps the event stream ordered without buffering.
"""
from __future__ import annotations

from device.core.sensing.constants import INF
from device.core.sensing.loop import Sensing

__all__ = ["INF", "Sensing"]
