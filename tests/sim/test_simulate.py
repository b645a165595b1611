"""The desk simulator: determinism, the trace format, and the physics it promises.

Physical properties are asserted from the generated edges themselves (run
lengths, gaps), not from the generator's internals, so a change to the model
that breaks the README's physics fails here.
"""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from device import cli
from device.sim import simulate as sim
from device.adapters.trace import read_trace

EPS = 2e-4          # times are rounded to 0.1 ms in the file and in memory
GLITCH_S = 0.041    # bounce and spikes are shorter than this
MONDAY = datetime.fromisoformat("2026-03-02T00:00:00+01:00")


def runs(result, signal):
    """(start, end, level) of each constant-level run of one signal, up to the end."""
    edges = [(t, v) for t, s, v in result.edges({signal})]
    out = []
    for (t0, v0), (t1, _) in zip(edges, edges[1:]):
        out.append((t0, t1, v0))
    if edges:
        out.append((edges[-1][0], result.duration_s, edges[-1][1]))
    return out


def seated_at(truth, t):
    return any(a <= t < b for a, b in truth)


def within_one_sit(truth, t0, t1):
    return any(a <= t0 and t1 <= b for a, b in truth)


def check_physics(r: sim.SimResult) -> None:
    assert len(r.times) == len(r.signals) == len(r.values)
    assert all(a <= b for a, b in zip(r.times, r.times[1:])), "edges sorted by time"
    assert r.times[:len(r.sensors)] == [0.0] * len(r.sensors)
    assert set(r.signals) == set(r.sensors)
    assert r.times[-1] < r.duration_s
    for sig in r.sensors:
        vals = [v for _, v in ((t, v) for t, s, v in r.edges({sig}))]
        assert all(a != b for a, b in zip(vals, vals[1:])), f"{sig} levels alternate"
    # Truth: sorted, disjoint, inside the trace, at least 20 s each.
    for a, b in r.truth:
        assert 0 <= a < b <= r.duration_s
        assert b - a >= sim.MIN_SIT_S - 1e-3 or a == 0 or b == r.duration_s
    assert all(b1 <= a2 for (_, b1), (a2, _) in zip(r.truth, r.truth[1:]))
    if "seat" in r.sensors:
        seat = runs(r, "seat")
        for a, b, v in seat:
            d = b - a
            # A run is a glitch (bounce or spike) or a real level; nothing in between.
            assert d < GLITCH_S or d > 0.4 or b == r.duration_s or a == 0.0, (a, b, v)
            if v == 0 and d > GLITCH_S and within_one_sit(r.truth, a, b) and 0.0 < a and b < r.duration_s:
                # empty while seated: a weight shift (0.5-8 s) or leaning forward (10-60 s); one the
                # trace's start or end cuts short can be shorter
                assert 0.45 <= d <= sim.PERCH_S[1] + 0.05, (a, d)
            if v == 1 and d > GLITCH_S and not seated_at(r.truth, (a + b) / 2):
                assert r.stats["bags"] > 0, f"seat pressed with nobody seated at {a}"
    if "pir" in r.sensors:
        pir = runs(r, "pir")
        for a, b, v in pir[1:]:
            if b == r.duration_s:
                continue
            if v == 1:
                assert b - a >= r.pir_hold_s - EPS, f"PIR high {b - a:.4f} s < hold at {a}"
            else:
                assert b - a >= r.pir_block_s - EPS, f"PIR low {b - a:.4f} s < block at {a}"


def test_same_seed_same_output():
    a = sim.simulate("typical", 2, 42, MONDAY)
    b = sim.simulate("typical", 2, 42, MONDAY)
    assert (a.times, a.signals, a.values, a.truth) == (b.times, b.signals, b.values, b.truth)
    assert len(a.times) > 1000


def test_different_seeds_differ():
    a = sim.simulate("typical", 1, 1, MONDAY)
    b = sim.simulate("typical", 1, 2, MONDAY)
    assert a.truth != b.truth
    assert a.times != b.times


def test_trace_round_trips_through_reader(tmp_path):
    r = sim.simulate("fidgety", 1, 7, MONDAY, pir_model="am312")
    trace_path, truth_path = sim.write(r, tmp_path / "day.csv")
    assert truth_path == str(tmp_path / "day.truth.csv")
    tr = read_trace(trace_path)
    assert tr.header.start == MONDAY
    assert tr.header.duration_s == 86400
    assert tr.header.signals == ("seat", "pir")
    assert (tr.times, tr.signals, tr.values) == (r.times, r.signals, r.values)
    with open(truth_path, encoding="utf-8") as f:
        lines = f.read().splitlines()
    assert lines[0] == "start,end"
    assert [tuple(map(float, ln.split(","))) for ln in lines[1:]] == r.truth


@pytest.mark.parametrize("profile", sim.PROFILES)
@pytest.mark.parametrize("pir", sorted(sim.PIR_MODELS))
def test_physics_every_profile_and_pir(profile, pir):
    r = sim.simulate(profile, 1, 11, MONDAY, pir_model=pir)
    check_physics(r)
    assert r.note.startswith(f"simulated {profile} person, {pir} PIR")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**40), profile=st.sampled_from(sim.PROFILES),
       pir=st.sampled_from(sorted(sim.PIR_MODELS)), hour=st.integers(0, 23))
