"""The wheel that `pip install` builds on a Pi (scripts/install-pi.sh, not editable) holds the whole program."""
from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_wheel_has_every_module_template_and_static_file(tmp_path):
    # a copy, so the build leaves no build/ behind in the checkout (stale files there end up in wheels)
    src = tmp_path / "src"
    shutil.copytree(ROOT, src, ignore=shutil.ignore_patterns(".git", ".venv", "build", "*.egg-info", "__pycache__",
                                                              ".hypothesis", ".pytest_cache", "benchmarks"))
    r = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(src)],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    assert "BuildBackendWarning" not in r.stderr and "Package would be ignored" not in r.stderr, r.stderr
    (wheel,) = tmp_path.glob("deskpulse-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    want = {p.relative_to(ROOT).as_posix() for pkg in ("device", "dashboard") for p in (ROOT / pkg).rglob("*")
            if p.is_file() and "__pycache__" not in p.parts and p.suffix in (".py", ".html", ".css", ".js", ".svg")}
    assert "device/app/commands/run.py" in want
    assert want - names == set()
    assert not [n for n in names if n.startswith(("tests/", "benchmarks/"))]
