"""Coaching (device/core/coaching/coach.py): commands, status, its settings. Fake timeline, no sleeps."""
from __future__ import annotations

from engine_helpers import make_engine, run, sit

MIN = 60.0


def test_snooze_is_limited_in_a_row():
    eng = make_engine("seat")
    out = run(eng, sit(0, 200 * MIN), 31 * MIN)
    for minute in (31, 47, 63):
        out += eng.command(minute * MIN, "snooze")
    kinds = [e.type for e in out if e.type.startswith("snooze")]
    assert kinds == ["snooze", "snooze", "snooze_refused"]


def test_status_reports_the_alert_and_the_next_prompt():
    eng = make_engine("seat")
    run(eng, sit(0, 100 * MIN), 10 * MIN)
    st = eng.status(10 * MIN)
    assert st["seated"] and st["alert"] == "none" and st["next_prompt_in_s"] == 20 * MIN
    run(eng, [], 31 * MIN)
    assert eng.status(31 * MIN)["alert"] == "routine"


def test_fake_clock_counts_real_seconds_across_dst():
    from datetime import datetime
    from zoneinfo import ZoneInfo
    from device.adapters.clock import FakeClock
    clock = FakeClock(datetime(2024, 10, 27, 1, 30, tzinfo=ZoneInfo("Europe/Berlin")))
    clock.advance(2 * 3600)  # 01:30 CEST + 2 h = 02:30 CET (the hour repeats)
    assert clock.wall().isoformat() == "2024-10-27T02:30:00+01:00"


def test_the_prompts_window_is_checked_against_the_reminder_and_the_walk(tmp_path, capsys):
    from device.cli import main
    bad = tmp_path / "c.toml"
    ok = tmp_path / "ok.toml"
    ok.write_text("[coaching]\ndone_window_min = 15\n")
    assert main(["config", "check", str(ok)]) == 0
    for line in ("done_window_min = 4", "done_window_min = 31", "reminder_after_min = 12"):
        bad.write_text(f"[coaching]\n{line}\n")
        capsys.readouterr()
        assert main(["config", "check", str(bad)]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "coaching.done_window_min" in err and str(bad) in err, err
