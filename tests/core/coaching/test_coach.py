"""Coaching (device/core/coaching/coach.py): commands, status, its settings. Fake timeline, no sleeps."""
from __future__ import annotations

from engine_helpers import make_engine, run, sit

MIN = 60.0


def test_snooze_is_limited_in_a_row():
    eng = make_engine("seat")
    out = run(eng, sit(0, 200 * MIN), 31 * MIN)
    for minute in (31, 47, 63):
        out += eng.command(minute * MIN, "snooze")
    kinds = [e.type for e in out if e.type.startswith("snooze")]
    assert kinds == ["snooze", "snooze", "snooze_refused"]


def test_status_reports_the_alert_and_the_next_prompt():
    eng = make_engine("seat")
    run(eng, sit(0, 100 * MIN), 10 * MIN)
    st = eng.status(10 * MIN)
    assert st["seated"] and st["alert"] == "none" and st["next_prompt_in_s"] == 20 * MIN
    run(eng, [], 31 * MIN)
    assert eng.status(31 * MIN)["alert"] == "routine"
