"""Seat + PIR: objects (a bag) told from people, and the still readers it must not misjudge.

Object calls, provisional sittings, short sits, their reversal, long-hold modules.

Edge sequences with injected times (see the physics in shared/traces/README.md): a sit-down
moves the legs as the seat loads; a bag is put down without that, never shifts its weight and
almost never shows two separate leg motions within two minutes; a lone PIR false trigger is one
motion. Still readers show no motion for many minutes, so an object call must be reversible.
"""
from __future__ import annotations

from engine_helpers import make_engine, pir_pulses, run, sit, types

MIN = 60.0


def _prompts(events):
    return [(round(e.t, 2), e.data["level"]) for e in events if e.type == "prompt"]


def test_both_rejects_a_bag_that_never_moves():
    # the person leaves at 300; a bag lands 200 s later and stays 20 minutes, never moving
    edges = sit(100, 300) + pir_pulses([101, 150, 298]) + sit(500, 1700)
    eng = make_engine("both")
    events = run(eng, edges, 3000)
    assert types(events, "sit_start", "sit_end") == [("sit_start", 100.0), ("sit_end", 300.0)]
    assert eng.sensing.object_calls == [(500.0, 500.0 + 600)]   # object_timeout_s after the press


def test_both_a_still_person_who_shifts_weight_is_never_taken_for_an_object():
    # no leg motion for 2 h after sitting down, but a weight shift every 40 minutes
    edges = pir_pulses([98]) + sit(100, 2500) + sit(2502, 4900) + sit(4902, 7300)
    events = run(make_engine("both"), edges, 7500)
    assert types(events, "sit_start", "sit_end") == [("sit_start", 100.0), ("sit_end", 7300.0)]


def test_a_bag_put_down_37_s_after_the_stand_up_is_not_the_person_coming_back():
    # the person sits at 100 (legs move as the seat loads), stands up at 1000 (legs move);
    # 37 s later a bag lands without a movement and stays 23 minutes; it is lifted (legs move
    # 2 s before) and the person sits down again 30 s after that
    bag_on, bag_off = 1037.0, 1037.0 + 23 * MIN
    back = bag_off + 30
    edges = (sit(100, 1000) + sit(bag_on, bag_off) + sit(back, back + 45 * MIN)
             + pir_pulses([101, 400, 999, bag_off - 2, back + 1]))
    eng = make_engine("both")
    events = run(eng, edges, back + 50 * MIN)
    # the bag is seated provisionally (a return inside the perch window) and retracted to its
    # press after 10 minutes (object_timeout_s) without a sign of a person
    assert types(events, "sit_start", "sit_end") == [
        ("sit_start", 100.0), ("sit_end", 1000.0), ("sit_start", bag_on), ("sit_end", bag_on),
        ("sit_start", back), ("sit_end", back + 45 * MIN)]
    assert eng.sensing.object_calls == [(bag_on, bag_on + 600)]
    # the first bout ends where the person left (not at the bag's press), the person's return
    # is a new bout, prompted on time; nothing was prompted to the bag (the first bout's prompt
    # was due at 1900)
    (brk, *_) = [e for e in events if e.type == "break"]
    assert brk.data["bout_end_ts"].startswith("2026-03-02T08:16:40")   # 08:00 + 1000 s
    assert _prompts(events)[0] == (back + 30 * MIN, 1)
    assert [e.data["new_bout"] for e in events if e.type == "sit_start"] == [True, False, True]


def test_a_bag_lifted_after_a_few_minutes_is_retracted_at_once():
    bag_on, bag_off = 1037.0, 1037.0 + 5 * MIN
    back = bag_off + 30
    edges = (sit(100, 1000) + sit(bag_on, bag_off) + sit(back, back + 35 * MIN)
             + pir_pulses([101, 400, 999, bag_off - 2, back + 1]))
    eng = make_engine("both")
    events = run(eng, edges, back + 40 * MIN)
    assert types(events, "sit_start", "sit_end")[2:4] == [("sit_start", bag_on), ("sit_end", bag_on)]
    assert eng.sensing.object_calls == [(bag_on, bag_off + 10)]   # once the seat stayed empty 10 s
    assert _prompts(events)[0] == (back + 30 * MIN, 1)


def test_a_bag_with_a_lone_false_trigger_is_an_object_in_ten_minutes():
    # nobody at the desk; a bag lands at 5000 and stays an hour; the PIR fires once at 5300
    edges = sit(5000, 5000 + 60 * MIN) + pir_pulses([5300])
    eng = make_engine("both")
    events = run(eng, edges, 5000 + 70 * MIN)
    assert types(events, "sit_start", "sit_end", "prompt") == []
    assert eng.sensing.object_calls == [(5000.0, 5600.0)]


