"""Reader and writer of the ``deskpulse-trace v1`` raw-input format.

A trace is a few ``# key: value`` header lines, a CSV header ``t,signal,value``
and one row per level change, sorted by ``t`` (seconds since ``start``). The
daemon records its own raw inputs in this format so a real day can be replayed
with other settings; the simulator writes it; the replay reads it.

The reader is on the replay's hot path (a year is ~450,000 rows). A well-formed
file (ASCII, ``\n`` line ends, every row exactly ``t,signal,value``) is parsed
without a Python-level loop: one ``split`` of the whole data section, then
``map`` over the columns (``float`` for times, dict lookups for signals and
levels, which also validates them) and C-speed checks of order and
finiteness. Anything else, or any doubt, falls back to the row-by-row parser,
which is the reference: it accepts exactly what it always accepted and reports
the first problem as ``file:line: what``.
"""
from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from datetime import datetime
from itertools import islice
from typing import Iterator, TextIO

MAGIC = "# deskpulse-trace v1"
SIGNALS = ("seat", "pir", "button")
# the fast parser's lookups, by the bytes of a field: a signal's (interned) name, a level
_INTERNED = {s.encode(): s for s in SIGNALS}
_LEVELS = {b"0": 0, b"1": 1}
# Characters that str.splitlines() treats as line ends besides "\n": a text holding
# any of them (or any non-ASCII) takes the row-by-row parser, which splits lines that way.
_OTHER_LINE_ENDS = (b"\r", b"\x0b", b"\x0c", b"\x1c", b"\x1d", b"\x1e")
# A fixed-width placeholder so a recorder can patch the real duration in place on close.
_DURATION_WIDTH = 14


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


def _parse_header(path: str, lines: list[str]) -> tuple[TraceHeader, int]:
    if not lines or lines[0].strip() != MAGIC:
        raise TraceError(path, 1, f"not a deskpulse trace: the first line must be '{MAGIC}'")
    meta: dict[str, str] = {}
    i = 1
    while i < len(lines) and lines[i].startswith("#"):
        body = lines[i][1:].strip()
        if ":" in body:
            k, _, v = body.partition(":")
            meta[k.strip()] = v.strip()
        i += 1
    if i >= len(lines) or lines[i].strip() != "t,signal,value":
        raise TraceError(path, i + 1, "expected the CSV header 't,signal,value'")
    if "start" not in meta:
        raise TraceError(path, None, "missing '# start:' header")
    try:
        start = datetime.fromisoformat(meta["start"])
    except ValueError:
        raise TraceError(path, None, f"'# start: {meta['start']}' is not an ISO 8601 time") from None
    if start.tzinfo is None:
        raise TraceError(path, None, "'# start:' needs a UTC offset, e.g. 2026-03-02T00:00:00+01:00")
    duration = None
    if meta.get("duration_s"):
        try:
            duration = float(meta["duration_s"])
        except ValueError:
            raise TraceError(path, None, f"'# duration_s: {meta['duration_s']}' is not a number") from None
        if duration < 0:
            raise TraceError(path, None, "'# duration_s:' is negative")
    sigs = tuple(s.strip() for s in meta.get("signals", "").split(",") if s.strip())
    for s in sigs:
        if s not in SIGNALS:
            raise TraceError(path, None, f"unknown signal {s!r} in '# signals:' (known: {', '.join(SIGNALS)})")
    extra = {k: v for k, v in meta.items() if k not in ("start", "duration_s", "signals", "note")}
    return TraceHeader(start, duration or None, sigs, meta.get("note", ""), extra), i + 1


def read_trace(path: str) -> Trace:
    """Read and validate a whole trace; raises ``TraceError`` on the first problem."""
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except FileNotFoundError:
        raise TraceError(path, None, "no such file") from None
    except IsADirectoryError:
        raise TraceError(path, None, "is a directory, not a trace file") from None
    except OSError as e:
        raise TraceError(path, None, e.strerror or str(e)) from None
    # ASCII without '\r': decoding it as UTF-8 text with universal newlines changes nothing
    if raw.isascii() and b"\r" not in raw:
        fast = _read_fast(path, raw)
        if fast is not None:
            return fast
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except FileNotFoundError:
        raise TraceError(path, None, "no such file") from None
    except UnicodeDecodeError:
        raise TraceError(path, None, "not a text file") from None
    except OSError as e:
        raise TraceError(path, None, e.strerror or str(e)) from None
    return _read_rows(path, text)


