"""deskpulse doctor: every check against fake roots, identities and modules, plus the real CLI."""
from __future__ import annotations

import importlib
import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from device import config
from device.app import doctor
from device.app.doctor import FAIL, OK, WARN, Check, System

sys.path.insert(0, str(Path(__file__).resolve().parent))
from doctor_fakes import PI4, PI5, ROOT, installed_fake_rpigpio  # noqa: E402

ALICE = 4242  # a uid that owns none of the fake files


def importer(absent=("lgpio",), raising: dict[str, Exception] | None = None):
    """import_module for System: some modules missing, some raising on import, the rest real."""
    raising = raising or {}

    def imp(name: str):
        if name in raising:
            raise raising[name]
        if name in absent or name.split(".")[0] in absent:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return importlib.import_module(name)
    return imp


def system(fake_root, uid=ALICE, gids=(), user="alice", env=None, **kw) -> System:
    return System(root=fake_root.path, uid=uid, gids=frozenset(gids), user=user, env=env or {}, **kw)


def cfg(**gpio) -> config.Config:
    return config.Config().replace(gpio=gpio) if gpio else config.Config()


def line(checks: list[Check], name: str) -> Check:
    (c,) = [c for c in checks if c.name == name]
    return c


# --- board --------------------------------------------------------------------

def test_board_is_read_from_device_tree_without_the_trailing_nul(fake_root):
    fake_root.model(PI4)
    c = doctor.check_board(system(fake_root), needs_gpio=True)
    assert (c.status, c.summary) == (OK, PI4)


def test_board_falls_back_to_sys_firmware_model(fake_root):
    fake_root.model(PI5, where="sys/firmware/devicetree/base/model")
    c = doctor.check_board(system(fake_root), needs_gpio=True)
    assert c.status == OK and c.summary == PI5
    assert any("only the lgpio backend" in n for n in c.notes)


def test_no_pi_is_a_warning_that_suggests_the_mock_factory(fake_root):
    c = doctor.check_board(system(fake_root), needs_gpio=True)
    assert c.status == WARN
    assert "not a Raspberry Pi" in c.summary and 'pin_factory = "mock"' in c.fix


# --- GPIO backend --------------------------------------------------------------

def test_lgpio_absent_fails_and_says_how_to_install(fake_root):
    fake_root.model(PI4)
    c = doctor.check_backend(cfg(), system(fake_root, import_module=importer(absent=("lgpio", "RPi"))), PI4)
    assert c.status == FAIL
    assert c.summary.startswith("lgpio (gpio.pin_factory) does not load: not installed")
    assert "python3-lgpio" in c.fix
    assert "rpigpio: not installed (no module RPi.GPIO)" in c.notes


def test_lgpio_absent_but_fake_rpigpio_importable_points_at_the_other_backend(fake_root, fake_rpigpio):
    fake_root.model(PI4)
    c = doctor.check_backend(cfg(), system(fake_root, import_module=importer()), PI4)
    assert c.status == FAIL
    assert "rpigpio: loads" in c.notes
    assert 'set gpio.pin_factory = "rpigpio", which loads' in c.fix


def test_rpigpio_configured_and_importable_is_ok_with_why_not_lgpio(fake_root, fake_rpigpio):
    fake_root.model(PI4)
    c = doctor.check_backend(cfg(pin_factory="rpigpio"), system(fake_root, import_module=importer()), PI4)
    assert c.status == OK
    assert c.summary.startswith("rpigpio loads (gpio.pin_factory), gpiozero ")
    assert "lgpio: not installed (no module lgpio)" in c.notes


def test_fake_rpigpio_install_is_undone():
    before = {n: sys.modules.get(n) for n in ("RPi", "RPi.GPIO")}
    with installed_fake_rpigpio() as gpio:
        assert importlib.import_module("RPi.GPIO") is gpio
    assert {n: sys.modules.get(n) for n in ("RPi", "RPi.GPIO")} == before


def test_rpigpio_on_a_pi5_reports_the_soc_error_and_recommends_lgpio(fake_root):
    fake_root.model(PI5)
    soc = RuntimeError("Cannot determine SOC peripheral base address")
    imp = importer(absent=("lgpio",), raising={"RPi.GPIO": soc})
    c = doctor.check_backend(cfg(), system(fake_root, import_module=imp), PI5)
    assert c.status == FAIL  # lgpio is configured and absent
    assert any("Cannot determine SOC peripheral base address" in n and "Pi 5" in n for n in c.notes)
    c = doctor.check_backend(cfg(pin_factory="rpigpio"), system(fake_root, import_module=imp), PI5)
    assert c.status == FAIL and "cannot drive a Pi 5" in c.summary
    assert 'gpio.pin_factory = "lgpio"' in c.fix


