"""How Today words the daemon's live status: running, stale, stopped, away in a bout, paused."""
from __future__ import annotations

from datetime import timedelta

from dash_seed import NOW, write_status

from dashboard.live import live


def status(age_s: float, **kw):
    base = {"seated": True, "bout_s": 600.0, "level": 0, "alert": "none", "next_prompt_in_s": 1200.0,
            "paused_until_ts": None, "snoozed_until_ts": None,
            "updated_ts": (NOW - timedelta(seconds=age_s)).isoformat(timespec="seconds")}
    return base | kw


def test_an_idle_desk_is_running_as_long_as_its_status_says_it_may_go_unwritten():
    # the daemon spares the SD card: with no bout it rewrites the status every 30 min
    idle = status(1500, seated=False, bout_s=0.0, next_prompt_in_s=None, stale_after_s=3660)
    d = live(idle, NOW)
    assert d["running"] is True and d["label"] == "Away" and d["detail"] == ""
    gone = live(idle | {"updated_ts": (NOW - timedelta(seconds=3700)).isoformat()}, NOW)
    assert gone["running"] is False and gone["label"] == "Daemon not running"
    assert "Last heard from at" in gone["detail"] and "service running" in gone["detail"]


def test_without_stale_after_s_three_minutes_of_silence_is_not_running():
    assert live(status(170), NOW)["running"] is True
    assert live(status(190), NOW)["running"] is False


def test_a_garbled_or_huge_stale_after_s_cannot_keep_a_dead_daemon_alive():
    assert live(status(190, stale_after_s="soon"), NOW)["running"] is False
    assert live(status(3 * 86400, stale_after_s=1e12), NOW)["running"] is False


def test_a_clean_stop_is_not_running_at_once_and_says_when():
    d = live(status(5, stopped=True, stale_after_s=3660), NOW)
    assert d["running"] is False and d["state"] == "stopped" and d["seated"] is False
    assert d["detail"] == f"Last heard from at {NOW - timedelta(seconds=5):%H:%M}: is the deskpulse service running?"
    # the daemon's own clean stop says why
    d = live(status(5, stopped=True, stop_reason="SIGTERM"), NOW)
    assert d["detail"] == f"Stopped at {NOW - timedelta(seconds=5):%H:%M} (SIGTERM)."
    assert d["next_prompt_in_s"] is None and d["alert_text"] == ""


def test_last_heard_from_another_day_names_the_day():
    d = live(status(26 * 3600, stale_after_s=1260), NOW)
    when = NOW - timedelta(hours=26)
    assert d["detail"].startswith(f"Last heard from at {when:%a %d %b %H:%M}")


def test_seated_with_a_walk_prompt_shows_it_and_counts_down():
    d = live(status(30, level=3, alert="walk", next_prompt_in_s=200.0, stale_after_s=1260), NOW)
    assert d["label"] == "Seated" and d["alert_text"] == "stand up and walk"
    assert d["bout_s"] == 630.0 and d["next_prompt_in_s"] == 170.0


def test_up_during_a_walk_prompt_is_away_without_the_prompt():
    # sit_end a minute ago: the bout is not over (2 min make a break), but "stand up and walk" would be wrong
    d = live(status(60, seated=False, level=3, alert="walk", next_prompt_in_s=100.0, stale_after_s=1260), NOW)
    assert d["label"] == "Away" and d["alert_text"] == "" and d["next_prompt_in_s"] is None
    assert d["detail"] == "Up for a moment? 2 min away from the chair makes a break."


def test_paused_says_until_when():
    until = (NOW + timedelta(minutes=25)).isoformat(timespec="seconds")
    d = live(status(10, paused_until_ts=until, stale_after_s=1260), NOW)
    assert d["state"] == "paused" and d["detail"] == f"Paused until {NOW + timedelta(minutes=25):%H:%M}."


def test_the_page_and_the_api_use_the_same_words(make_app, empty_db):
    write_status(empty_db, status(60, seated=False, level=3, alert="walk", stale_after_s=1260))
    c = make_app(empty_db).test_client()
    d = c.get("/api/status").get_json()["daemon"]
    html = c.get("/").get_data(as_text=True)
    assert f'<strong id="state">{d["label"]}</strong>' in html
    assert f'id="state-detail">{d["detail"]}</p>' in html and "stand up and walk" not in html


def test_a_prompt_and_its_reminder_each_count_their_own_time_to_done():
    from dashboard.today import summarize
    t0 = NOW.timestamp() - 3600
    events = [
        {"type": "sit_start", "utc": t0, "new_bout": True},
        {"type": "prompt", "utc": t0 + 1800, "ts": "x", "level": 1, "kind": "seated", "exercise": {"name": "Ankle pumps"}},
        {"type": "prompt", "utc": t0 + 2100, "ts": "x", "level": 2, "kind": "reminder", "exercise": {"name": "Ankle pumps"}},
        {"type": "exercise_done", "utc": t0 + 2400, "how": "pir", "latency_s": 300.0},
    ]
    s = summarize(events, NOW.timestamp(), {"running": True, "bout_s": 3600.0})
    assert [(p["outcome"], p["latency_s"]) for p in s["prompt_list"]] == [("done", 600.0), ("done", 300.0)]


def test_only_the_buttons_that_mean_something_now_are_offered():
    assert live(status(5), NOW)["actions"] == ["snooze", "pause30", "pause60"]
    assert live(status(5, alert="routine", level=1), NOW)["actions"] == ["done", "snooze", "pause30", "pause60"]
    assert live(status(5, seated=False, bout_s=0.0), NOW)["actions"] == ["pause30", "pause60"]
    paused = status(5, paused_until_ts=(NOW + timedelta(minutes=20)).isoformat())
    assert live(paused, NOW)["actions"] == ["resume"]
    assert live(status(5, stopped=True), NOW)["actions"] == []
