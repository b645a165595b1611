"""GPIO fixtures: a config wired to mock pins, and a gpiozero MockFactory released after each test."""
from __future__ import annotations

import pytest

from device import config
from device.adapters.gpio.backend import make_pin_factory


@pytest.fixture
def cfg(tmp_path):
    return config.load(None, env={}).replace(gpio={"pin_factory": "mock"},
                                             history={"db_path": str(tmp_path / "history.db")})


@pytest.fixture
def factory():
    f = make_pin_factory("mock")
    yield f
    f.reset()
    f.close()
