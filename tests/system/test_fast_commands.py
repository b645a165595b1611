"""Each ``deskpulse`` command imports only what it uses (#12.3).

``deskpulse --help`` lists the commands from device/cli.py's table and imports
no command module; ``deskpulse COMMAND ...`` imports that command's module and
no other; none of ``--help``, ``config check`` or any ``COMMAND --help``
imports Flask, paho, gpiozero or waitress. Each case runs the real CLI in a
subprocess and reads ``sys.modules`` as it exits. (benchmarks/cli_startup.py
times them.)
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
    assert not any(m.startswith(("device.core", "device.adapters", "device.sim", "device.config", "dashboard"))
                   for m in modules), sorted(m for m in modules if m.startswith(("device", "dashboard")))


def test_config_check_imports_only_its_command(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('[device]\nname = "Desk"\n')
    r, modules = _modules(tmp_path, "config", "check", str(path))
    assert (r.returncode, r.stdout, r.stderr) == (0, f"{path}: ok\n", "")
    assert _heavy(modules) == []
    assert _commands(modules) == ["config"]


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
