"""Coaching: the prompt ladder, done, snooze, pause, hours, breaks. Fake timeline, no sleeps."""
from __future__ import annotations

from engine_helpers import make_engine, person, pir_pulses, run, sit

MIN = 60.0


def prompts(events):
    return [(round(e.t / MIN, 2), e.data["level"], e.data["beep"]) for e in events if e.type == "prompt"]


def test_the_ladder_for_a_long_sit():
    events = run(make_engine("seat"), person(0, 90 * MIN), 100 * MIN)
    assert prompts(events) == [(30.0, 1, False), (35.0, 2, True), (60.0, 3, True), (65.0, 3, True), (70.0, 3, True)]
    walk = [e for e in events if e.type == "prompt" and e.data["level"] == 3]
    assert [e.data["repeat"] for e in walk] == [1, 2, 3]
    assert walk[0].data["exercise"]["key"] == "walk"


def test_no_prompt_goes_to_an_empty_chair():
    # up at 29:30 for 90 s (not a break): the first prompt, due at 30, waits for the return
    events = run(make_engine("seat"), sit(0, 29.5 * MIN) + sit(31 * MIN, 33 * MIN), 33.5 * MIN)
    first = [e for e in events if e.type == "prompt"]
    back = [e.t for e in events if e.type == "sit_start"][-1]
    assert back == 31 * MIN and len(first) == 1 and back <= first[0].t <= back + 5  # once the sit is confirmed
    assert first[0].data["bout_s"] == round(first[0].t, 1)  # the bout began at t = 0 (not "falsy")
    # up at 29:50 and gone for good: the first prompt never fires, the break ends the bout
    gone = run(make_engine("seat"), sit(0, 29.8 * MIN), 40 * MIN)
    assert prompts(gone) == [] and [e.type for e in gone if e.type == "break"] == ["break"]


def test_exercises_rotate_between_bouts():
    edges = sit(0, 40 * MIN) + sit(45 * MIN, 85 * MIN)
    events = run(make_engine("seat"), edges, 100 * MIN)
    first = [e.data["exercise"]["key"] for e in events if e.type == "prompt" and e.data["level"] == 1]
    assert len(first) == 2 and first[0] != first[1]


def test_a_short_absence_does_not_reset_the_bout_but_a_break_does():
    short = run(make_engine("seat"), sit(0, 20 * MIN) + sit(21 * MIN, 40 * MIN), 45 * MIN)
    assert prompts(short)[:1] == [(30.0, 1, False)]
    long = run(make_engine("seat"), sit(0, 20 * MIN) + sit(23 * MIN, 40 * MIN), 45 * MIN)
    assert prompts(long) == []  # the 3 min break started a new bout at 23 min
    brk = [e for e in long if e.type == "break"][0]
    assert brk.data["bout_s"] == 20 * MIN and brk.t == 22 * MIN


def test_leg_movement_after_a_prompt_counts_as_done():
    # 40 s of continuous leg movement (one long PIR pulse) 2 minutes after the prompt
    edges = sit(0, 50 * MIN) + [(32 * MIN, "pir", 1), (32 * MIN + 43, "pir", 0)] + pir_pulses([1, 10])
    events = run(make_engine("both", sensing={"pir_warmup_s": 0}), edges, 55 * MIN)
    done = [e for e in events if e.type == "exercise_done"]
    assert len(done) == 1 and done[0].data["how"] == "pir" and done[0].data["level"] == 1
    assert [p[1] for p in prompts(events)] == [1]  # no reminder after it was done


def test_fidgeting_is_not_done():
    edges = sit(0, 40 * MIN) + pir_pulses([1, 10] + [30 * MIN + 20 * i for i in range(10)])
    events = run(make_engine("both"), edges, 45 * MIN)
    assert not [e for e in events if e.type == "exercise_done" and e.data["how"] == "pir"]


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


def test_snooze_is_limited_in_a_row():
    eng = make_engine("seat")
    out = run(eng, sit(0, 200 * MIN), 31 * MIN)
    for minute in (31, 47, 63):
        out += eng.command(minute * MIN, "snooze")
    kinds = [e.type for e in out if e.type.startswith("snooze")]
    assert kinds == ["snooze", "snooze", "snooze_refused"]


def test_pause_resumes_by_itself_and_gives_only_the_highest_due_prompt():
    eng = make_engine("seat")
    edges = person(0, 200 * MIN)
    out = run(eng, edges, 25 * MIN)
    out += eng.command(25 * MIN, "pause", minutes=40)
    for t, sig, v in edges:
        if 25 * MIN < t <= 70 * MIN:
            out += eng.feed(t, sig, v)        # deadlines that fell before an edge run first
    out += eng.advance(70 * MIN)
    assert [e.type for e in out if e.type in ("pause", "resume")] == ["pause", "resume"]
    resume = [e for e in out if e.type == "resume"][0]
    assert resume.t == 65 * MIN and resume.data["reason"] == "timer"
    # nothing while paused; then only the highest level due (the walk), not the missed ladder
    assert prompts(out) == [(65.0, 3, True), (70.0, 3, True)]


