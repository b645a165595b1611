"""gpio/backend.py: a backend that cannot load fails loudly, in one line, with a hint."""
from __future__ import annotations

import pytest

from device.adapters.gpio.backend import make_pin_factory
from device.errors import UserError


@pytest.mark.parametrize("name", ["lgpio", "rpigpio"])
def test_an_unavailable_backend_fails_loudly_with_a_hint(name):
    try:
        make_pin_factory(name).close()
    except UserError as e:
        msg = str(e)
        assert "\n" not in msg and f"gpio.pin_factory = {name!r}" in msg and "mock" in msg
    else:  # pragma: no cover - on a real Pi
        pytest.skip(f"{name} works here")
