"""A block of a trace's rows parsed and checked: the fast parser and the row-by-row reference.

A block of a well-formed file (ASCII, ``\n`` line ends, every row exactly
``t,signal,value``) is parsed without a Python-level loop (``parse_fast``): one
``split``, then ``map`` over the columns (``float`` for times, dict lookups for
signals and levels, which also validates them) and C-speed checks of order,
finiteness and range. Anything else, or any doubt, takes the row-by-row parser
(``parse_rows``), which is the reference: it reports the first problem as
``file:line: what``. Both take the last time of the rows before (``last_t``)
and the last time a row may carry (``limit``: ``header.row_limit``).
"""
from __future__ import annotations

import math
from itertools import islice

from device.adapters.trace.format import MAX_SPAN_DAYS, MAX_SPAN_S, SIGNALS, TraceError, TraceHeader, cut

# the fast parser's lookups, by the bytes of a field: a signal's (interned) name, a level
_INTERNED = {s.encode(): s for s in SIGNALS}
_LEVELS = {b"0": 0, b"1": 1}


def parse_fast(data: bytes, last_t: float, limit: float):
    """The rows of a clean block without a Python loop, or None to let ``parse_rows`` decide.

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
    if not (times[0] >= last_t and math.isfinite(sum(times)) and times[-1] <= limit
            and times == sorted(times)):
        return None
    return times, signals, values


def parse_rows(path: str, header: TraceHeader, limit: float, last_t: float, lines: list[str], lineno: int):
    """The reference parser: row by row, the first problem reported as ``file:line: what``."""
    interned = {s: s for s in SIGNALS}
    levels = {"0": 0, "1": 1}
    times: list[float] = []
    signals: list[str] = []
    values: list[int] = []
    last, isfinite = last_t, math.isfinite
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
            raise TraceError(path, lineno, f"time {cut(t_s)!r} is not a number") from None
        if not isfinite(t):
            raise TraceError(path, lineno, f"time {cut(t_s)!r} is not a finite number")
        if t < last:
            raise TraceError(path, lineno, f"time {cut(t_s)} goes backwards (previous row {last})")
        if t > limit:
            raise TraceError(path, lineno, _past(header, t))
        last = t
        if sig not in interned:
            raise TraceError(path, lineno, f"unknown signal {cut(sig)!r} (known: {', '.join(SIGNALS)})")
        v = levels.get(val.strip())
        if v is None:
            raise TraceError(path, lineno, f"value {cut(val)!r} is not 0 or 1")
        times.append(t)
        signals.append(interned[sig])
        values.append(v)
    return times, signals, values


def _past(header: TraceHeader, t: float) -> str:
    if header.duration_s is not None and t > header.duration_s:
        return f"an edge at t={t} lies past duration_s={header.duration_s}"
    if t > MAX_SPAN_S:
        return f"time {t} is more than {MAX_SPAN_DAYS} days after the start (the longest trace)"
    return f"time {t} lies past the year 9999"