def test_a_still_reader_called_an_object_is_restored_from_the_press_and_prompted_on_time():
    # sits down at 100 seen only on the approach (1 s before the press), then reads without a
    # detected movement or a weight shift for 25 minutes; a weight shift at 1600
    edges = pir_pulses([99]) + sit(100, 1600) + sit(1602, 100 + 50 * MIN)
    eng = make_engine("both")
    events = run(eng, edges, 100 + 55 * MIN)
    assert eng.sensing.object_calls == [(100.0, 700.0)]     # a misfire, reversed ...
    # ... from the press: the sitting and the bout are as if it never happened
    assert types(events, "sit_start", "sit_end") == [("sit_start", 100.0), ("sit_end", 100 + 50 * MIN)]
    assert _prompts(events)[0] == (100 + 30 * MIN, 1)


def test_a_still_reader_who_sat_down_moving_is_never_called_an_object_within_45_minutes():
    # the stillest spells measured: 17 min on the shared days, 40 in our simulator
    edges = pir_pulses([101]) + sit(100, 100 + 44 * MIN)
    eng = make_engine("both")
    events = run(eng, edges, 100 + 50 * MIN)
    assert types(events, "sit_start", "sit_end") == [("sit_start", 100.0), ("sit_end", 100 + 44 * MIN)]
    assert eng.sensing.object_calls == []


def test_a_still_person_back_from_a_short_absence_keeps_the_bout_through_a_misfire():
    # back 30 s after standing up, unseen sitting down, still for 19 minutes, then a weight shift
    back = 1030.0
    edges = pir_pulses([101, 999]) + sit(100, 1000) + sit(back, back + 19 * MIN) + sit(back + 19 * MIN + 2, 4000)
    eng = make_engine("both")
    events = run(eng, edges, 4500)
    # called an object after 10 minutes without a sign (a misfire), reversed from the press by
    # the weight shift: coaching waited at the press meanwhile, so the retraction (stamped at
    # the press, which was already out) and the restore are one bout with no break between
    assert eng.sensing.object_calls == [(back, back + 10 * MIN)]
    assert types(events, "sit_start", "sit_end") == [
        ("sit_start", 100.0), ("sit_end", 1000.0), ("sit_start", back), ("sit_end", back), ("sit_start", back),
        ("sit_end", 4000.0)]
    assert [e.data["new_bout"] for e in events if e.type == "sit_start"] == [True, False, False]
    assert [e.type for e in events].count("break") == 1
    # coaching waited for the sign 3 minutes after the return: the prompt due at 1900 comes
    # with the weight shift (a bag would not have been prompted at all)
    assert _prompts(events)[0] == (back + 19 * MIN + 2.05, 1)   # (the press holds 50 ms to count)


def test_a_still_person_back_from_a_short_absence_is_prompted_on_time_within_3_minutes():
    # the prompt falls due 140 s after an unseen return, before any sign of the person
    back = 1760.0
    edges = pir_pulses([101, 999, back - 31, back + 300, back + 340]) + sit(100, back - 30) + sit(back, back + 20 * MIN)
    events = run(make_engine("both"), edges, back + 25 * MIN)
    assert _prompts(events)[0] == (1900.0, 1)
    assert types(events, "sit_start")[1:] == [("sit_start", back)]


def test_a_short_sit_without_motion_counts_once_someone_sits_down_soon_after():
    # 60 s on the chair, seen only standing up (like a bag lifted), then back 40 s later moving
    edges = sit(5000, 5060) + pir_pulses([5059, 5101]) + sit(5100, 5100 + 35 * MIN)
    eng = make_engine("both")
    events = run(eng, edges, 5100 + 40 * MIN)
    assert types(events, "sit_start", "sit_end") == [
        ("sit_start", 5000.0), ("sit_end", 5060.0), ("sit_start", 5100.0), ("sit_end", 5100 + 35 * MIN)]
    assert _prompts(events)[0] == (5000 + 30 * MIN, 1)    # the bout began with the short sit


def test_a_weight_shift_on_something_called_an_object_restores_it_from_the_press():
    edges = sit(5000, 6000) + sit(6003, 8000)
    eng = make_engine("both")
    events = run(eng, edges, 8500)
    assert eng.sensing.object_calls == [(5000.0, 5600.0)]
    assert types(events, "sit_start", "sit_end") == [("sit_start", 5000.0), ("sit_end", 8000.0)]


def test_the_seat_alone_keeps_no_object_calls():
    eng = make_engine("seat")
    run(eng, sit(5000, 9000), 9500)
    assert eng.sensing.object_calls == []


