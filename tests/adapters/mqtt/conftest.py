"""Fixtures of the MQTT tests: a session broker, restartable brokers, subscribers.

The machinery lives in ``mqtt_support`` (a unique module name, importable from the tests).
"""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from mqtt_support import Broker, Listener  # noqa: E402

@pytest.fixture(scope="session")
def broker(tmp_path_factory):
    """One broker for the session's ordinary tests (restart tests make their own)."""
    b = Broker(tmp_path_factory.mktemp("mosquitto")).start()
    yield b
    b.stop()


@pytest.fixture
def own_broker(tmp_path):
    """A broker this test may stop, kill and restart."""
    brokers: list[Broker] = []

    def make(**kw) -> Broker:
        b = Broker(tmp_path / f"broker{len(brokers)}", **kw)
        brokers.append(b)
        return b
    yield make
    for b in brokers:
        b.kill()

@pytest.fixture
def listen():
    made: list[Listener] = []

    def make(port, topics, **kw) -> Listener:
        lst = Listener(port, topics, **kw)
        made.append(lst)
        return lst
    yield make
    for lst in made:
        lst.close()
