"""The simulated person's answers to prompts and the merged desk stream, on injected time.

``Person`` is table-tested with profiles that make its choice certain; the
``DeskStream`` is checked against the simulator itself (no answers: the very
same edges) and against the PIR physics when answers are merged in.
"""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import pytest

from device.sim import simulate as sim
from device.sim.sim_person import BURST_X, DELAY_S, Action, DeskStream, Person

MONDAY = datetime.fromisoformat("2026-03-02T00:00:00+01:00")
BASE = sim.PROFILE_PARAMS["typical"]
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


# ---------------------------------------------------------------- the merged stream

@pytest.mark.parametrize("profile", ["typical", "fidgety", "still_reader", "day_off"])
@pytest.mark.parametrize("pir", list(sim.PIR_MODELS))
def test_with_no_answers_the_stream_is_the_simulated_day_exactly(profile, pir):
    r = sim.simulate(profile, 2, seed=5, start=MONDAY, pir_model=pir)
    assert list(DeskStream(r).edges()) == list(zip(r.times, r.signals, r.values))


def test_a_seat_only_day_streams_unchanged():
    r = sim.simulate("typical", 1, seed=5, start=MONDAY, signals=("seat",))
    assert r.pir_motions == []
    assert list(DeskStream(r).edges()) == list(zip(r.times, r.signals, r.values))


class Planned:
    """A stand-in person with fixed actions (the stream only asks ``due`` and ``act``)."""

    def __init__(self, *actions):
        self.todo = sorted(actions, key=lambda a: a.start)

    def due(self):
        return self.todo[0].start if self.todo else None

    def act(self, now):
        return self.todo.pop(0) if self.todo and self.todo[0].start <= now else None


def tiny_day(motions, seat=((0.0, 0),), hold=3.0, block=2.5, duration=200.0):
    """A hand-made simulated day: the PIR's motions and seat levels (t, v), the first at 0."""
    times = [0.0, 0.0] + [t for t, _ in seat[1:]]
    return sim.SimResult(MONDAY, duration, "typical", 1, "hc_sr501_min", ("pir", "seat"), times,
                         ["pir", "seat"] + ["seat"] * (len(seat) - 1), [0, seat[0][1]] + [v for _, v in seat[1:]],
                         [], hold, block, pir_motions=list(motions))


def pir_edges(stream):
    return [(t, v) for t, s, v in stream.edges() if s == "pir"][1:]  # after the level at 0


# (day's motions, the person's motions) -> PIR edges; hold 3, block 2.5
@pytest.mark.parametrize("day, extra, expected", [
    ([10.0], [], [(10.0, 1), (13.0, 0)]),
    ([10.0], [50.0, 51.0, 52.0], [(10.0, 1), (13.0, 0), (50.0, 1), (55.0, 0)]),
    # the person's movement retriggers a pulse the day began: one longer pulse, not two
    ([50.0], [50.5, 52.0, 54.0], [(50.0, 1), (57.0, 0)]),
    # ... and a day's motion inside the person's burst only retriggers it
    ([53.0], [50.0, 52.0, 54.0], [(50.0, 1), (57.0, 0)]),
    # a movement while the module is blind is not seen, whoever makes it
    ([50.0], [54.0, 70.0], [(50.0, 1), (53.0, 0), (70.0, 1), (73.0, 0)]),
])
def test_the_persons_motion_goes_through_the_same_one_shot(day, extra, expected):
    action = Action("exercise", extra[0], 1, motions=tuple(extra)) if extra else None
    stream = DeskStream(tiny_day(day), Planned(action) if action else None)
    assert pir_edges(stream) == expected


def test_motion_injected_behind_what_the_one_shot_already_took_in():
    # the stream looked ahead through the day's chain 50..56 to find the fall; the burst starts at 52
    day = [50.0, 52.5, 55.0, 56.0]
    stream = DeskStream(tiny_day(day), Planned(Action("exercise", 52.0, 1, motions=(52.0, 53.0, 58.5))))
    assert pir_edges(stream) == [(50.0, 1), (61.5, 0)]
    # a burst that starts while the module is blind (53-55.5), behind the blind motion 54 it took in
    stream = DeskStream(tiny_day([50.0, 54.0]), Planned(Action("exercise", 53.5, 1, motions=(53.5, 55.0, 56.0))))
    assert pir_edges(stream) == [(50.0, 1), (53.0, 0), (56.0, 1), (59.0, 0)]


