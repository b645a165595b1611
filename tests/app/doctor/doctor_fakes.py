"""Fake filesystem roots, identities and imports, and a reversible fake RPi.GPIO, for the doctor tests."""
from __future__ import annotations

import contextlib
import importlib
import os
import sys
from pathlib import Path

from device import config
from device.app.doctor import Check, System

ROOT = Path(__file__).resolve().parents[3]

PI4 = "Raspberry Pi 4 Model B Rev 1.5"
PI5 = "Raspberry Pi 5 Model B Rev 1.0"


class FakeRoot:
    """A directory laid out like the bits of / that ``deskpulse doctor`` reads."""

    def __init__(self, path: Path):
        self.path = path
        for d in ("dev", "proc", "sys", "etc"):
            (path / d).mkdir(parents=True, exist_ok=True)
        # The files are ours: their owner/group stand in for root:gpio on a Pi.
        self.owner_uid = os.geteuid()
        self.owner_gid = os.getegid()

    def model(self, text: str, where: str = "proc/device-tree/model") -> "FakeRoot":
        p = self.path / where
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(text.encode() + b"\0")  # the kernel's file ends in a NUL
        return self

    def device(self, name: str, mode: int = 0o660) -> Path:
        p = self.path / "dev" / name
        p.write_bytes(b"")
        p.chmod(mode)
        return p

    def group(self, name: str, gid: int, members: tuple[str, ...] = ()) -> "FakeRoot":
        with open(self.path / "etc" / "group", "a") as f:
            f.write(f"{name}:x:{gid}:{','.join(members)}\n")
        return self

    def user(self, name: str, uid: int) -> "FakeRoot":
        with open(self.path / "etc" / "passwd", "a") as f:
            f.write(f"{name}:x:{uid}:{uid}::/nonexistent:/usr/sbin/nologin\n")
        return self


@contextlib.contextmanager
def installed_fake_rpigpio():
    """Make ``import RPi.GPIO`` work (backend detection only: it cannot drive gpiozero),
    then put sys.modules back exactly as it was, so no other test sees a fake RPi."""
    names = ("RPi", "RPi.GPIO")
    saved = {n: sys.modules[n] for n in names if n in sys.modules}
    import fake_rpigpio.utils

    fake_rpigpio.utils.install()
    try:
        yield sys.modules["RPi.GPIO"]
    finally:
        for n in names:
            sys.modules.pop(n, None)
        sys.modules.update(saved)


ALICE = 4242  # a uid that owns none of the fake files


def importer(absent=("lgpio",), raising: dict[str, Exception] | None = None):
    """import_module for System: some modules missing, some raising on import, the rest real."""
    raising = raising or {}

    def imp(name: str):
        if name in raising:
            raise raising[name]
        if name in absent or name.split(".")[0] in absent:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return importlib.import_module(name)
    return imp


def system(fake_root, uid=ALICE, gids=(), user="alice", env=None, **kw) -> System:
    return System(root=fake_root.path, uid=uid, gids=frozenset(gids), user=user, env=env or {}, **kw)


def cfg(**gpio) -> config.Config:
    return config.Config().replace(gpio=gpio) if gpio else config.Config()


def line(checks: list[Check], name: str) -> Check:
    (c,) = [c for c in checks if c.name == name]
    return c
