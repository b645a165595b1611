"""Done: leg movement, the button, standing up, a break; and whether it came in time. Fake timeline, no sleeps."""
from __future__ import annotations

from coach_helpers import MIN, dones, prompts
from engine_helpers import make_engine, person, pir_pulses, run, sit


def test_leg_movement_after_a_prompt_counts_asdones():
    # 40 s of continuous leg movement (one long PIR pulse) 2 minutes after the prompt
    edges = sit(0, 50 * MIN) + [(32 * MIN, "pir", 1), (32 * MIN + 43, "pir", 0)] + pir_pulses([1, 10])
    events = run(make_engine("both", sensing={"pir_warmup_s": 0}), edges, 55 * MIN)
    done = [e for e in events if e.type == "exercise_done"]
    assert len(done) == 1 and done[0].data["how"] == "pir" and done[0].data["level"] == 1
    assert [p[1] for p in prompts(events)] == [1]  # no reminder after it was done


def test_fidgeting_is_notdones():
    edges = sit(0, 40 * MIN) + pir_pulses([1, 10] + [30 * MIN + 20 * i for i in range(10)])
    events = run(make_engine("both"), edges, 45 * MIN)
    assert not [e for e in events if e.type == "exercise_done" and e.data["how"] == "pir"]


def test_a_break_after_a_prompt_counts_asdones():
    events = run(make_engine("seat"), sit(0, 33 * MIN), 40 * MIN)
    done = [e for e in events if e.type == "exercise_done"]
    assert [d.data["how"] for d in done] == ["break"]


def test_an_exercise_counts_in_time_only_within_the_prompts_window():
    press = lambda m: [(m * MIN, "button", 1), (m * MIN + 0.3, "button", 0)]
    # the button 8 min after the seated prompt (after the reminder): in time; 12 min after it: late
    assert dones(run(make_engine("seat"), person(0, 50 * MIN) + press(38), 50 * MIN)) == [(38.0, "button", True)]
    assert dones(run(make_engine("seat"), person(0, 50 * MIN) + press(42), 50 * MIN)) == [(42.0, "button", False)]
    # the window is coaching.done_window_min
    wide = make_engine("seat", coaching={"done_window_min": 15})
    assert dones(run(wide, person(0, 50 * MIN) + press(42), 50 * MIN)) == [(42.0, "button", True)]


def test_a_late_break_ends_the_ladder_but_is_not_in_time():
    # the seated routine at 30 ignored through the reminder; up at 52 for good: the break ends it, late
    events = run(make_engine("seat"), person(0, 52 * MIN), 60 * MIN)
    assert dones(events) == [(54.0, "break", False)]
    # a break within 10 min of the seated prompt does not answer it either (it asked for the routine)
    assert dones(run(make_engine("seat"), person(0, 33 * MIN), 40 * MIN)) == [(35.0, "break", False)]
    # the walk prompt asks for exactly that: a break taken (left) within its window is in time,
    # though the break is only known break_s after the leaving
    press = [(31 * MIN, "button", 1), (31 * MIN + 0.3, "button", 0)]
    walk = run(make_engine("seat"), person(0, 69 * MIN) + press, 80 * MIN)
    assert dones(walk) == [(31.0, "button", True), (71.0, "break", True)]
    late = run(make_engine("seat"), person(0, 75 * MIN) + press, 80 * MIN)
    assert dones(late) == [(31.0, "button", True), (77.0, "break", False)]
    # the break event's exercises_done is the bout's done in time (as the days and bouts tables say)
    assert [e.data["exercises_done"] for e in events if e.type == "break"] == [0]
    assert [e.data["exercises_done"] for e in late if e.type == "break"] == [1]
    assert [e.data["exercises_done"] for e in walk if e.type == "break"] == [2]


def test_standing_up_answers_the_routine_in_time_only_within_its_window():
    stood = run(make_engine("seat"), person(0, 59.5 * MIN) + person(61 * MIN, 70 * MIN), 70 * MIN)
    assert dones(stood) == [(61.0, "stood", False)]           # up at 59:30, 29.5 min after the prompt
    quick = run(make_engine("seat"), person(0, 33 * MIN) + person(34 * MIN, 40 * MIN), 40 * MIN)
    assert dones(quick) == [(34.0, "stood", True)]


def test_a_test_prompt_is_no_prompt_bout_or_compliance():
    from device.core.rollup import summarize
    eng = make_engine("seat")
    events = run(eng, [(0, "seat", 1)], 2 * MIN) + eng.command(2 * MIN, "test_prompt")
    events += run(eng, [(5 * MIN, "seat", 0)], 20 * MIN)
    assert [e.data.get("test") for e in events if e.type == "prompt"] == [True]
    day = summarize(events)[0]
    assert (day.prompts, day.asks, day.compliance, day.bouts) == (0, 0, None, 1)
    assert [e.data["prompts"] for e in events if e.type == "break"] == [0]