def test_working_hours_silence_prompts_outside_them():
    # START is 08:00 local; working hours from 09:00: a 08:00-08:50 sit gets no prompt
    eng = make_engine("seat", coaching={"working_hours": "09:00-17:00"})
    assert prompts(run(eng, sit(0, 50 * MIN), 55 * MIN)) == []


def test_quiet_hours_keep_the_led_but_not_the_beep():
    eng = make_engine("seat", coaching={"quiet_hours": "07:00-22:00"})
    ps = prompts(run(eng, person(0, 70 * MIN), 75 * MIN))
    assert [p[1] for p in ps] == [1, 2, 3, 3, 3] and not any(p[2] for p in ps)


def test_standing_up_after_the_seated_routine_was_asked_counts_and_restarts_the_ladder():
    # the reminder stands at 59:30; up for 90 s (not a break): standing up did more than the
    # routine asks, so it is done, and the next prompt is 30 min after the return, not a walk
    events = run(make_engine("seat"), person(0, 59.5 * MIN) + person(61 * MIN, 100 * MIN), 100 * MIN)
    done = [(round(e.t / MIN, 2), e.data["how"], e.data["level"]) for e in events if e.type == "exercise_done"]
    assert done == [(61.0, "stood", 2)]
    assert prompts(events) == [(30.0, 1, False), (35.0, 2, True), (91.0, 1, False), (96.0, 2, True)]
    # the walk prompt is not answered by standing up: only a break (or the button) ends it
    walk = run(make_engine("seat"), person(0, 61 * MIN) + person(62 * MIN, 70 * MIN), 70 * MIN)
    assert not [e for e in walk if e.type == "exercise_done"]
    assert [p[1] for p in prompts(walk)] == [1, 2, 3, 3, 3]


def test_escalations_wait_for_a_sign_of_a_person():
    # to the seat alone a bag is a person: it gets the silent seated prompt (LED) at 30 min,
    # but no beep and no walk prompt, since nothing on it ever moves or shifts
    eng = make_engine("seat")
    bag = run(eng, sit(0, 90 * MIN), 89 * MIN)
    assert prompts(bag) == [(30.0, 1, False)]
    assert eng.status(89 * MIN)["next_prompt_in_s"] is None   # no countdown that never ends
    # a press of the button is someone at the desk: done at 31 min, the walk comes at 60 as usual
    pressed = sit(0, 70 * MIN) + [(31 * MIN, "button", 1), (31 * MIN + 0.3, "button", 0)]
    assert prompts(run(make_engine("seat"), pressed, 61 * MIN)) == [(30.0, 1, False), (60.0, 3, True)]
    # someone very still gets the reminder within a minute of their first weight shift after it fell due
    still = sit(0, 41 * MIN) + sit(41 * MIN + 2, 90 * MIN)
    assert prompts(run(make_engine("seat"), still, 45 * MIN)) == [(30.0, 1, False), (42.0, 2, True)]


def test_a_break_after_a_prompt_counts_as_done():
    events = run(make_engine("seat"), sit(0, 33 * MIN), 40 * MIN)
    done = [e for e in events if e.type == "exercise_done"]
    assert [d.data["how"] for d in done] == ["break"]


def test_status_reports_the_alert_and_the_next_prompt():
    eng = make_engine("seat")
    run(eng, sit(0, 100 * MIN), 10 * MIN)
    st = eng.status(10 * MIN)
    assert st["seated"] and st["alert"] == "none" and st["next_prompt_in_s"] == 20 * MIN
    run(eng, [], 31 * MIN)
    assert eng.status(31 * MIN)["alert"] == "routine"


def test_a_bout_survives_a_restart():
    eng = make_engine("seat")
    run(eng, sit(0, 100 * MIN), 20 * MIN)
    saved = eng.export_state(20 * MIN)
    from engine_helpers import START, IdFactory, config, Engine
    from datetime import timedelta
    cfg = config.load(None, env={}).replace(sensing={"sensors": "seat"})
    # the process restarts 60 s later on a fresh monotonic axis starting at 0
    eng2 = Engine(cfg, wall_at=lambda t: START + timedelta(seconds=t + 21 * MIN), ids=IdFactory(node=2),
                  start_t=0.0, initial={"seat": 1}, resume=saved, resume_gap_s=60.0)
    events = run(eng2, [], 12 * MIN)
    ps = [e for e in events if e.type == "prompt"]
    # 20 min sat + 1 min down + 9 min = the 30 min prompt, 9 minutes into the new process
    assert ps and abs(ps[0].t - 9 * MIN) < 5


def test_fake_clock_counts_real_seconds_across_dst():
    from datetime import datetime
    from zoneinfo import ZoneInfo
    from device.clock import FakeClock
    clock = FakeClock(datetime(2024, 10, 27, 1, 30, tzinfo=ZoneInfo("Europe/Berlin")))
    clock.advance(2 * 3600)  # 01:30 CEST + 2 h = 02:30 CET (the hour repeats)
    assert clock.wall().isoformat() == "2024-10-27T02:30:00+01:00"
