"""Fixtures for the doctor's tests; the helpers live in doctor_fakes.py (a unique module name,
so that no other area's ``import conftest`` can pick up ours)."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from doctor_fakes import FakeRoot, installed_fake_rpigpio  # noqa: E402


@pytest.fixture
def fake_root(tmp_path: Path) -> FakeRoot:
    return FakeRoot(tmp_path / "root")


@pytest.fixture
def fake_rpigpio():
    with installed_fake_rpigpio() as gpio:
        yield gpio