def _read_fast(path: str, text: str | bytes) -> Trace | None:
    """The whole-file parse of a well-formed trace, or None to let ``_read_rows`` decide.

    It returns a trace only when the row-by-row parser would return the same one;
    on anything unusual (a malformed row, a time going backwards, a non-finite
    time, odd line ends) it returns None and the reference parser reports it.
    It works on the file's bytes (splitting bytes is cheaper than splitting text,
    and ``float`` reads an ASCII number from bytes as from text); text is encoded.
    """
    if isinstance(text, str):
        if not text.isascii():
            return None
        text = text.encode("ascii")
    if not text.isascii() or any(c in text for c in _OTHER_LINE_ENDS):
        return None
    # the header: '#' lines, then the CSV header line
    pos = 0
    while text.startswith(b"#", pos):
        nl = text.find(b"\n", pos)
        if nl < 0:
            return None
        pos = nl + 1
    nl = text.find(b"\n", pos)
    if nl < 0:
        return None
    try:
        header, _first = _parse_header(path, text[:nl].decode("ascii").split("\n"))
    except TraceError:
        return None
    data = text[nl + 1:]
    if data.endswith(b"\n"):
        data = data[:-1]
    if not data or b" " in data:
        return None
    # One flat list t, signal, value, t, signal, value, ... in which each line's time
    # carries a leading space (float() ignores it). With no space in the data, the
    # rows - 1 spaces can only begin time tokens, one each: so, with 3 fields per
    # row in total and every signal and level valid, every row has exactly 3 fields.
    spaced = data.replace(b"\n", b", ")
    flat = spaced.split(b",")
    if len(flat) != 3 * (len(spaced) - len(data) + 1):   # one more character per line end
        return None
    try:
        times = list(map(float, islice(flat, 0, None, 3)))
        signals = list(map(_INTERNED.__getitem__, islice(flat, 1, None, 3)))
        values = list(map(_LEVELS.__getitem__, islice(flat, 2, None, 3)))
    except (ValueError, KeyError):
        return None
    del flat, spaced, data
    # finite (a NaN or an inf makes the sum so), not backwards, within duration_s
    # (sorted() of a sorted list is one pass of comparisons, and it keeps equal times in place)
    if not (times[0] >= 0.0 and math.isfinite(sum(times)) and times == sorted(times)):
        return None
    if header.duration_s is not None and times[-1] > header.duration_s:
        return None
    return Trace(path, header, times, signals, values)


def _read_rows(path: str, text: str) -> Trace:
    """The reference parser: row by row, the first problem reported as ``file:line: what``."""
    lines = text.splitlines()
    header, first = _parse_header(path, lines)
    interned = {s: s for s in SIGNALS}
    levels = {"0": 0, "1": 1}
    times: list[float] = []
    signals: list[str] = []
    values: list[int] = []
    last = 0.0
    lineno = first
    try:
        for lineno, line in enumerate(lines[first:], start=first + 1):
            t_s, sig, val = line.split(",")
            t = float(t_s)
            if t < last:
                raise TraceError(path, lineno, f"time {t_s} goes backwards (previous row {last})")
            last = t
            signals.append(interned[sig])
            values.append(levels[val.strip()])
            times.append(t)
    except TraceError:
        raise
    except (ValueError, KeyError):
        line = lines[lineno - 1]
        if not line.strip():
            raise TraceError(path, lineno, "empty line inside the data") from None
        parts = line.split(",")
        if len(parts) != 3:
            raise TraceError(path, lineno, f"expected 3 fields 't,signal,value', got {len(parts)}: {line[:60]!r}") from None
        try:
            float(parts[0])
        except ValueError:
            raise TraceError(path, lineno, f"time {parts[0][:30]!r} is not a number") from None
        if parts[1] not in interned:
            raise TraceError(path, lineno, f"unknown signal {parts[1][:30]!r} (known: {', '.join(SIGNALS)})") from None
        raise TraceError(path, lineno, f"value {parts[2][:30]!r} is not 0 or 1") from None
    # NaN compares False with everything, so the ordering check above lets it (and what follows) through
    bad = next((i for i, t in enumerate(times) if not math.isfinite(t)), None)
    if bad is not None:
        raise TraceError(path, first + 1 + bad, f"time {lines[first + bad].split(',')[0][:30]!r} is not a finite number")
    if header.duration_s is not None and times and times[-1] > header.duration_s:
        raise TraceError(path, len(lines), f"an edge at t={times[-1]} lies past duration_s={header.duration_s}")
    return Trace(path, header, times, signals, values)


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
