"""Each ``deskpulse`` command imports only what it uses (#12.3).

``deskpulse --help`` lists the commands from device/cli.py's table and imports
no command module; ``deskpulse COMMAND ...`` imports that command's module and
no other; none of ``--help``, ``config check`` or any ``COMMAND --help``
imports Flask, paho, gpiozero or waitress. Each case runs the real CLI in a
subprocess and reads ``sys.modules`` as it exits. (benchmarks/cli_startup.py
times them.) The start-up savings that are not about our own modules are
checked the same way, by what is not imported: ``dataclasses`` (and with it
``inspect``, ``ast``, ``dis``; the settings are ``device.config.record``s),
``pathlib`` (made only when a file is named) and ``shutil`` (argparse's way to
the terminal width; device/cli.py finds it itself); and the shortcuts those
took are checked to change nothing.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from device.cli import COMMANDS

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("flask", "paho", "gpiozero", "waitress")
# standard modules that cost start-up time and that --help and config check no longer need
# (typing is not among them for config check: tomllib imports it)
SLOW_STDLIB = ("dataclasses", "inspect", "ast", "dis", "pathlib", "shutil")

# Runs device.cli as `python -m device.cli ARGS` would, and writes the names in sys.modules
# when the process exits (argparse's --help ends in SystemExit).
PROBE = """
import atexit, json, runpy, sys
out = sys.argv.pop(1)
atexit.register(lambda: open(out, "w").write(json.dumps(sorted(sys.modules))))
sys.argv[0] = "deskpulse"
runpy.run_module("device.cli", run_name="__main__", alter_sys=True)
"""


def _modules(tmp_path: Path, *argv: str) -> tuple[subprocess.CompletedProcess, set[str]]:
    out = tmp_path / "modules.json"
    env = dict(os.environ, PYTHONPATH=str(ROOT), XDG_DATA_HOME=str(tmp_path / "data"), HOME=str(tmp_path))
    r = subprocess.run([sys.executable, "-c", PROBE, str(out), *argv], cwd=tmp_path, env=env,
                       capture_output=True, text=True, timeout=60)
    return r, set(json.loads(out.read_text()))


def _heavy(modules: set[str]) -> list[str]:
    return sorted(m for m in modules if m.split(".")[0] in HEAVY)


def _commands(modules: set[str]) -> list[str]:
    return sorted(m.rsplit(".", 1)[1] for m in modules
                  if m.startswith("device.app.commands.") and m != "device.app.commands.args")


def test_help_lists_every_command_and_imports_none(tmp_path):
    r, modules = _modules(tmp_path, "--help")
    assert r.returncode == 0, r.stderr
    for name, help in COMMANDS.items():
        assert name in r.stdout
        assert " ".join(help.split()[:4]) in " ".join(r.stdout.split()), name
    assert _heavy(modules) == []
    assert _commands(modules) == []
    assert sorted(modules & {*SLOW_STDLIB, "typing"}) == []
    assert not any(m.startswith(("device.core", "device.adapters", "device.sim", "device.config", "dashboard"))
                   for m in modules), sorted(m for m in modules if m.startswith(("device", "dashboard")))


def test_config_check_imports_only_its_command(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('[device]\nname = "Desk"\n')
    r, modules = _modules(tmp_path, "config", "check", str(path))
    assert (r.returncode, r.stdout, r.stderr) == (0, f"{path}: ok\n", "")
    assert _heavy(modules) == []
    assert _commands(modules) == ["config"]
    assert sorted(modules & set(SLOW_STDLIB)) == []
    assert "device.core.exercises" not in modules  # the exercises check runs only if the file names some


def test_config_check_of_exercises_and_files_still_checks_them(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('[coaching]\nexercises = ["ankle_pumps", "jumping"]\n')
    r, modules = _modules(tmp_path, "config", "check", str(path))
    assert r.returncode == 2 and "coaching.exercises" in r.stderr and "unknown exercise 'jumping'" in r.stderr
    path.write_text(f'[mqtt]\nca_file = "{tmp_path / "nope.pem"}"\n')
    r, modules = _modules(tmp_path, "config", "check", str(path))
    assert r.returncode == 2 and r.stderr.rstrip().endswith("mqtt.ca_file = " + repr(str(tmp_path / "nope.pem")) + ": no such file")
    (tmp_path / "data" / "deskpulse" / "history.db").mkdir(parents=True)  # XDG_DATA_HOME is tmp_path/data
    path.write_text("")
    r, modules = _modules(tmp_path, "config", "check", str(path))
    assert (r.returncode, r.stderr) == (2, f"deskpulse config: {path}: the default history "
                                           f"{tmp_path / 'data' / 'deskpulse' / 'history.db'}: is a directory, not a history file\n")


def test_config_check_of_a_bad_file_is_still_one_line(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text("[nope]\n")
    r, modules = _modules(tmp_path, "config", "check", str(path))
    assert r.returncode == 2
    assert r.stderr.startswith(f"deskpulse config: {path}: ['nope']: unknown section"), r.stderr
    assert _heavy(modules) == []


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_command_help_shows_its_arguments_and_imports_only_it(tmp_path, name):
    r, modules = _modules(tmp_path, name, "--help")
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith(f"usage: deskpulse {name} ")
    assert " ".join(COMMANDS[name].split()) in " ".join(r.stdout.split())
    assert _heavy(modules) == []
    assert _commands(modules) == [name]


@pytest.mark.parametrize("env", [{}, {"COLUMNS": "57"}, {"COLUMNS": "0"}, {"COLUMNS": "-3"}, {"COLUMNS": "x"},
                                 {"COLUMNS": "120", "LINES": "0"}, {"LINES": "30"}])
def test_help_width_is_shutils(monkeypatch, env):
    import shutil

    from device.cli import _columns
    for k in ("COLUMNS", "LINES"):
        monkeypatch.delenv(k, raising=False)
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    assert _columns() == shutil.get_terminal_size().columns


@pytest.mark.parametrize("argv", [
    ["config", "check", "f.toml"], ["config", "check"], ["config"], ["config", "--help"], ["config", "bogus"],
    ["config", "check", "f.toml", "extra"], ["config", "check", "f.toml", "--bogus"], ["config", "show", "--config", "x"],
    ["config", "-h", "check"], ["export", "--format", "xml"], ["export", "--from", "2024-01-01"], ["replay"],
    ["replay", "--help"], ["doctor", "--bogus"], ["simulate"], ["watch", "--help"], ["run", "--simulate", "--bogus"],
])
def test_a_command_alone_parses_as_with_all_commands(capsys, argv):
    """``main`` builds only the chosen command's parser when ``argv`` begins with it: same result, same output."""
    from device.cli import build_parser

    def parse(alone: bool):
        try:
            ns = vars(build_parser(argv[0], alone=alone).parse_args(argv))
            ns.pop("_run", None)
            outcome = ns
        except SystemExit as e:
            outcome = e.code
        out = capsys.readouterr()
        return outcome, out.out, out.err

    assert parse(True) == parse(False)
