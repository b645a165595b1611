"""Daemon fixtures: a daemon on mock pins (``cfg`` and ``factory`` come from tests/conftest.py), a
FakeClock, a real SQLite history in tmp_path."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from device.adapters.clock import FakeClock
from device.app.daemon import Daemon
from device.adapters.store import Store

CET = timezone(timedelta(hours=1))
START = datetime(2026, 3, 2, 8, 0, tzinfo=CET)  # a Monday, 08:00


class Desk:
    """A daemon on mock pins and a fake clock, plus the helpers a test needs to act as the person."""

    def __init__(self, cfg, tmp_path, factory, start=START, sinks=(), inbox=None, runtime=True, clock=None, **kw):
        self.cfg, self.tmp_path, self.factory = cfg, tmp_path, factory
        self.clock = clock or FakeClock(start)  # the same clock again: a restart within one boot
        self.db = tmp_path / "history.db"
        self.store = Store(self.db, cfg.coaching.day_boundary)
        self.daemon = Daemon(cfg, self.clock, self.store, pin_factory=factory, sinks=sinks,
                             inbox_dir=inbox, output_scale=0.01,
                             runtime_file=(tmp_path / "run" / "state.json") if runtime else None, **kw)
        (tmp_path / "run").mkdir(exist_ok=True)

    def start(self):
        self.daemon.start()
        return self

    @property
    def t(self) -> float:
        return self.clock.monotonic()

    def at(self, t: float) -> "Desk":
        self.daemon.run_until(t)
        return self

    def set(self, signal: str, value: int) -> None:
        self.daemon.inputs.drive(signal, value)
        self.daemon.pump()

    def sit(self, minutes: float, fidget_every_s: float = 60.0) -> None:
        """Sit down now and stay for ``minutes``, moving the legs now and then (the PIR sees it)."""
        end = self.t + minutes * 60
        self.set("pir", 1)
        self.set("seat", 1)
        self.at(self.t + 2)
        self.set("pir", 0)
        while self.t + fidget_every_s < end:
            self.at(self.t + fidget_every_s)
            self.set("pir", 1)
            self.at(self.t + 2)
            self.set("pir", 0)
        self.at(end)

    def leave(self, minutes: float) -> None:
        self.set("pir", 1)
        self.set("seat", 0)
        self.at(self.t + 2)
        self.set("pir", 0)
        self.at(self.t + minutes * 60)

    def events(self, type_: str | None = None):
        self.store.flush()
        return [e for e in self.store.events(limit=None) if type_ is None or e.type == type_]

    def stop(self, reason="test"):
        self.daemon.stop(reason)
        self.store.close()


@pytest.fixture
def desk(cfg, tmp_path, factory):
    made = []

    def make(cfg=cfg, **kw):
        d = Desk(cfg, tmp_path, factory, **kw)
        made.append(d)
        return d
    yield make
    for d in made:
        if not d.daemon.stopped:
            d.stop("teardown")
        d.store.close()


class RecordingSink:
    """A sink that keeps what it is given (``fail``: one whose ``publish`` raises, like a broker gone)."""

    def __init__(self, fail=False):
        self.fail, self.events, self.states, self.flushes, self.closed, self.daemon = fail, [], [], 0, 0, None

    def start(self, daemon):
        self.daemon = daemon

    def publish(self, event):
        if self.fail:
            raise OSError("broker gone")
        self.events.append(event)

    def set_state(self, status):
        self.states.append(dict(status))

    def flushed(self):
        self.flushes += 1

    def close(self):
        self.closed += 1


@pytest.fixture
def recording_sink():
    """The ``RecordingSink`` class (tests make their own, or subclass it)."""
    return RecordingSink
