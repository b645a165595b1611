"""deskpulse doctor, device/app/doctor/board.py: the board and the GPIO backend, against fake roots and modules."""
from __future__ import annotations

import importlib
import sys
from pathlib import Path

import pytest

from device.app import doctor
from device.app.doctor import FAIL, OK, WARN

sys.path.insert(0, str(Path(__file__).resolve().parent))
from doctor_fakes import PI4, PI5, cfg, importer, installed_fake_rpigpio, system  # noqa: E402


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
