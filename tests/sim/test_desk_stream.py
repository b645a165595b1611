"""The merged desk stream (``device/sim/desk_stream.py``, its PIR ``device/sim/live_pir.py``), on injected time.

The ``DeskStream`` is checked against the simulator itself (no answers: the very
same edges) and against the PIR physics when the person's answers are merged in.
"""
from __future__ import annotations

from datetime import datetime

import pytest

from device.sim.days import SimResult, simulate
from device.sim.desk_stream import DeskStream
from device.sim.person import Action, Person
from device.sim.profiles import PIR_MODELS

MONDAY = datetime.fromisoformat("2026-03-02T00:00:00+01:00")
PROMPT1 = {"level": 1, "kind": "seated", "exercise": {"key": "ankle_pumps"}, "beep": False}


@pytest.mark.parametrize("profile", ["typical", "fidgety", "still_reader", "day_off"])
@pytest.mark.parametrize("pir", list(PIR_MODELS))
def test_with_no_answers_the_stream_is_the_simulated_day_exactly(profile, pir):
    r = simulate(profile, 2, seed=5, start=MONDAY, pir_model=pir)
    assert list(DeskStream(r).edges()) == list(zip(r.times, r.signals, r.values))


def test_a_seat_only_day_streams_unchanged():
    r = simulate("typical", 1, seed=5, start=MONDAY, signals=("seat",))
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
    return SimResult(MONDAY, duration, "typical", 1, "hc_sr501_min", ("pir", "seat"), times,
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
    r = simulate("typical", 1, seed=2, start=MONDAY)
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
