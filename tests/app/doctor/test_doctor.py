"""deskpulse doctor: all checks together, the report, and the real CLI (each check's own tests: test_doctor_*.py)."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from device.app import doctor
from device.app.doctor import FAIL, OK, WARN, Check

sys.path.insert(0, str(Path(__file__).resolve().parent))
from doctor_fakes import PI4, ROOT, importer, line, system  # noqa: E402


# --- all together ----------------------------------------------------------------

def test_run_checks_takes_a_replacement_mqtt_check(fake_root):
    seen = []

    def mqtt(c):
        seen.append(c)
        return Check("mqtt", WARN, "replaced")
    checks = doctor.run_checks(None, system(fake_root, import_module=importer(),
                                            env={"HOME": str(fake_root.path)}), mqtt=mqtt)
    assert line(checks, "mqtt").summary == "replaced" and len(seen) == 1


# --- rendering and exit code -------------------------------------------------------

def test_render_gives_one_line_per_check_and_a_fix_per_failure():
    checks = [Check("config", OK, "fine"), Check("gpio devices", FAIL, "no /dev/gpiochip*", fix="do X"),
              Check("gpio group", WARN, "hmm", ("detail",), fix="do Y")]
    text = doctor.render(checks)
    lines = text.splitlines()
    assert lines[0].split() == ["ok", "config", "fine"]
    assert lines[1].split()[:2] == ["FAIL", "gpio"] and lines[2].split() == ["fix:", "do", "X"]
    assert lines[-1].startswith("1 FAIL, 1 warn")
    assert doctor.exit_code(checks) == 1 and doctor.exit_code(checks[::2]) == 0


# --- the real CLI ---------------------------------------------------------------

def _cli(*args: str, env_extra: dict | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, **(env_extra or {})}
    env.pop("GPIOZERO_PIN_FACTORY", None)
    env.pop("STATE_DIRECTORY", None)
    return subprocess.run([sys.executable, "-m", "device.cli", "doctor", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)


def test_cli_bad_config_exits_1_with_the_config_line(tmp_path, fake_root):
    bad = tmp_path / "bad.toml"
    bad.write_text("[coaching]\nbreak_s = -1\n")
    r = _cli("--config", str(bad), "--root", str(fake_root.path), env_extra={"HOME": str(tmp_path)})
    assert r.returncode == 1, r.stdout + r.stderr
    assert f"FAIL  config        {bad}: coaching.break_s = -1.0: must be greater than 0" in r.stdout
    assert len(r.stdout.splitlines()) < 30  # one screen


def test_cli_all_fine_on_a_fake_pi4_with_fake_rpigpio_exits_0(tmp_path, fake_root):
    """A whole Pi 4 as far as doctor can tell: model, /dev/gpiomem, gpio group with our gid,
    the service user, and RPi.GPIO importable through fake_rpigpio in the child process."""
    fake_root.model(PI4).device("gpiomem", mode=0o660)
    fake_root.group("gpio", os.getegid(), ("deskpulse",)).user("deskpulse", 999)
    good = tmp_path / "config.toml"
    good.write_text(f'[gpio]\npin_factory = "rpigpio"\n[history]\ndb_path = "{tmp_path / "h.db"}"\n')
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text("import fake_rpigpio.utils\nfake_rpigpio.utils.install()\n")
    pypath = os.pathsep.join(p for p in (str(site), os.environ.get("PYTHONPATH", "")) if p)
    r = _cli("--config", str(good), "--root", str(fake_root.path), env_extra={"PYTHONPATH": pypath})
    assert r.returncode == 0, r.stdout + r.stderr
    assert "ok    gpio backend  rpigpio loads (gpio.pin_factory)" in r.stdout
    assert f"ok    board         {PI4}" in r.stdout
    assert "FAIL" not in r.stdout


def test_cli_on_this_machine_explains_itself_in_one_screen(tmp_path):
    r = _cli("--root", str(tmp_path), env_extra={"HOME": str(tmp_path)})
    assert r.returncode == 1  # no Pi, no GPIO: deskpulse run could not work here
    assert "not a Raspberry Pi" in r.stdout and "deskpulse demo" in r.stdout
    assert "FAIL  gpio backend  lgpio (gpio.pin_factory) does not load" in r.stdout
    # no Pi-only check repeats "no GPIO here" in other words
    names = [m.group(1) for m in re.finditer(r"^  (?:ok|warn|FAIL) +(\S+(?: \S+)?)  ", r.stdout, re.M)]
    assert names == ["config", "board", "gpio backend", "history", "mqtt"], r.stdout
    assert r.stdout.count("\n  FAIL") == 1  # the backend line alone
    lines = r.stdout.replace(str(tmp_path), "~").splitlines()
    assert len(lines) <= 12 and max(map(len, lines)) <= 110, r.stdout


def test_cli_off_a_pi_with_the_mock_factory_has_no_failure(tmp_path):
    cfg = tmp_path / "mock.toml"
    cfg.write_text(f'[gpio]\npin_factory = "mock"\n[history]\ndb_path = "{tmp_path / "h.db"}"\n')
    r = _cli("--config", str(cfg), "--root", str(tmp_path), env_extra={"HOME": str(tmp_path)})
    assert r.returncode == 0, r.stdout
    assert 'fine with gpio.pin_factory = "mock"' in r.stdout and r.stdout.rstrip().endswith("no failures (1 warn).")


def test_cli_with_pir_only_says_plainly_what_it_cannot_tell(tmp_path):
    cfg = tmp_path / "pir.toml"
    cfg.write_text(f'[gpio]\npin_factory = "mock"\n[sensing]\nsensors = "pir"\n'
                   f'[history]\ndb_path = "{tmp_path / "h.db"}"\n')
    r = _cli("--config", str(cfg), "--root", str(tmp_path), env_extra={"HOME": str(tmp_path)})
    assert r.returncode == 0, r.stdout      # a limitation, not a failure
    out = r.stdout
    assert "warn  sensors" in out and "a still reader and an empty chair look alike" in out
    assert "over- or under-counted" in out and "late or not at all" in out
    assert 'fix:' in out and 'sensing.sensors = "both"' in out
    lines = out.replace(str(tmp_path), "~").splitlines()
    assert max(map(len, lines)) <= 110, out
