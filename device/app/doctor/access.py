"""Doctor checks of who may use the GPIO: the devices' permissions, membership of the
gpio group, and the service user the systemd unit runs as.
"""
from __future__ import annotations

import grp
import os
import pwd
import stat

from device import config as config_mod
from device.app.doctor.board import is_pi5
from device.app.doctor.report import FAIL, OK, WARN, Check
from device.app.doctor.system import SERVICE_USER, System


def _group(system: System, name: str) -> tuple[int, list[str]] | None:
    """(gid, members) of group ``name`` from ``<root>/etc/group``."""
    try:
        lines = system.path("etc/group").read_text().splitlines()
    except OSError:
        return None
    for line in lines:
        parts = line.split(":")
        if len(parts) >= 4 and parts[0] == name:
            try:
                return int(parts[2]), [m for m in parts[3].split(",") if m]
            except ValueError:
                return None
    return None


def _owner(st: os.stat_result) -> str:
    try:
        user = pwd.getpwuid(st.st_uid).pw_name
    except KeyError:
        user = str(st.st_uid)
    try:
        group = grp.getgrgid(st.st_gid).gr_name
    except KeyError:
        group = str(st.st_gid)
    return f"{user}:{group} {stat.filemode(st.st_mode)}"


def check_gpio_devices(cfg: config_mod.Config, system: System, model: str | None) -> Check:
    needs = cfg.gpio.pin_factory != "mock"
    bad = FAIL if needs else WARN
    pattern = "gpiomem*" if cfg.gpio.pin_factory == "rpigpio" else "gpiochip*"
    devs = sorted(system.path("dev").glob(pattern))
    shown = ", ".join(system.show(d) for d in devs)
    if not devs:
        fix = ("GPIO only exists on the Pi; off the Pi use gpio.pin_factory = \"mock\"" if not model
               else "update the OS (sudo apt full-upgrade) and reboot; the kernel should create it")
        return Check("gpio devices", bad, f"no /dev/{pattern}", fix=fix)
    usable = [d for d in devs if system.can(d, "rw")]
    notes: list[str] = []
    if is_pi5(model) and pattern == "gpiochip*":
        notes.append("Pi 5: the header is gpiochip4 before kernel 6.6.45, gpiochip0 after; gpiozero finds it")
    if not usable:
        try:
            owner = _owner(devs[0].stat())
        except OSError:
            owner = "?"
        return Check("gpio devices", bad, f"{shown}: no read/write permission for {system.user} ({owner})",
                     tuple(notes), fix=f"sudo usermod -aG gpio {system.user}, then log in again "
                                        "(the service gets it from SupplementaryGroups=gpio)")
    return Check("gpio devices", OK, f"{shown}: read/write ok", tuple(notes))


def check_gpio_group(cfg: config_mod.Config, system: System) -> Check:
    needs = cfg.gpio.pin_factory != "mock"
    group = _group(system, "gpio")
    if group is None:
        return Check("gpio group", WARN, "no 'gpio' group in /etc/group (not Raspberry Pi OS?)",
                     fix="sudo groupadd --system gpio, plus a udev rule giving it /dev/gpiochip*")
    gid, members = group
    if system.uid == 0:
        return Check("gpio group", OK, f"running as root; the service runs as {SERVICE_USER} with the gpio group")
    if gid in system.gids:
        return Check("gpio group", OK, f"{system.user} is in the gpio group")
    if system.user in members:
        return Check("gpio group", WARN, f"{system.user} was added to gpio but this login predates it",
                     fix="log out and back in (or reboot)")
    return Check("gpio group", FAIL if needs else WARN, f"{system.user} is not in the gpio group",
                 fix=f"sudo usermod -aG gpio {system.user}, then log in again")


def check_service_user(system: System) -> Check:
    try:
        users = [line.split(":")[0] for line in system.path("etc/passwd").read_text().splitlines()]
    except OSError:
        users = []
    group = _group(system, "gpio")
    if SERVICE_USER not in users:
        return Check("service user", WARN, f"no '{SERVICE_USER}' user: the systemd service cannot start",
                     fix="sudo scripts/install-pi.sh (creates it from systemd/sysusers.d/deskpulse.conf)")
    if group is not None and SERVICE_USER not in group[1]:
        return Check("service user", WARN, f"'{SERVICE_USER}' exists but is not listed in the gpio group",
                     fix=f"sudo usermod -aG gpio {SERVICE_USER} (the unit's SupplementaryGroups=gpio also covers it)")
    return Check("service user", OK, f"'{SERVICE_USER}' exists")
