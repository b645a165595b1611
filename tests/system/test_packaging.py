"""The wheel that scripts/install-pi.sh installs (a plain, non-editable `pip install`)
must hold every package and data file the commands import; an editable install hides
a missing subpackage, so build the real wheel and look inside."""
from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_wheel_holds_every_package_and_the_dashboard_files(tmp_path: Path):
    res = subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
                          "--wheel-dir", str(tmp_path), str(ROOT)],
                         capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr[-2000:]
    (wheel,) = tmp_path.glob("deskpulse-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    packages = sorted(str(p.parent.relative_to(ROOT))
                      for top in ("device", "dashboard") for p in (ROOT / top).rglob("__init__.py"))
    assert "device/commands" in packages
    for pkg in packages:
        assert f"{pkg}/__init__.py" in names, f"{pkg} is missing from the wheel"
    for data in ("dashboard/templates/today.html", "dashboard/static/style.css"):
        assert data in names
    assert any(n.startswith("device/") and n.endswith(".toml") for n in names) or \
        not list((ROOT / "device").glob("*.toml"))
