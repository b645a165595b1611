"""Bad configurations are one line naming the key and the file, exit 2, the same at `config check` and `run`."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

MOCK = '[gpio]\npin_factory = "mock"\n'

CASES = {
    "nested": ("a = " + "[" * 5000 + "]" * 5000 + "\n", r"nested too deeply"),
    "exercise": ('[coaching]\nexercises = ["nope"]\n' + MOCK, r"coaching\.exercises = \('nope',\): unknown exercise 'nope'"),
    "timezone": ('[device]\ntimezone = "Mars/Olympus"\n' + MOCK, r"device\.timezone = 'Mars/Olympus': unknown time zone"),
    "timezone_dir": ('[device]\ntimezone = "Europe"\n' + MOCK, r"device\.timezone = 'Europe': unknown time zone"),
    "ca_file": ('[mqtt]\nhost = "127.0.0.1"\ntls = true\nca_file = "{tmp}/missing-ca.pem"\n' + MOCK,
                r"mqtt\.ca_file = '.*missing-ca\.pem': no such file"),
    "db_dir": ('[history]\ndb_path = "{tmp}"\n' + MOCK, r"history\.db_path = '.*': is a directory"),
    "inf": ("[history]\nflush_interval_s = inf\n" + MOCK, r"history\.flush_interval_s = inf: must be a finite number"),
    "nan": ("[coaching]\nbreak_s = nan\n" + MOCK, r"coaching\.break_s = nan: must be a finite number"),
    "window": ('[coaching]\nworking_hours = "09:00-09:00"\n' + MOCK,
               r"coaching\.working_hours = '09:00-09:00': .*empty"),
    "quiet": ('[coaching]\nquiet_hours = "22:00-22:00"\n' + MOCK, r"coaching\.quiet_hours = '22:00-22:00': .*empty"),
}


def _cli(tmp_path, *argv):
    env = dict(os.environ, PYTHONPATH=str(ROOT), XDG_RUNTIME_DIR=str(tmp_path / "run"),
               XDG_DATA_HOME=str(tmp_path / "data"))
    return subprocess.run([sys.executable, "-m", "device.cli", *argv], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_config_is_one_line_at_check_and_at_run(tmp_path, case):
    text, pattern = CASES[case]
    path = tmp_path / f"{case}.toml"
    path.write_text(text.replace("{tmp}", str(tmp_path)))
    for argv in (("config", "check", str(path)), ("run", "--config", str(path), "--seconds", "0.5")):
        r = _cli(tmp_path, *argv)
        assert r.returncode == 2, (argv, r.stdout, r.stderr)
        assert "Traceback" not in r.stderr + r.stdout
        lines = r.stderr.strip().splitlines()
        assert len(lines) == 1, r.stderr
        assert str(path) in lines[0]
        import re
        assert re.search(pattern, lines[0]), lines[0]


def test_a_directory_given_as_db_is_one_line(tmp_path):
    path = tmp_path / "ok.toml"
    path.write_text(MOCK)
    r = _cli(tmp_path, "run", "--config", str(path), "--db", str(tmp_path), "--seconds", "0.5")
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert r.stderr.strip() == f"deskpulse run: --db {tmp_path}: is a directory, not a history file"


def test_long_values_are_cut_in_the_message(tmp_path):
    from device.config import ConfigError, from_dict
    with pytest.raises(ConfigError) as e:
        from_dict({"coaching": {"exercises": [["x" * 10000]]}}, "f.toml")
    assert len(str(e.value)) < 300 and "f.toml: coaching.exercises" in str(e.value)


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
