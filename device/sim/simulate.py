"""A seeded desk simulator: a person's days and what a seat switch and a PIR report.

Why it exists: the detection and the prompting are tuned and benchmarked on
days with a known truth, and real instrumented days are scarce. The model is
built from the physics in ``shared/traces/README.md`` rather than fitted to
the dev traces, so tuning against it does not overfit six files.

Layers, each from its own seeded stream (so asking for fewer signals, or a
different PIR, leaves the person's day unchanged):

1. the person: arrival, lunch, bouts of sitting split by short away spells
   (20-110 s) and ended by real breaks (minutes), leaning forward / perching
   (seat empty 10-60 s, truth still seated), still and active leg spells;
2. the seat switch: bounce bursts at every transition, weight-shift dropouts,
   electrical spikes, sometimes a bag left on the chair during a break;
3. the PIR: leg movements seen with partial coverage, a retriggerable
   one-shot with a hold time and a blocked time, false and warm-up triggers.

Everything is plain Python and one pass per layer: a 365-day run (~400,000
edges) takes a few seconds, because it feeds the replay benchmark.

This module is the simulator's one import for its users (the commands, the
tests, the benchmarks); the work is done in:

- ``device/sim/profiles.py``: the people and the PIR modules, as data;
- ``device/sim/routine.py``: layer 1, the person's day;
- ``device/sim/sensors.py``: layers 2 and 3, the seat switch and the PIR;
- ``device/sim/days.py``: ``simulate``, which seeds the layers and puts them together;
- ``device/sim/files.py``: the trace and truth files (``write``, ``write_days``).
"""
from __future__ import annotations

from device.sim.days import SimResult, simulate
from device.sim.files import truth_path, write, write_days
from device.sim.profiles import (DAY, DEFAULT_PIR, DEFAULT_START, HOUR, PIR_MODELS, PROFILE_PARAMS, PROFILES,
                                 PirModel, Profile)

__all__ = ["DAY", "DEFAULT_PIR", "DEFAULT_START", "HOUR", "PIR_MODELS", "PROFILES", "PROFILE_PARAMS", "PirModel",
           "Profile", "SimResult", "simulate", "truth_path", "write", "write_days"]
