"""Desk days and per-day figures (device.core.rollup), on hand-built event streams."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from store_helpers import Desk

from device.core.rollup import Rollup, desk_day, summarize

BERLIN = ZoneInfo("Europe/Berlin")
H, M = 3600.0, 60.0


def by_day(stats):
    return {d.day: d for d in stats}


@pytest.mark.parametrize("wall, boundary, expected", [
    (datetime(2024, 5, 2, 0, 0, tzinfo=BERLIN), time(0), date(2024, 5, 2)),
    (datetime(2024, 5, 1, 23, 59, 59, 999000, tzinfo=BERLIN), time(0), date(2024, 5, 1)),
    (datetime(2024, 5, 2, 3, 59, tzinfo=BERLIN), time(4), date(2024, 5, 1)),
    (datetime(2024, 5, 2, 4, 0, tzinfo=BERLIN), time(4), date(2024, 5, 2)),
    # read in the event's own offset: 23:30 UTC is already the next day in Berlin
    (datetime(2024, 5, 1, 23, 30, tzinfo=timezone.utc).astimezone(BERLIN), time(0), date(2024, 5, 2)),
    (datetime(2024, 1, 1, 0, 30, tzinfo=timezone.utc), time(1), date(2023, 12, 31)),
])
def test_desk_day(wall, boundary, expected):
    assert desk_day(wall, boundary) == expected


def _one_bout_with_everything(d: Desk):
    d.sit(0, 20 * M)
    d.sit_start(21 * M)              # 60 s away: same bout
    d.prompt(30 * M, 1)
    d.prompt(35 * M, 2)
    d.snooze(36 * M)
    d.done(40 * M, "button")
    d.sit_end(50 * M)
    d.sit_start(60 * M)              # 10 min away: a break first, then a new bout
    d.prompt(65 * M, 1)              # prompted, never done
    d.sit_end(70 * M)
    d.finish()


def _one_answered_one_ignored(d: Desk):
    d.sit_start(0)
    d.prompt(30 * M, 1)                # the seated routine, ignored
    d.prompt(35 * M, 2)                # its reminder
    d.sit_end(62 * M)
    d.done(64 * M, "break")            # a break 32 min after the routine's prompt: late
    d.take_break(64 * M)
    d.sit_start(70 * M)
    d.prompt(100 * M, 1)
    d.done(102 * M, "button")          # answered in time
    d.sit_end(110 * M)
    d.finish()


CASES = {
    "empty": (lambda d: None, {}),
    "one short sit, no break yet": (lambda d: d.sit(0, 5 * M),
                                    {"seated_s": 300, "bouts": 1, "longest_bout_s": 300, "breaks": 0}),
    "two bouts with a break": (lambda d: (d.sit(0, 10 * M), d.sit(15 * M, 20 * M), d.finish()),
                               {"seated_s": 900, "bouts": 2, "breaks": 2, "longest_bout_s": 600}),
    "short absence keeps the bout": (lambda d: (d.sit(0, 10 * M), d.sit(10 * M + 90, 31 * M), d.finish()),
                                     {"seated_s": 1770, "bouts": 1, "longest_bout_s": 31 * M,
                                      "bouts_over_30": 1, "bouts_over_60": 0}),
    "a long bout": (lambda d: (d.sit(0, 61 * M), d.finish()),
                    {"bouts": 1, "bouts_over_30": 1, "bouts_over_60": 1, "longest_bout_s": 61 * M}),
    "prompts, snooze, done, compliance": (_one_bout_with_everything, {
        "seated_s": 20 * M + 29 * M + 10 * M, "bouts": 2, "breaks": 2, "prompts": 3, "snoozes": 1,
        # two asks (the reminder is the first one again), the first snoozed, the second ignored: 0 %;
        # the button pressed after the snooze answered nothing, so no exercise was done
        "exercises_done": 0, "done_button": 0, "done_pir": 0, "asks": 2, "answered_in_time": 0,
        "compliance": 0.0, "longest_bout_s": 50 * M}),
    "done by every route": (lambda d: (d.sit_start(0), d.prompt(30 * M), d.done(31 * M, "pir"),
                                       d.done(32 * M, "command"), d.sit_end(33 * M), d.take_break(35 * M),
                                       d.done(35 * M, "break")), {
        # the ask is answered once: the command and the break after it answer nothing and are not counted
        "done_pir": 1, "done_command": 0, "done_break": 0, "exercises_done": 1, "asks": 1, "answered_in_time": 1,
        "compliance": 100.0}),
    "every route, each answering its own ask": (lambda d: (
        d.sit_start(0), d.prompt(30 * M), d.done(31 * M, "pir"), d.prompt(40 * M), d.done(41 * M, "stood"),
        d.prompt(50 * M), d.done(51 * M, "command"), d.prompt(60 * M), d.done(61 * M, "button"),
        d.prompt(90 * M, 3), d.sit_end(92 * M), d.take_break(94 * M), d.done(94 * M, "break")), {
        "done_pir": 1, "done_stood": 1, "done_command": 1, "done_button": 1, "done_break": 1,
        "exercises_done": 5, "asks": 5, "answered_in_time": 5, "compliance": 100.0}),
    # (events written before exercise_done had in_time: judged by the default 10-minute window)
    "a seated routine ignored until a late break": (lambda d: (
        d.sit_start(0), d.prompt(30 * M, 1), d.prompt(35 * M, 2), d.sit_end(62 * M), d.take_break(64 * M),
        d.done(64 * M, "break")), {"prompts": 2, "exercises_done": 0, "done_break": 0, "asks": 1,
                                   "answered_in_time": 0, "compliance": 0.0}),
    "a walk answered by a break in its window": (lambda d: (
        d.sit_start(0), d.prompt(30 * M, 1), d.done(31 * M, "pir"), d.prompt(60 * M, 3), d.sit_end(62 * M),
        d.take_break(64 * M), d.done(64 * M, "break")), {"prompts": 2, "asks": 2, "answered_in_time": 2,
                                                         "compliance": 100.0}),
    "the engine's in_time is the word": (lambda d: (
        d.sit_start(0), d.prompt(30 * M, 1), d.done(45 * M, "button", in_time=True), d.sit_end(50 * M),
        d.finish()), {"asks": 1, "answered_in_time": 1, "compliance": 100.0}),
    "a test prompt is not a prompt": (lambda d: (
        d.sit_start(0), d.prompt(10 * M, 1, test=True), d.sit_end(20 * M), d.finish()),
        {"prompts": 0, "asks": 0, "compliance": None, "bouts": 1}),
    "no prompt: compliance is None": (lambda d: (d.sit(0, 10 * M), d.finish()), {"compliance": None}),
    # exercises done means done in time: the late break ends the first ladder but is no exercise done
    "one prompt answered in time, one ignored until a late break": (_one_answered_one_ignored, {
        "prompts": 3, "asks": 2, "answered_in_time": 1, "compliance": 50.0, "exercises_done": 1,
        "done_button": 1, "done_break": 0, "done_pir": 0, "done_stood": 0, "done_command": 0}),
}


@pytest.mark.parametrize("name", list(CASES))
def test_rollup_table(name):
    script, expected = CASES[name]
    d = Desk(datetime(2024, 5, 6, 9, 0, tzinfo=BERLIN))
    script(d)
    assert [e.t for e in d.events] == sorted(e.t for e in d.events)
    days = summarize(d.events)
    if not expected:
        assert days == []
        return
    assert [s.day for s in days] == [date(2024, 5, 6)]
    got = days[0]
    for k, v in expected.items():
        assert getattr(got, k) == (pytest.approx(v) if isinstance(v, float) else v), k
    # one judgement, two sides (docs/history.md#compliance): exercises done are the asks answered in time
    assert got.exercises_done == got.answered_in_time == sum(b.exercises_done for b in rollup_bouts(d.events))


def rollup_bouts(events):
    r = Rollup()
    for e in events:
        r.add(e)
    return r.bouts()


def test_break_figures_are_the_bouts():
    d = Desk(datetime(2024, 5, 6, 9, 0, tzinfo=BERLIN))
    _one_bout_with_everything(d)
    r = Rollup()
    for e in d.events:
        r.add(e)
    bouts = r.bouts()
    assert [(b.bout_s, b.seated_s, b.prompts, b.exercises_done, b.max_level) for b in bouts] == [
        (50 * M, 49 * M, 2, 0, 2), (10 * M, 10 * M, 1, 0, 1)]   # (its button came after the snooze: not done)
    assert bouts[0].start_ts == d.events[0].ts and not bouts[0].open


def test_a_bouts_exercises_done_are_those_done_in_time():
    """Each bout counts what the day counts, whatever the break event says (older engines counted late ones)."""
    d = Desk(datetime(2024, 5, 6, 9, 0, tzinfo=BERLIN))
    _one_answered_one_ignored(d)
    assert [e.data["exercises_done"] for e in d.events if e.type == "break"] == [1, 1]
    r = Rollup()
    for e in d.events:
        r.add(e)
    assert [(b.prompts, b.exercises_done) for b in r.bouts()] == [(2, 0), (1, 1)]
    day = r.days()[0]
    assert day.exercises_done == sum(b.exercises_done for b in r.bouts()) == day.answered_in_time == 1


def test_bout_across_midnight_is_never_cut():
    d = Desk(datetime(2024, 5, 6, 23, 30, tzinfo=BERLIN))
    d.sit(0, 20 * M)
    d.sit(21 * M, 75 * M)             # runs to 00:45 on the 7th
    d.prompt(60 * M, 3)
    d.done(61 * M, "button")           # (a walk is answered by the button, a break or a command, not legs)
    d.finish()                         # break at 00:47 on the 7th
    d.sit(80 * M, 90 * M)              # 00:50: a new bout, on the 7th
    d.finish()
    r = Rollup()
    tags = [r.add(e) for e in d.events]
    first_bout = d.bouts[0]["events"]
    assert {tags[d.events.index(e)] for e in first_bout} == {date(2024, 5, 6)}
    assert tags[-1] == date(2024, 5, 7)
    days = by_day(r.days())
    assert days[date(2024, 5, 6)].seated_s == pytest.approx(74 * M)
    assert days[date(2024, 5, 6)].bouts == 1 and days[date(2024, 5, 6)].breaks == 1
    assert days[date(2024, 5, 6)].exercises_done == 1 and days[date(2024, 5, 6)].prompts == 1
    assert days[date(2024, 5, 7)].seated_s == pytest.approx(10 * M)
    assert days[date(2024, 5, 7)].bouts == 1 and days[date(2024, 5, 7)].prompts == 0


def test_custom_boundary_0400():
    d = Desk(datetime(2024, 5, 7, 2, 0, tzinfo=BERLIN))
    d.sit(0, 30 * M)                  # 02:00-02:30 on the 7th belongs to the 6th
    d.finish()
    d.sit(100 * M, 130 * M)           # 03:40-04:10: begins before 04:00, wholly on the 6th
    d.finish()
    d.sit(140 * M, 150 * M)           # 04:20: the 7th
    d.finish()
    midnight = by_day(summarize(d.events, time(0)))
    assert list(midnight) == [date(2024, 5, 7)]
    four = by_day(summarize(d.events, time(4)))
    assert four[date(2024, 5, 6)].seated_s == pytest.approx(60 * M)
    assert four[date(2024, 5, 6)].bouts == 2
    assert four[date(2024, 5, 7)].seated_s == pytest.approx(10 * M)


def test_open_bout_counts_to_last_sit_end_or_as_of():
    d = Desk(datetime(2024, 5, 6, 9, 0, tzinfo=BERLIN))
    d.sit(0, 10 * M)
    d.sit_start(11 * M)                # still seated
    r = Rollup()
    for e in d.events:
        r.add(e)
    plain = r.days()[0]
    assert plain.seated_s == pytest.approx(10 * M) and plain.longest_bout_s == pytest.approx(10 * M)
    live = r.days(as_of=d.wall(41 * M))[0]
    assert live.seated_s == pytest.approx(40 * M)
    assert live.longest_bout_s == pytest.approx(41 * M) and live.bouts_over_30 == 1
    assert r.bouts(as_of=d.wall(41 * M))[0].open


def test_spring_forward_day_totals():
    """2024-03-31 in Berlin has 23 hours; sitting every hour of it must total exactly."""
    start = datetime(2024, 3, 31, 0, 0, tzinfo=BERLIN)
    d = Desk(start)
    for h in range(23):               # 23 real hours: 00:00 CET .. 23:xx CEST, all on the 31st
        d.sit(h * H, h * H + 30 * M)
        d.finish()
    d.sit(23 * H, 23 * H + 10 * M)     # engine hour 23 is already 00:00 on April 1st
    d.finish()
    days = by_day(summarize(d.events))
    assert days[date(2024, 3, 31)].seated_s == pytest.approx(23 * 30 * M)
    assert days[date(2024, 3, 31)].bouts == 23
    assert days[date(2024, 4, 1)].seated_s == pytest.approx(10 * M)
    # a bout spanning the missing hour: 01:30 CET to 03:30 CEST is one hour
    d2 = Desk(datetime(2024, 3, 31, 1, 30, tzinfo=BERLIN))
    d2.sit_start(0)
    r = Rollup()
    for e in d2.events:
        r.add(e)
    as_of = datetime(2024, 3, 31, 3, 30, tzinfo=BERLIN)
    assert r.days(as_of)[0].seated_s == pytest.approx(H)
    assert r.bouts(as_of)[0].bout_s == pytest.approx(H)


def test_fall_back_day_totals():
    """2024-10-27 in Berlin has 25 hours; the repeated 02:00-03:00 hour counts twice."""
    d = Desk(datetime(2024, 10, 27, 0, 0, tzinfo=BERLIN))
    for h in range(25):
        d.sit(h * H, h * H + 30 * M)
        d.finish()
    d.sit(25 * H, 25 * H + 10 * M)     # 00:00 on the 28th
    d.finish()
    walls = {e.ts[11:19] for e in d.events if e.type == "sit_start"}
    assert "02:00:00" in walls and len([e for e in d.events if e.ts.startswith("2024-10-27T02:00")]) == 2
    days = by_day(summarize(d.events))
    assert days[date(2024, 10, 27)].seated_s == pytest.approx(25 * 30 * M)
    assert days[date(2024, 10, 27)].bouts == 25
    assert days[date(2024, 10, 28)].seated_s == pytest.approx(10 * M)
    # open bout 01:30 CEST to 02:30 CET is two hours, not one
    d2 = Desk(datetime(2024, 10, 27, 1, 30, tzinfo=BERLIN))
    d2.sit_start(0)
    r = Rollup()
    for e in d2.events:
        r.add(e)
    as_of = (datetime(2024, 10, 27, 0, 30, tzinfo=timezone.utc) + timedelta(hours=1)).astimezone(BERLIN)
    assert as_of.isoformat().startswith("2024-10-27T02:30:00+01:00")
    assert r.bouts(as_of)[0].bout_s == pytest.approx(2 * H)


def test_untidy_streams():
    """History that begins mid-bout, a crash without sit_end, a restart that did not resume."""
    d = Desk(datetime(2024, 5, 6, 9, 0, tzinfo=BERLIN))
    d.sit_start(0)
    d.sit_end(10 * M)
    d.take_break(12 * M)
    tail = d.events[1:]                 # starts with the sit_end: a bout of 10 min with no start seen
    days = summarize(tail)
    assert days[0].bouts == 1 and days[0].seated_s == pytest.approx(10 * M) and days[0].breaks == 1
    d2 = Desk(datetime(2024, 5, 6, 9, 0, tzinfo=BERLIN))
    d2.sit_start(0)
    d2.prompt(30 * M)                   # then the daemon died: no sit_end
    d2._emit("daemon_start", 40 * M, version="x", sensors="seat", resumed_bout=False)
    d2.bout = None
    d2.sit(41 * M, 45 * M)
    r = Rollup()
    for e in d2.events:
        r.add(e)
    days = r.days()
    assert days[0].bouts == 2
    assert days[0].seated_s == pytest.approx(30 * M + 4 * M)   # the crashed sit counts to the last event


# -- property: seated time is conserved and no bout is ever split ------------------------------
sits = st.lists(st.tuples(st.floats(1, 4 * H), st.floats(1, 2 * H), st.integers(0, 2)), min_size=1, max_size=40)


@settings(max_examples=150, deadline=None)
@given(plan=sits, start_min=st.integers(0, 365 * 24 * 60), boundary_h=st.integers(0, 23))
def test_property_seated_conserved_and_bouts_whole(plan, start_min, boundary_h):
    start = (datetime(2024, 1, 1, tzinfo=timezone.utc) + timedelta(minutes=start_min)).astimezone(BERLIN)
    d = Desk(start)
    t = 0.0
    total = 0.0
    for gap, length, prompts in plan:
        t += gap
        d.sit_start(t)
        for i in range(prompts):
            d.prompt(t + length * (i + 1) / (prompts + 1))
        d.sit_end(t + length)
        total += length
        t += length
    d.finish()
    boundary = time(boundary_h)
    r = Rollup(boundary)
    tag = {e.id: r.add(e) for e in d.events}
    days = r.days()
    assert sum(s.seated_s for s in days) == pytest.approx(total)
    assert sum(s.bouts for s in days) == len(d.bouts)
    assert sum(s.breaks for s in days) == len(d.bouts)
    assert sum(s.prompts for s in days) == sum(p for _, _, p in plan)
    for b in d.bouts:
        assert {tag[e.id] for e in b["events"]} == {desk_day(d.wall(b["start_t"]), boundary)}
