"""The simulated person's days (``device/sim/routine.py``): working days and weekends, night owls,
days off, and bags on the chair.
"""
from __future__ import annotations

from device.sim.days import simulate
from device.sim.routine import SOON_BAG_MIN_S
from device.sim.sensors import WARMUP_S
from sim_checks import EPS, GLITCH_S, MONDAY, check_physics, runs


def test_multi_day_run_has_per_day_structure():
    r = simulate("typical", 7, 3, MONDAY)
    per_day = [[(a, b) for a, b in r.truth if d * 86400 <= a < (d + 1) * 86400] for d in range(7)]
    for d in range(5):                                 # Monday to Friday: a working day
        hours = sum(b - a for a, b in per_day[d]) / 3600
        assert 3 <= hours <= 10, (d, hours)
        first, last = per_day[d][0][0] - d * 86400, per_day[d][-1][1] - d * 86400
        assert 6 * 3600 < first < 11 * 3600 and 15 * 3600 < last < 21 * 3600
    weekend = sum(b - a for day in per_day[5:] for a, b in day) / 3600
    assert weekend <= 6


def test_night_owl_works_past_midnight():
    r = simulate("night_owl", 3, 1, MONDAY)
    assert any(b % 86400 < 4 * 3600 and b > 86400 for _, b in r.truth)
    assert all(not (5 * 3600 < a % 86400 < 11 * 3600) for a, _ in r.truth)


def test_late_night_works_until_the_small_hours():
    r = simulate("late_night", 3, 1, MONDAY)
    assert any(86400 < b and 1.5 * 3600 < b % 86400 < 5 * 3600 for _, b in r.truth)


def test_day_off_has_no_truth_and_only_stray_pir():
    for seed in range(5):
        r = simulate("day_off", 1, seed, MONDAY)
        assert r.truth == []
        check_physics(r)
        rises = [t for t, s, v in r.edges({"pir"}) if v == 1]
        assert len(rises) <= 60                        # ~1 false trigger an hour (+ bag handling)
        assert sum(t < WARMUP_S + 5 for t in rises) >= 1  # warm-up after power-on


def test_soon_bags_come_20_to_60_s_after_the_stand_up_and_leave_just_before_the_return():
    r = simulate("bag_carrier", 5, 1, MONDAY)
    check_physics(r)
    assert r.stats["soon_bags"] == len(r.bags) >= 5
    ends, starts = [b for _, b in r.truth], [a for a, _ in r.truth]
    seat = runs(r, "seat")
    rises = [t for t, s, v in r.edges({"pir"}) if v == 1]
    for on, off in r.bags:
        assert 20 - EPS <= on - max(e for e in ends if e <= on) <= 60 + EPS
        assert 10 - EPS <= min(s for s in starts if s >= off) - off <= 60 + EPS
        # the seat holds the bag steadily: no empty spell but glitches from its press to its lift
        assert not [(a, b) for a, b, v in seat if v == 0 and b - a > GLITCH_S and on + 0.05 < b and a < off - 0.05]
        # putting it down moves the legs: the PIR fires within 3 s before the press
        assert any(on - 3.0 - EPS <= t <= on + EPS for t in rises) or any(
            a <= on - 3.0 and b >= on for a, b, v in runs(r, "pir") if v == 1)
    durations = [b - a for a, b in r.bags]
    assert min(durations) >= SOON_BAG_MIN_S - EPS and max(durations) > 20 * 60


def test_soon_bags_last_minutes_to_hours():
    durations = [b - a for seed in range(6) for a, b in simulate("bag_carrier", 5, seed, MONDAY).bags]
    assert min(durations) < 5 * 60 and max(durations) > 60 * 60


def test_old_profiles_have_no_soon_bags_and_bags_are_exposed():
    r = simulate("day_off", 3, 1, MONDAY)
    assert r.stats["soon_bags"] == 0 and len(r.bags) == r.stats["bags"] >= 1
    for on, off in r.bags:
        assert not any(a < off and on < b for a, b in r.truth)
    assert all(simulate(p, 2, 1, MONDAY).stats["soon_bags"] == 0
               for p in ("typical", "fidgety", "long_sitter", "still_reader", "night_owl"))