def test_physics_hold_for_any_seed(seed, profile, pir, hour):
    check_physics(sim.simulate(profile, 1, seed, MONDAY + timedelta(hours=hour), pir_model=pir))


def test_seat_bounces_at_transitions_and_glitches_are_short():
    r = sim.simulate("typical", 1, 5, MONDAY)
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
    r = sim.simulate("typical", 1, 9, MONDAY, signals=("seat",))
    seated_h = sum(b - a for a, b in r.truth) / 3600
    empties = [b - a for a, b, v in runs(r, "seat")
               if v == 0 and b - a > GLITCH_S and within_one_sit(r.truth, a, b)]
    shifts = [d for d in empties if d <= 8.05]
    assert 2 * seated_h <= len(shifts) <= 10 * seated_h
    assert min(shifts) >= 0.45


def test_day_off_has_no_truth_and_only_stray_pir():
    for seed in range(5):
        r = sim.simulate("day_off", 1, seed, MONDAY)
        assert r.truth == []
        check_physics(r)
        rises = [t for t, s, v in r.edges({"pir"}) if v == 1]
        assert len(rises) <= 60                        # ~1 false trigger an hour (+ bag handling)
        assert sum(t < sim.WARMUP_S + 5 for t in rises) >= 1  # warm-up after power-on


def test_multi_day_run_has_per_day_structure():
    r = sim.simulate("typical", 7, 3, MONDAY)
    per_day = [[(a, b) for a, b in r.truth if d * 86400 <= a < (d + 1) * 86400] for d in range(7)]
    for d in range(5):                                 # Monday to Friday: a working day
        hours = sum(b - a for a, b in per_day[d]) / 3600
        assert 3 <= hours <= 10, (d, hours)
        first, last = per_day[d][0][0] - d * 86400, per_day[d][-1][1] - d * 86400
        assert 6 * 3600 < first < 11 * 3600 and 15 * 3600 < last < 21 * 3600
    weekend = sum(b - a for day in per_day[5:] for a, b in day) / 3600
    assert weekend <= 6


def test_night_owl_works_past_midnight():
    r = sim.simulate("night_owl", 3, 1, MONDAY)
    assert any(b % 86400 < 4 * 3600 and b > 86400 for _, b in r.truth)
    assert all(not (5 * 3600 < a % 86400 < 11 * 3600) for a, _ in r.truth)


def test_people_differ_in_leg_activity():
    def rises_per_seated_hour(profile):
        n = s = 0.0
        for seed in range(3):
            r = sim.simulate(profile, 1, seed, MONDAY)
            n += sum(1 for _, sig, v in r.edges({"pir"}) if v == 1)
            s += sum(b - a for a, b in r.truth)
        return n / s * 3600
    fidgety, typical, still = map(rises_per_seated_hour, ("fidgety", "typical", "still_reader"))
    assert fidgety > typical > still > 10


def test_signal_subset_keeps_the_same_day():
    both = sim.simulate("typical", 1, 4, MONDAY)
    seat = sim.simulate("typical", 1, 4, MONDAY, signals=("seat",))
    assert seat.sensors == ("seat",) and set(seat.signals) == {"seat"}
    assert list(seat.edges()) == list(both.edges({"seat"}))
    assert seat.truth == both.truth


def test_long_hold_pir_override():
    r = sim.simulate("typical", 1, 2, MONDAY, pir_model="hc_sr501_long", pir_hold_s=45)
    assert r.pir_hold_s == 45
    check_physics(r)
    highs = [b - a for a, b, v in runs(r, "pir")[1:] if v == 1 and b < r.duration_s]
    assert highs and min(highs) >= 45 - EPS


@pytest.mark.parametrize("kwargs", [dict(profile="bob"), dict(days=0), dict(pir_model="x"),
                                    dict(signals=("seat", "button")), dict(start=datetime(2026, 3, 2))])
def test_bad_api_arguments(kwargs):
    args = dict(profile="typical", days=1, seed=0, start=MONDAY) | kwargs
    with pytest.raises(ValueError):
        sim.simulate(**args)


def test_cli_writes_trace_and_truth(tmp_path, capsys):
    out = tmp_path / "t.csv"
    rc = cli.main(["simulate", "--days", "2", "--seed", "5", "--profile", "long_sitter",
                   "--pir", "am312", "--sensors", "seat", "--start", "2026-06-01T00:00:00+02:00",
                   "--out", str(out)])
    assert rc == 0
    assert "wrote" in capsys.readouterr().out
    tr = read_trace(str(out))
    assert tr.header.signals == ("seat",) and tr.header.duration_s == 2 * 86400
    assert tr.header.start.isoformat() == "2026-06-01T00:00:00+02:00"
    truth = (tmp_path / "t.truth.csv").read_text().splitlines()
    assert truth[0] == "start,end" and len(truth) > 5
    expected = sim.simulate("long_sitter", 2, 5, tr.header.start, "am312", ("seat",))
    assert tr.times == expected.times


