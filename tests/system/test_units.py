"""The systemd units, sysusers entry, example config and installer: verified by the real tools.

``systemd-analyze verify`` only prints (and still exits 0) for unknown or malformed
settings, so any output line that names the unit counts as a failure here. It also
insists that ExecStart's binary exists, hence the stub executable in tmp_path.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

from device import config
from device.config.record import fields

SYSTEMD = ROOT / "systemd"
UNITS = ("deskpulse.service", "deskpulse-dashboard.service")
BINARY = "/opt/deskpulse/.venv/bin/deskpulse"  # the installer's layout


@pytest.fixture(scope="module")
def analyze() -> str:
    path = shutil.which("systemd-analyze") or ("/usr/bin/systemd-analyze"
                                               if os.path.exists("/usr/bin/systemd-analyze") else None)
    if path is None:
        pytest.fail("systemd-analyze is missing: install Debian's 'systemd' package (apt-get install systemd)")
    return path


def parse_unit(text: str) -> dict[str, list[tuple[str, str]]]:
    """Sections -> (key, value) pairs in order; repeated keys stay separate, as systemd sees them."""
    sections: dict[str, list[tuple[str, str]]] = {}
    current = None
    for raw in text.splitlines():
        s = raw.strip()
        if not s or s.startswith(("#", ";")):
            continue
        if s.startswith("["):
            current = sections.setdefault(s.strip("[]"), [])
            continue
        key, _, value = s.partition("=")
        assert current is not None, f"setting outside a section: {raw!r}"
        current.append((key.strip(), value.strip()))
    return sections


def values(unit: dict, key: str, section: str = "Service") -> list[str]:
    return [v for k, v in unit.get(section, []) if k == key]


def last(unit: dict, key: str, section: str = "Service") -> str | None:
    vs = values(unit, key, section)
    return vs[-1] if vs else None


def verify(analyze: str, tmp_path: Path, text: str, name: str) -> list[str]:
    """Problems systemd-analyze reports for this unit text (empty = clean)."""
    stub = tmp_path / "deskpulse-stub"
    stub.write_text("#!/bin/sh\nexit 0\n")
    stub.chmod(0o755)
    unit = tmp_path / name
    unit.write_text(text.replace(BINARY, str(stub)))
    r = subprocess.run([analyze, "verify", "--man=no", str(unit)], capture_output=True, text=True, timeout=60,
                       cwd=tmp_path)
    out = (r.stdout + r.stderr).splitlines()
    problems = [line for line in out if str(unit) in line or name in line]
    if r.returncode != 0:
        problems.append(f"exit status {r.returncode}: {' | '.join(out)}")
    return problems


@pytest.mark.parametrize("name", UNITS)
def test_unit_passes_systemd_analyze_verify(analyze, tmp_path, name):
    text = (SYSTEMD / name).read_text()
    assert BINARY in text
    assert verify(analyze, tmp_path, text, name) == []


def test_verify_catches_an_unknown_setting(analyze, tmp_path):
    """The check above can fail: a misspelt key is reported although the exit status is 0."""
    text = (SYSTEMD / "deskpulse.service").read_text().replace("NoNewPrivileges=", "NoNewPrivilege=")
    problems = verify(analyze, tmp_path, text, "deskpulse.service")
    assert any("Unknown key" in p and "NoNewPrivilege" in p for p in problems), problems


def test_verify_catches_a_missing_binary(analyze, tmp_path):
    unit = tmp_path / "deskpulse.service"
    unit.write_text((SYSTEMD / "deskpulse.service").read_text())  # ExecStart not rewritten
    if Path(BINARY).exists():
        pytest.fail(f"{BINARY} exists on this test machine; this test needs it absent")
    r = subprocess.run([analyze, "verify", "--man=no", str(unit)], capture_output=True, text=True, timeout=60)
    assert r.returncode != 0 and "is not executable" in r.stderr


def test_daemon_unit_safety_settings():
    u = parse_unit((SYSTEMD / "deskpulse.service").read_text())
    assert last(u, "Type") == "notify"
    assert last(u, "NotifyAccess") == "main"
    assert int(last(u, "WatchdogSec")) >= 10
    assert last(u, "Restart") == "on-failure" and last(u, "RestartSec")
    assert last(u, "User") == "deskpulse"
    assert "gpio" in " ".join(values(u, "SupplementaryGroups")).split()
    assert last(u, "StateDirectory") == "deskpulse" and last(u, "WorkingDirectory") == "/var/lib/deskpulse"
    # the RAM copy of the resume state (device/app/daemon/resume.py runtime_dir) must outlive a restart
    assert last(u, "RuntimeDirectory") == "deskpulse" and last(u, "RuntimeDirectoryPreserve") == "yes"
    assert last(u, "RuntimeDirectoryMode") == "0700"
    assert "GPIOZERO_PIN_FACTORY=lgpio" in " ".join(values(u, "Environment")).split()
    exec_start = last(u, "ExecStart").split()
    assert exec_start[:2] == [BINARY, "run"]
    # sd_notify needs AF_UNIX; MQTT needs AF_INET/AF_INET6.
    assert set(last(u, "RestrictAddressFamilies").split()) == {"AF_UNIX", "AF_INET", "AF_INET6"}
    assert any("gpiochip" in v for v in values(u, "DeviceAllow"))
    for key in ("NoNewPrivileges", "ProtectHome", "PrivateTmp", "ProtectKernelTunables", "ProtectControlGroups",
                "LockPersonality"):
        assert last(u, key) == "yes", key
    assert last(u, "ProtectSystem") == "strict"


def test_daemon_unit_keeps_gpio_visible():
    u = parse_unit((SYSTEMD / "deskpulse.service").read_text())
    truthy = {"yes", "true", "1", "on"}
    assert not any(v.lower() in truthy for v in values(u, "PrivateDevices"))
    assert "pid" not in values(u, "ProcSubset")
    assert not values(u, "PrivateUsers")
    assert last(u, "User") not in ("root", "0")


def test_dashboard_unit_is_tighter_and_has_no_gpio():
    u = parse_unit((SYSTEMD / "deskpulse-dashboard.service").read_text())
    assert last(u, "User") == "deskpulse"
    assert last(u, "ExecStart").split()[:2] == [BINARY, "dashboard"]
    assert not values(u, "SupplementaryGroups")
    assert not any("gpio" in v for v in values(u, "DeviceAllow"))
    assert last(u, "PrivateDevices") == "yes" and last(u, "ProcSubset") == "pid"
    assert last(u, "StateDirectory") == "deskpulse"  # the same history.db


def test_sysusers_creates_the_user_in_the_gpio_group(tmp_path):
    tool = shutil.which("systemd-sysusers")
    if tool is None:
        pytest.fail("systemd-sysusers is missing: install Debian's 'systemd' package")
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc" / "group").write_text("gpio:x:997:\n")
    conf = SYSTEMD / "sysusers.d" / "deskpulse.conf"
    if os.geteuid() != 0:  # writing a root's passwd files needs chown; only parse then
        r = subprocess.run([tool, "--dry-run", f"--root={tmp_path}", str(conf)], capture_output=True, text=True)
        assert r.returncode == 0 and "Creating user 'deskpulse'" in r.stderr + r.stdout
        return
    r = subprocess.run([tool, f"--root={tmp_path}", str(conf)], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    passwd = (tmp_path / "etc" / "passwd").read_text()
    assert re.search(r"^deskpulse:x:\d+:\d+:[^:]*:/var/lib/deskpulse:/usr/sbin/nologin$", passwd, re.M)
    assert re.search(r"^gpio:x:997:deskpulse$", (tmp_path / "etc" / "group").read_text(), re.M)


def test_example_config_is_valid_and_lists_every_key(tmp_path):
    example = SYSTEMD / "config.example.toml"
    cfg = config.load(example, env={})
    assert cfg.gpio == config.GpioConfig()  # the wired defaults, as hardware.md shows
    # Uncommenting every "# key = value" line must still load and give the built-in defaults.
    text = re.sub(r"^# (\w+ = .*)$", r"\1", example.read_text(), flags=re.M)
    (tmp_path / "all.toml").write_text(text)
    assert config.load(tmp_path / "all.toml", env={}) == config.Config(source=str(tmp_path / "all.toml"))
    keys, section = set(), None
    for line in text.splitlines():
        m = re.match(r"^\[(\w+)\]$", line)
        if m:
            section = m.group(1)
        m = re.match(r"^(\w+) = ", line)
        if m:
            keys.add(f"{section}.{m.group(1)}")
    want = {f"{name}.{f.name}" for name, cls in config.SECTIONS.items() for f in fields(cls)}
    assert keys == want


def test_installer_syntax_and_paths():
    script = ROOT / "scripts" / "install-pi.sh"
    assert os.access(script, os.X_OK)
    r = subprocess.run(["sh", "-n", str(script)], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    text = script.read_text()
    assert "VENV=$PREFIX/.venv" in text and "PREFIX=/opt/deskpulse" in text  # = BINARY's layout
    for unit in UNITS:
        assert f"$SRC/systemd/{unit}" in text


def test_installer_refuses_to_run_without_root_in_one_line():
    script = (ROOT / "scripts" / "install-pi.sh").read_text()
    if os.geteuid() == 0:
        cmd = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "sh", "-s"]
    else:
        cmd = ["sh", "-s"]
    r = subprocess.run(cmd, input=script, capture_output=True, text=True, timeout=30, cwd="/")
    assert r.returncode == 1
    assert r.stdout == ""
    assert r.stderr.splitlines() == ["install-pi.sh: must run as root (try: sudo sh)"]


def test_hardware_pin_table_matches_the_default_config():
    """hardware.md's pin table must say exactly what device/config/schema.py wires by default."""
    text = (ROOT / "hardware.md").read_text()
    rows = {}
    for line in text.splitlines():
        m = re.match(r"^\| ([^|]+?) \| GPIO(\d+) \| (\d+) \|", line)
        if m:
            rows[m.group(1)] = (int(m.group(2)), int(m.group(3)))
    g = config.GpioConfig()
    physical = {4: 7, 17: 11, 18: 12, 22: 15, 27: 13}  # BCM -> header pin on every 40-pin Pi
    want = {"seat switch / comparator": g.seat_pin, "PIR output": g.pir_pin, "button": g.button_pin,
            "LED": g.led_pin, "buzzer": g.buzzer_pin}
    assert {k: v[0] for k, v in rows.items()} == want
    assert all(physical[bcm] == pin for bcm, pin in rows.values())
    svg = (ROOT / "docs" / "wiring.svg").read_text()
    for bcm, pin in rows.values():
        assert f"GPIO{bcm} (pin {pin}" in svg


def test_the_daemon_keeps_its_ram_copy_in_the_units_runtime_directory(tmp_path, monkeypatch):
    """What RuntimeDirectory= hands over ($RUNTIME_DIRECTORY) is where the resume state goes."""
    from device.app.runner import runtime_file
    from device.app.daemon import runtime_dir

    u = parse_unit((SYSTEMD / "deskpulse.service").read_text())
    run = tmp_path / "run" / last(u, "RuntimeDirectory")
    monkeypatch.setenv("RUNTIME_DIRECTORY", str(run))
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path / "xdg"))
    assert runtime_dir() == run
    f = runtime_file(tmp_path / "history.db")
    assert f.parent == run and f.name.startswith("state-") and f.suffix == ".json"
    monkeypatch.delenv("RUNTIME_DIRECTORY")
    assert runtime_dir() == tmp_path / "xdg" / "deskpulse"
