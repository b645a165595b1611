"""What the daemon writes and when (device/app/daemon/writes.py): the status, the heartbeat, nothing while idle."""
from __future__ import annotations

import json
from datetime import datetime

import pytest

from device.app.daemon.writes import HEARTBEAT_S
from device.adapters.store import open_readonly


def test_status_kv_follows_the_person(desk):
    d = desk().start()
    d.sit(31)
    d.at(d.t + 61)
    st = d.store.get_json("status")
    assert st["seated"] is True and st["alert"] == "routine"
    d.leave(3)
    d.at(d.t + 61)
    st = d.store.get_json("status")
    assert st["seated"] is False and st["alert"] == "none"


def test_an_idle_desk_writes_nothing_and_its_lock_says_it_is_alive(desk):
    from device.adapters.liveness import daemon_alive
    d = desk().start()
    d.at(d.t + 120)
    flushes = d.store.flushes
    d.at(d.t + 6 * 3600)
    assert d.store.flushes == flushes, "no commit at all while nobody sits"
    st = d.store.get_json("status")
    assert st["stopped"] is False and st["stale_after_s"] is None   # no periodic writes promised
    assert daemon_alive(d.db) is True
    d.sit(5)
    d.at(d.t + 61)
    st = d.store.get_json("status")
    assert st["seated"] is True and st["stale_after_s"] >= 2 * HEARTBEAT_S
    d.stop()
    assert daemon_alive(d.db) is False
    with open_readonly(d.db) as ro:
        assert json.loads(ro.execute("SELECT value FROM kv WHERE key = 'status'").fetchone()[0])["stopped"] is True


def test_a_bout_without_events_still_saves_its_resume_state_every_heartbeat(desk):
    d = desk().start()
    d.sit(6)
    assert d.daemon.status["seated"] and d.store.pending == 0
    saved = d.store.flushes
    d.sit(21)                                        # fidgets on, 27 minutes into the bout: no prompt yet
    assert [e.type for e in d.events()][-1] == "sit_start"
    assert d.store.flushes - saved == pytest.approx(21 * 60 / HEARTBEAT_S, abs=1)
    state = d.store.get_json("daemon_state")
    age = d.clock.wall_at(d.t).timestamp() - datetime.fromisoformat(state["ts"]).timestamp()
    assert 0 <= age <= HEARTBEAT_S + d.cfg.history.flush_interval_s
    assert state["engine"]["bout_start_ago"] is not None
