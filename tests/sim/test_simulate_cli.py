"""``deskpulse simulate`` (and the profiles and PIR models the commands' help names).
"""
from __future__ import annotations

import pytest

from device import cli
from device.adapters.trace import read_trace
from device.sim.days import simulate
from device.sim.profiles import PIR_MODELS, PROFILES


def test_cli_writes_trace_and_truth(tmp_path, capsys):
    out = tmp_path / "t.csv"
    rc = cli.main(["simulate", "--days", "2", "--seed", "5", "--profile", "long_sitter",
                   "--pir", "am312", "--sensors", "seat", "--start", "2026-06-01T00:00:00+02:00",
                   "--out", str(out)])
    assert rc == 0
    assert "wrote" in capsys.readouterr().out
    tr = read_trace(str(out))
    assert tr.header.signals == ("seat",) and tr.header.duration_s == 2 * 86400
    assert tr.header.start.isoformat() == "2026-06-01T00:00:00+02:00"
    truth = (tmp_path / "t.truth.csv").read_text().splitlines()
    assert truth[0] == "start,end" and len(truth) > 5
    expected = simulate("long_sitter", 2, 5, tr.header.start, "am312", ("seat",))
    assert tr.times == expected.times


@pytest.mark.parametrize("argv, what", [
    (["--days", "zero"], "--days"), (["--days", "0"], "--days"), (["--seed", "-1"], "--seed"),
    (["--profile", "sloth"], "--profile"), (["--pir", "hc_sr999"], "--pir"),
    (["--sensors", "seat,button"], "--sensors"), (["--start", "yesterday"], "--start"),
    (["--start", "2026-03-02T00:00:00"], "--start"), (["--pir-hold", "0.1"], "--pir-hold"),
])
def test_cli_bad_argument_is_one_line_exit_2(tmp_path, capsys, argv, what):
    out = tmp_path / "t.csv"
    rc = cli.main(["simulate", "--out", str(out), *argv])
    err = capsys.readouterr().err
    assert rc == 2
    assert len(err.strip().splitlines()) == 1 and what in err
    assert not out.exists()


@pytest.mark.parametrize("out", ["day.txt", "day.truth.csv", "no/such/dir/day.csv"])
def test_cli_bad_out_path(tmp_path, capsys, out):
    rc = cli.main(["simulate", "--out", str(tmp_path / out)])
    err = capsys.readouterr().err
    assert rc == 2 and len(err.strip().splitlines()) == 1 and "--out" in err


@pytest.mark.parametrize("command", ["simulate", "run"])
def test_help_names_every_profile_and_pir_model(capsys, command):
    with pytest.raises(SystemExit):
        cli.main([command, "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert all(p in text for p in PROFILES)
    if command == "simulate":
        assert all(m in text for m in PIR_MODELS)
