"""The figures the rollup gives, one table row each: ``DayStats`` (``days``) and ``Bout`` (``bouts``).

The store writes them as they are (``as_row``, columns in table order) and
reads them back (``from_row``); exports and the API take ``as_dict``.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date
from typing import Any, ClassVar

LONG_BOUT_S = (30 * 60, 60 * 60)  # the days table's bouts_over_30 / bouts_over_60 ("reached", >=)


class _Row:
    """A dataclass stored as one table row: ``COLUMNS`` in table order, ``day`` as ISO text,
    and the ``ZERO_IF_NULL`` columns read back as 0 where an old row left them NULL."""

    COLUMNS: ClassVar[tuple[str, ...]] = ()
    ZERO_IF_NULL: ClassVar[tuple[str, ...]] = ()

    def as_row(self) -> tuple:
        return tuple(self.day.isoformat() if c == "day" else getattr(self, c) for c in self.COLUMNS)

    def as_dict(self) -> dict[str, Any]:
        # seconds to the millisecond: sums of event times carry float noise (23739.575000000004)
        d = {k: round(v, 3) if isinstance(v, float) else v for k, v in dataclasses.asdict(self).items()}
        d["day"] = self.day.isoformat()
        return d

    @classmethod
    def from_row(cls, row):
        vals = dict(zip(cls.COLUMNS, tuple(row)))
        vals["day"] = date.fromisoformat(vals["day"])
        for k in cls.ZERO_IF_NULL:
            if vals[k] is None:
                vals[k] = 0
        return cls(**vals)


@dataclass
class DayStats(_Row):
    """One row of the ``days`` table."""

    day: date
    seated_s: float = 0.0
    bouts: int = 0
    longest_bout_s: float = 0.0
    bouts_over_30: int = 0
    bouts_over_60: int = 0
    breaks: int = 0
    prompts: int = 0
    exercises_done: int = 0
    done_pir: int = 0
    done_button: int = 0
    done_break: int = 0
    done_command: int = 0
    done_stood: int = 0
    snoozes: int = 0
    asks: int = 0                    # prompts that asked for an exercise (device/core/compliance.py)
    answered_in_time: int = 0        # asks answered within coaching.done_window_min
    compliance: float | None = None  # 100 * answered_in_time / asks (a percentage); None with no asks

    COLUMNS: ClassVar[tuple[str, ...]] = (
        "day", "seated_s", "bouts", "longest_bout_s", "bouts_over_30", "bouts_over_60", "breaks",
        "prompts", "exercises_done", "done_pir", "done_button", "done_break", "done_command",
        "done_stood", "snoozes", "asks", "answered_in_time", "compliance")
    ZERO_IF_NULL: ClassVar[tuple[str, ...]] = COLUMNS[1:-1]  # compliance stays None: no ask, no figure


@dataclass
class Bout(_Row):
    """One row of the ``bouts`` table (``open`` is not stored: the running bout is rewritten each flush)."""

    day: date
    start_ts: str
    start_utc: float
    end_ts: str
    bout_s: float = 0.0
    seated_s: float = 0.0
    prompts: int = 0
    exercises_done: int = 0
    max_level: int = 0
    open: bool = False

    COLUMNS: ClassVar[tuple[str, ...]] = (
        "start_utc", "start_ts", "end_ts", "day", "bout_s", "seated_s", "prompts", "exercises_done",
        "max_level")
    ZERO_IF_NULL: ClassVar[tuple[str, ...]] = ("bout_s", "seated_s", "prompts", "exercises_done", "max_level")
