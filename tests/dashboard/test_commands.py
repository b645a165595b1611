"""The file inbox between the dashboard and the daemon."""
from __future__ import annotations

import os
import stat

import pytest

from dashboard.commands import commands_dir, read_pending_commands, write_command


def test_round_trip_oldest_first_and_deleted(tmp_path):
    d = tmp_path / "commands"
    write_command(d, "snooze", now=1000.0)
    write_command(d, "pause", now=1001.0, minutes=30)
    p = write_command(d, "done", now=1002.0)
    assert stat.S_IMODE(os.stat(p).st_mode) == 0o600 and stat.S_IMODE(os.stat(d).st_mode) == 0o700
    got = read_pending_commands(d, now=1003.0)
    assert [(c["name"], c["args"]) for c in got] == [("snooze", {}), ("pause", {"minutes": 30}), ("done", {})]
    assert os.listdir(d) == [] and read_pending_commands(d, now=1003.0) == []


def test_bad_files_come_back_as_errors_and_are_removed(tmp_path):
    d = tmp_path
    (d / "0001-a.json").write_text("{not json")
    (d / "0002-b.json").write_text('{"id": "b", "name": "format_disk", "args": {}, "created_utc": 1000}')
    (d / "0003-c.json").write_text('{"id": "c", "name": "pause", "args": {"minutes": 99999}, "created_utc": 1000}')
    (d / "0004-d.json").write_text('{"id": "d", "name": "done", "args": {}, "created_utc": 10}')
    (d / "0005-e.json").write_text('[]')
    (d / ".x.tmp").write_text("half written")
    got = read_pending_commands(d, now=1000.0)
    assert [c.get("error", "")[:12] for c in got] == ["not JSON", "unknown comm", "pause: minut", "expired: que",
                                                      "not a JSON o"]
    assert sorted(os.listdir(d)) == [".x.tmp"]


def test_writing_refuses_malformed_commands(tmp_path):
    with pytest.raises(ValueError):
        write_command(tmp_path, "explode")
    with pytest.raises(ValueError):
        write_command(tmp_path, "pause", minutes="ten")
    assert os.listdir(tmp_path) == []


def test_missing_directory_means_nothing_pending(tmp_path):
    assert read_pending_commands(tmp_path / "none") == []


def test_the_inbox_sits_beside_the_database(tmp_path):
    assert commands_dir(tmp_path / "history.db") == tmp_path.resolve() / "commands"
