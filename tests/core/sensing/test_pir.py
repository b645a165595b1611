"""The PIR alone: warm-up, arrival, absence, lone motions, still readers and probable breaks."""
from __future__ import annotations

import pytest

from engine_helpers import make_engine, pir_pulses, run, types


def test_pir_only_needs_two_pulses_to_arrive_and_backdates_leaving():
    eng = make_engine("pir", sensing={"pir_warmup_s": 0.0, "pir_absence_s": 300.0})
    lone = pir_pulses([1000])                          # a false trigger: ignored
    person = pir_pulses([5000, 5020, 5200, 5400])      # arrives at 5000, last movement 5400
    events = run(eng, lone + person, 7000)
    assert types(events, "sit_start", "sit_end") == [("sit_start", 5000.0), ("sit_end", 5400.0)]


def test_pir_warmup_ignores_the_first_minute():
    eng = make_engine("pir", sensing={"pir_absence_s": 300.0})
    events = run(eng, pir_pulses([5, 15, 30, 45]), 1000)
    assert types(events, "sit_start") == []


def _steady(a: float, b: float, every: float = 30.0) -> list[float]:
    return [a + every * i for i in range(int((b - a) / every) + 1)]


@pytest.mark.parametrize("before, expected", [
    # a lone motion after 400 s of stillness, then 500 s of silence: standing up after a
    # still spell, so the break starts at that motion (a 720 s absence would bridge it)
    ([1400], [("sit_start", 100.0), ("sit_end", 1400.0), ("sit_start", 1900.0), ("sit_end", 3010.0)]),
    # two motions 20 s apart are not lone: a still spell of 500 s is still sitting
    ([1380, 1400], [("sit_start", 100.0), ("sit_end", 3010.0)]),
])
def test_pir_only_a_lone_motion_after_a_still_spell_starts_a_break(before, expected):
    eng = make_engine("pir", sensing={"pir_warmup_s": 0.0})
    edges = pir_pulses(_steady(100, 1000) + before + _steady(1900, 3010))
    events = run(eng, edges, 5000)
    assert types(events, "sit_start", "sit_end") == expected


def _bursts(starts, length: float = 120.0) -> list[float]:
    return [t for s in starts for t in _steady(s, s + length, every=20.0)]


def test_pir_only_a_still_reader_is_given_longer_silences():
    # moving for 2 min, then still for 11 min, three times: silences of 10 min and more
    # far more often than breaks alone give (about one in six), so this person reads; a
    # silence of 800 s after that is still sitting (over pir_absence_s, under 1.15 x it)
    reader = _bursts([100, 880, 1660, 2440]) + _bursts([3360])
    eng = make_engine("pir", sensing={"pir_warmup_s": 0.0, "pir_absence_s": 750.0})
    events = run(eng, pir_pulses(reader), 6000)
    assert types(events, "sit_start", "sit_end") == [("sit_start", 100.0), ("sit_end", 3480.0)]
    assert eng.sensing.reader
    # the same 800 s silence with no such history ends the sitting, back-dated
    eng = make_engine("pir", sensing={"pir_warmup_s": 0.0, "pir_absence_s": 750.0})
    events = run(eng, pir_pulses(_bursts([100]) + _bursts([1020])), 3000)
    assert types(events, "sit_start", "sit_end") == [
        ("sit_start", 100.0), ("sit_end", 220.0), ("sit_start", 1020.0), ("sit_end", 1140.0)]


def _pir_day(return_width: float):
    """PIR alone: moving every 50 s from 100 s, a 200 s silence at 1200-1400 s, back with a
    pulse of ``return_width`` seconds, then moving every 50 s until 6000 s."""
    before = [100 + 50 * i for i in range(23)]            # ... 1200
    after = [1400 + 50 * i for i in range(1, 92)]         # 1450 ... 5950
    return pir_pulses(before, hold=2.0) + [(1400, "pir", 1), (1400 + return_width, "pir", 0)] \
        + pir_pulses(after, hold=2.0)


def test_pir_only_restarts_the_ladder_after_a_probable_break():
    # sitting down again is sustained movement (a pulse well past the 2 s hold):
    # the first prompt comes 30 min after the return, not 30 min after the first arrival
    eng = make_engine("pir", sensing={"pir_warmup_s": 0.0})
    events = run(eng, _pir_day(return_width=4.0), 6000)
    prompts = [round(e.t) for e in events if e.type == "prompt"]
    assert prompts and prompts[0] == 1400 + 1800
    assert types(events, "sit_start", "sit_end") == [("sit_start", 100.0)]  # the seated time is kept


def test_pir_only_keeps_the_ladder_through_a_still_spell():
    # the same silence framed by plain leg twitches (pulses of exactly the hold): a still spell
    eng = make_engine("pir", sensing={"pir_warmup_s": 0.0})
    events = run(eng, _pir_day(return_width=2.0), 6000)
    prompts = [round(e.t) for e in events if e.type == "prompt"]
    assert prompts and prompts[0] == 100 + 1800


