"""deskpulse doctor, device/app/doctor/access.py: GPIO device permissions, the gpio group, the service user."""
from __future__ import annotations

import sys
from pathlib import Path

from device.app import doctor
from device.app.doctor import FAIL, OK, WARN

sys.path.insert(0, str(Path(__file__).resolve().parent))
from doctor_fakes import ALICE, PI4, PI5, cfg, system  # noqa: E402


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
