"""Writing a ``deskpulse-trace v1`` file edge by edge: the daemon recording its raw inputs.

(The simulator writes a whole run at once: ``device/sim/files.py``.)
"""
from __future__ import annotations

import os
from datetime import datetime
from typing import TextIO

from device.adapters.trace.format import MAGIC, SIGNALS

# A fixed-width placeholder so a recorder can patch the real duration in place on close.
_DURATION_WIDTH = 14


class TraceWriter:
    """Appends raw edges to a trace file, for recording the daemon's inputs.

    Rows are buffered and written on ``flush()`` (the daemon calls it with its
    history flush) so an SD card is not written per edge. ``close()`` patches
    the real ``duration_s`` into the fixed-width header placeholder; a file
    left by a crash keeps the placeholder, which readers treat as "until the
    last edge".
    """

    def __init__(self, path: str | os.PathLike, start: datetime, signals: tuple[str, ...],
                 note: str = "", initial: dict[str, int] | None = None):
        if start.tzinfo is None:
            raise ValueError("trace start must be timezone-aware")
        self.path = os.fspath(path)
        self.start = start
        self._rows: list[str] = []
        self._f: TextIO | None = open(self.path, "w", encoding="utf-8")
        self._f.write(f"{MAGIC}\n# start: {start.isoformat()}\n")
        self._duration_offset = self._f.tell() + len("# duration_s: ")
        self._f.write(f"# duration_s: {'':<{_DURATION_WIDTH}}\n")
        self._f.write(f"# signals: {','.join(signals)}\n")
        if note:
            self._f.write(f"# note: {note.replace(chr(10), ' ')}\n")
        self._f.write("t,signal,value\n")
        self._last_t = 0.0
        for sig, level in (initial or {}).items():
            self.edge(0.0, sig, level)

    def edge(self, t: float, signal: str, value: int) -> None:
        if signal not in SIGNALS:
            raise ValueError(f"unknown signal {signal!r}")
        t = max(t, self._last_t)  # never write a row that goes backwards
        self._last_t = t
        self._rows.append(f"{t:.4f},{signal},{1 if value else 0}\n")

    def flush(self) -> None:
        if self._f and self._rows:
            self._f.write("".join(self._rows))
            self._rows.clear()
            self._f.flush()

    def close(self, duration_s: float | None = None) -> None:
        if self._f is None:
            return
        self.flush()
        duration = self._last_t if duration_s is None else max(duration_s, self._last_t)
        self._f.seek(self._duration_offset)
        self._f.write(f"{duration:<{_DURATION_WIDTH}.3f}"[:_DURATION_WIDTH])
        self._f.close()
        self._f = None

    def __enter__(self) -> "TraceWriter":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
