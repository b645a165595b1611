"""The rollup's running tallies: one bout's and one desk day's figures as events come in (pure).

``_BoutAcc.figures`` turns a bout's tally into its ``Bout`` row, trusting
the engine's own figures (the ``break`` event's, ``daemon_stop``'s) over
differences of wall times where it has them.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from device.core.rollup.rows import Bout

DONE_HOWS = ("pir", "button", "break", "stood", "command")


@dataclass
class _BoutAcc:
    day: date
    start_ts: str
    start_utc: float
    end_ts: str
    end_utc: float
    seated_s: float = 0.0
    prompts: int = 0
    exercises_done: int = 0
    max_level: int = 0
    final: dict[str, Any] | None = None  # the break event's figures, authoritative when present
    # The bout's length as the engine measured it (monotonic) at a daemon_stop, and the wall time
    # it was measured to: later only the wall time past that point is added (device/core/engine.py).
    span_s: float | None = None
    span_utc: float = 0.0

    def figures(self, open_sit_utc: float | None, as_of_utc: float | None) -> Bout:
        f = self.final or {}
        extra = 0.0
        end_utc = self.end_utc
        if self.final is None and open_sit_utc is not None and as_of_utc is not None:
            extra = max(0.0, as_of_utc - open_sit_utc)
            end_utc = max(end_utc, as_of_utc)
        if self.span_s is None:
            wall_s = max(0.0, end_utc - self.start_utc)
        else:
            wall_s = self.span_s + max(0.0, end_utc - self.span_utc)
        bout_s = _num(f.get("bout_s"), wall_s)
        return Bout(day=self.day, start_ts=self.start_ts, start_utc=self.start_utc,
                    end_ts=f.get("bout_end_ts") or self.end_ts, bout_s=bout_s,
                    seated_s=_num(f.get("seated_s"), self.seated_s + extra),
                    prompts=int(_num(f.get("prompts"), self.prompts)),
                    # not the break event's: older engines counted every exercise_done there, late ones too
                    exercises_done=self.exercises_done,
                    max_level=int(_num(f.get("max_level"), self.max_level)),
                    open=self.final is None and open_sit_utc is not None)


def _is_num(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and v == v and abs(v) != float("inf")


def _num(v: Any, default: float) -> float:
    return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else default


@dataclass
class _DayAcc:
    seated_s: float = 0.0
    breaks: int = 0
    prompts: int = 0
    done: dict[str, int] = field(default_factory=lambda: dict.fromkeys(DONE_HOWS, 0))
    exercises_done: int = 0
    snoozes: int = 0
    asks: int = 0
    answered: int = 0
    bouts: list[_BoutAcc] = field(default_factory=list)
