"""Seat + PIR: the leg motion that proves a person presses the seat.

Edge sequences with injected times (see the physics in shared/traces/README.md): a sit-down
moves the legs as the seat loads; a bag is put down without that and almost never shows two
separate leg motions within two minutes; lifting a bag moves the legs just before the seat
empties, so motion proves a person only once the seat stays pressed after it.
"""
from __future__ import annotations

from engine_helpers import make_engine, pir_pulses, run, sit, types


def test_both_accepts_a_still_person_once_legs_move_twice():
    # sat down at 500 unseen by the PIR; leg movements at 560 and 600: seated since 500
    edges = pir_pulses([50]) + sit(500, 2000) + pir_pulses([560, 600, 1200])
    events = run(make_engine("both"), edges, 2500)
    assert types(events, "sit_start", "sit_end") == [("sit_start", 500.0), ("sit_end", 2000.0)]


def test_two_separate_motions_while_a_bag_is_lifted_do_not_make_it_a_person():
    # a false trigger 60 s before the bag is lifted, and the lifting itself: two motions
    # within two minutes, but the seat empties before the pickup time has passed
    edges = sit(5000, 5400) + pir_pulses([5338, 5398])
    eng = make_engine("both")
    assert types(run(eng, edges, 6000), "sit_start", "sit_end") == []


def test_a_long_hold_pir_high_across_the_press_shows_the_sitting_down_once_it_outlasts_the_hold():
    # an HC-SR501 at a 2-minute hold (learnt from three pulses): the legs move from 990 on,
    # the seat is pressed at 1000 and the output stays high; once it is still high 120 s
    # after the press, the legs moved while the seat was loaded
    learn = pir_pulses([100, 300, 500], hold=120.0)
    edges = learn + [(990, "pir", 1), (1400, "pir", 0)] + sit(1000, 3000)
    eng = make_engine("both")
    events = run(eng, edges, 1125)
    assert types(events, "sit_start") == [("sit_start", 1000.0)]
    assert eng.sensing.object_calls == []


def test_two_motions_proving_a_return_are_not_lost_to_rounding_at_the_pulse_end():
    # the fixed set's still_reader/hc_sr501_min/13103: back 40 s after standing up, seen only
    # on the approach, then two separate leg motions 37.5 s apart (a 3.3 s hold). The second is
    # seen at its rise and again as its pulse's last movement (its fall less the learnt hold),
    # which in floating point lands a hair later; the pickup timer set for the first must still
    # prove a person, not leave the return an object when the seat empties after three minutes
    learn = [12345.678, 22345.678, 32345.678]   # widths 3.2999999999993 (float), the learnt hold
    t0, back = 58633.0, 59755.2573
    edges = (pir_pulses(learn, hold=3.3) + pir_pulses([t0 + 0.5, 59714.0], hold=3.3)
             + sit(t0, 59715.0) + sit(back, back + 185.0) + sit(back + 300, back + 1200)
             + [(59800.8729, "pir", 1), (59804.1729, "pir", 0), (59838.3779, "pir", 1), (59841.6779, "pir", 0)]
             + pir_pulses([back + 301], hold=3.3))
    eng = make_engine("both")
    events = run(eng, edges, back + 1500)
    assert eng.sensing.object_calls == []
    assert types(events, "sit_start", "sit_end")[2:4] == [("sit_start", 59755.26), ("sit_end", 59940.26)]
