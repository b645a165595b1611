"""What the daemon writes, and when: the history's flush, the status and the resume state on the card, the RAM copy.

Every SQLite commit costs a few pages, so the card sees one only when events
are pending, the status changed (seated, level, alert, pause, snooze), after a
command, or, during a bout with nothing else to write, every ``HEARTBEAT_S``.
The RAM copy (``resume.py``) costs the card nothing and is rewritten whenever
something it holds changed.
"""
from __future__ import annotations

from typing import Any

from device.app.daemon.resume import Resume

STATUS_KEY = "status"
#: After a command (someone is watching the dashboard) the history is written this soon (clock seconds).
COMMAND_FLUSH_DELAY_S = 1.0
#: During a bout with nothing else to write, the resume state goes to the SD card this often
#: (clock seconds), so that after a power cut the lost bout ends at most this long before the
#: cut; the RAM copy in the runtime directory is refreshed at every flush (crashes, restarts).
#: With no bout nothing is written at all: the dashboard sees that the daemon is alive from
#: the lock it holds (device/adapters/liveness.py), not from a timestamp on the card.
HEARTBEAT_S = 1800.0
#: The status fields whose change is worth a write (and a sink's ``set_state``).
SIGNIFICANT = ("seated", "level", "alert", "paused_until_ts", "snoozed_until_ts")


class Writes:
    """The write schedule of one daemon: the next flush, what changed since the last write, the RAM copy's staleness.

    The live status and the engine stay the loop's; they are passed in.
    """

    def __init__(self, cfg, store, resume: Resume):
        self.cfg, self.store, self.resume = cfg, store, resume
        self.next_flush = 0.0
        self.last_state_save = 0.0
        self.events_since_save = 0
        self.written_status: dict[str, Any] | None = None
        self.ram_dirty = False  # events or a status change not yet in the runtime (RAM) copy

    def added(self, n: int) -> None:
        """``n`` events went into the history's buffer."""
        self.events_since_save += n
        self.ram_dirty = True

    def after_command(self, now: float) -> None:
        self.next_flush = min(self.next_flush, now + COMMAND_FLUSH_DELAY_S)

    def save_state(self, now: float, engine, status: dict, clean: bool = False, durable: bool = True) -> None:
        """The resume state: always to RAM (if there is a runtime dir), to the history when ``durable``.

        The RAM copy also carries the live status and the events not yet flushed, so a
        crash loses no event (``Resume.recover_buffered``) and the dashboard sees the desk as it
        is now, not as of the last flush (``dashboard/queries.py``). RAM costs the card nothing.
        """
        doc = self.resume.doc(now, engine, clean)
        if self.resume.runtime_file is not None:
            if self.resume.write_ram(doc, dict(status, stale_after_s=self.stale_after(status), stopped=clean)):
                self.ram_dirty = False
        if durable:
            self.resume.write_durable(doc)
            self.last_state_save = now
            self.events_since_save = 0

    def write(self, now: float, engine, status: dict) -> None:
        """The card's part of a flush: the resume state and the status, if anything calls for them.

        The status's ``stale_after_s`` says how old it may get while the daemon lives
        (None when idle: no periodic writes; readers then rely on the daemon's lock).
        The resume state also goes to the RAM copy at every flush during a bout, so a
        crash or restart resumes precisely; only a power cut falls back to the history's copy.
        """
        self.next_flush = now + self.cfg.history.flush_interval_s
        in_bout = self.in_bout(status)
        save = self.events_since_save > 0 or (in_bout and now - self.last_state_save >= HEARTBEAT_S)
        if save or in_bout:
            self.save_state(now, engine, status, durable=save)
        if self.store.pending:
            self.ram_dirty = True  # once flushed, the RAM copy lists no pending events
        if save or self.store.pending or self.status_dirty(status):
            status["stale_after_s"] = self.stale_after(status)
            status["stopped"] = False
            self.store.set_json(STATUS_KEY, status)
            self.written_status = {k: status.get(k) for k in SIGNIFICANT}

    @staticmethod
    def in_bout(status: dict) -> bool:
        return bool(status.get("seated")) or bool(status.get("bout_s"))

    def stale_after(self, status: dict) -> float | None:
        """How old the status may get while the daemon lives: during a bout it is rewritten at least
        every HEARTBEAT_S; with no bout nothing is written (readers go by the daemon's lock)."""
        return 2 * HEARTBEAT_S + self.cfg.history.flush_interval_s if self.in_bout(status) else None

    def status_dirty(self, status: dict) -> bool:
        written = self.written_status
        return written is None or any(status.get(k) != written.get(k) for k in SIGNIFICANT)
