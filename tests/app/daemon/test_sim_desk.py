"""The simulated desk (device/app/sim_desk.py) of `run --simulate`: the simulated person answers the daemon's prompts.

The real wiring end to end: run_daemon on gpiozero MockFactory pins, a
FakeClock jumping from edge to deadline, a real SQLite history; the person
only sees what the daemon emits (a sink) and answers through the pins.
"""
from __future__ import annotations

from datetime import datetime

import pytest

from device import config
from device.app.runner import run_daemon
from device.app.sim_desk import SimSpec
from device.adapters.store import Store

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


def test_a_walk_prompt_gets_them_up_sooner(simulated, monkeypatch):
    def quick_walks(events):
        walks = [d for p, d in answered(events) if p is not None and p.data["level"] == 3]
        assert walks and all(d.data["how"] == "break" for d in walks)
        # up 30-180 s after the prompt, and a break (120 s) later it counts
        return [d for d in walks if d.data["latency_s"] <= 180 + 120 + 15]
    events = simulated(days=5, name="walking")
    quick = quick_walks(events)
    brk = {e.t: e for e in events if e.type == "break"}
    assert all(brk[d.t].data["max_level"] == 3 for d in quick)
    from device.sim import simulate
    monkeypatch.setitem(simulate.PROFILE_PARAMS, "typical", simulate.Profile(walk_p=0.0))
    unmoved = quick_walks(simulated(days=5, name="sitting"))  # only when the generated day had them up anyway
    assert len(quick) >= len(unmoved) + 3


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


class _Clock:
    def __init__(self):
        self.t = 0.0

    def monotonic(self):
        return self.t


class _Wake:
    """The feeder's wait, on a fake clock: waiting moves the clock, and the 'loop' may emit prompts meanwhile."""

    def __init__(self, clock, speed, prompts, eyes_slot):
        self.clock, self.speed, self.prompts, self.eyes = clock, speed, prompts, eyes_slot
        self.flag = False

    def set(self):
        self.flag = True

    def clear(self):
        self.flag = False

    def wait(self, timeout):
        end = self.clock.t + timeout * self.speed
        while self.prompts and self.prompts[0] <= end:
            self.clock.t = max(self.clock.t, self.prompts.pop(0))
            self.eyes[0].publish(_Event("prompt", self.clock.t, {"level": 1, "kind": "seated", "exercise": {"key": "x"}}))
            if self.flag:
                return True  # woken: an answer was planned
        self.clock.t = end
        return self.flag


class _Event:
    def __init__(self, type_, t, data):
        self.type, self.t, self.data = type_, t, data


def test_the_scaled_feeder_wakes_for_an_answer_and_drives_it_on_time(monkeypatch):
    """``feed_scaled`` with a fake clock: answers planned while it waits are driven in order, on time."""
    import threading
    from types import SimpleNamespace

    from device.app import sim_desk
    from device.sim.sim_person import Person
    from device.sim.simulate import simulate

    planned = []
    notice = Person.notice

    def spy(self, now, type_, data):
        a = notice(self, now, type_, data)
        if a is not None:
            planned.append(a)
        return a
    monkeypatch.setattr(Person, "notice", spy)

    speed = 60.0
    day = simulate("typical", 1, 3, start=MONDAY)
    # a prompt a minute into every long sit, as the loop would emit it while the feeder waits
    prompts = [a + 60.0 for a, b in day.truth if b - a > 600]
    clock = _Clock()
    driven = []
    cfg = config.load(None, env={})
    inputs = SimpleNamespace(devices={"seat": 1, "pir": 1, "button": 1},
                             drive=lambda sig, v: driven.append((clock.t, sig, v)))
    daemon = SimpleNamespace(clock=clock, inputs=inputs, cfg=cfg)
    eyes = sim_desk.PersonSink(clock)
    eyes.wake = _Wake(clock, speed, prompts, [eyes])
    stopped = []
    sim_desk.feed_scaled(daemon, SimSpec("typical", 1, 3, speed, MONDAY), threading.Event(), stopped.append, eyes)
    assert stopped == ["simulation end"] and not prompts
    assert all(a[0] <= b[0] for a, b in zip(driven, driven[1:]))
    answers = [(t, s, v) for t, s, v in driven if s == "button"]
    assert answers and len(answers) % 2 == 0
    assert {a.kind for a in planned} >= {"exercise", "button"}
    # each answer is driven at its own time, not when the feeder would next have looked (30 s at 60x)
    for a in planned:
        if a.kind == "exercise":
            # the PIR rises with one of the routine's movements (or was already up) and stays up to its end
            before = [(t, v) for t, s, v in driven if s == "pir" and t <= a.motions[-1]][-1]
            assert before[1] == 1 and (before[0] <= a.start or any(abs(before[0] - m) < 1e-6 for m in a.motions))
        else:
            assert [(round(t, 4), v) for t, s, v in driven if s == "button" and a.start - 1 < t < a.end + 1] \
                == [(round(bt, 4), bv) for bt, bv in a.button]
    # with the answers, the day's seat is driven unchanged
    assert [(s, v) for _, s, v in driven if s == "seat"] == [(s, v) for _, s, v in day.edges({"seat"})]


def test_a_scaled_clock_with_an_end_never_passes_it(monkeypatch):
    # the demo's desk stops at 23:59 on its own clock: a loaded machine that wakes half a second late
    # (a simulated minute at 120x) must not stamp the stop on the next day
    import time as _time

    from device.adapters.clock import ScaledClock

    real = [1000.0]
    monkeypatch.setattr(_time, "monotonic", lambda: real[0])
    clock = ScaledClock(datetime(2026, 12, 7, 23, 57), 120.0, until=120.0)
    real[0] += 0.5
    assert clock.monotonic() == 60.0
    real[0] += 5.0  # 10 simulated minutes later
    assert clock.monotonic() == 120.0 and clock.wall().strftime("%H:%M") == "23:59"
