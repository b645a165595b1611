"""Seat + PIR, the perch rule: an empty seat bridged by leg motion is still sitting, framed by it an absence."""
from __future__ import annotations

from engine_helpers import make_engine, pir_pulses, run, sit, types


def test_both_perching_with_moving_legs_is_still_sitting():
    edges = sit(100, 1000) + sit(1040, 2000) + pir_pulses([101, 500, 1015, 1025, 1990])
    events = run(make_engine("both"), edges, 2500)
    assert types(events, "sit_start", "sit_end") == [("sit_start", 100.0), ("sit_end", 2000.0)]


def test_both_standing_up_and_sitting_down_is_an_absence():
    # motion at both edges of a 40 s empty spell: the person stood up and came back
    edges = sit(100, 1000) + sit(1040, 2000) + pir_pulses([101, 500, 999, 1041, 1990])
    events = run(make_engine("both"), edges, 2500)
    assert types(events, "sit_start", "sit_end") == [
        ("sit_start", 100.0), ("sit_end", 1000.0), ("sit_start", 1040.0), ("sit_end", 2000.0)]
