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


def test_the_first_prompt_comes_on_time_while_the_person_is_up_for_less_than_a_break():
    # up at 29:30 for 73 s (not a break): the bout goes on, so the seated prompt (LED only) is
    # given at its time (once the seat has decided the leave), not when they sit back down;
    # the LED still shows it when they do, and sitting back down does not count as done
    events = run(make_engine("seat"), person(0, 29.5 * MIN) + person(29.5 * MIN + 73, 40 * MIN), 40 * MIN)
    first = [e for e in events if e.type == "prompt"]
    assert first and 29.5 * MIN <= first[0].t <= 31 * MIN and first[0].data["level"] == 1
    back = [e.t for e in events if e.type == "sit_start"][-1]
    assert first[0].t < back and first[0].data["bout_s"] == round(first[0].t, 1)
    assert not [e for e in events if e.type == "exercise_done"]   # nobody stood up after it
    # the same with a PIR beside the seat (the fused path) and with the seat's own leave rule
    fused = run(make_engine("both"), person(0, 29.5 * MIN) + person(29.5 * MIN + 73, 40 * MIN)
                + pir_pulses([29.5 * MIN - 1, 29.5 * MIN + 72]), 40 * MIN)
    assert [p[:2] for p in prompts(fused)][:1] and 29.5 <= prompts(fused)[0][0] <= 31


def test_escalations_and_empty_chairs_wait_for_the_person():
    # the walk prompt ("stand up", with a beep) falls due while the person is up short of a
    # break: it goes to a person, so it waits for the return (the seated routine was done at 31)
    edges = person(0, 59.5 * MIN) + person(60.5 * MIN, 70 * MIN) + [(31 * MIN, "button", 1), (31 * MIN + 0.3, "button", 0)]
    events = run(make_engine("seat"), edges, 64 * MIN)
    walk = [e for e in events if e.type == "prompt" and e.data["level"] == 3]
    back = [e.t for e in events if e.type == "sit_start"][-1]
    # (after the return, at the first sign of a person there: the first weight shift, 100 s in)
    assert len(walk) == 1 and back == 60.5 * MIN and back < walk[0].t <= back + 100 + 60
    # up at 29:50 and gone for good: the prompt is given while the bout may still go on (not
    # false: the chair has been empty for less than break_s), and none after the break
    gone = run(make_engine("seat"), sit(0, 29.8 * MIN), 40 * MIN)
    brk = [e for e in gone if e.type == "break"]
    assert len(brk) == 1 and all(e.t < brk[0].t for e in gone if e.type == "prompt")
    assert all(e.t < 29.8 * MIN + 120 for e in gone if e.type == "prompt")
    assert not [e for e in gone if e.type == "exercise_done"]   # nobody saw it: nothing was done


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
    from device.adapters.clock import FakeClock
    clock = FakeClock(datetime(2024, 10, 27, 1, 30, tzinfo=ZoneInfo("Europe/Berlin")))
    clock.advance(2 * 3600)  # 01:30 CEST + 2 h = 02:30 CET (the hour repeats)
    assert clock.wall().isoformat() == "2024-10-27T02:30:00+01:00"


def _done(events):
    return [(round(e.t / MIN, 1), e.data["how"], e.data["in_time"]) for e in events if e.type == "exercise_done"]


def test_an_exercise_counts_in_time_only_within_the_prompts_window():
    press = lambda m: [(m * MIN, "button", 1), (m * MIN + 0.3, "button", 0)]
    # the button 8 min after the seated prompt (after the reminder): in time; 12 min after it: late
    assert _done(run(make_engine("seat"), person(0, 50 * MIN) + press(38), 50 * MIN)) == [(38.0, "button", True)]
    assert _done(run(make_engine("seat"), person(0, 50 * MIN) + press(42), 50 * MIN)) == [(42.0, "button", False)]
    # the window is coaching.done_window_min
    wide = make_engine("seat", coaching={"done_window_min": 15})
    assert _done(run(wide, person(0, 50 * MIN) + press(42), 50 * MIN)) == [(42.0, "button", True)]


