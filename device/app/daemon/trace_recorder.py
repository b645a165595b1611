"""Recording the daemon's raw inputs (``history.record_trace_dir``): one replayable trace file per desk day."""
from __future__ import annotations

import logging
import os
from pathlib import Path

log = logging.getLogger("deskpulse.daemon")


class TraceRecorder:
    """Raw inputs into one trace file per desk day (``YYYY-MM-DD-HHMMSS.csv``, a new one after each start)."""

    def __init__(self, directory: str | os.PathLike, clock, signals: tuple[str, ...], note: str = ""):
        from device.adapters.trace import TraceWriter
        self._writer_cls = TraceWriter
        self.dir = Path(directory).expanduser()
        self.dir.mkdir(parents=True, exist_ok=True)
        self.clock, self.signals, self.note = clock, signals, note
        self._w = None
        self._t0 = 0.0
        self._date = None

    def _open(self, t: float, levels: dict[str, int]) -> None:
        start = self.clock.wall_at(t)
        path = self.dir / f"{start:%Y-%m-%d-%H%M%S}.csv"
        self._w = self._writer_cls(path, start, self.signals, self.note, initial=levels)
        self._t0, self._date = t, start.date()
        log.info("recording raw inputs to %s", path)

    def edge(self, t: float, signal: str, value: int, levels: dict[str, int]) -> None:
        if self._w is None:
            self._open(t, {k: v for k, v in levels.items() if k != signal} | {signal: 1 - value})
        self._w.edge(t - self._t0, signal, value)

    def roll(self, t: float, levels: dict[str, int]) -> None:
        """Flush, and start a new file when the local date has changed."""
        if self._w is None:
            self._open(t, levels)
            return
        if self.clock.wall_at(t).date() != self._date:
            self._w.close(t - self._t0)
            self._open(t, levels)
        else:
            self._w.flush()

    def close(self, t: float) -> None:
        if self._w is not None:
            self._w.close(t - self._t0)
            self._w = None
