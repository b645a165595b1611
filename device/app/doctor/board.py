"""Doctor checks of the board and the GPIO backend: which Raspberry Pi this is, whether
gpiozero is a working release and whether the configured backend (lgpio, RPi.GPIO) loads.

Severity follows what ``deskpulse run`` needs: with ``gpio.pin_factory = "mock"``
missing GPIO hardware is only a warning; with a real backend it is a failure.
"""
from __future__ import annotations

import importlib.metadata
import re
from typing import Callable

from device import config as config_mod
from device.app.doctor.report import FAIL, OK, WARN, Check
from device.app.doctor.system import System

VENV_PIP = "/opt/deskpulse/.venv/bin/pip"
MODEL_FILES = ("proc/device-tree/model", "sys/firmware/devicetree/base/model")
# gpiozero releases that broke lgpio on the Pi 5 (DESIGN.md section 4).
BAD_GPIOZERO = {"2.0.1.post1", "2.0.1.post2"}


# --- the board ------------------------------------------------------------

def read_model(system: System) -> str | None:
    for rel in MODEL_FILES:
        try:
            text = system.path(rel).read_bytes().decode("utf-8", "replace")
        except OSError:
            continue
        text = text.replace("\0", "").strip()
        if text:
            return text
    return None


def is_pi5(model: str | None) -> bool:
    return bool(model and re.match(r"Raspberry Pi (5|Compute Module 5)", model))


def check_board(system: System, needs_gpio: bool) -> Check:
    model = read_model(system)
    if model and model.startswith("Raspberry Pi"):
        notes = ("Pi 5: only the lgpio backend works",) if is_pi5(model) else ()
        return Check("board", OK, model, notes)
    what = f"not a Raspberry Pi: {model}" if model else "not a Raspberry Pi (no /proc/device-tree/model)"
    notes = () if model else (OFF_PI_NOTE,)
    if needs_gpio:
        return Check("board", WARN, what, notes,
                     fix='GPIO needs the Pi; to try deskpulse here: deskpulse demo, or gpio.pin_factory = "mock"')
    return Check("board", OK, what + '; fine with gpio.pin_factory = "mock"', notes)


#: Off any board (a laptop, a server) these checks could only repeat "no GPIO here".
OFF_PI_NOTE = "GPIO devices, the gpio group and the service user are checked on the Pi only"


# --- the GPIO backend -------------------------------------------------------

def probe_backend(name: str, system: System) -> tuple[bool, str]:
    """(loads, why) for a gpiozero backend name."""
    module = {"lgpio": "lgpio", "rpigpio": "RPi.GPIO"}[name]
    try:
        system.import_module(module)
    except ModuleNotFoundError:
        return False, f"not installed (no module {module})"
    except Exception as e:  # RPi.GPIO raises RuntimeError on import off a Pi or on a Pi 5
        msg = str(e).strip() or type(e).__name__
        if "SOC peripheral base address" in msg:
            return False, f"import raised {type(e).__name__}: {msg} (a Pi 5: RPi.GPIO cannot drive it)"
        if "only be run on a Raspberry Pi" in msg:
            return False, f"import raised {type(e).__name__}: {msg} (not a Pi)"
        return False, f"import raised {type(e).__name__}: {msg}"
    return True, f"{module} imports"


def _install_hint(name: str) -> str:
    if name == "lgpio":
        return f"sudo apt install python3-lgpio (the venv sees it), or {VENV_PIP} install lgpio"
    return f"{VENV_PIP} install RPi.GPIO (Pi 4 and older only)"


def _gpiozero_version() -> str | None:
    try:
        return importlib.metadata.version("gpiozero")
    except importlib.metadata.PackageNotFoundError:
        return None


def check_backend(cfg: config_mod.Config, system: System, model: str | None,
                  gpiozero_version: Callable[[], str | None] = _gpiozero_version) -> Check:
    want = cfg.gpio.pin_factory
    env_factory = system.env.get("GPIOZERO_PIN_FACTORY", "")
    notes: list[str] = []
    version = gpiozero_version()
    if version is None:
        return Check("gpio backend", FAIL, "gpiozero is not installed",
                     fix=f"{VENV_PIP} install 'gpiozero>=2.0.1.post3' (or reinstall deskpulse)")
    if version in BAD_GPIOZERO:
        return Check("gpio backend", FAIL, f"gpiozero {version} breaks lgpio on the Pi 5",
                     fix=f"{VENV_PIP} install 'gpiozero>=2.0.1.post3'")
    results = {name: probe_backend(name, system) for name in ("lgpio", "rpigpio")}
    for name, (loads, why) in results.items():
        if name != want:
            notes.append(f"{name}: {'loads' if loads else why}")
    mismatch = env_factory and env_factory != want
    if mismatch:
        notes.append(f"GPIOZERO_PIN_FACTORY={env_factory} in the environment differs from gpio.pin_factory")
    if want == "mock":
        return Check("gpio backend", WARN, 'gpio.pin_factory = "mock": no real sensors, LED or buzzer', tuple(notes),
                     fix='for the real desk set gpio.pin_factory = "lgpio" (any Pi on Bookworm)')
    if want == "rpigpio" and is_pi5(model):
        return Check("gpio backend", FAIL, "rpigpio (gpio.pin_factory) cannot drive a Pi 5", tuple(notes),
                     fix='set gpio.pin_factory = "lgpio" and GPIOZERO_PIN_FACTORY=lgpio')
    loads, why = results[want]
    if not loads:
        other = next((n for n, (ok, _) in results.items() if ok and n != want), None)
        fix = _install_hint(want)
        if not model:
            fix = 'no GPIO off a Pi (see board): set gpio.pin_factory = "mock" here, or run this on the Pi'
        elif "SOC peripheral" in why:
            fix = 'set gpio.pin_factory = "lgpio" (RPi.GPIO does not support the Pi 5)'
        elif other:
            fix += f'; or set gpio.pin_factory = "{other}", which loads'
        return Check("gpio backend", FAIL, f"{want} (gpio.pin_factory) does not load: {why}", tuple(notes), fix=fix)
    summary = f"{want} loads (gpio.pin_factory), gpiozero {version}"
    if mismatch:
        return Check("gpio backend", WARN, summary, tuple(notes),
                     fix=f"make GPIOZERO_PIN_FACTORY and gpio.pin_factory the same ({want})")
    return Check("gpio backend", OK, summary, tuple(notes))
