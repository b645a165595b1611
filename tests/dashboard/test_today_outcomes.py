"""Today's prompt list and compliance from the engine's own events (pure: no Flask, no browser)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from dash_seed import drive, person

from dashboard import today
from device import config
from device.core.engine import Engine
from device.core.events import IdFactory
from device.core.rollup import summarize as rollup

START = datetime(2026, 3, 2, 8, 0, tzinfo=timezone.utc)
MIN = 60.0


def day(edges, until: float, **coaching):
    cfg = config.load(None, env={}).replace(sensing={"sensors": "seat"}, coaching=coaching)
    eng = Engine(cfg, wall_at=lambda t: START + timedelta(seconds=t), ids=IdFactory(node=3))
    out = drive(eng, edges, until)
    rows = [dict(e.to_dict(), utc=(START + timedelta(seconds=e.t)).timestamp()) for e in out]
    return out, today.summarize(rows, (START + timedelta(seconds=until)).timestamp(), {"running": False})


def press(m, hold=0.3):
    return [(m * MIN, "button", 1), (m * MIN + hold, "button", 0)]


def test_each_prompt_reads_what_became_of_it_and_compliance_matches_the_history():
    edges = (person(0, 52 * MIN)                      # routine at 30 ignored, reminder at 35, up at 52
             + person(60 * MIN, 100 * MIN) + press(92)  # routine at 90 done by the button 2 min on
             + person(110 * MIN, 165 * MIN) + press(140.5, hold=3))   # routine at 140 snoozed
    events, s = day(edges, 175 * MIN)
    words = [(p["kind"], p["text"]) for p in s["prompt_list"]]
    assert words[:3] == [("seated", "ignored, break after 22 min"), ("reminder", "ignored, break after 17 min"),
                         ("seated", "done (button, 2 min)")]
    assert ("seated", "snoozed") in words
    assert [p["outcome"] for p in s["prompt_list"]].count("done") == 1
    figures = rollup(events)[0]
    assert (s["asks"], s["answered_in_time"]) == (figures.asks, figures.answered_in_time)
    assert s["compliance"] == round(figures.compliance, 1) and 0 < s["compliance"] < 50
    # the late break is no exercise done: Today counts what the history counts, the button only
    assert (s["exercises_done"], s["done_by"]) == (figures.exercises_done, {"button": 1}) == (1, {"button": 1})
    # the late ones stay listed (the break at 52; after the snoozed routine, the break at 165)
    assert [(d["how"], d["in_time"]) for d in s["done_list"]] == [("break", False), ("button", True), ("break", False)]


def test_a_prompt_given_after_the_person_left_for_a_break_was_not_seen_and_not_counted():
    # up at 29:50 and gone: the seated routine is given at 30 (the bout might go on), then the break
    events, s = day(person(0, 29.8 * MIN), 40 * MIN)
    assert [p["text"] for p in s["prompt_list"]] == ["not seen (you had left)"]
    assert s["asks"] == 0 and s["compliance"] is None
    assert rollup(events)[0].asks == 0 and rollup(events)[0].compliance is None


def test_a_test_prompt_is_not_listed():
    cfg = config.load(None, env={}).replace(sensing={"sensors": "seat"})
    eng = Engine(cfg, wall_at=lambda t: START + timedelta(seconds=t), ids=IdFactory(node=3))
    out = eng.feed(0.0, "seat", 1) + eng.command(60.0, "test_prompt")
    rows = [dict(e.to_dict(), utc=(START + timedelta(seconds=e.t)).timestamp()) for e in out]
    s = today.summarize(rows, (START + timedelta(minutes=2)).timestamp(), {"running": False})
    assert any(e.type == "prompt" for e in out) and s["prompt_list"] == [] and s["prompts"] == 0
