"""Reading a trace: ``open_trace`` checks the header, ``TraceStream.chunks`` streams the rows block by block.

A replay holds one block at a time whatever the file's length (a year is
~450,000 rows, ten years 98 MB): the file is read in blocks of about
``BLOCK_BYTES`` (``blocks.py``), each parsed and checked (``rows.py``) and
yielded as parallel lists. ``read_trace`` collects every block into one
``Trace`` for tools and tests that want it whole; ``_read_rows`` is the
reference the tests hold it to (a whole text parsed row by row).
"""
from __future__ import annotations

import os
from typing import Iterator

from device.adapters.trace.blocks import blocks
from device.adapters.trace.format import MAX_HEADER_LINES, Trace, TraceError
from device.adapters.trace.header import parse_header, row_limit
from device.adapters.trace.rows import parse_fast, parse_rows

#: bytes read at a time: ~12,500 rows, a few MB while they are replayed. Measured on the
#: 365-day trace: 256 KiB and 1 MiB replay as fast (4 MiB is slower), 1 MiB peaks 14 MB higher.
BLOCK_BYTES = 1 << 18


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
            self._blocks = blocks(self._f, path, block)
            self._first, self._lineno = self._read_header()
        except OSError as e:
            self.close()
            raise TraceError(path, None, e.strerror or str(e)) from None
        except BaseException:
            self.close()
            raise
        # the last time a row may carry: duration_s, the longest span, and the year 9999
        self.limit = row_limit(self.header)
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
        self.header, first = parse_header(self.path, lines)
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
            out = parse_fast(block, self.last_t, self.limit)
            if out is None:
                data = block[:-1] if block.endswith(b"\n") else block
                out = parse_rows(self.path, self.header, self.limit, self.last_t, data.decode("ascii").split("\n"),
                                 lineno)
        else:
            n = len(block)
            out = parse_rows(self.path, self.header, self.limit, self.last_t, block, lineno)
        self._lineno = lineno + n
        if out[0]:
            self.rows += len(out[0])
            self.last_t = out[0][-1]
        return out


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
    header, first = parse_header(path, lines)
    times, signals, values = parse_rows(path, header, row_limit(header), 0.0, lines[first:], first + 1)
    return Trace(path, header, times, signals, values)
