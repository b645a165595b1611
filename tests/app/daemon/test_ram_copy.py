"""The runtime-directory (RAM) copy: events not yet flushed survive a crash; the dashboard reads it."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

from device.adapters.store import open_readonly, read_events


START = datetime(2026, 3, 2, 8, 0, tzinfo=timezone(timedelta(hours=1)))  # as in conftest


def crash(d) -> list:
    """What kill -9 leaves: no flush, no stop; the pins and the lock go with the process."""
    lost = [e for _, e in d.store.pending_events()]
    d.daemon.lifecycle.close_devices()
    d.daemon.lifecycle.lock.release()
    d.daemon.stopped = True
    d.store._buffer.events.clear()
    return lost


def stored_ids(db) -> list[str]:
    with open_readonly(db) as ro:
        return [e.id for _, e in read_events(ro, limit=None)]


def test_events_not_yet_flushed_when_the_daemon_dies_are_stored_by_the_next_run(desk, cfg, tmp_path):
    cfg = cfg.replace(history={"flush_interval_s": 600.0})
    a = desk(cfg=cfg).start()
    a.sit(3)
    a.leave(1.5)                                   # sit_start, sit_end: the next flush is minutes off
    assert a.store.pending > 0
    doc = json.loads((tmp_path / "run" / "state.json").read_text())
    assert [p[1]["id"] for p in doc["pending"]] == [e.id for _, e in a.store.pending_events()]
    assert doc["status"]["seated"] is False and doc["status"]["updated_ts"]
    lost = crash(a)
    assert lost and not set(e.id for e in lost) & set(stored_ids(a.db))

    b = desk(cfg=cfg, start=START + timedelta(seconds=a.t + 20)).start()
    ids = stored_ids(b.db)
    assert set(e.id for e in lost) <= set(ids)
    assert len(ids) == len(set(ids)), "nothing stored twice"
    assert ids.index(lost[-1].id) < ids.index(b.events("daemon_start")[-1].id)
    with open_readonly(b.db) as ro:                # and they wait in the outbox for MQTT
        queued = {r[0] for r in ro.execute("SELECT e.id FROM outbox o JOIN events e USING (seq)")}
    assert set(e.id for e in lost) <= queued
    b.stop()
    doc = json.loads((tmp_path / "run" / "state.json").read_text())
    assert doc["pending"] == [] and doc["clean"] is True
    assert doc["status"]["stopped"] is True and doc["status"]["stop_reason"] == "test"


def test_an_idle_daemon_does_not_rewrite_its_ram_copy(desk, tmp_path):
    d = desk().start()
    d.at(d.t + 120)
    ram = tmp_path / "run" / "state.json"
    before = ram.stat().st_mtime_ns if ram.exists() else None
    d.at(d.t + 3 * 3600)
    assert (ram.stat().st_mtime_ns if ram.exists() else None) == before


def test_the_ram_copy_keeps_only_the_newest_buffered_events(desk, cfg, tmp_path, monkeypatch):
    import device.app.daemon.resume as resume_mod
    monkeypatch.setattr(resume_mod, "RAM_PENDING_MAX", 2)
    d = desk(cfg=cfg.replace(history={"flush_interval_s": 3600.0})).start()
    d.sit(3)
    d.leave(3)                                     # sit_start, sit_end, break: all buffered
    pending = [e.id for _, e in d.store.pending_events()]
    assert len(pending) >= 3
    doc = json.loads((tmp_path / "run" / "state.json").read_text())
    assert [p[1]["id"] for p in doc["pending"]] == pending[-2:]
