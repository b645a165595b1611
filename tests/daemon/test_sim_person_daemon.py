"""`run --simulate` at --speed max: the simulated person answers the daemon's prompts.

The real wiring end to end: run_daemon on gpiozero MockFactory pins, a
FakeClock jumping from edge to deadline, a real SQLite history; the person
only sees what the daemon emits (a sink) and answers through the pins.
"""
from __future__ import annotations

from datetime import datetime

import pytest

from device import config
from device.commands.run import SimSpec, run_daemon
from device.store import Store

MONDAY = datetime.fromisoformat("2026-03-02T00:00:00+01:00")


@pytest.fixture
def simulated(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path / "run"))
    monkeypatch.delenv("RUNTIME_DIRECTORY", raising=False)
    monkeypatch.delenv("NOTIFY_SOCKET", raising=False)

    def run(profile="typical", days=5, seed=1, name="h", **sections):
        db = tmp_path / name / "history.db"
        db.parent.mkdir()
        sections = {"history": {"db_path": str(db)}, "mqtt": {"host": ""}, **sections}
        sections["gpio"] = {"pin_factory": "mock", **sections.get("gpio", {})}
        cfg = config.load(None, env={}).replace(**sections)
        assert run_daemon(cfg, sim=SimSpec(profile, days, seed, None, MONDAY), with_sinks=False) == 0
        store = Store(db, cfg.coaching.day_boundary)
        try:
            return store.events(limit=None)
        finally:
            store.close()
    return run


def answered(events):
    """Each exercise_done with the prompt it answered (the last one before it)."""
    out, prompt = [], None
    for e in events:
        if e.type == "prompt" and not e.data.get("test"):
            prompt = e
        elif e.type == "exercise_done":
            out.append((prompt, e))
    return out


def test_the_person_does_the_routine_the_pir_sees_or_presses_the_button(simulated):
    events = simulated()
    assert events[-1].type == "daemon_stop" and events[-1].data["reason"] == "simulation end"
    done = answered(events)
    by = {how: [(p, d) for p, d in done if d.data["how"] == how] for how in ("pir", "button", "break", "command")}
    assert len(by["pir"]) >= 5 and len(by["button"]) >= 1
    assert not by["command"]
    for p, d in by["pir"] + by["button"]:
        # a seated-routine prompt, answered after a human delay (30-180 s) and, for the PIR, the routine itself
        assert p is not None and p.data["level"] in (1, 2) and d.data["level"] == p.data["level"]
        assert d.data["exercise"] == p.data["exercise"]["key"]
        assert 30 <= d.t - p.t <= 180 + (2.5 * 20 + 10 if d.data["how"] == "pir" else 1)
        assert d.data["latency_s"] == pytest.approx(d.t - p.t, abs=0.1)
    # people do not answer everything: some prompts still end with the break, or are snoozed
    assert by["break"]
    seated_prompts = [e for e in events if e.type == "prompt" and e.data["level"] == 1]
    assert len(by["pir"]) + len(by["button"]) < len(seated_prompts) + sum(
        1 for e in events if e.type == "prompt" and e.data["level"] == 2)


def test_a_seed_gives_the_same_day_of_answers(simulated):
    def story(events):
        return [(e.type, e.t, {k: v for k, v in e.data.items() if k not in ("version",)}) for e in events]
    a = story(simulated(days=2, seed=4, name="a"))
    b = story(simulated(days=2, seed=4, name="b"))
    c = story(simulated(days=2, seed=5, name="c"))
    assert a == b
    assert a != c
    assert any(t == "exercise_done" and d["how"] in ("pir", "button") for t, _, d in a)


def test_with_only_a_seat_the_person_answers_with_the_button(simulated):
    events = simulated(days=3, seed=2, sensing={"sensors": "seat"})
    hows = {d.data["how"] for _, d in answered(events)}
    assert "button" in hows and "pir" not in hows


def test_without_a_button_the_routine_is_still_seen(simulated):
    events = simulated(days=3, seed=2, gpio={"button_pin": -1})
    hows = {d.data["how"] for _, d in answered(events)}
    assert "pir" in hows and "button" not in hows
    assert not [e for e in events if e.type == "snooze"]  # snoozing needs the button too
