"""A trace's header: the ``# key: value`` lines and the CSV header, parsed and checked.

``parse_header`` reports the first problem as ``TraceError`` (``file:line: what``);
``row_limit`` is the last time a row of that trace may carry.
"""
from __future__ import annotations

import math
from datetime import datetime, timezone

from device.adapters.trace.format import (EARLIEST, LATEST, MAGIC, MAX_HEADER_LINES, MAX_SPAN_DAYS, MAX_SPAN_S,
                                          SIGNALS, TraceError, TraceHeader, cut)


def parse_header(path: str, lines: list[str]) -> tuple[TraceHeader, int]:
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
        raise TraceError(path, at, f"'# start: {cut(meta['start'])}' is not an ISO 8601 time") from None
    if start.tzinfo is None:
        raise TraceError(path, at, "'# start:' needs a UTC offset, e.g. 2026-03-02T00:00:00+01:00")
    try:
        start_utc = start.astimezone(timezone.utc)
    except (OverflowError, ValueError):
        start_utc = None
    if start_utc is None or not EARLIEST <= start_utc <= LATEST:
        raise TraceError(path, at, f"'# start: {cut(meta['start'])}' is outside the years 1-9999 "
                                   "a trace can be replayed in")
    duration = None
    if meta.get("duration_s"):
        d_at = where["duration_s"]
        try:
            duration = float(meta["duration_s"])
        except ValueError:
            raise TraceError(path, d_at, f"'# duration_s: {cut(meta['duration_s'])}' is not a number") from None
        if not math.isfinite(duration):
            raise TraceError(path, d_at, f"'# duration_s: {cut(meta['duration_s'])}' is not a finite number")
        if duration < 0:
            raise TraceError(path, d_at, "'# duration_s:' is negative")
        if duration > MAX_SPAN_S:
            raise TraceError(path, d_at, f"'# duration_s: {cut(meta['duration_s'])}' is longer than a trace "
                                         f"may be ({MAX_SPAN_DAYS} days)")
        if duration > (LATEST - start_utc).total_seconds():
            raise TraceError(path, d_at, "'# duration_s:' takes the trace past the year 9999")
    sigs = tuple(s.strip() for s in meta.get("signals", "").split(",") if s.strip())
    for s in sigs:
        if s not in SIGNALS:
            raise TraceError(path, where["signals"],
                             f"unknown signal {cut(s)!r} in '# signals:' (known: {', '.join(SIGNALS)})")
    extra = {k: v for k, v in meta.items() if k not in ("start", "duration_s", "signals", "note")}
    return TraceHeader(start, duration or None, sigs, meta.get("note", ""), extra), i + 1


def row_limit(header: TraceHeader) -> float:
    """The last time a row may carry: ``duration_s``, the longest span, and the year 9999."""
    return min(header.duration_s if header.duration_s is not None else MAX_SPAN_S, MAX_SPAN_S,
               (LATEST - header.start.astimezone(timezone.utc)).total_seconds())
