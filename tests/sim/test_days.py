"""The simulated run (``device/sim/days.py``): determinism, its arguments, and the physics it promises
for every profile and PIR model.

Physical properties are asserted from the generated edges themselves (``sim_checks.check_physics``),
not from the generator's internals, so a change to the model that breaks the README's physics fails here.
"""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from device.sim.days import simulate
from device.sim.profiles import PIR_MODELS, PROFILES
from sim_checks import MONDAY, check_physics


def test_same_seed_same_output():
    a = simulate("typical", 2, 42, MONDAY)
    b = simulate("typical", 2, 42, MONDAY)
    assert (a.times, a.signals, a.values, a.truth) == (b.times, b.signals, b.values, b.truth)
    assert len(a.times) > 1000


def test_different_seeds_differ():
    a = simulate("typical", 1, 1, MONDAY)
    b = simulate("typical", 1, 2, MONDAY)
    assert a.truth != b.truth
    assert a.times != b.times


@pytest.mark.parametrize("profile", PROFILES)
@pytest.mark.parametrize("pir", sorted(PIR_MODELS))
def test_physics_every_profile_and_pir(profile, pir):
    r = simulate(profile, 1, 11, MONDAY, pir_model=pir)
    check_physics(r)
    assert r.note.startswith(f"simulated {profile} person, {pir} PIR")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**40), profile=st.sampled_from(PROFILES),
       pir=st.sampled_from(sorted(PIR_MODELS)), hour=st.integers(0, 23))
def test_physics_hold_for_any_seed(seed, profile, pir, hour):
    check_physics(simulate(profile, 1, seed, MONDAY + timedelta(hours=hour), pir_model=pir))


def test_signal_subset_keeps_the_same_day():
    both = simulate("typical", 1, 4, MONDAY)
    seat = simulate("typical", 1, 4, MONDAY, signals=("seat",))
    assert seat.sensors == ("seat",) and set(seat.signals) == {"seat"}
    assert list(seat.edges()) == list(both.edges({"seat"}))
    assert seat.truth == both.truth


@pytest.mark.parametrize("kwargs", [dict(profile="bob"), dict(days=0), dict(pir_model="x"),
                                    dict(signals=("seat", "button")), dict(start=datetime(2026, 3, 2))])
def test_bad_api_arguments(kwargs):
    args = dict(profile="typical", days=1, seed=0, start=MONDAY) | kwargs
    with pytest.raises(ValueError):
        simulate(**args)
