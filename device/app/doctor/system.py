"""What the doctor's checks look at: a :class:`System` (the filesystem root, who we are,
how to import a module, how to open a TCP connection) and the service's fixed names.

Tests hand the checks a fake ``/dev`` and ``/proc`` tree, a fake identity and
fake modules instead of a Raspberry Pi; ``System.current()`` is this process on
this machine.
"""
from __future__ import annotations

import importlib
import os
import pwd
import socket
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping

SERVICE_USER = "deskpulse"
SERVICE_STATE_DIR = "/var/lib/deskpulse"


def _default_import(name: str) -> Any:
    """Import in a throw-away cwd: ``import lgpio`` creates a notification pipe in
    the current directory, so an unwritable cwd (``sudo -u deskpulse`` from /root)
    would fail here although the service, in /var/lib/deskpulse, is fine."""
    old = os.getcwd()
    with tempfile.TemporaryDirectory(prefix="deskpulse-doctor-") as tmp:
        os.chdir(tmp)
        try:
            return importlib.import_module(name)
        finally:
            os.chdir(old)


@dataclass
class System:
    """What the checks look at. ``System.current()`` is this process on this machine."""
    root: Path = Path("/")
    uid: int = 0
    gids: frozenset[int] = frozenset()
    user: str = "root"
    env: Mapping[str, str] = field(default_factory=dict)
    import_module: Callable[[str], Any] = _default_import
    connect: Callable[..., Any] = socket.create_connection
    # Also ask the kernel (read-only mounts, ACLs); only meaningful for our own identity.
    kernel_access: bool = False

    @classmethod
    def current(cls, root: str | os.PathLike = "/") -> "System":
        uid = os.geteuid()
        try:
            user = pwd.getpwuid(uid).pw_name
        except KeyError:
            user = str(uid)
        return cls(root=Path(root), uid=uid, gids=frozenset(os.getgroups()) | {os.getegid()}, user=user,
                   env=dict(os.environ), kernel_access=True)

    def path(self, p: str) -> Path:
        return self.root / p.lstrip("/")

    def show(self, p: Path) -> str:
        """A path under ``root`` as the person on that machine would type it."""
        try:
            return "/" + str(p.relative_to(self.root)).lstrip("./")
        except ValueError:
            return str(p)

    def can(self, p: Path, want: str) -> bool:
        """Whether we may ``want`` ('r', 'w', 'x' letters) on ``p``, from its mode bits."""
        try:
            st = p.stat()
        except OSError:
            return False
        if self.uid != 0:
            shift = 6 if st.st_uid == self.uid else 3 if st.st_gid in self.gids else 0
            bits = {"r": 4, "w": 2, "x": 1}
            if not all((st.st_mode >> shift) & bits[c] for c in want):
                return False
        if self.kernel_access:
            flags = {"r": os.R_OK, "w": os.W_OK, "x": os.X_OK}
            mode = 0
            for c in want:
                mode |= flags[c]
            return os.access(p, mode)
        return True
