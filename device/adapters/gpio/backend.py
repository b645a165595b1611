"""The gpiozero pin factory for ``gpio.pin_factory``: exactly the configured backend, or a clear error.

``mock`` (no hardware) gets mock pins whose history of states is bounded.
"""
from __future__ import annotations

from device.errors import UserError

_HINTS = {
    "lgpio": "install it with 'sudo apt install python3-lgpio' (or pip install 'deskpulse[lgpio]'); "
             "off a Pi use gpio.pin_factory = \"mock\"; 'deskpulse doctor' explains more",
    "rpigpio": "RPi.GPIO works on a Pi 4 or older only (on a Pi 5 use \"lgpio\"); "
               "off a Pi use gpio.pin_factory = \"mock\"; 'deskpulse doctor' explains more",
}


#: state changes a mock pin remembers (gpiozero keeps them all: the LED's pulse alone adds ~15 a
#: second, ~100 MB a day, to a simulated desk or demo left running)
MOCK_PIN_STATES = 1000


def _bounded_mock_pin():
    """gpiozero's ``MockPWMPin`` whose ``states`` history keeps only the last ``MOCK_PIN_STATES``."""
    from collections import deque
    from gpiozero.pins.mock import MockPWMPin

    class BoundedMockPin(MockPWMPin):
        def clear_states(self):
            super().clear_states()
            self.states = deque(self.states, maxlen=MOCK_PIN_STATES)

    return BoundedMockPin


def make_pin_factory(name: str):
    """The gpiozero pin factory for ``gpio.pin_factory``; a ``UserError`` with a hint if it cannot load.

    gpiozero's own fallback tries every backend with only a warning each; a
    service on the wrong backend would then sit on a mock pin forever, so we
    pick exactly the configured one and fail loudly.
    """
    if name == "mock":
        from gpiozero.pins.mock import MockFactory
        return MockFactory(pin_class=_bounded_mock_pin())
    try:
        if name == "lgpio":
            from gpiozero.pins.lgpio import LGPIOFactory
            return LGPIOFactory()
        if name == "rpigpio":
            from gpiozero.pins.rpigpio import RPiGPIOFactory
            return RPiGPIOFactory()
    except ImportError as e:
        raise UserError(f"gpio.pin_factory = {name!r}: cannot import {e.name or 'the backend'}; {_HINTS[name]}") from None
    except PermissionError as e:
        raise UserError(f"gpio.pin_factory = {name!r}: permission denied ({e}); add the user to the 'gpio' group "
                        "and run from a writable directory (lgpio writes a pipe there)") from None
    except Exception as e:  # RuntimeError off a Pi, OSError for a missing /dev/gpiochip*, lgpio.error
        raise UserError(f"gpio.pin_factory = {name!r}: the backend does not work here: "
                        f"{type(e).__name__}: {e}; {_HINTS[name]}") from None
    raise UserError(f"gpio.pin_factory = {name!r}: unknown backend (known: lgpio, rpigpio, mock)")
