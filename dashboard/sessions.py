"""Logins kept on the server, so that logging out ends them.

Flask's session is a signed cookie: clearing it at logout only clears the
browser's copy, and a copied cookie would stay good for its 14 days. So a
login also gets a random id; the server keeps the ids it issued (as SHA-256
digests, with their expiry) and a request is logged in only while its id is
kept. Logout forgets the id.

The ids live in ``dashboard-sessions`` (0600) beside the database, like the
session key, so logins survive a restart; the file is read again when another
process changes it. If the folder is not writable they are kept in memory only
(a warning; logins end at restart, as with a per-process key).
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import secrets
import threading
from pathlib import Path
from typing import Callable

log = logging.getLogger("deskpulse.dashboard")

SESSIONS_FILE = "dashboard-sessions"
#: Logins kept at once (phones, laptops): a new one beyond this ends the one expiring soonest.
MAX_SESSIONS = 32


def _digest(sid: str) -> str:
    return hashlib.sha256(sid.encode()).hexdigest()


class Sessions:
    def __init__(self, path: Path | None, wall: Callable[[], float], lifetime_s: float,
                 size: int = MAX_SESSIONS):
        self.path, self.wall, self.lifetime_s, self.size = path, wall, lifetime_s, size
        self._live: dict[str, float] = {}   # digest -> expiry (wall seconds)
        self._seen: tuple[int, int] | None = None
        self._writable = path is not None
        self._lock = threading.Lock()
        with self._lock:
            self._reload()

    def _stamp(self) -> tuple[int, int] | None:
        try:
            st = os.stat(self.path)
        except (OSError, TypeError):
            return None
        return st.st_mtime_ns, st.st_size

    def _reload(self) -> None:
        """Read the file again if it changed since we last read or wrote it."""
        if not self._writable:
            return
        stamp = self._stamp()
        if stamp == self._seen:
            return
        live: dict[str, float] = {}
        if stamp is not None:
            try:
                doc = json.loads(Path(self.path).read_text())
                live = {k: float(v) for k, v in doc.items()
                        if isinstance(k, str) and isinstance(v, (int, float)) and not isinstance(v, bool)}
            except (OSError, ValueError, AttributeError) as e:
                log.warning("cannot read %s (%s): logins made before are ended", self.path, e)
        self._live, self._seen = live, stamp

    def _save(self) -> None:
        if not self._writable:
            return
        tmp = Path(self.path).with_name(f".{SESSIONS_FILE}.{os.getpid()}.{threading.get_ident()}")
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as f:
                json.dump(self._live, f)
            os.replace(tmp, self.path)
            self._seen = self._stamp()
        except OSError as e:
            self._writable = False
            log.warning("cannot write %s (%s): logins are kept in memory only and end at restart",
                        self.path, e.strerror)

    def _prune(self, now: float) -> None:
        for k in [k for k, exp in self._live.items() if exp <= now]:
            del self._live[k]
        while len(self._live) > self.size:
            del self._live[min(self._live, key=self._live.get)]

    def new(self) -> str:
        """A fresh session id to put in the cookie (only its digest is kept)."""
        sid = secrets.token_urlsafe(32)
        now = self.wall()
        with self._lock:
            self._reload()
            self._live[_digest(sid)] = now + self.lifetime_s
            self._prune(now)
            self._save()
        return sid

    def valid(self, sid: object) -> bool:
        if not isinstance(sid, str) or not sid:
            return False
        with self._lock:
            self._reload()
            exp = self._live.get(_digest(sid))
        return exp is not None and exp > self.wall()

    def revoke(self, sid: object) -> None:
        if not isinstance(sid, str):
            return
        with self._lock:
            self._reload()
            if self._live.pop(_digest(sid), None) is not None:
                self._save()
