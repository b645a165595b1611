"""The prompt ladder (device/core/coaching/ladder.py) as the engine gives it: its times, escalations
that wait for a person, rotation, restarts. Fake timeline, no sleeps."""
from __future__ import annotations

from coach_helpers import MIN, prompts
from engine_helpers import make_engine, person, pir_pulses, run, sit


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