def test_pir_only_a_bare_silence_after_a_prompt_ends_it_and_restarts_the_ladder():
    # moving every 50 s from 100 s: the seated prompt comes at 1900 s. Then a 250 s
    # silence framed by plain twitches (no standing-up motion): with a prompt standing
    # it counts as the break the prompt asked for; the next prompt is 30 min after it.
    eng = make_engine("pir", sensing={"pir_warmup_s": 0.0})
    before = [100 + 50 * i for i in range(39)]            # ... 2000
    after = [2250 + 50 * i for i in range(80)]            # 2250 ... 6200
    events = run(eng, pir_pulses(before + after, hold=2.0), 6300)
    assert [round(e.t) for e in events if e.type == "prompt"][:2] == [1900, 2250 + 1800]
    done = [e for e in events if e.type == "exercise_done"]
    assert [(round(e.t), e.data["how"]) for e in done][:1] == [(2250, "break")]
    assert types(events, "sit_start", "sit_end") == [("sit_start", 100.0)]  # the seated time is kept


def test_pir_only_a_return_that_keeps_moving_does_not_hold_prompts_back():
    # the return pulse stays high for 2600 s: its verdict comes once it outlasts the
    # hold, not at its fall, so the prompt 30 min after the return is on time
    eng = make_engine("pir", sensing={"pir_warmup_s": 0.0})
    edges = pir_pulses([100 + 50 * i for i in range(23)], hold=2.0) + [(1400, "pir", 1), (4000, "pir", 0)]
    events = run(eng, edges, 4000)
    prompts = [round(e.t) for e in events if e.type == "prompt"]
    assert prompts and prompts[0] == 1400 + 1800


def _moving(a: float, b: float, every: float = 50.0, hold: float = 2.0):
    return pir_pulses([a + every * i for i in range(int((b - a) // every) + 1)], hold=hold)


def test_pir_only_a_sitting_down_after_a_silence_just_over_a_break_restarts_the_ladder():
    # a 125 s silence (longer than break_s = 120 s, so it can be a break) ended by the
    # sustained motion of sitting down: the ladder starts over from the return
    eng = make_engine("pir", sensing={"pir_warmup_s": 0.0})
    edges = _moving(100, 1200) + [(1325, "pir", 1), (1329, "pir", 0)] + _moving(1375, 5000)
    events = run(eng, edges, 5000)
    assert [round(e.t) for e in events if e.type == "prompt"][:1] == [1325 + 1800]


def test_pir_only_gives_no_reminder_but_still_the_walk_prompt():
    # PIR alone cannot be sure the bout began where it thinks (a break may hide in a still
    # spell), so a first prompt that may be early is not escalated with a beep 5 min later;
    # the walk prompt at 60 min still comes. Moving every 50 s, never 20 s of movement in a row.
    eng = make_engine("pir", sensing={"pir_warmup_s": 0.0})
    events = run(eng, _moving(100, 3900), 3900)
    assert [(round(e.t), e.data["level"]) for e in events if e.type == "prompt"] == [(1900, 1), (3700, 3)]


def test_pir_only_with_a_hold_longer_than_a_break_never_prompts():
    # an HC-SR501 turned to a 3-minute hold: three lone movements show the hold, then the
    # output stays high for an hour (someone moving now and then, or someone who walked away
    # for two minutes and came back: the module never fell). PIR alone cannot see a break
    # shorter than its hold, so it does not prompt at all.
    eng = make_engine("pir", sensing={"pir_warmup_s": 0.0})
    edges = [(100, "pir", 1), (280, "pir", 0), (310, "pir", 1), (490, "pir", 0),
             (520, "pir", 1), (700, "pir", 0), (730, "pir", 1), (4700, "pir", 0)]
    events = run(eng, edges, 4700)
    assert types(events, "sit_start") == [("sit_start", 100.0)]
    assert eng.sensing.hold_s == 180.0
    assert [e for e in events if e.type == "prompt"] == []


def test_pir_only_a_prompt_held_back_through_a_silence_as_long_as_a_break_is_not_given_on_the_return():
    # the prompt falls due at 1900 s while the PIR has seen nothing since 1800 s; coaching waits
    # (the chair may be empty). The silence lasts 150 s, long enough to be a break: greeting the
    # return with the prompt would nag someone who may have just sat down, so the ladder starts
    # over from the return instead (the prompt was already late if it was a still spell)
    eng = make_engine("pir", sensing={"pir_warmup_s": 0.0})
    events = run(eng, _moving(100, 1800) + _moving(1950, 4000), 4000)
    assert [round(e.t) for e in events if e.type == "prompt"][:1] == [1950 + 1800]
    assert types(events, "sit_start", "sit_end") == [("sit_start", 100.0)]  # the seated time is kept