@pytest.mark.parametrize("argv, what", [
    (["--days", "zero"], "--days"), (["--days", "0"], "--days"), (["--seed", "-1"], "--seed"),
    (["--profile", "sloth"], "--profile"), (["--pir", "hc_sr999"], "--pir"),
    (["--sensors", "seat,button"], "--sensors"), (["--start", "yesterday"], "--start"),
    (["--start", "2026-03-02T00:00:00"], "--start"), (["--pir-hold", "0.1"], "--pir-hold"),
])
def test_cli_bad_argument_is_one_line_exit_2(tmp_path, capsys, argv, what):
    out = tmp_path / "t.csv"
    rc = cli.main(["simulate", "--out", str(out), *argv])
    err = capsys.readouterr().err
    assert rc == 2
    assert len(err.strip().splitlines()) == 1 and what in err
    assert not out.exists()


@pytest.mark.parametrize("out", ["day.txt", "day.truth.csv", "no/such/dir/day.csv"])
def test_cli_bad_out_path(tmp_path, capsys, out):
    rc = cli.main(["simulate", "--out", str(tmp_path / out)])
    err = capsys.readouterr().err
    assert rc == 2 and len(err.strip().splitlines()) == 1 and "--out" in err


# ---------------------------------------------------------------- the wider physics (issue #10.5)

def test_soon_bags_come_20_to_60_s_after_the_stand_up_and_leave_just_before_the_return():
    r = sim.simulate("bag_carrier", 5, 1, MONDAY)
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
    assert min(durations) >= sim.SOON_BAG_MIN_S - EPS and max(durations) > 20 * 60


def test_soon_bags_last_minutes_to_hours():
    durations = [b - a for seed in range(6) for a, b in sim.simulate("bag_carrier", 5, seed, MONDAY).bags]
    assert min(durations) < 5 * 60 and max(durations) > 60 * 60


def test_old_profiles_have_no_soon_bags_and_bags_are_exposed():
    r = sim.simulate("day_off", 3, 1, MONDAY)
    assert r.stats["soon_bags"] == 0 and len(r.bags) == r.stats["bags"] >= 1
    for on, off in r.bags:
        assert not any(a < off and on < b for a, b in r.truth)
    assert all(sim.simulate(p, 2, 1, MONDAY).stats["soon_bags"] == 0
               for p in ("typical", "fidgety", "long_sitter", "still_reader", "night_owl"))


def test_noisy_mat_shifts_weight_many_times_an_hour():
    r = sim.simulate("noisy_mat", 1, 9, MONDAY, signals=("seat",))
    seated_h = sum(b - a for a, b in r.truth) / 3600
    shifts = [b - a for a, b, v in runs(r, "seat")
              if v == 0 and GLITCH_S < b - a <= 8.05 and within_one_sit(r.truth, a, b)]
    assert len(shifts) >= 15 * seated_h
    assert min(shifts) >= 0.45


def test_deep_readers_go_tens_of_minutes_without_a_detected_movement():
    longest = 0.0
    for seed in range(3):
        r = sim.simulate("deep_reader", 1, seed, MONDAY, pir_model="am312")
        rises = [t for t, s, v in r.edges({"pir"}) if v == 1]
        for a, b in r.truth:
            pts = [a] + [t for t in rises if a < t < b] + [b]
            longest = max(longest, max(y - x for x, y in zip(pts, pts[1:])))
    assert longest > 30 * 60


@pytest.mark.parametrize("pir, lo, hi", [("hc_sr501_mid", 8, 25), ("hc_sr501_max", 120, 300)])
def test_new_pir_holds(pir, lo, hi):
    r = sim.simulate("typical", 1, 2, MONDAY, pir_model=pir)
    assert lo <= r.pir_hold_s <= hi and 2.3 <= r.pir_block_s <= 2.5
    highs = [b - a for a, b, v in runs(r, "pir")[1:] if v == 1 and b < r.duration_s]
    assert highs and min(highs) >= r.pir_hold_s - EPS


def test_late_night_works_until_the_small_hours():
    r = sim.simulate("late_night", 3, 1, MONDAY)
    assert any(86400 < b and 1.5 * 3600 < b % 86400 < 5 * 3600 for _, b in r.truth)


def test_false_triggers_about_one_an_hour_and_warm_up_in_the_first_minute():
    n = 0
    for seed in range(4):
        r = sim.simulate("day_off", 1, seed, MONDAY, pir_model="am312")
        rises = [t for t, s, v in r.edges({"pir"}) if v == 1]
        assert sum(t < sim.WARMUP_S for t in rises) >= 1
        n += sum(t >= sim.WARMUP_S for t in rises if not any(a - 5 <= t <= b + 5 for a, b in r.bags))
    assert 0.5 * 24 * 4 <= n <= 1.6 * 24 * 4


@pytest.mark.parametrize("command", ["simulate", "run"])
def test_help_names_every_profile_and_pir_model(capsys, command):
    with pytest.raises(SystemExit):
        cli.main([command, "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert all(p in text for p in sim.PROFILES)
    if command == "simulate":
        assert all(m in text for m in sim.PIR_MODELS)