def test_rpigpio_raising_off_a_pi_says_so(fake_root):
    off_pi = RuntimeError("This module can only be run on a Raspberry Pi!")
    imp = importer(absent=("lgpio",), raising={"RPi.GPIO": off_pi})
    c = doctor.check_backend(cfg(pin_factory="rpigpio"), system(fake_root, import_module=imp), None)
    assert c.status == FAIL
    assert "RuntimeError: This module can only be run on a Raspberry Pi! (not a Pi)" in c.summary
    assert 'pin_factory = "mock"' in c.fix


def test_environment_factory_differing_from_config_is_a_warning(fake_root, fake_rpigpio):
    s = system(fake_root, env={"GPIOZERO_PIN_FACTORY": "lgpio"}, import_module=importer())
    c = doctor.check_backend(cfg(pin_factory="rpigpio"), s, PI4)
    assert c.status == WARN
    assert any("GPIOZERO_PIN_FACTORY=lgpio" in n for n in c.notes)


def test_mock_factory_is_only_a_warning(fake_root):
    c = doctor.check_backend(cfg(pin_factory="mock"), system(fake_root, import_module=importer()), None)
    assert c.status == WARN and "mock" in c.summary


@pytest.mark.parametrize("version,status", [("2.0.1.post2", FAIL), (None, FAIL), ("2.0.1.post3", FAIL)])
def test_gpiozero_versions(fake_root, version, status):
    # post3 with lgpio absent still FAILs, but for the backend, not for gpiozero.
    c = doctor.check_backend(cfg(), system(fake_root, import_module=importer()), PI4, gpiozero_version=lambda: version)
    assert c.status == status
    if version == "2.0.1.post3":
        assert "lgpio (gpio.pin_factory)" in c.summary
    else:
        assert "gpiozero" in c.summary and "2.0.1.post3" in c.fix


# --- devices, groups, users ---------------------------------------------------------

def test_missing_gpiochip_fails_with_real_backend_and_warns_with_mock(fake_root):
    c = doctor.check_gpio_devices(cfg(), system(fake_root), None)
    assert c.status == FAIL and c.summary == "no /dev/gpiochip*"
    assert doctor.check_gpio_devices(cfg(pin_factory="mock"), system(fake_root), None).status == WARN


def test_gpiochip_readable_through_the_group(fake_root):
    fake_root.device("gpiochip0")
    fake_root.device("gpiochip4")
    s = system(fake_root, gids=(fake_root.owner_gid,))
    c = doctor.check_gpio_devices(cfg(), s, PI5)
    assert c.status == OK and c.summary == "/dev/gpiochip0, /dev/gpiochip4: read/write ok"
    assert any("gpiochip4 before kernel 6.6.45" in n for n in c.notes)


def test_gpiochip_without_permission_says_usermod(fake_root):
    fake_root.device("gpiochip0", mode=0o660)
    c = doctor.check_gpio_devices(cfg(), system(fake_root, gids=(ALICE,)), PI4)
    assert c.status == FAIL
    assert c.summary.startswith("/dev/gpiochip0: no read/write permission for alice")
    assert c.fix.startswith("sudo usermod -aG gpio alice")


def test_rpigpio_looks_at_gpiomem(fake_root):
    fake_root.device("gpiochip0")
    c = doctor.check_gpio_devices(cfg(pin_factory="rpigpio"), system(fake_root, gids=(fake_root.owner_gid,)), PI4)
    assert c.status == FAIL and c.summary == "no /dev/gpiomem*"
    fake_root.device("gpiomem", mode=0o666)
    assert doctor.check_gpio_devices(cfg(pin_factory="rpigpio"), system(fake_root), PI4).status == OK


def test_group_membership(fake_root):
    fake_root.group("gpio", 997, ("alice",))
    assert doctor.check_gpio_group(cfg(), system(fake_root, gids=(997,))).status == OK
    stale = doctor.check_gpio_group(cfg(), system(fake_root, gids=(100,)))
    assert stale.status == WARN and "log out" in stale.fix
    bob = doctor.check_gpio_group(cfg(), system(fake_root, user="bob", gids=(100,)))
    assert (bob.status, bob.summary) == (FAIL, "bob is not in the gpio group")
    assert bob.fix.startswith("sudo usermod -aG gpio bob")
    assert doctor.check_gpio_group(cfg(), system(fake_root, uid=0, user="root")).status == OK


