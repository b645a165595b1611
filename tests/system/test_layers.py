"""The layers of device/ hold: the pure core touches no clock, thread, socket, database or
hardware library, and no import runs back up the data flow (docs/architecture.md).

Read from the source (every import statement, including those inside functions), followed
through our own modules, so a forbidden import two modules away is caught too; and checked
once at run time, in a fresh interpreter.
"""
from __future__ import annotations

import ast
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEVICE = ROOT / "device"

#: what the pure core must not reach, directly or through any of our modules it imports
IMPURE = {"threading", "time", "sqlite3", "socket", "select", "selectors", "signal", "subprocess",
          "asyncio", "multiprocessing", "paho", "gpiozero", "lgpio", "RPi", "flask", "waitress"}

#: layer -> the layers of ours it may import (device = the package root, device.config, device.errors)
MAY_IMPORT = {
    "core": {"core", "config", "device"},
    "adapters": {"adapters", "core", "config", "errors", "device"},
    "sim": {"sim", "core", "config", "device"},
    "app": {"app", "adapters", "core", "sim", "config", "errors", "device", "cli", "dashboard"},
}


def _module_file(dotted: str) -> Path | None:
    path = ROOT.joinpath(*dotted.split("."))
    for candidate in (path.with_suffix(".py"), path / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _dotted(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@cache
def imports_of(path: Path) -> frozenset[str]:
    """Every module an import statement in ``path`` names, absolute; ``from a import b`` gives
    ``a.b`` as well as ``a`` when ``a.b`` is a module of ours."""
    package = _dotted(path) if path.name == "__init__.py" else _dotted(path).rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            found.add(base)
            for alias in node.names:
                if _module_file(f"{base}.{alias.name}"):
                    found.add(f"{base}.{alias.name}")
    return frozenset(found)


def _parents(dotted: str) -> list[str]:
    """Importing a.b.c runs a/__init__ and a/b/__init__ first."""
    parts = dotted.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts) + 1)]


def reach(start: Path) -> tuple[set[str], set[str]]:
    """(our modules, outside top-level names) that importing ``start`` can reach."""
    ours, outside, todo = set(), set(), [start]
    while todo:
        path = todo.pop()
        for name in imports_of(path):
            for dotted in _parents(name):
                if dotted.split(".")[0] not in ("device", "dashboard"):
                    outside.add(dotted.split(".")[0])
                    break
                target = _module_file(dotted)
                if target and dotted not in ours:
                    ours.add(dotted)
                    todo.append(target)
    return ours, outside


def _layer_files(layer: str) -> list[Path]:
    return sorted((DEVICE / layer).rglob("*.py"))


def test_the_layers_exist_and_hold_code():
    for layer in MAY_IMPORT:
        assert len(_layer_files(layer)) >= 2, f"device/{layer}/ is missing or empty"


@pytest.mark.parametrize("path", _layer_files("core"), ids=lambda p: str(p.relative_to(ROOT)))
def test_the_core_is_pure(path):
    _, outside = reach(path)
    assert not outside & IMPURE, f"{path.relative_to(ROOT)} reaches {sorted(outside & IMPURE)}"


@pytest.mark.parametrize("layer", sorted(MAY_IMPORT))
def test_no_import_runs_back_up_the_flow(layer):
    wrong = []
    for path in _layer_files(layer):
        for name in imports_of(path):
            parts = name.split(".")
            if parts[0] != "device" and parts[0] != "dashboard":
                continue
            target = "dashboard" if parts[0] == "dashboard" else (parts[1] if len(parts) > 1 else "device")
            if target not in MAY_IMPORT[layer] and target != layer:
                wrong.append(f"{path.relative_to(ROOT)} imports {name}")
    assert not wrong, "\n".join(wrong)


def test_the_checker_catches_what_it_is_for(tmp_path, monkeypatch):
    """The walk must see a forbidden import two modules away, inside a function, and relative."""
    pkg = tmp_path / "device"
    (pkg / "core").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "core" / "__init__.py").write_text("")
    (pkg / "core" / "a.py").write_text("from . import b\n")
    (pkg / "core" / "b.py").write_text("def f():\n    import sqlite3.dbapi2\n")
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    imports_of.cache_clear()
    try:
        ours, outside = reach(pkg / "core" / "a.py")
    finally:
        imports_of.cache_clear()
    assert "device.core.b" in ours and "sqlite3" in outside


def test_importing_the_core_loads_no_database_network_or_hardware_library():
    core = sorted({_dotted(p) for p in _layer_files("core")})
    code = ("import sys\n" + "".join(f"import {m}\n" for m in core)
            + "print(' '.join(sorted({m.split('.')[0] for m in sys.modules})))")
    loaded = set(subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                                check=True).stdout.split())
    assert "device" in loaded
    assert not loaded & {"sqlite3", "_sqlite3", "paho", "gpiozero", "lgpio", "RPi", "flask", "waitress",
                         "socket", "_socket"}, sorted(loaded)


def test_modules_stay_small_or_say_why():
    """One job a module, near 300 lines; a module a little over says why at its top ("Size:")."""
    unexplained, too_big = [], []
    for path in sorted([*DEVICE.rglob("*.py"), *(ROOT / "dashboard").rglob("*.py")]):
        lines = path.read_text().count("\n")
        doc = ast.get_docstring(ast.parse(path.read_text())) or ""
        if lines > 400:
            too_big.append(f"{path.relative_to(ROOT)}: {lines} lines")
        elif lines > 310 and "Size:" not in doc:
            unexplained.append(f"{path.relative_to(ROOT)}: {lines} lines and no 'Size:' reason in its docstring")
        if not doc.strip() and path.name != "__init__.py":
            unexplained.append(f"{path.relative_to(ROOT)}: no docstring saying its job")
    assert not too_big and not unexplained, "\n".join(too_big + unexplained)