def test_a_bag_on_the_chair_for_90_s_between_a_stand_up_and_the_return_is_not_sitting():
    # (a simulated bag_carrier day) stands up at 1000, a bag 56 s later (its placing seen 1 s
    # before the press), lifted 91 s later, the person back 11 s after that: a new bout
    bag_on, bag_off, back = 1056.0, 1147.0, 1158.0
    edges = (sit(100, 1000) + sit(bag_on, bag_off) + sit(back, back + 40 * MIN)
             + pir_pulses([101, 999, bag_on - 1, bag_off - 2, back + 1]))
    eng = make_engine("both")
    events = run(eng, edges, back + 45 * MIN)
    assert types(events, "sit_start", "sit_end")[2:4] == [("sit_start", bag_on), ("sit_end", bag_on)]
    assert eng.sensing.object_calls == [(bag_on, bag_off + 10)]
    assert [e.data["new_bout"] for e in events if e.type == "sit_start"][-1] is True
    assert _prompts(events)[0] == (back + 30 * MIN, 1)


def test_a_press_waiting_for_a_person_never_stalls_on_rounding():
    # (t0 + 120) - t0 < 120 for this t0: the wait used to re-arm itself at the same time forever
    from device import config
    from device.core.sensing import Sensing
    t0 = 2038.5792536993797
    assert (t0 + 120.0) - t0 < 120.0
    s = Sensing(config.load(None, env={}).replace(sensing={"sensors": "both"}).sensing)
    expired, calls = s._pend_expired, []

    def counted(due):   # fail instead of hanging if the timer re-arms itself
        calls.append(due)
        assert len(calls) < 100, calls[-3:]
        expired(due)
    s._pend_expired = counted
    s.feed_seat(t0, 1)
    s.advance(t0 + 4000)   # past the call (object_timeout_s) and its hold on coaching (45 min)
    assert s._object and s.next_deadline() == float("inf")


def _learn_hold(hold: float):
    """Three lone pulses early in the day: the module's hold is learnt (the shortest pulse)."""
    return pir_pulses([10, 20 + hold, 30 + 2 * hold], hold=hold)


def _sit_down_moving(t: float, hold: float):
    """A sit-down at ``t`` seen by the PIR (a lone pulse, as wide as the hold)."""
    return pir_pulses([t + 1], hold=hold)


def test_a_short_return_hidden_by_a_long_hold_is_not_an_object_for_want_of_evidence():
    # an HC-SR501 turned right up (4 min hold): the legs move all along, so the output stays
    # high from before the stand-up at 2000 through the return at 2040 and the stand-up at
    # 2190 (a short sit: the pulse hides whether the legs moved while it lasted), until 2500
    hold = 240.0
    edges = (_learn_hold(hold) + _sit_down_moving(1500, hold) + [(1900, "pir", 1), (2500, "pir", 0)]
             + sit(1500, 2000) + sit(2040, 2190) + sit(2600, 2700))
    eng = make_engine("both")
    events = run(eng, edges, 3000)
    assert types(events, "sit_start", "sit_end")[:4] == [
        ("sit_start", 1500.0), ("sit_end", 2000.0), ("sit_start", 2040.0), ("sit_end", 2190.0)]
    assert eng.sensing.object_calls == []


def test_a_press_after_a_break_hidden_by_a_long_hold_counts_when_it_ends_before_the_hold():
    # back after a 5 min break, seen approaching 1 s before the press; the legs keep moving,
    # the output stays high until after the stand-up 200 s later (before press + hold)
    hold = 240.0
    edges = (_learn_hold(hold) + _sit_down_moving(1500, hold) + [(2299, "pir", 1), (2700, "pir", 0)]
             + sit(1500, 2000) + sit(2300, 2500))
    eng = make_engine("both")
    events = run(eng, edges, 3000)
    assert types(events, "sit_start", "sit_end")[2:] == [("sit_start", 2300.0), ("sit_end", 2500.0)]


def test_one_retriggered_long_hold_pulse_is_two_motions_however_long_its_chain():
    # a still person back 30 s after standing up, unseen sitting down (the stand-up's pulse
    # falls 190 s after the press: its last motion was at 2020); later the legs move at 2700
    # and again within each hold until 3000 (the pulse falls at 3200): separate motions, each
    # within a hold (200 s) of the last, though the first and last are 300 s apart
    hold = 200.0
    edges = (_learn_hold(hold) + _sit_down_moving(1500, hold)
             + [(1990, "pir", 1), (2220, "pir", 0), (2700, "pir", 1), (3200, "pir", 0)]
             + sit(1500, 2000) + sit(2030, 2030 + 40 * MIN))
    eng = make_engine("both")
    events = run(eng, edges, 2030 + 45 * MIN)
    # called an object at 2630 (10 minutes without a sign), restored from the press by the chain
    assert eng.sensing.object_calls == [(2030.0, 2030 + 10 * MIN)]
    assert types(events, "sit_start", "sit_end")[-2:] == [("sit_start", 2030.0), ("sit_end", 2030 + 40 * MIN)]
    assert [e.data["new_bout"] for e in events if e.type == "sit_start"][1:] == [False, False]


