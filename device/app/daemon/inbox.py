"""The dashboard's inbox: commands arriving as files in a directory beside the history.

The dashboard (and ``deskpulse`` commands) write one JSON file per command into
``commands/`` next to the history (``dashboard/commands.py`` owns the format).
The daemon notices them by inotify where it can (``InboxWatch``: an idle daemon is
woken by a command, not by a timer), else by looking every ``INBOX_POLL_S``; the
look is a stat() of the directory, and the files are read only when it changed.
"""
from __future__ import annotations

import logging
import os
import time
from pathlib import Path
from typing import Iterator

from device.app.daemon.items import Command

log = logging.getLogger("deskpulse.daemon")

#: How often the dashboard inbox is looked at (real seconds): a stat() per look.
INBOX_POLL_S = 2.0


class Inbox:
    """When to look at the inbox directory, and the commands found there (on the loop thread)."""

    def __init__(self, directory: Path, clock):
        self.dir, self.clock = directory, clock
        self.watch: InboxWatch | None = None  # inotify while it runs: no polling
        self._next = 0.0
        self._next_t = float("-inf")
        self._mtime: int | None = None

    def start_watch(self, notify) -> None:
        self.watch = InboxWatch.start(self.dir, notify)

    @property
    def polled(self) -> bool:
        return self.watch is None

    def due(self, now: float) -> bool:
        """Whether to poll at this tick (never with inotify running); if so the next look is scheduled."""
        if self.watch is None and (time.monotonic() >= self._next or now >= self._next_t):
            # real time (a person waits for the dashboard), or clock time (a FakeClock barely moves real time)
            self._next = time.monotonic() + INBOX_POLL_S
            self._next_t = now + INBOX_POLL_S * float(getattr(self.clock, "speed", 1.0))
            return True
        return False

    def commands(self) -> Iterator[Command]:
        """The commands queued since the last look (a bad file as an ``invalid`` one), oldest first."""
        try:
            mtime = os.stat(self.dir).st_mtime_ns  # a new file changes it; no change, nothing to read
        except OSError:
            return
        if mtime == self._mtime:
            return
        self._mtime = mtime
        for c in inbox_reader()(self.dir):
            if "error" in c:
                yield Command("invalid", {"error": c["error"]}, c.get("source", "dashboard"))
            else:
                yield Command(c["name"], dict(c.get("args") or {}), c.get("source", "dashboard"))

    def close(self) -> None:
        if self.watch is not None:
            self.watch.close()
            self.watch = None


class InboxWatch:
    """inotify on the inbox directory: an idle daemon is woken by a dashboard command, not by a timer.

    Linux only, through libc with ctypes (no dependency); ``start`` returns
    None where it cannot work, and the loop polls every ``INBOX_POLL_S`` instead.
    """

    IN_CLOSE_WRITE, IN_MOVED_TO = 0x8, 0x80

    def __init__(self, fd: int, wake_r: int, wake_w: int, notify):
        import threading
        self._fd, self._r, self._w, self._notify = fd, wake_r, wake_w, notify
        self._thread = threading.Thread(target=self._run, name="deskpulse-inbox", daemon=True)
        self._thread.start()

    @classmethod
    def start(cls, directory: Path, notify):
        try:
            import ctypes
            libc = ctypes.CDLL(None, use_errno=True)
            directory.mkdir(mode=0o700, parents=True, exist_ok=True)
            fd = libc.inotify_init1(os.O_CLOEXEC)
            if fd < 0:
                return None
            if libc.inotify_add_watch(fd, os.fsencode(directory), cls.IN_CLOSE_WRITE | cls.IN_MOVED_TO) < 0:
                os.close(fd)
                return None
        except (OSError, AttributeError):
            return None
        r, w = os.pipe()
        return cls(fd, r, w, notify)

    def _run(self) -> None:
        import select
        while True:
            ready, _, _ = select.select([self._fd, self._r], [], [])
            if self._r in ready:
                return
            try:
                os.read(self._fd, 65536)
            except OSError:
                return
            try:
                self._notify()
            except Exception:  # the loop queue is all we touch; never die of it
                log.debug("inbox wake-up failed", exc_info=True)

    def close(self) -> None:
        os.write(self._w, b"x")
        self._thread.join(1.0)
        for fd in (self._fd, self._r, self._w):
            os.close(fd)


_inbox_reader = None


def inbox_reader():
    """``dashboard.commands.read_pending_commands``, without importing Flask into the daemon.

    ``import dashboard.commands`` runs ``dashboard/__init__.py``, which imports
    Flask: 12 MB and 0.2 s of a Pi Zero for a stdlib-only module. Unless the
    dashboard is loaded anyway (the demo), load that one file on its own.
    """
    global _inbox_reader
    if _inbox_reader is None:
        import sys
        if "dashboard" in sys.modules:
            from dashboard.commands import read_pending_commands
            _inbox_reader = read_pending_commands
        else:
            import importlib.util
            spec = importlib.util.find_spec("dashboard")
            path = Path(list(spec.submodule_search_locations)[0]) / "commands.py"
            mspec = importlib.util.spec_from_file_location("deskpulse_dashboard_inbox", path)
            mod = importlib.util.module_from_spec(mspec)
            mspec.loader.exec_module(mod)
            _inbox_reader = mod.read_pending_commands
    return _inbox_reader


def inbox_dir_for(db) -> Path | None:
    """Where the dashboard queues commands for this history (``commands/`` beside it)."""
    try:
        import importlib.util
        if importlib.util.find_spec("dashboard") is None:
            return None
    except (ImportError, ValueError):
        return None
    return Path(db).expanduser().resolve().parent / "commands"
