"""Reader and writer of the ``deskpulse-trace v1`` raw-input format.

A trace is a few ``# key: value`` header lines, a CSV header ``t,signal,value``
and one row per level change, sorted by ``t`` (seconds since ``start``). The
daemon records its own raw inputs in this format so a real day can be replayed
with other settings; the simulator writes it; the replay reads it.

The reader streams: ``open_trace`` reads the header, then ``TraceStream.chunks``
reads the rows in blocks of about ``BLOCK_BYTES`` and yields them as parallel
lists, so a replay holds one block at a time whatever the file's length (a
year is ~450,000 rows, ten years 98 MB). ``read_trace`` collects every block
into one ``Trace`` for tools and tests that want it whole.

A block of a well-formed file (ASCII, ``\n`` line ends, every row exactly
``t,signal,value``) is parsed without a Python-level loop: one ``split``, then
``map`` over the columns (``float`` for times, dict lookups for signals and
levels, which also validates them) and C-speed checks of order, finiteness
and range. Anything else, or any doubt, takes the row-by-row parser for that
block, which is the reference: it reports the first problem as
``file:line: what``. A file that is not clean ASCII is decoded as the text
reader would (UTF-8, universal newlines, ``str.splitlines`` line ends) and
parsed row by row.
"""
from __future__ import annotations

import codecs
import io
import math
import os
from dataclasses import dataclass, field
from datetime import datetime, timezone
from itertools import islice
from typing import Iterator, TextIO

MAGIC = "# deskpulse-trace v1"
SIGNALS = ("seat", "pir", "button")
# the fast parser's lookups, by the bytes of a field: a signal's (interned) name, a level
_INTERNED = {s.encode(): s for s in SIGNALS}
_LEVELS = {b"0": 0, b"1": 1}
# Characters that str.splitlines() treats as line ends besides "\n": a block holding
# any of them (or any non-ASCII) takes the text path, which splits lines that way.
_OTHER_LINE_ENDS = (b"\r", b"\x0b", b"\x0c", b"\x1c", b"\x1d", b"\x1e")
_TEXT_LINE_ENDS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
# A fixed-width placeholder so a recorder can patch the real duration in place on close.
_DURATION_WIDTH = 14
#: bytes read at a time: ~12,500 rows, a few MB while they are replayed. Measured on the
#: 365-day trace: 256 KiB and 1 MiB replay as fast (4 MiB is slower), 1 MiB peaks 14 MB higher.
BLOCK_BYTES = 1 << 18
#: no line of a trace is anywhere near this long; a longer one is an error, not a reason to hold it
MAX_LINE_BYTES = 1 << 16
MAX_HEADER_LINES = 1000
#: the longest trace: the simulator's limit. The engine steps a seated person's coaching every
#: minute, so a replay's work grows with the span, not only with the rows: this bounds it.
MAX_SPAN_DAYS = 3660
MAX_SPAN_S = MAX_SPAN_DAYS * 86400.0
# Every instant of a trace, and its local date in any zone, must be a datetime: a day of margin
# each side of what datetime can hold (a UTC offset is under a day).
_EARLIEST = datetime(1, 1, 3, tzinfo=timezone.utc)
_LATEST = datetime(9999, 12, 29, tzinfo=timezone.utc)


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


def _cut(text: str, n: int = 30) -> str:
    return text if len(text) <= n else text[:n] + "..."