def test_button_edges_are_merged_in_time_order():
    seat = ((0.0, 0), (20.0, 1), (150.0, 0))
    stream = DeskStream(tiny_day([21.0], seat=seat),
                        Planned(Action("button", 100.0, 1, button=((100.0, 1), (100.4, 0)))))
    assert list(stream.edges()) == [(0.0, "pir", 0), (0.0, "seat", 0), (20.0, "seat", 1), (21.0, "pir", 1),
                                    (24.0, "pir", 0), (100.0, "button", 1), (100.4, "button", 0),
                                    (150.0, "seat", 0)]
    assert [a.kind for a in stream.actions] == ["button"]


def test_answers_on_a_simulated_day_keep_the_pir_physics():
    r = sim.simulate("typical", 1, seed=2, start=MONDAY)
    p = Person("typical", 2, r.truth)
    stream = DeskStream(r, p)
    edges, prompted, t_next = [], 0, 9 * 3600.0
    while stream.next_time() is not None:  # a prompt every 20 min of the day, as if from the daemon
        if stream.next_time() >= t_next:
            p.notice(t_next, "prompt", PROMPT1)
            prompted += 1
            t_next += 1200.0
        e = stream.pop()
        if e is not None:
            edges.append(e)
    bursts = [a for a in stream.actions if a.kind == "exercise"]
    assert bursts and prompted > 20
    pir = [(t, v) for t, s, v in edges if s == "pir"][1:]  # after the level at 0
    assert [v for _, v in pir] == [(i + 1) % 2 for i in range(len(pir))]   # alternates, starts with a rise
    assert all(a <= b for (a, _), (b, _) in zip(pir, pir[1:]))
    falls = [t for t, v in pir if v == 0]
    rises = [t for t, v in pir if v == 1]
    assert all(rise - fall >= r.pir_block_s - 1e-3 for fall, rise in zip(falls, rises[1:]))  # blind after a fall
    for a in bursts:  # each burst is one pulse at least as long as the burst plus the hold
        pulse = [(rise, fall) for rise, fall in zip(rises, falls) if rise <= a.motions[-1] and fall > a.motions[-1]]
        assert len(pulse) == 1
        assert pulse[0][1] >= a.motions[-1] + r.pir_hold_s - 1e-3
        assert pulse[0][1] - max(pulse[0][0], a.start) >= 20.0
    # the seat is exactly the simulated day's
    assert [e for e in edges if e[1] == "seat"] == [e for e in zip(r.times, r.signals, r.values) if e[1] == "seat"]


def test_a_walk_leaves_the_seat_early_and_drops_the_rest_of_that_sit():
    # seated 20-150 with a dropout at 100-103 and a bounce at the end; back at 400
    seat = ((0.0, 0), (20.0, 1), (100.0, 0), (103.0, 1), (150.0, 0), (150.01, 1), (150.02, 0), (400.0, 1))
    walk = Action("walk", 60.0, 3, motions=(60.5, 62.0), away_until=150.0)
    stream = DeskStream(tiny_day([21.0, 90.0, 149.5, 151.0, 401.0], seat=seat, duration=500.0), Planned(walk))
    edges = list(stream.edges())
    assert [(t, v) for t, s, v in edges if s == "seat"] == [(0.0, 0), (20.0, 1), (60.0, 0), (400.0, 1)]
    # the PIR sees them stand and walk away (60.5, retriggered at 62), nothing of the sit they left
    assert [(t, v) for t, s, v in edges if s == "pir"][1:] == [(21.0, 1), (24.0, 0), (60.5, 1), (65.0, 0),
                                                               (401.0, 1), (404.0, 0)]
    assert stream.actions == [walk]


def test_a_walk_during_a_dropout_needs_no_seat_edge():
    seat = ((0.0, 0), (20.0, 1), (59.0, 0), (62.0, 1), (150.0, 0), (400.0, 1))
    walk = Action("walk", 60.0, 3, away_until=150.0)
    stream = DeskStream(tiny_day([], seat=seat, duration=500.0), Planned(walk))
    assert [(t, v) for t, s, v in stream.edges() if s == "seat"] == [(0.0, 0), (20.0, 1), (59.0, 0), (400.0, 1)]
