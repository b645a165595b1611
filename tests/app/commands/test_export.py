"""``deskpulse export`` through the real CLI entry point."""
from __future__ import annotations

import csv
import io
import json
import os
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from store_helpers import Desk

from device.cli import main
from device.core.rollup import summarize
from device.adapters.store import Store

BERLIN = ZoneInfo("Europe/Berlin")
M = 60.0


@pytest.fixture
def history(tmp_path):
    d = Desk(datetime(2024, 5, 6, 9, 0, tzinfo=BERLIN))
    for day in range(3):
        base = day * 86400.0
        d.sit_start(base)
        d.prompt(base + 30 * M)
        d.done(base + 31 * M, "pir")
        d.sit_end(base + 45 * M)
        d.finish()
        d.sit(base + 60 * M, base + 70 * M)
        d.finish()
    db = tmp_path / "h.db"
    with Store(db) as s:
        s.add(d.events)
    return db, d


def export(capsys, *args):
    rc = main(["export", *args])
    out, err = capsys.readouterr()
    return rc, out, err


def test_days_csv(history, capsys):
    db, d = history
    rc, out, err = export(capsys, "--db", str(db), "--format", "csv")
    assert rc == 0 and err == ""
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [r["day"] for r in rows] == ["2024-05-06", "2024-05-07", "2024-05-08"]
    assert float(rows[0]["seated_s"]) == pytest.approx(55 * M)
    assert rows[0]["compliance"] == "100.0" and rows[0]["done_pir"] == "1"  # a percentage
    assert list(rows[0]) == [c for c in summarize(d.events)[0].as_dict()]


def test_days_json_range(history, capsys):
    db, d = history
    rc, out, _ = export(capsys, "--db", str(db), "--format", "json", "--from", "2024-05-07", "--to", "2024-05-07")
    assert rc == 0
    days = json.loads(out)
    assert days == [summarize(d.events)[1].as_dict()]


def test_bouts_csv_and_json(history, capsys, tmp_path):
    db, _ = history
    out_file = tmp_path / "bouts.csv"
    rc, out, _ = export(capsys, "--db", str(db), "--what", "bouts", "--from", "2024-05-08", "--out", str(out_file))
    assert rc == 0 and out == ""
    rows = list(csv.DictReader(io.StringIO(out_file.read_text())))
    assert [(r["day"], float(r["bout_s"])) for r in rows] == [("2024-05-08", 45 * M), ("2024-05-08", 10 * M)]
    rc, out, _ = export(capsys, "--db", str(db), "--what", "bouts", "--format", "json")
    assert rc == 0 and len(json.loads(out)) == 6 and "open" not in json.loads(out)[0]


def test_events_json_and_csv(history, capsys):
    db, d = history
    rc, out, _ = export(capsys, "--db", str(db), "--what", "events", "--format", "json", "--from", "2024-05-07")
    assert rc == 0
    got = json.loads(out)
    later = [e for e in d.events if e.ts >= "2024-05-07"]
    assert [g.pop("day") for g in got] == ["2024-05-07"] * 8 + ["2024-05-08"] * 8
    assert got == [e.to_dict() for e in later]
    rc, out, _ = export(capsys, "--db", str(db), "--what", "events", "--to", "2024-05-06")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [r["id"] for r in rows] == [e.id for e in d.events[:8]]
    assert json.loads(rows[0]["data"]) == {"sensor": "seat", "new_bout": True}


def test_events_paging_over_many(tmp_path, capsys):
    d = Desk(datetime(2024, 5, 6, 9, 0, tzinfo=BERLIN))
    for i in range(2600):                       # more than one 2000-row page
        d.sit(i * 10.0, i * 10.0 + 5)
    db = tmp_path / "h.db"
    with Store(db) as s:
        s.add(d.events)
    rc, out, _ = export(capsys, "--db", str(db), "--what", "events", "--format", "json")
    assert rc == 0 and [g["id"] for g in json.loads(out)] == [e.id for e in d.events]


def test_default_db_from_config(history, capsys, tmp_path):
    db, _ = history
    cfg = tmp_path / "c.toml"
    cfg.write_text(f'[history]\ndb_path = "{db}"\n')
    rc, out, _ = export(capsys, "--config", str(cfg))
    assert rc == 0 and out.count("\n") == 4


@pytest.mark.parametrize("args, message", [
    (["--from", "2024-13-01"], "--from '2024-13-01': not a date like 2025-01-31"),
    (["--to", "yesterday"], "--to 'yesterday': not a date like 2025-01-31"),
    (["--from", "2024-05-08", "--to", "2024-05-06"], "--from 2024-05-08 is after --to 2024-05-06"),
])
def test_bad_arguments(history, capsys, args, message):
    db, _ = history
    rc, out, err = export(capsys, "--db", str(db), *args)
    assert rc == 2 and out == ""
    assert err.strip() == f"deskpulse export: {message}"


def test_database_errors(tmp_path, capsys):
    rc, _, err = export(capsys, "--db", str(tmp_path / "none.db"))
    assert rc == 2 and "none.db: no history database there" in err and err.count("\n") == 1
    junk = tmp_path / "junk.db"
    junk.write_bytes(os.urandom(4096))
    rc, _, err = export(capsys, "--db", str(junk))
    assert rc == 2 and "not a deskpulse history database" in err and "Traceback" not in err
    rc, _, err = export(capsys, "--db", str(tmp_path))
    assert rc == 2 and "no history database there" in err
    empty = tmp_path / "empty.db"
    empty.touch()
    rc, _, err = export(capsys, "--db", str(empty))
    assert rc == 2 and "older than" in err
    rc, _, err = export(capsys, "--config", str(tmp_path / "nope.toml"))
    assert rc == 2 and "nope.toml: no such file" in err


def test_unwritable_out(history, capsys, tmp_path):
    db, _ = history
    rc, _, err = export(capsys, "--db", str(db), "--out", str(tmp_path / "no" / "dir" / "x.csv"))
    assert rc == 2 and err.startswith("deskpulse export: --out ") and "cannot write" in err


def test_bad_format_is_argparse_error(history, capsys):
    db, _ = history
    with pytest.raises(SystemExit) as e:
        main(["export", "--db", str(db), "--format", "xml"])
    assert e.value.code == 2 and "invalid choice" in capsys.readouterr().err
