"""The desk's button (device/core/button.py): a press is done, a hold is snooze. Fake timeline, no sleeps."""
from __future__ import annotations

from coach_helpers import MIN, prompts
from engine_helpers import make_engine, run, sit


def test_button_press_is_done_and_hold_is_snooze():
    eng = make_engine("seat")
    edges = sit(0, 80 * MIN) + [(31 * MIN, "button", 1), (31 * MIN + 0.3, "button", 0)]
    events = run(eng, edges, 81 * MIN)
    assert [e.data["how"] for e in events if e.type == "exercise_done"] == ["button"]
    eng2 = make_engine("seat")
    edges2 = sit(0, 80 * MIN) + [(31 * MIN, "button", 1), (31 * MIN + 3, "button", 0)]
    events2 = run(eng2, edges2, 50 * MIN)
    snooze = [e for e in events2 if e.type == "snooze"]
    assert len(snooze) == 1 and snooze[0].t == 31 * MIN + 2.0
    assert prompts(events2)[:2] == [(30.0, 1, False), (46.03, 1, False)]  # 15 min after the snooze


def test_a_press_and_a_hold_on_the_button_alone():
    from device.core.button import Button
    b = Button(2.0)
    assert not b.edge(10.0, 1) and b.due == 12.0
    assert b.edge(10.5, 0) and b.due == float("inf")          # a short press: done
    assert not b.edge(20.0, 1) and not b.held(21.9) and b.held(22.0) and not b.held(23.0)
    assert not b.edge(25.0, 0)                                 # held to its snooze: the release is nothing
    assert not b.edge(30.0, 0)                                 # a release with no press
