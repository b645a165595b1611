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

The modules, one job each:

- ``format.py``: what a trace is (magic line, signals, limits, ``TraceError``,
  ``TraceHeader``, ``Trace``);
- ``header.py``: parsing and checking the header;
- ``blocks.py``: the file as blocks of whole lines (bytes, or decoded text);
- ``rows.py``: a block's rows, the fast parser and the row-by-row reference;
- ``reader.py``: ``open_trace``, ``TraceStream``, ``read_trace``;
- ``writer.py``: ``TraceWriter``, for the daemon's recording.

This package's names are re-exported here (stdlib only, so importing it is light).
"""
from __future__ import annotations

from device.adapters.trace.blocks import MAX_LINE_BYTES
from device.adapters.trace.format import (MAGIC, MAX_HEADER_LINES, MAX_SPAN_DAYS, MAX_SPAN_S, SIGNALS, Trace,
                                          TraceError, TraceHeader)
from device.adapters.trace.reader import BLOCK_BYTES, TraceStream, open_trace, read_trace
from device.adapters.trace.writer import TraceWriter

__all__ = ["BLOCK_BYTES", "MAGIC", "MAX_HEADER_LINES", "MAX_LINE_BYTES", "MAX_SPAN_DAYS", "MAX_SPAN_S", "SIGNALS",
           "Trace", "TraceError", "TraceHeader", "TraceStream", "TraceWriter", "open_trace", "read_trace"]