def test_no_gpio_group_is_a_warning(fake_root):
    c = doctor.check_gpio_group(cfg(), system(fake_root))
    assert c.status == WARN and "no 'gpio' group" in c.summary


def test_service_user(fake_root):
    assert doctor.check_service_user(system(fake_root)).status == WARN
    fake_root.user("deskpulse", 999).group("gpio", 997, ("deskpulse",))
    assert doctor.check_service_user(system(fake_root)).status == OK


# --- config, history, mqtt ------------------------------------------------------

def test_bad_config_file_is_one_fail_line_naming_file_and_key(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[gpio]\nseat_pin = 40\n")
    c, fallback = doctor.check_config(bad, {})
    assert c.status == FAIL
    assert c.summary == f"{bad}: gpio.seat_pin = 40: must be a BCM GPIO number from 0 to 27, or -1 for none"
    assert fallback == config.Config()


def test_good_config_and_defaults(tmp_path):
    good = tmp_path / "good.toml"
    good.write_text('[mqtt]\nhost = "broker.lan"\n')
    c, loaded = doctor.check_config(good, {})
    assert (c.status, c.summary, loaded.mqtt.host) == (OK, f"{good} is valid", "broker.lan")


def test_history_directory_writable_or_not(tmp_path, fake_root):
    d = tmp_path / "hist"
    d.mkdir(mode=0o755)
    c = cfg().replace(history={"db_path": str(d / "sub" / "history.db")})
    me = system(fake_root, uid=fake_root.owner_uid, user="me")
    ok = doctor.check_database(c, me)
    assert ok.status == OK and "will be created" in ok.summary
    other = doctor.check_database(c, system(fake_root))  # alice: not owner, not in group; 0755
    assert other.status == FAIL and f"({d} is not a writable directory)" in other.summary


def test_history_uses_state_directory_and_rejects_a_directory_as_db(tmp_path, fake_root):
    state = tmp_path / "state"
    (state / "history.db").mkdir(parents=True)
    c = doctor.check_database(cfg(), system(fake_root, env={"STATE_DIRECTORY": str(state)}))
    assert c.status == FAIL and c.summary == f"{state / 'history.db'} is not a file"


def test_history_mentions_the_service_database(tmp_path, fake_root):
    (fake_root.path / "var/lib/deskpulse").mkdir(parents=True)
    c = doctor.check_database(cfg(), system(fake_root, uid=0, env={"HOME": str(tmp_path)}))
    assert any("STATE_DIRECTORY=/var/lib/deskpulse" in n for n in c.notes)


def test_mqtt_off_reachable_and_refused():
    assert doctor.check_mqtt(cfg()).status == OK
    with socket.socket() as srv:
        srv.bind(("127.0.0.1", 0))
        srv.listen(1)
        port = srv.getsockname()[1]
        c = doctor.check_mqtt(cfg().replace(mqtt={"host": "127.0.0.1", "port": port}), timeout=0.5)
        # TCP is accepted but nothing answers the MQTT CONNECT (full checks: tests/adapters/mqtt).
        assert c.status == FAIL and "no MQTT answer" in c.summary
    # The port was just released; nothing listens there now.
    c = doctor.check_mqtt(cfg().replace(mqtt={"host": "127.0.0.1", "port": port}))
    assert c.status == FAIL and c.summary.startswith(f"127.0.0.1:{port}: ") and "broker" in c.fix


def test_mqtt_timeout_and_unknown_host():
    def slow(addr, timeout):
        raise TimeoutError("timed out")

    def unknown(addr, timeout):
        raise socket.gaierror(-2, "Name or service not known")
    c = cfg().replace(mqtt={"host": "broker.lan"})
    assert doctor.check_mqtt(c, connect=slow).summary == "broker.lan:1883: no answer within 2 s"
    u = doctor.check_mqtt(c, connect=unknown)
    assert u.status == FAIL and "unknown host" in u.summary and "mqtt.host" in u.fix


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


def test_sensors_check_only_for_pir_only():
    assert doctor.check_sensors(config.Config()) is None
    assert doctor.check_sensors(config.Config().replace(sensing={"sensors": "seat"})) is None
    c = doctor.check_sensors(config.Config().replace(sensing={"sensors": "pir", "pir_absence_s": 600}))
    assert c.status == WARN and "break under 10 min" in c.notes[0] and "over 120 s" in c.notes[3]