def _parse_header(path: str, lines: list[str]) -> tuple[TraceHeader, int]:
    """The header of ``lines`` (the file's first lines) and the index of the first data line."""
    if not lines or lines[0].strip() != MAGIC:
        raise TraceError(path, 1, f"not a deskpulse trace: the first line must be '{MAGIC}'")
    meta: dict[str, str] = {}
    where: dict[str, int] = {}
    i = 1
    while i < len(lines) and lines[i].startswith("#"):
        body = lines[i][1:].strip()
        if ":" in body:
            k, _, v = body.partition(":")
            meta[k.strip()] = v.strip()
            where[k.strip()] = i + 1
        i += 1
        if i > MAX_HEADER_LINES:
            raise TraceError(path, i, f"more than {MAX_HEADER_LINES} '#' header lines")
    if i >= len(lines) or lines[i].strip() != "t,signal,value":
        raise TraceError(path, i + 1, "expected the CSV header 't,signal,value'")
    if "start" not in meta:
        raise TraceError(path, i + 1, "missing '# start:' header before the CSV header")
    at = where["start"]
    try:
        start = datetime.fromisoformat(meta["start"])
    except ValueError:
        raise TraceError(path, at, f"'# start: {_cut(meta['start'])}' is not an ISO 8601 time") from None
    if start.tzinfo is None:
        raise TraceError(path, at, "'# start:' needs a UTC offset, e.g. 2026-03-02T00:00:00+01:00")
    try:
        start_utc = start.astimezone(timezone.utc)
    except (OverflowError, ValueError):
        start_utc = None
    if start_utc is None or not _EARLIEST <= start_utc <= _LATEST:
        raise TraceError(path, at, f"'# start: {_cut(meta['start'])}' is outside the years 1-9999 "
                                   "a trace can be replayed in")
    duration = None
    if meta.get("duration_s"):
        d_at = where["duration_s"]
        try:
            duration = float(meta["duration_s"])
        except ValueError:
            raise TraceError(path, d_at, f"'# duration_s: {_cut(meta['duration_s'])}' is not a number") from None
        if not math.isfinite(duration):
            raise TraceError(path, d_at, f"'# duration_s: {_cut(meta['duration_s'])}' is not a finite number")
        if duration < 0:
            raise TraceError(path, d_at, "'# duration_s:' is negative")
        if duration > MAX_SPAN_S:
            raise TraceError(path, d_at, f"'# duration_s: {_cut(meta['duration_s'])}' is longer than a trace "
                                         f"may be ({MAX_SPAN_DAYS} days)")
        if duration > (_LATEST - start_utc).total_seconds():
            raise TraceError(path, d_at, "'# duration_s:' takes the trace past the year 9999")
    sigs = tuple(s.strip() for s in meta.get("signals", "").split(",") if s.strip())
    for s in sigs:
        if s not in SIGNALS:
            raise TraceError(path, where["signals"],
                             f"unknown signal {_cut(s)!r} in '# signals:' (known: {', '.join(SIGNALS)})")
    extra = {k: v for k, v in meta.items() if k not in ("start", "duration_s", "signals", "note")}
    return TraceHeader(start, duration or None, sigs, meta.get("note", ""), extra), i + 1


def _blocks(f, path: str, size: int) -> Iterator[bytes | list[str]]:
    """The file as blocks of whole lines, in order.

    A block is ``bytes`` while the file is clean (ASCII, ``\n`` line ends only:
    then splitting at ``\n`` is what the text reader does), and a list of lines
    (without their ends) from the first block that is not: decoded as UTF-8 with
    universal newlines and split as ``str.splitlines`` splits, like the text
    reader. Nothing longer than a block plus one line is ever held.
    """
    carry = b""
    dec = None
    tcarry = ""
    lines_before = 0
    while True:
        data = f.read(size)
        eof = not data
        if dec is None:
            buf = carry + data if carry else data
            if buf.isascii() and not any(c in buf for c in _OTHER_LINE_ENDS):
                if eof:
                    if buf:
                        yield buf
                    return
                cut = buf.rfind(b"\n") + 1
                carry = buf[cut:]
                if len(carry) > MAX_LINE_BYTES:
                    raise TraceError(path, lines_before + buf.count(b"\n", 0, cut) + 1,
                                     f"a line longer than {MAX_LINE_BYTES} bytes")
                if cut:
                    lines_before += buf.count(b"\n", 0, cut)
                    yield buf[:cut]
                continue
            # from here on, text as the text reader sees it
            dec = io.IncrementalNewlineDecoder(codecs.getincrementaldecoder("utf-8")(), translate=True)
            data, carry = buf, b""
        try:
            text = dec.decode(data, final=eof)
        except UnicodeDecodeError as e:
            raise TraceError(path, lines_before + tcarry.count("\n") + data.count(b"\n", 0, e.start) + 1,
                             "not UTF-8 text") from None
        if tcarry:
            text = tcarry + text
        lines = text.splitlines(keepends=True)
        tcarry = ""
        if not eof and lines and lines[-1][-1] not in _TEXT_LINE_ENDS:
            tcarry = lines.pop()
            if len(tcarry) > MAX_LINE_BYTES:
                raise TraceError(path, lines_before + len(lines) + 1, f"a line longer than {MAX_LINE_BYTES} bytes")
        if lines:
            lines_before += len(lines)
            yield [ln[:-1] if ln[-1] in _TEXT_LINE_ENDS else ln for ln in lines]
        if eof:
            return


