"""The ``shared_dir`` gate (#11.11): a plain clone skips the tests on ../shared with a reason; CI
(``DESKPULSE_REQUIRE_SHARED=1``, set by ``.ci/run``) fails them when ../shared is missing."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROBE = '''
def test_needs_shared(shared_dir):
    assert (shared_dir / "traces" / "dev").is_dir()
'''


def _pytest(tmp_path, **env):
    """pytest on a probe test beside a copy of tests/conftest.py (nothing written into the repository)."""
    tests = tmp_path / "probe" / "tests"
    tests.mkdir(parents=True)
    (tests / "conftest.py").write_text((ROOT / "tests" / "conftest.py").read_text())
    (tests / "test_probe.py").write_text(PROBE)
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider", "tests"],
                          cwd=tests.parent, capture_output=True, text=True, timeout=300,
                          env={**os.environ, "DESKPULSE_REQUIRE_SHARED": "", **env})


def test_a_plain_clone_skips_with_the_reason(tmp_path):
    p = _pytest(tmp_path, DESKPULSE_SHARED=str(tmp_path / "nowhere"))
    assert p.returncode == 0 and "1 skipped" in p.stdout, p.stdout
    assert "shared ground-truth days and scorer) is missing: a plain clone" in p.stdout


def test_ci_fails_loudly_without_shared(tmp_path):
    p = _pytest(tmp_path, DESKPULSE_SHARED=str(tmp_path / "nowhere"), DESKPULSE_REQUIRE_SHARED="1")
    assert p.returncode == 1 and "1 error" in p.stdout and "DESKPULSE_REQUIRE_SHARED=1 (CI) needs it" in p.stdout, p.stdout


def test_with_shared_present_the_tests_run(tmp_path):
    shared = tmp_path / "shared"
    (shared / "traces" / "dev").mkdir(parents=True)
    (shared / "tools").mkdir()
    (shared / "tools" / "score.py").write_text("")
    p = _pytest(tmp_path, DESKPULSE_SHARED=str(shared), DESKPULSE_REQUIRE_SHARED="1")
    assert p.returncode == 0 and "1 passed" in p.stdout, p.stdout


@pytest.mark.parametrize("layout", ["missing", "incomplete"])
def test_ci_run_stops_with_a_message_when_shared_is_missing(tmp_path, layout):
    shared = tmp_path / "shared"
    if layout == "incomplete":
        (shared / "traces" / "dev").mkdir(parents=True)
    p = subprocess.run(["bash", str(ROOT / ".ci" / "run")], capture_output=True, text=True, timeout=60,
                       env={**os.environ, "DESKPULSE_SHARED": str(shared)})
    assert p.returncode == 2 and "deskpulse CI:" in p.stderr and str(shared) in p.stderr, p.stderr
