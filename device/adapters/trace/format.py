"""What a ``deskpulse-trace v1`` is: its magic line, signals and limits, its error, and a trace as data.

The rest of the package reads (``header.py``, ``blocks.py``, ``rows.py``,
``reader.py``) and writes (``writer.py``) files of this format.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Iterator

MAGIC = "# deskpulse-trace v1"
SIGNALS = ("seat", "pir", "button")
MAX_HEADER_LINES = 1000
#: the longest trace: the simulator's limit. The engine steps a seated person's coaching every
#: minute, so a replay's work grows with the span, not only with the rows: this bounds it.
MAX_SPAN_DAYS = 3660
MAX_SPAN_S = MAX_SPAN_DAYS * 86400.0
# Every instant of a trace, and its local date in any zone, must be a datetime: a day of margin
# each side of what datetime can hold (a UTC offset is under a day).
EARLIEST = datetime(1, 1, 3, tzinfo=timezone.utc)
LATEST = datetime(9999, 12, 29, tzinfo=timezone.utc)


class TraceError(ValueError):
    """A malformed trace; ``str()`` is one line naming the file, line and problem."""

    def __init__(self, path: str, line: int | None, problem: str):
        self.path, self.line, self.problem = path, line, problem
        where = f"{path}:{line}" if line else path
        super().__init__(f"{where}: {problem}")


@dataclass
class TraceHeader:
    start: datetime
    duration_s: float | None
    signals: tuple[str, ...]
    note: str = ""
    extra: dict[str, str] = field(default_factory=dict)


@dataclass
class Trace:
    path: str
    header: TraceHeader
    #: parallel arrays: edge times, signal names (interned), levels
    times: list[float]
    signals: list[str]
    values: list[int]

    @property
    def duration_s(self) -> float:
        if self.header.duration_s:
            return self.header.duration_s
        return self.times[-1] if self.times else 0.0

    def edges(self, only: set[str] | None = None) -> Iterator[tuple[float, str, int]]:
        if only is None:
            return zip(self.times, self.signals, self.values)
        return ((t, s, v) for t, s, v in zip(self.times, self.signals, self.values) if s in only)


def cut(text: str, n: int = 30) -> str:
    return text if len(text) <= n else text[:n] + "..."
