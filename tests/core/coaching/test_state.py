"""A bout carried across a restart (device/core/coaching/state.py). Fake timeline, no sleeps."""
from __future__ import annotations

from coach_helpers import MIN
from engine_helpers import make_engine, run, sit


def test_a_bout_survives_a_restart():
    eng = make_engine("seat")
    run(eng, sit(0, 100 * MIN), 20 * MIN)
    saved = eng.export_state(20 * MIN)
    from engine_helpers import START, IdFactory, config, Engine
    from datetime import timedelta
    cfg = config.load(None, env={}).replace(sensing={"sensors": "seat"})
    # the process restarts 60 s later on a fresh monotonic axis starting at 0
    eng2 = Engine(cfg, wall_at=lambda t: START + timedelta(seconds=t + 21 * MIN), ids=IdFactory(node=2),
                  start_t=0.0, initial={"seat": 1}, resume=saved, resume_gap_s=60.0)
    events = run(eng2, [], 12 * MIN)
    ps = [e for e in events if e.type == "prompt"]
    # 20 min sat + 1 min down + 9 min = the 30 min prompt, 9 minutes into the new process
    assert ps and abs(ps[0].t - 9 * MIN) < 5
