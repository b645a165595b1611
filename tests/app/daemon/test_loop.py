"""The daemon's loop end to end on MockFactory pins and a FakeClock: a desk day in well under a second."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from device.sim.simulate import simulate
from device.adapters.store import integrity_check, open_readonly

START = datetime(2026, 3, 2, 8, 0, tzinfo=timezone(timedelta(hours=1)))  # as in conftest


def states(pin):
    return [float(s.state) for s in pin.states]


def test_a_long_sit_prompts_escalates_beeps_and_lights_the_led(desk):
    d = desk().start()
    led, buzzer = d.daemon.outputs.led.pin, d.daemon.outputs.buzzer.pin
    d.at(60)
    d.sit(31)
    assert d.daemon.outputs.pattern == "routine"
    assert d.daemon.status["alert"] == "routine" and d.daemon.status["level"] == 1
    d.sit(5)  # still sitting: reminder with one beep
    assert d.daemon.outputs.pattern == "reminder"
    assert d.daemon.outputs.wait_beeps(2)
    d.sit(25)  # walk at 60 min
    assert d.daemon.outputs.pattern == "walk"
    assert d.daemon.outputs.wait_beeps(2)
    d.leave(3)
    assert d.daemon.outputs.pattern == "none"
    assert d.daemon.outputs.led.value == 0 and d.daemon.outputs.buzzer.value == 0
    prompts = d.events("prompt")
    assert [p.data["level"] for p in prompts][:3] == [1, 2, 3]
    assert prompts[0].data["beep"] is False and prompts[1].data["beep"] is True
    beeps = sum(2 if p.data["level"] == 3 else 1 for p in prompts if p.data["beep"])
    assert d.daemon.outputs.beeps == beeps
    # the buzzer went on exactly once per beep, and is off at the end
    on = [s for s in states(buzzer) if s == 1.0]
    assert len(on) == beeps and states(buzzer)[-1] == 0.0
    # the LED went through many levels (pulse, blink, double flash) and ended dark
    assert len(led.states) > 10 and states(led)[-1] == 0.0
    brk = d.events("break")
    assert len(brk) == 1 and brk[0].data["bout_s"] == pytest.approx(61 * 60, abs=30)


def test_a_simulated_day_is_recorded_like_the_truth(desk):
    sim = simulate("typical", 1, seed=3, start=START.replace(hour=0))
    d = desk(start=START.replace(hour=0)).start()
    for t, sig, v in zip(sim.times, sim.signals, sim.values):
        d.at(t)
        d.daemon.inputs.drive(sig, v)
    d.at(sim.duration_s - 1)
    d.stop("end of day")
    truth = sum(b - a for a, b in sim.truth)
    from device.adapters.store import open_readonly, read_days
    conn = open_readonly(d.db)
    day = read_days(conn, "2026-03-02", "2026-03-02")[0]
    assert day.seated_s == pytest.approx(truth, rel=0.02)
    assert day.prompts >= 1 and day.bouts >= 5
    types = [r[0] for r in conn.execute("SELECT type FROM events ORDER BY rowid")]
    assert types[0] == "daemon_start" and types[-1] == "daemon_stop"
    status = json.loads(conn.execute("SELECT value FROM kv WHERE key='status'").fetchone()[0])
    assert set(status) >= {"seated", "bout_s", "level", "alert", "next_prompt_in_s", "paused_until_ts",
                           "snoozed_until_ts", "updated_ts"}
    assert integrity_check(conn) == []
    conn.close()


def test_quiet_hours_silence_the_buzzer_but_not_the_led(desk, cfg):
    d = desk(cfg=cfg.replace(coaching={"quiet_hours": "07:00-20:00"})).start()
    d.sit(40)
    assert d.daemon.outputs.pattern == "reminder"
    assert d.daemon.outputs.beeps == 0
    assert 1.0 not in states(d.daemon.outputs.buzzer.pin)


def test_a_callback_that_raises_does_not_silence_later_edges(desk):
    d = desk().start()
    put = d.daemon.queue.put
    calls = {"n": 0}

    def flaky(item):
        calls["n"] += 1
        if calls["n"] == 1:
            raise RuntimeError("boom")
        put(item)
    d.at(70)  # past the PIR's warm-up
    d.daemon.inputs._post = flaky
    d.set("pir", 1)  # lost, counted
    d.set("pir", 0)  # same level as the daemon knew: no edge
    d.set("pir", 1)
    d.set("seat", 1)
    d.at(d.t + 2)
    d.set("pir", 0)
    assert d.daemon.inputs.errors == 1 and calls["n"] == 5
    assert d.daemon.levels["seat"] == 1 and d.daemon.levels["pir"] == 0
    d.at(d.t + 10)
    assert d.daemon.status["seated"] is True


def test_a_failing_engine_call_is_logged_and_the_loop_goes_on(desk, monkeypatch):
    d = desk().start()
    d.at(70)
    real = d.daemon.engine.feed
    monkeypatch.setattr(d.daemon.engine, "feed", lambda *a: 1 / 0)
    d.set("pir", 1)
    assert d.daemon.errors == 1
    monkeypatch.setattr(d.daemon.engine, "feed", real)
    d.set("pir", 0)
    d.set("pir", 1)
    d.set("seat", 1)
    d.at(d.t + 2)
    d.set("pir", 0)
    d.at(d.t + 10)
    assert d.daemon.status["seated"] is True


def test_a_tick_that_fails_before_its_flush_neither_spins_the_loop_nor_keeps_events_off_the_card(desk, cfg, monkeypatch):
    # A bug that makes every tick raise before it reaches the flush left the flush due in
    # the past: serve() then waited 0 s, ticked, raised, and so on (100 % CPU), and the
    # buffered events never reached the card.
    d = desk().start()
    d.at(70)
    d.set("pir", 1)
    d.set("seat", 1)
    d.at(d.t + 2)
    d.set("pir", 0)
    d.at(d.t + 30)
    assert d.daemon.store.pending > 0  # sit_start, not flushed yet
    monkeypatch.setattr(d.daemon.engine, "status", lambda now: 1 / 0)
    t = d.t + cfg.history.flush_interval_s + 1
    d.clock.set(t)
    d.daemon.pump()
    assert d.daemon.errors >= 1
    assert d.daemon.next_wake() > t  # something to wait for, not 0 s again and again
    assert d.daemon.store.pending == 0  # the flush ran all the same
    assert "sit_start" in {r["type"] for r in open_readonly(d.db).execute("SELECT type FROM events")}


def test_button_press_is_done_and_hold_is_snooze(desk, cfg):
    d = desk().start()
    d.sit(31)
    assert d.daemon.status["level"] == 1
    d.set("button", 1)
    d.at(d.t + 0.3)
    d.set("button", 0)
    done = d.events("exercise_done")
    assert done and done[-1].data["how"] == "button"
    assert d.daemon.outputs.pattern == "none"
    d.sit(40)  # the walk still comes at 60 min
    assert d.daemon.status["level"] == 3
    d.set("button", 1)
    d.at(d.t + cfg.gpio.button_hold_s + 0.5)
    d.set("button", 0)
    assert d.events("snooze")


def test_wall_clock_jumps_do_not_distort_durations(desk):
    d = desk().start()
    d.sit(10)
    d.clock.jump_wall(3 * 3600)  # NTP finally syncs a Pi without RTC
    d.sit(10)
    d.clock.jump_wall(-600)
    d.sit(10)
    d.leave(3)
    brk = d.events("break")[0]
    assert brk.data["bout_s"] == pytest.approx(30 * 60, abs=20)
    assert brk.data["seated_s"] == pytest.approx(30 * 60, abs=20)


@pytest.mark.parametrize("day,hours", [("2026-03-29", 23), ("2026-10-25", 25)])
def test_dst_days_total_correctly(desk, day, hours):
    tz = ZoneInfo("Europe/Berlin")
    start = datetime.fromisoformat(day).replace(tzinfo=tz)
    d = desk(start=start).start()
    d.at(30 * 60)
    # sit from 00:30 through the change until 4 real hours later, with short breaks every 50 min
    for _ in range(4):
        d.sit(50)
        d.leave(10)
    d.at((hours - 0.5) * 3600)
    d.stop()
    from device.adapters.store import open_readonly, read_days
    conn = open_readonly(d.db)
    days = {s.day.isoformat(): s for s in read_days(conn)}
    conn.close()
    assert day in days and len(days) == 1
    assert days[day].seated_s == pytest.approx(4 * 50 * 60, abs=60)
    assert days[day].bouts == 4


@pytest.fixture
def full_disk():
    """Files cannot grow past their current size: the kernel's EFBIG, as real as ENOSPC to SQLite."""
    import resource
    import signal
    old_limit = resource.getrlimit(resource.RLIMIT_FSIZE)
    old_handler = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # else the kernel kills us

    def fill(size):
        resource.setrlimit(resource.RLIMIT_FSIZE, (size, old_limit[1]))

    def free():
        resource.setrlimit(resource.RLIMIT_FSIZE, old_limit)
    try:
        yield fill, free
    finally:
        free()
        signal.signal(signal.SIGXFSZ, old_handler)


def test_a_full_disk_keeps_prompting_and_catches_up(desk, full_disk):
    fill, free = full_disk
    d = desk().start()
    d.at(d.t + 1)
    wal = d.db.with_name(d.db.name + "-wal")
    fill(max(d.db.stat().st_size, wal.stat().st_size))
    try:
        d.sit(40)
        assert d.daemon.outputs.pattern == "reminder" and d.daemon.outputs.beeps == 1
        assert d.store.write_errors > 0 and d.store.pending > 0
    finally:
        free()
    d.at(d.t + d.cfg.history.flush_interval_s + 1)
    assert d.store.pending == 0
    types = [e.type for e in d.events()]
    assert types[:2] == ["daemon_start", "sit_start"] and types.count("prompt") == 2
    assert d.store.integrity_check() == []
