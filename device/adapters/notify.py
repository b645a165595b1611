"""systemd integration without a dependency: sd_notify datagrams and journald-friendly logs.

The notify protocol is a few ``KEY=VALUE`` lines in one datagram to the unix
socket named by ``$NOTIFY_SOCKET`` (a leading ``@`` means the Linux abstract
namespace). ``WATCHDOG=1`` is sent by the loop itself, so a loop that hangs
stops petting the watchdog and systemd restarts the service; it is rate-limited
to half of ``$WATCHDOG_USEC`` so an idle Pi does not wake for nothing.
"""
from __future__ import annotations

import logging
import os
import socket
import sys
import time
from typing import Callable, Mapping

log = logging.getLogger("deskpulse.notify")

#: Without $WATCHDOG_USEC, still tell systemd we live, but rarely.
DEFAULT_WATCHDOG_INTERVAL_S = 30.0


class Notifier:
    """Sends sd_notify messages; every method is a no-op outside systemd.

    ``monotonic`` is real process time (the watchdog is about this process,
    not about the desk's possibly simulated clock).
    """

    def __init__(self, env: Mapping[str, str] | None = None, monotonic: Callable[[], float] = time.monotonic):
        env = os.environ if env is None else env
        addr = env.get("NOTIFY_SOCKET", "")
        if addr.startswith("@"):
            addr = "\0" + addr[1:]
        self.address = addr or None
        self.watchdog_s: float | None = None
        usec = env.get("WATCHDOG_USEC", "")
        pid = env.get("WATCHDOG_PID", "")
        if usec.isdigit() and int(usec) > 0 and (not pid or pid == str(os.getpid())):
            self.watchdog_s = int(usec) / 1e6
        self._monotonic = monotonic
        self._last_watchdog: float | None = None
        self._sock: socket.socket | None = None
        self._warned = False

    @property
    def enabled(self) -> bool:
        return self.address is not None

    @property
    def watchdog_interval_s(self) -> float:
        """How often the loop must wake to pet the watchdog."""
        return self.watchdog_s / 2 if self.watchdog_s else DEFAULT_WATCHDOG_INTERVAL_S

    def notify(self, *lines: str) -> bool:
        if not self.address:
            return False
        try:
            if self._sock is None:
                self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC)
            self._sock.sendto("\n".join(lines).encode(), self.address)
            return True
        except OSError as e:
            if not self._warned:  # systemd gone or socket wrong: say it once, keep running
                log.warning("cannot notify systemd at %r: %s", self.address.replace("\0", "@"), e)
                self._warned = True
            return False

    def ready(self, status: str = "") -> bool:
        ok = self.notify("READY=1", *([f"STATUS={status}"] if status else []))
        self._last_watchdog = self._monotonic()
        return ok

    def watchdog(self) -> bool:
        """Pet the watchdog if half its interval has passed; True if a message went out."""
        if not self.address:
            return False
        now = self._monotonic()
        if self._last_watchdog is not None and now - self._last_watchdog < self.watchdog_interval_s:
            return False
        self._last_watchdog = now
        return self.notify("WATCHDOG=1")

    def status(self, text: str) -> bool:
        return self.notify(f"STATUS={text}")

    def stopping(self) -> bool:
        return self.notify("STOPPING=1")

    def close(self) -> None:
        if self._sock is not None:
            self._sock.close()
            self._sock = None


_PRIORITY = {logging.DEBUG: 7, logging.INFO: 6, logging.WARNING: 4, logging.ERROR: 3, logging.CRITICAL: 2}


class _JournalFormatter(logging.Formatter):
    """``<6>name: message``: journald reads the priority prefix and adds its own timestamp."""

    def format(self, record: logging.LogRecord) -> str:
        prio = _PRIORITY.get(record.levelno, 6)
        text = super().format(record)
        return "\n".join(f"<{prio}>{line}" for line in text.splitlines()) or f"<{prio}>"


def under_journald(env: Mapping[str, str] | None = None) -> bool:
    env = os.environ if env is None else env
    return bool(env.get("JOURNAL_STREAM") or env.get("INVOCATION_ID"))


def setup_logging(verbose: bool = False, env: Mapping[str, str] | None = None, stream=None) -> None:
    """Log to stdout: priority prefixes and no timestamps under systemd, readable times otherwise."""
    handler = logging.StreamHandler(stream or sys.stdout)
    if under_journald(env):
        handler.setFormatter(_JournalFormatter("%(message)s"))
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)-7s %(message)s", "%H:%M:%S"))
    root = logging.getLogger("deskpulse")
    for h in list(root.handlers):
        root.removeHandler(h)
    root.addHandler(handler)
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    root.propagate = False
