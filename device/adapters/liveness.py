"""Is the daemon alive? A lock held on a file beside the history, not a timestamp written to it.

The daemon takes an exclusive ``flock`` on ``<history>.daemon-lock`` at start
and keeps it until it exits. The kernel drops the lock when the process
ends for any reason (stop, crash, ``kill -9``, OOM), so a reader (the
dashboard) learns of a dead daemon at once, and an idle daemon proves it is
alive without writing anything to the SD card. A status timestamp can only
do one of the two: refreshed often it costs a commit each time, refreshed
rarely it reports a dead daemon late.

``flock`` locks belong to an open file description, so the probe conflicts
with the daemon's lock even in the same process (``deskpulse demo``), and
closing the probe's descriptor never releases the daemon's lock (POSIX
``fcntl`` locks would do both wrong). The file is created once, empty, and
never written.
"""
from __future__ import annotations

import errno
import fcntl
import logging
import os
import time
from pathlib import Path

log = logging.getLogger("deskpulse.liveness")

SUFFIX = ".daemon-lock"


def lock_path(db_path: str | os.PathLike) -> Path:
    p = Path(db_path).expanduser()
    return p.with_name(p.name + SUFFIX)


class DaemonLock:
    """Held by the running daemon (``DaemonLock.take(db)``; ``release()`` at stop, safe twice)."""

    def __init__(self, fd: int, path: Path):
        self.fd, self.path = fd, path

    @classmethod
    def take(cls, db_path: str | os.PathLike) -> "DaemonLock | None":
        """The lock, or None (logged) when it cannot be had: liveness then falls back to the status's age."""
        path = lock_path(db_path)
        try:
            fd = os.open(path, os.O_RDONLY | os.O_CREAT | os.O_CLOEXEC, 0o640)
        except OSError as e:
            log.warning("cannot create %s (%s): the dashboard will judge liveness by the status's age",
                        path, e.strerror)
            return None
        for attempt in range(5):
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return cls(fd, path)
            except OSError as e:
                busy = e.errno in (errno.EWOULDBLOCK, errno.EAGAIN)
                if busy and attempt < 4:
                    time.sleep(0.02)  # a dashboard's probe holds a shared lock for microseconds
                    continue
                os.close(fd)
                if busy:
                    log.error("another deskpulse daemon is running on %s", Path(db_path).expanduser())
                else:
                    log.warning("cannot lock %s (%s)", path, e.strerror)
                return None
        return None

    def release(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)  # closing the description drops the flock
            self.fd = -1


def daemon_alive(db_path: str | os.PathLike) -> bool | None:
    """True while a daemon holds the lock, False when the lock file exists but nobody holds it,
    None when that cannot be known (no lock file: no daemon of this version ever ran there)."""
    path = lock_path(db_path)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except OSError as e:
        return True if e.errno in (errno.EWOULDBLOCK, errno.EAGAIN) else None
    else:
        return False  # we got it, so nobody holds it (closing fd releases ours)
    finally:
        os.close(fd)
