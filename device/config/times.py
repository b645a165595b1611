"""Times of day in settings: ``"09:30"`` and windows like ``"22:00-07:00"``.

Pure parsing (``ValueError`` with a person's wording); the engine uses it for
working and quiet hours, the history for its day boundary, the schema to check
those keys.
"""
from __future__ import annotations

import re
from datetime import time as dtime

_HHMM = r"^([01]?\d|2[0-3]):([0-5]\d)$"  # compiled (and cached by re) when first used: most runs parse no time


def parse_hhmm(v: str) -> dtime:
    m = re.match(_HHMM, v.strip())
    if not m:
        raise ValueError(f"{v!r} is not a time of day like '09:30'")
    return dtime(int(m.group(1)), int(m.group(2)))


def parse_window(v: str) -> tuple[dtime, dtime] | None:
    """``"09:00-18:00"`` -> (09:00, 18:00); ``""`` -> None. May wrap midnight."""
    if not v.strip():
        return None
    a, sep, b = v.partition("-")
    if not sep:
        raise ValueError(f"{v!r} is not a window like '22:00-07:00'")
    start, end = parse_hhmm(a), parse_hhmm(b)
    if start == end:
        # in_window() would be false all day: "09:00-09:00" never prompts (working hours) or never
        # silences (quiet hours); nobody means that, and "" already says "no window"
        raise ValueError("starts and ends at the same time, an empty window; leave it empty for none")
    return start, end