def test_a_press_too_short_for_a_bag_is_a_short_sit_even_if_nobody_sits_down_after():
    # (a dev day) sits down 50 s after a long break, the legs seen 0.3 s before the press and
    # 1.2 s before the stand-up, then nobody for minutes: a bag is left for minutes, so a
    # press that ends in under a minute was the person
    edges = pir_pulses([4999.7, 5048.8], hold=2.0) + sit(5000, 5050)
    eng = make_engine("both")
    events = run(eng, edges, 5600)
    assert types(events, "sit_start", "sit_end") == [("sit_start", 5000.0), ("sit_end", 5050.0)]
    assert eng.sensing.object_calls == []


def test_a_return_within_a_break_hidden_by_a_long_hold_gets_its_prompt_on_time():
    # (a simulated typical day, HC-SR501 at 168 s) the bout began at 1500, the person is up
    # from 3200 for 80 s; the legs keep the output high across the return, so the sitting down
    # shows only a hold later (at 3448): the prompt due at 3300 waits for nothing
    hold = 168.0
    edges = (_learn_hold(hold) + _sit_down_moving(1500, hold) + [(3000, "pir", 1), (3600, "pir", 0)]
             + sit(1500, 3200) + sit(3280, 4500))
    eng = make_engine("both")
    events = run(eng, edges, 5000)
    assert _prompts(events)[0] == (1500 + 30 * MIN, 1)
    assert types(events, "sit_start", "sit_end")[2:] == [("sit_start", 3280.0), ("sit_end", 4500.0)]
    assert [e.data["new_bout"] for e in events if e.type == "sit_start"] == [True, False]


def test_a_bag_lifted_and_its_owner_sitting_down_within_seconds_is_not_a_weight_shift():
    # (a simulated typical day) the bag lands 10 s after the stand-up and is called an object
    # after 10 minutes; its owner lifts it (legs move 2 s before the seat empties) and sits
    # down 6 s later, moving: a new sitting from there, not the bag restored as a person
    bag_on, bag_off = 1010.0, 1690.0
    back = bag_off + 6
    edges = (sit(100, 1000) + sit(bag_on, bag_off) + sit(back, back + 40 * MIN)
             + pir_pulses([101, 999, bag_on - 2, bag_off - 2, back + 1]))
    eng = make_engine("both")
    events = run(eng, edges, back + 45 * MIN)
    assert eng.sensing.object_calls == [(bag_on, bag_on + 10 * MIN)]
    assert types(events, "sit_start", "sit_end")[-2:] == [("sit_start", back), ("sit_end", back + 40 * MIN)]
    assert [e.data["new_bout"] for e in events if e.type == "sit_start"][-1] is True


def test_a_bag_put_down_within_seconds_of_the_stand_up_is_an_object_from_there():
    # (a simulated night owl) stands up at 3000 (legs move), the bag lands 8 s later (its
    # placing moves the legs 1.5 s before): to the seat an 8 s weight shift. The legs moved
    # while it was empty, so the press must show a person: nothing for 10 minutes, an object,
    # the person gone since 3000 (their bout's prompt, due at 3700, is not given to the bag)
    edges = sit(1900, 3000) + sit(3008, 9000) + pir_pulses([1901, 2999.5, 3006.5])
    eng = make_engine("both")
    events = run(eng, edges, 9500)
    assert eng.sensing.object_calls == [(3008.0, 3008 + 10 * MIN)]
    assert types(events, "sit_start", "sit_end") == [("sit_start", 1900.0), ("sit_end", 3000.0)]
    assert _prompts(events) == []


def test_a_weight_shift_with_a_leg_movement_of_an_active_person_changes_nothing():
    edges = sit(1900, 3000) + sit(3005, 5000) + pir_pulses([1901, 2500, 3003, 3040, 3100, 3160, 4999])
    eng = make_engine("both")
    events = run(eng, edges, 5500)
    assert types(events, "sit_start", "sit_end") == [("sit_start", 1900.0), ("sit_end", 5000.0)]
    assert eng.sensing.object_calls == []
    assert _prompts(events)[0] == (1900 + 30 * MIN, 1)