class TraceStream:
    """An open trace: ``header`` read and checked, rows to come from ``chunks()``.

    ``chunks()`` may be iterated once; each chunk is ``(times, signals, values)``,
    the rows of about one block, checked as the whole-file reader checks them
    (the first problem raises ``TraceError``). Once it is exhausted, ``rows``,
    ``last_t`` and ``duration_s`` hold the whole file's figures.
    """

    def __init__(self, path: str, block: int | None = None):
        self.path = path
        block = block or BLOCK_BYTES
        try:
            self._f = open(path, "rb")
        except FileNotFoundError:
            raise TraceError(path, None, "no such file") from None
        except IsADirectoryError:
            raise TraceError(path, None, "is a directory, not a trace file") from None
        except OSError as e:
            raise TraceError(path, None, e.strerror or str(e)) from None
        try:
            self._blocks = _blocks(self._f, path, block)
            self._first, self._lineno = self._read_header()
        except OSError as e:
            self.close()
            raise TraceError(path, None, e.strerror or str(e)) from None
        except BaseException:
            self.close()
            raise
        h = self.header
        # the last time a row may carry: duration_s, the longest span, and the year 9999
        self.limit = min(h.duration_s if h.duration_s is not None else MAX_SPAN_S, MAX_SPAN_S,
                         (_LATEST - h.start.astimezone(timezone.utc)).total_seconds())
        self.rows = 0
        self.last_t = 0.0

    def _read_header(self) -> tuple[bytes | list[str], int]:
        """Parse the header from the first block(s); returns the rest of that block and its first line number."""
        lines: list[str] = []
        rest: bytes | list[str] = b""
        for block in self._blocks:
            if isinstance(block, bytes):
                pos = 0
                while pos < len(block):
                    nl = block.find(b"\n", pos)
                    end = len(block) if nl < 0 else nl
                    lines.append(block[pos:end].decode("ascii"))
                    pos = end + 1
                    if not lines[-1].startswith("#"):
                        break
                rest = block[pos:]
            else:
                k = 0
                while k < len(block):
                    lines.append(block[k])
                    k += 1
                    if not lines[-1].startswith("#"):
                        break
                rest = block[k:]
            if lines and not lines[-1].startswith("#"):
                break
            if len(lines) > MAX_HEADER_LINES + 1:
                break
        self.header, first = _parse_header(self.path, lines)
        return rest, first + 1

    def close(self) -> None:
        if self._f is not None:
            self._f.close()
            self._f = None

    def __enter__(self) -> "TraceStream":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @property
    def duration_s(self) -> float:
        """As ``Trace.duration_s``; the last edge's time only once ``chunks()`` is exhausted."""
        return self.header.duration_s or self.last_t

    def chunks(self) -> Iterator[tuple[list[float], list[str], list[int]]]:
        try:
            block = self._first
            self._first = b""
            while True:
                if block:
                    out = self._parse(block)
                    if out[0]:
                        yield out
                block = next(self._blocks, None)
                if block is None:
                    return
        except OSError as e:
            raise TraceError(self.path, None, e.strerror or str(e)) from None
        finally:
            self.close()

    def _parse(self, block: bytes | list[str]) -> tuple[list[float], list[str], list[int]]:
        lineno = self._lineno
        if isinstance(block, bytes):
            n = block.count(b"\n") + (0 if block.endswith(b"\n") else 1)
            out = self._fast(block)
            if out is None:
                data = block[:-1] if block.endswith(b"\n") else block
                out = self._rows(data.decode("ascii").split("\n"), lineno)
        else:
            n = len(block)
            out = self._rows(block, lineno)
        self._lineno = lineno + n
        if out[0]:
            self.rows += len(out[0])
            self.last_t = out[0][-1]
        return out

    def _fast(self, data: bytes):
        """The rows of a clean block without a Python loop, or None to let ``_rows`` decide.

        It returns rows only when the row-by-row parser would return the same ones;
        on anything unusual (a malformed row, a time going backwards, a time that is
        not finite or lies past the limit) it returns None and the reference reports it.
        """
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
        del flat, spaced
        # finite (a NaN or an inf makes the sum so), not backwards, within the limit
        # (sorted() of a sorted list is one pass of comparisons, and it keeps equal times in place)
        if not (times[0] >= self.last_t and math.isfinite(sum(times)) and times[-1] <= self.limit
                and times == sorted(times)):
            return None
        return times, signals, values

    def _rows(self, lines: list[str], lineno: int):
        """The reference parser: row by row, the first problem reported as ``file:line: what``."""
        path = self.path
        interned = {s: s for s in SIGNALS}
        levels = {"0": 0, "1": 1}
        times: list[float] = []
        signals: list[str] = []
        values: list[int] = []
        last, limit, isfinite = self.last_t, self.limit, math.isfinite
        for lineno, line in enumerate(lines, start=lineno):
            parts = line.split(",")
            if len(parts) != 3:
                if not line.strip():
                    raise TraceError(path, lineno, "empty line inside the data")
                raise TraceError(path, lineno, f"expected 3 fields 't,signal,value', got {len(parts)}: {line[:60]!r}")
            t_s, sig, val = parts
            try:
                t = float(t_s)
            except ValueError:
                raise TraceError(path, lineno, f"time {_cut(t_s)!r} is not a number") from None
            if not isfinite(t):
                raise TraceError(path, lineno, f"time {_cut(t_s)!r} is not a finite number")
            if t < last:
                raise TraceError(path, lineno, f"time {_cut(t_s)} goes backwards (previous row {last})")
            if t > limit:
                raise TraceError(path, lineno, self._past(t))
            last = t
            if sig not in interned:
                raise TraceError(path, lineno, f"unknown signal {_cut(sig)!r} (known: {', '.join(SIGNALS)})")
            v = levels.get(val.strip())
            if v is None:
                raise TraceError(path, lineno, f"value {_cut(val)!r} is not 0 or 1")
            times.append(t)
            signals.append(interned[sig])
            values.append(v)
        return times, signals, values

    def _past(self, t: float) -> str:
        h = self.header
        if h.duration_s is not None and t > h.duration_s:
            return f"an edge at t={t} lies past duration_s={h.duration_s}"
        if t > MAX_SPAN_S:
            return f"time {t} is more than {MAX_SPAN_DAYS} days after the start (the longest trace)"
        return f"time {t} lies past the year 9999"


def open_trace(path: str, block: int | None = None) -> TraceStream:
    """Open a trace and read its header; raises ``TraceError`` on the first problem."""
    return TraceStream(os.fspath(path), block)


def read_trace(path: str, block: int | None = None) -> Trace:
    """Read and check a whole trace into memory (tools, tests); the replay streams instead."""
    stream = open_trace(path, block)
    times: list[float] = []
    signals: list[str] = []
    values: list[int] = []
    for t, s, v in stream.chunks():
        times += t
        signals += s
        values += v
    return Trace(stream.path, stream.header, times, signals, values)


def _read_rows(path: str, text: str) -> Trace:
    """The reference: ``text`` (a file's decoded text) parsed line by line, as one block."""
    lines = text.splitlines()
    header, first = _parse_header(path, lines)
    stream = TraceStream.__new__(TraceStream)
    stream.path, stream.header, stream._f = path, header, None
    stream.limit = min(header.duration_s if header.duration_s is not None else MAX_SPAN_S, MAX_SPAN_S,
                       (_LATEST - header.start.astimezone(timezone.utc)).total_seconds())
    stream.last_t = 0.0
    times, signals, values = stream._rows(lines[first:], first + 1)
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
