"""Is the daemon running? Its lock beside the history decides; the status's age only without one."""
from __future__ import annotations

import json
from datetime import timedelta

import pytest
from dash_seed import NOW, write_status

from device.adapters.liveness import DaemonLock, daemon_alive, lock_path

IDLE = {"seated": False, "bout_s": 0.0, "level": 0, "alert": "none", "next_prompt_in_s": None,
        "paused_until_ts": None, "snoozed_until_ts": None, "stopped": False, "stale_after_s": None}
SEATED = dict(IDLE, seated=True, bout_s=600.0, next_prompt_in_s=1200.0, stale_after_s=1260.0)


def status_of(make_app, db, status, age_s):
    write_status(db, dict(status, updated_ts=(NOW - timedelta(seconds=age_s)).isoformat(timespec="seconds")))
    return make_app(db).test_client().get("/api/status").get_json()["daemon"]


def test_an_idle_daemon_that_wrote_hours_ago_is_running_while_it_holds_its_lock(make_app, empty_db):
    lock = DaemonLock.take(empty_db)
    try:
        d = status_of(make_app, empty_db, IDLE, 6 * 3600)
        assert d["running"] is True and d["state"] == "away"
    finally:
        lock.release()
    d = status_of(make_app, empty_db, IDLE, 6 * 3600)
    assert d["running"] is False and d["state"] == "stopped"


def test_a_fresh_status_without_its_lock_is_a_dead_daemon(make_app, empty_db):
    DaemonLock.take(empty_db).release()              # the daemon ran here, and is gone (kill -9 alike)
    assert lock_path(empty_db).exists() and daemon_alive(empty_db) is False
    assert status_of(make_app, empty_db, SEATED, 5)["running"] is False


def test_a_seated_status_confirmed_by_the_lock_is_brought_forward_to_now(make_app, empty_db):
    lock = DaemonLock.take(empty_db)
    try:
        d = status_of(make_app, empty_db, SEATED, 900)
    finally:
        lock.release()
    assert d["running"] is True and d["state"] == "seated"
    assert d["bout_s"] == pytest.approx(600 + 900) and d["next_prompt_in_s"] == pytest.approx(1200 - 900)
    assert d["age_s"] == pytest.approx(0, abs=1)


def test_a_daemon_holding_its_lock_but_silent_past_stale_after_s_is_hung(make_app, empty_db):
    lock = DaemonLock.take(empty_db)
    try:
        assert status_of(make_app, empty_db, SEATED, 1200)["running"] is True
        d = status_of(make_app, empty_db, SEATED, 1300)
        assert d["running"] is False and d["next_prompt_in_s"] is None
    finally:
        lock.release()


def test_a_stopped_status_is_not_running_even_when_fresh(make_app, empty_db):
    lock = DaemonLock.take(empty_db)
    try:
        assert status_of(make_app, empty_db, dict(IDLE, stopped=True), 1)["running"] is False
    finally:
        lock.release()


@pytest.mark.parametrize("status, age, running", [
    (IDLE, 60, True), (IDLE, 300, False), (SEATED, 1300, False),
])
def test_without_a_lock_file_the_age_decides(make_app, empty_db, status, age, running):
    assert daemon_alive(empty_db) is None
    assert status_of(make_app, empty_db, status, age)["running"] is running


def test_a_second_daemon_on_the_same_history_does_not_get_the_lock(empty_db, caplog):
    first = DaemonLock.take(empty_db)
    try:
        assert DaemonLock.take(empty_db) is None
        assert "another deskpulse daemon is running" in caplog.text
    finally:
        first.release()
    again = DaemonLock.take(empty_db)
    assert again is not None
    again.release()
    again.release()                                   # safe twice


def test_the_ram_copy_gives_the_status_and_the_events_not_yet_flushed(make_app, empty_db, tmp_path):
    import sqlite3

    from device.core.events import EventFactory, IdFactory
    f = EventFactory(lambda t: NOW + timedelta(seconds=t), IdFactory(3))
    sit = f.make("sit_start", -300.0, sensor="both", new_bout=True)      # 5 minutes ago, not flushed
    ram = tmp_path / "state.json"
    ram.write_text(json.dumps({"ts": NOW.isoformat(), "clean": False, "engine": {},
                               "status": dict(SEATED, bout_s=300.0, updated_ts=NOW.isoformat(timespec="seconds")),
                               "pending": [[NOW.date().isoformat(), sit.to_dict()]]}))
    with sqlite3.connect(empty_db) as c:
        c.execute("INSERT INTO kv (key, value) VALUES ('runtime_file', ?)", (str(ram),))
    lock = DaemonLock.take(empty_db)
    try:
        daemon = status_of(make_app, empty_db, IDLE, 3600)        # the kv row: an hour old, away
    finally:
        lock.release()
    assert daemon["running"] is True and daemon["state"] == "seated" and daemon["bout_s"] == pytest.approx(300)
    c = make_app(empty_db).test_client()
    lock = DaemonLock.take(empty_db)
    try:
        full = c.get("/api/status").get_json()
    finally:
        lock.release()
    assert full["last_event_id"] == sit.id and full["today"]["bouts"] == 1
    ram.unlink()                                                    # unreadable: back to the history alone
    full = make_app(empty_db).test_client().get("/api/status").get_json()
    assert full["last_event_id"] is None and full["daemon"]["seated"] is False


def test_a_v1_history_not_yet_upgraded_still_serves_its_pages(make_app, tmp_path):
    """The dashboard restarted on the new version before the daemon: History works, nothing is a 503."""
    import sqlite3

    from device.adapters.store import MIGRATIONS
    db = tmp_path / "v1.db"
    c = sqlite3.connect(db, isolation_level=None)
    c.executescript(f"BEGIN;{MIGRATIONS[0]}PRAGMA user_version = 1;COMMIT;")
    c.execute("INSERT INTO days (day, seated_s, bouts) VALUES (?, 3600.0, 2)", (NOW.date().isoformat(),))
    c.close()
    client = make_app(db).test_client()
    for url in ("/", "/history?range=week", "/api/status", f"/api/days?from={NOW.date()}&to={NOW.date()}",
                f"/api/events?day={NOW.date()}"):
        assert client.get(url).status_code == 200, url
    day = client.get(f"/api/days?from={NOW.date()}&to={NOW.date()}").get_json()["days"][0]
    assert (day["bouts"], day["done_stood"]) == (2, 0)   # a column newer than the file reads as 0
