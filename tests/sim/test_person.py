"""The simulated person's answers to prompts, on injected time (``device/sim/person.py``).

``Person`` is table-tested with profiles that make its choice certain.
"""
from __future__ import annotations

from dataclasses import replace

import pytest

from device.sim.person import BURST_X, DELAY_S, Person
from device.sim.profiles import PROFILE_PARAMS

BASE = PROFILE_PARAMS["typical"]
SEATED = [(1000.0, 5000.0), (6000.0, 6200.0)]
PROMPT1 = {"level": 1, "kind": "seated", "exercise": {"key": "ankle_pumps"}, "beep": False}
PROMPT2 = dict(PROMPT1, level=2, kind="reminder", beep=True)


def person(respond=1.0, button_p=0.0, snooze=0.0, truth=SEATED, **kw) -> Person:
    return Person(replace(BASE, respond_p=respond, button_p=button_p, snooze_p=snooze), seed=7, truth=truth, **kw)


# what is done about a prompt at t = 2000 (seated until 5000), by profile and wiring
@pytest.mark.parametrize("kw, data, kind", [
    (dict(respond=1.0, button_p=0.0), PROMPT1, "exercise"),
    (dict(respond=1.0, button_p=0.0), PROMPT2, "exercise"),           # the reminder is answered too
    (dict(respond=1.0, button_p=1.0), PROMPT1, "button"),
    (dict(respond=1.0, button_p=1.0, button=False), PROMPT1, "exercise"),  # no button wired: the routine
    (dict(respond=1.0, button_p=0.0, pir=False), PROMPT1, "button"),       # no PIR: the button, or nothing seen
    (dict(respond=1.0, pir=False, button=False), PROMPT1, "unseen"),
    (dict(respond=0.0, snooze=1.0), PROMPT1, "snooze"),
    (dict(respond=0.0, snooze=1.0, button=False), PROMPT1, "ignore"),
    (dict(respond=0.0, snooze=0.0), PROMPT1, "ignore"),
    (dict(respond=1.0, truth=[(1000.0, 2040.0)]), PROMPT1, "away"),     # up before they would have answered
])
def test_what_the_person_does_about_a_seated_prompt(kw, data, kind):
    p = person(**kw)
    action = p.notice(2000.0, "prompt", data)
    assert p.log == [(2000.0, data["level"], kind)]
    if kind in ("ignore", "unseen", "away"):
        assert action is None and p.due() is None
        return
    assert action.kind == kind and action.level == data["level"] and p.due() == action.start
    assert 2000.0 + DELAY_S[0] <= action.start <= 2000.0 + DELAY_S[1]
    hold = p.button_hold_s
    if kind == "exercise":
        ms = action.motions
        assert not action.button
        # long enough for coaching's done rule, and dense enough that even a 2 s hold never falls in between
        assert ms[-1] - ms[0] >= p.done_motion_s * BURST_X[0] - 1.3
        assert max(b - a for a, b in zip(ms, ms[1:])) < 2.0
    else:
        (t0, down), (t1, up) = action.button
        assert (down, up) == (1, 0) and t0 == action.start
        assert (t1 - t0 < hold) if kind == "button" else (t1 - t0 > hold)  # a press is done, a hold snoozes


def test_the_dashboards_test_prompt_is_not_answered():
    p = person()
    assert p.notice(2000.0, "prompt", dict(PROMPT1, test=True)) is None and p.due() is None and p.log == []


WALK = dict(PROMPT1, level=3, kind="walk", exercise={"key": "walk"})


# a walk prompt at `now` (seated 1000-5000): up early, or not
@pytest.mark.parametrize("walk_p, now, kind", [
    (1.0, 2000.0, "walk"),
    (0.0, 2000.0, "ignore"),
    (1.0, 4990.0, "away"),      # the generated day has them up within seconds anyway
    (1.0, 5500.0, "away"),      # not at the desk (a prompt back-dated past a leave)
])
def test_a_walk_prompt_may_get_them_up_earlier(walk_p, now, kind):
    p = Person(replace(BASE, walk_p=walk_p), seed=7, truth=list(SEATED))
    a = p.notice(now, "prompt", WALK)
    assert p.log == [(now, 3, kind)]
    if kind != "walk":
        assert a is None
        return
    assert a.kind == "walk" and a.away_until == 5000.0 and now + DELAY_S[0] <= a.start <= now + DELAY_S[1]
    assert all(a.start <= m <= a.start + 4.0 for m in a.motions) and len(a.motions) == 2  # standing, walking away
    assert p.seated(2000.0, 4000.0)
    assert p.act(a.start) == a
    # from then on they are away: a prompt that reached them later would not be answered
    assert not p.seated(a.start + 1, a.start + 60) and p.seated(1000.0, a.start) and p.seated(6000.0, 6100.0)


@pytest.mark.parametrize("type_", ["exercise_done", "break", "snooze", "pause"])
def test_an_answer_not_yet_begun_is_dropped_when_the_prompt_goes_away(type_):
    p = person()
    a = p.notice(2000.0, "prompt", PROMPT1)
    assert p.notice(a.start - 1, type_, {}) is None
    assert p.due() is None and p.act(10_000.0) is None


def test_an_answer_under_way_goes_on_and_is_taken_once():
    p = person()
    a = p.notice(2000.0, "prompt", PROMPT1)
    assert p.act(a.start - 0.001) is None          # not yet
    assert p.act(a.start) == a and p.due() is None
    p.notice(a.start + 1, "exercise_done", {"how": "pir"})  # its own result: nothing left to drop
    assert p.act(10_000.0) is None


def test_a_second_prompt_while_an_answer_is_planned_changes_nothing_other_events_are_ignored():
    p = person()
    a = p.notice(2000.0, "prompt", PROMPT1)
    assert p.notice(2010.0, "prompt", PROMPT2) is None and p.due() == a.start
    assert p.notice(2020.0, "sit_end", {}) is None and p.due() == a.start  # a perch: the truth decides
    assert len(p.log) == 1


def test_the_same_seed_gives_the_same_answers_another_seed_others():
    def answers(seed):
        p = Person("typical", seed, [(0.0, 1e6)])
        out = []
        for i in range(40):
            now = 1000.0 + i * 1000
            a = p.notice(now, "prompt", PROMPT1)
            out.append(a)
            p.act(now + 500)
        return out
    assert answers(3) == answers(3)
    assert answers(3) != answers(4)
    kinds = [a.kind if a else None for a in answers(3)]
    # the typical profile answers most prompts, mostly with the routine, sometimes with the button
    assert 0.45 <= sum(k in ("exercise", "button") for k in kinds) / len(kinds) <= 0.85
    assert kinds.count("exercise") > kinds.count("button") >= 1
