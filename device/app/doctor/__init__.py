"""``deskpulse doctor``: why GPIO, the config, the history or MQTT would not work here.

Each check is a pure-ish function of a :class:`System` (the filesystem root to
look at, who we are, how to import a module, how to open a TCP connection), so
tests run every branch against a fake ``/dev`` and ``/proc`` tree, a fake
identity and fake modules instead of a Raspberry Pi. A check never raises: it
returns a :class:`Check` with ``ok``, ``warn`` or ``FAIL``, one line of what it
saw, optional detail lines and, unless ok, one line saying how to fix it.

Severity follows what ``deskpulse run`` needs: with ``gpio.pin_factory = "mock"``
missing GPIO hardware is only a warning; with a real backend it is a failure.
``check_mqtt`` is deliberately a separate, replaceable function (see ``broker``).

The checks live by subject: ``board`` (the board and the GPIO backend),
``access`` (GPIO device permissions, the gpio group, the service user),
``settings`` (the config file, the sensors, the history database), ``broker``
(MQTT); ``system`` is what they look at, ``report`` what they return and how
it is shown. ``run_checks`` below runs them in the order the screen shows.
"""
from __future__ import annotations

import os
from typing import Callable

from device import config as config_mod
from device.app.doctor.access import check_gpio_devices, check_gpio_group, check_service_user
from device.app.doctor.board import check_backend, check_board, probe_backend, read_model
from device.app.doctor.broker import check_mqtt
from device.app.doctor.report import FAIL, OK, WARN, Check, exit_code, render
from device.app.doctor.settings import check_config, check_database, check_sensors
from device.app.doctor.system import System


def run_checks(config_path: str | os.PathLike | None, system: System,
               mqtt: Callable[[config_mod.Config], Check] | None = None) -> list[Check]:
    config_check, cfg = check_config(config_path, system.env)
    needs_gpio = cfg.gpio.pin_factory != "mock"
    model = read_model(system)
    mqtt = mqtt or (lambda c: check_mqtt(c, connect=system.connect))
    sensors = check_sensors(cfg)
    checks = [config_check] + ([sensors] if sensors else []) + [check_board(system, needs_gpio),
                                                                  check_backend(cfg, system, model)]
    if model is not None:  # a board: its GPIO devices, group and service user are worth a look
        checks += [check_gpio_devices(cfg, system, model), check_gpio_group(cfg, system), check_service_user(system)]
    return checks + [check_database(cfg, system), mqtt(cfg)]


__all__ = ["Check", "System", "OK", "WARN", "FAIL", "run_checks", "render", "exit_code", "check_mqtt",
           "check_config", "check_board", "check_backend", "check_gpio_devices", "check_gpio_group",
           "check_service_user", "check_database", "check_sensors", "read_model", "probe_backend"]
