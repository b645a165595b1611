"""Dashboard fixtures: real SQLite histories made by replaying simulated days through the engine."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

HERE = str(Path(__file__).resolve().parent)
if HERE not in sys.path:
    sys.path.insert(0, HERE)

from dash_seed import DAYS, NOW, START, empty_history, seed_history, write_status  # noqa: E402

from device.adapters.clock import FakeClock  # noqa: E402
from device.config import Config  # noqa: E402



@pytest.fixture(scope="session")
def seeded(tmp_path_factory) -> tuple[Path, dict]:
    """(db path, the engine's status at NOW): 24 days of a typical person, the last one until 15:10."""
    db = tmp_path_factory.mktemp("seeded") / "history.db"
    status = seed_history(db, Config(), START, DAYS, seed=7, until=NOW)
    write_status(db, status)
    return db, status


@pytest.fixture
def cfg() -> Config:
    return Config().replace(dashboard={"secret_key": "test-secret-key-0123456789abcdef0123"})


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(NOW)


@pytest.fixture
def make_app(cfg, clock):
    from dashboard import create_app

    def make(db_path, config=None, clk=None):
        app = create_app(config or cfg, db_path=db_path, clock=clk or clock)
        app.config["TESTING"] = True
        return app
    return make


@pytest.fixture
def app(make_app, seeded):
    return make_app(seeded[0])


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def empty_db(tmp_path) -> Path:
    db = tmp_path / "history.db"
    empty_history(db)
    return db


@pytest.fixture
def empty_client(make_app, empty_db):
    return make_app(empty_db).test_client()


@pytest.fixture
def missing_client(make_app, tmp_path):
    return make_app(tmp_path / "nothing-here" / "history.db").test_client()


__all__ = ["write_status", "NOW", "START", "DAYS"]
