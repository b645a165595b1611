"""What the simulated seat switch and PIR report (``device/sim/sensors.py``): bounce, dropouts, spikes,
leg activity, hold times, false and warm-up triggers, asserted from the generated edges.
"""
from __future__ import annotations

import pytest

from device.sim.days import simulate
from device.sim.sensors import WARMUP_S
from sim_checks import EPS, GLITCH_S, MONDAY, check_physics, runs, within_one_sit


def test_seat_bounces_at_transitions_and_glitches_are_short():
    r = simulate("typical", 1, 5, MONDAY)
    seat = runs(r, "seat")
    glitches = [b - a for a, b, _ in seat if b - a < GLITCH_S]
    assert glitches and max(glitches) < GLITCH_S
    # Most pulses are under 7 ms; a few bursts reach further.
    assert sum(g < 0.007 for g in glitches) / len(glitches) > 0.8
    # Every true sit-down is followed by a burst of toggles within 40 ms.
    starts = [a for a, _ in r.truth]
    seat_times = [t for t, s, _ in r.edges({"seat"})]
    bursts = sum(1 for a in starts if sum(1 for t in seat_times if a - EPS <= t <= a + 0.04) >= 3)
    assert bursts >= len(starts) * 0.5


def test_weight_shift_dropouts_several_an_hour_within_bounds():
    r = simulate("typical", 1, 9, MONDAY, signals=("seat",))
    seated_h = sum(b - a for a, b in r.truth) / 3600
    empties = [b - a for a, b, v in runs(r, "seat")
               if v == 0 and b - a > GLITCH_S and within_one_sit(r.truth, a, b)]
    shifts = [d for d in empties if d <= 8.05]
    assert 2 * seated_h <= len(shifts) <= 10 * seated_h
    assert min(shifts) >= 0.45


def test_noisy_mat_shifts_weight_many_times_an_hour():
    r = simulate("noisy_mat", 1, 9, MONDAY, signals=("seat",))
    seated_h = sum(b - a for a, b in r.truth) / 3600
    shifts = [b - a for a, b, v in runs(r, "seat")
              if v == 0 and GLITCH_S < b - a <= 8.05 and within_one_sit(r.truth, a, b)]
    assert len(shifts) >= 15 * seated_h
    assert min(shifts) >= 0.45


def test_people_differ_in_leg_activity():
    def rises_per_seated_hour(profile):
        n = s = 0.0
        for seed in range(3):
            r = simulate(profile, 1, seed, MONDAY)
            n += sum(1 for _, sig, v in r.edges({"pir"}) if v == 1)
            s += sum(b - a for a, b in r.truth)
        return n / s * 3600
    fidgety, typical, still = map(rises_per_seated_hour, ("fidgety", "typical", "still_reader"))
    assert fidgety > typical > still > 10


def test_deep_readers_go_tens_of_minutes_without_a_detected_movement():
    longest = 0.0
    for seed in range(3):
        r = simulate("deep_reader", 1, seed, MONDAY, pir_model="am312")
        rises = [t for t, s, v in r.edges({"pir"}) if v == 1]
        for a, b in r.truth:
            pts = [a] + [t for t in rises if a < t < b] + [b]
            longest = max(longest, max(y - x for x, y in zip(pts, pts[1:])))
    assert longest > 30 * 60


def test_long_hold_pir_override():
    r = simulate("typical", 1, 2, MONDAY, pir_model="hc_sr501_long", pir_hold_s=45)
    assert r.pir_hold_s == 45
    check_physics(r)
    highs = [b - a for a, b, v in runs(r, "pir")[1:] if v == 1 and b < r.duration_s]
    assert highs and min(highs) >= 45 - EPS


@pytest.mark.parametrize("pir, lo, hi", [("hc_sr501_mid", 8, 25), ("hc_sr501_max", 120, 300)])
def test_new_pir_holds(pir, lo, hi):
    r = simulate("typical", 1, 2, MONDAY, pir_model=pir)
    assert lo <= r.pir_hold_s <= hi and 2.3 <= r.pir_block_s <= 2.5
    highs = [b - a for a, b, v in runs(r, "pir")[1:] if v == 1 and b < r.duration_s]
    assert highs and min(highs) >= r.pir_hold_s - EPS


def test_false_triggers_about_one_an_hour_and_warm_up_in_the_first_minute():
    n = 0
    for seed in range(4):
        r = simulate("day_off", 1, seed, MONDAY, pir_model="am312")
        rises = [t for t, s, v in r.edges({"pir"}) if v == 1]
        assert sum(t < WARMUP_S for t in rises) >= 1
        n += sum(t >= WARMUP_S for t in rises if not any(a - 5 <= t <= b + 5 for a, b in r.bags))
    assert 0.5 * 24 * 4 <= n <= 1.6 * 24 * 4
