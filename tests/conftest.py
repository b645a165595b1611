"""Shared test fixtures. Area fixtures live in tests/<area>/conftest.py."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
#: the ground-truth days and the scorer beside the repository (DESKPULSE_SHARED moves it, for tests of this gate)
SHARED = Path(os.environ.get("DESKPULSE_SHARED") or ROOT.parent / "shared")
#: set by .ci/run: there, the tests on the shared days must run, so a missing ../shared is a failure
REQUIRE_SHARED = os.environ.get("DESKPULSE_REQUIRE_SHARED") == "1"
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """``../shared`` for the tests that need it: skipped on a plain clone, a failure in CI.

    A plain clone (a new user running ``bash scripts/test.sh``) has no ``../shared``: those
    tests are skipped with the reason. ``.ci/run`` always has it and sets
    ``DESKPULSE_REQUIRE_SHARED=1``, so there they run, and fail loudly if it is missing.
    """
    if (SHARED / "traces" / "dev").is_dir() and (SHARED / "tools" / "score.py").is_file():
        return SHARED
    why = f"{SHARED} (the shared ground-truth days and scorer) is missing"
    if REQUIRE_SHARED:
        pytest.fail(f"{why}, and DESKPULSE_REQUIRE_SHARED=1 (CI) needs it", pytrace=False)
    pytest.skip(f"{why}: a plain clone; .ci/run runs these with ../shared beside the repository")


@pytest.fixture
def cfg(tmp_path):
    """The default settings, wired to gpiozero's mock pins, with the history in ``tmp_path``."""
    from device import config
    return config.load(None, env={}).replace(gpio={"pin_factory": "mock"},
                                             history={"db_path": str(tmp_path / "history.db")})


@pytest.fixture
def factory():
    """A gpiozero MockFactory, its pins released after the test."""
    from device.adapters.gpio.backend import make_pin_factory
    f = make_pin_factory("mock")
    yield f
    f.reset()
    f.close()