def test_a_late_break_ends_the_ladder_but_is_not_in_time():
    # the seated routine at 30 ignored through the reminder; up at 52 for good: the break ends it, late
    events = run(make_engine("seat"), person(0, 52 * MIN), 60 * MIN)
    assert _done(events) == [(54.0, "break", False)]
    # a break within 10 min of the seated prompt does not answer it either (it asked for the routine)
    assert _done(run(make_engine("seat"), person(0, 33 * MIN), 40 * MIN)) == [(35.0, "break", False)]
    # the walk prompt asks for exactly that: a break taken (left) within its window is in time,
    # though the break is only known break_s after the leaving
    press = [(31 * MIN, "button", 1), (31 * MIN + 0.3, "button", 0)]
    walk = run(make_engine("seat"), person(0, 69 * MIN) + press, 80 * MIN)
    assert _done(walk) == [(31.0, "button", True), (71.0, "break", True)]
    late = run(make_engine("seat"), person(0, 75 * MIN) + press, 80 * MIN)
    assert _done(late) == [(31.0, "button", True), (77.0, "break", False)]
    # the break event's exercises_done is the bout's done in time (as the days and bouts tables say)
    assert [e.data["exercises_done"] for e in events if e.type == "break"] == [0]
    assert [e.data["exercises_done"] for e in late if e.type == "break"] == [1]
    assert [e.data["exercises_done"] for e in walk if e.type == "break"] == [2]


def test_standing_up_answers_the_routine_in_time_only_within_its_window():
    stood = run(make_engine("seat"), person(0, 59.5 * MIN) + person(61 * MIN, 70 * MIN), 70 * MIN)
    assert _done(stood) == [(61.0, "stood", False)]           # up at 59:30, 29.5 min after the prompt
    quick = run(make_engine("seat"), person(0, 33 * MIN) + person(34 * MIN, 40 * MIN), 40 * MIN)
    assert _done(quick) == [(34.0, "stood", True)]


def test_a_test_prompt_is_no_prompt_bout_or_compliance():
    from device.core.rollup import summarize
    eng = make_engine("seat")
    events = run(eng, [(0, "seat", 1)], 2 * MIN) + eng.command(2 * MIN, "test_prompt")
    events += run(eng, [(5 * MIN, "seat", 0)], 20 * MIN)
    assert [e.data.get("test") for e in events if e.type == "prompt"] == [True]
    day = summarize(events)[0]
    assert (day.prompts, day.asks, day.compliance, day.bouts) == (0, 0, None, 1)
    assert [e.data["prompts"] for e in events if e.type == "break"] == [0]


def test_the_prompts_window_is_checked_against_the_reminder_and_the_walk(tmp_path, capsys):
    from device.cli import main
    bad = tmp_path / "c.toml"
    ok = tmp_path / "ok.toml"
    ok.write_text("[coaching]\ndone_window_min = 15\n")
    assert main(["config", "check", str(ok)]) == 0
    for line in ("done_window_min = 4", "done_window_min = 31", "reminder_after_min = 12"):
        bad.write_text(f"[coaching]\n{line}\n")
        capsys.readouterr()
        assert main(["config", "check", str(bad)]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "coaching.done_window_min" in err and str(bad) in err, err


def test_a_due_prompt_the_person_is_up_for_is_not_waited_on_for_ever():
    # Outside working hours the seated routine is put off a minute at a time. Up at 59:50 with it
    # due at 59:55, and the engine (held back by sensing) reaching coaching only at 60:50: by then
    # it would be the walk prompt, which waits for the return. The deadline went on saying 59:55,
    # which advance() never takes: `deskpulse replay` looped for ever there (and the daemon spun).
    eng = make_engine("seat", coaching={"working_hours": "09:00-17:00"})
    c = eng.coach
    c.sit(0.0, "seat")
    c.advance(59 * MIN + 55 - 60)          # blocked: due again a minute later, at 59:55
    assert c.next_deadline() == 59 * MIN + 55
    c.leave(59 * MIN + 50)
    c.advance(60 * MIN + 50)
    assert c.next_deadline() > 60 * MIN + 50   # the break at 61:50, not 59:55 again
    c.sit(61 * MIN, "seat")                    # back: the walk is due (outside working hours: put off)
    c.advance(61 * MIN)
    assert c.next_deadline() == 62 * MIN
