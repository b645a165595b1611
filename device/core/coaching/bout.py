"""The bout in progress: continuous sitting up to a break, and its figures (pure).

A bout is continuous sitting; leaving for less than ``break_s`` does not end
it, and the break is taken once the chair has been empty that long (times
are back-dated: the leaving is when the person left). ``BoutTracker`` keeps
whether the person is seated and since when, the seated time so far, and
the prompts and exercises of the bout, for the ``break`` event that closes
it and for ``daemon_stop``'s figures of a bout still open.
"""
from __future__ import annotations

from typing import Any, Callable

INF = float("inf")


class BoutTracker:
    """Occupancy and the record of the bout in progress (``start`` is None between bouts)."""

    def __init__(self) -> None:
        self.seated = False
        self.start: float | None = None
        self.away_since: float | None = None
        self.seated_since = 0.0
        self.seated_s = 0.0
        self.prompts = 0
        self.done = 0                   # exercises done in time (device/core/compliance.py)
        self.max_level = 0
        self.break_due = INF            # when the chair, empty since ``away_since``, makes a break

    def begin(self, t: float) -> None:
        """A new bout starts at ``t``."""
        self.start = t
        self.seated_s = 0.0
        self.prompts = 0
        self.done = 0
        self.max_level = 0

    def sit(self, t: float) -> None:
        if self.seated:
            # seated already: a bout resumed after a restart, its sit confirmed again by sensing;
            # the sit so far (before the restart and during it) stays in the bout's seated time
            self.seated_s += max(0.0, t - self.seated_since)
        self.seated = True
        self.seated_since = t
        self.away_since = None
        self.break_due = INF

    def leave(self, t: float, break_s: float) -> float:
        """Up at ``t``: the break is due ``break_s`` later. Returns the sit just ended, in seconds."""
        self.seated = False
        sat = max(0.0, t - self.seated_since)
        self.seated_s += sat
        self.away_since = t
        self.break_due = t + break_s
        return sat

    def prompted(self, level: int) -> None:
        self.prompts += 1
        self.max_level = max(self.max_level, level)

    def close(self, ts: Callable[[float], str]) -> dict[str, Any]:
        """The break is taken: the bout's figures for the ``break`` event (``ts`` formats a time)."""
        assert self.start is not None and self.away_since is not None
        start, end = self.start, self.away_since
        figures = {
            "bout_start_ts": ts(start), "bout_end_ts": ts(end),
            "bout_s": round(end - start, 3), "seated_s": round(self.seated_s, 3),
            "prompts": self.prompts, "exercises_done": self.done,
            "max_level": self.max_level,
        }
        self.start = None
        self.break_due = INF
        return figures

    def open_figures(self, now: float) -> dict[str, float]:
        """The bout still open at ``now`` on the monotonic axis, for ``daemon_stop``: ``bout_s`` (to
        now if seated, else to the leaving, as a ``break`` would say) and ``sit_s`` (the sit in
        progress). A history that closes the bout there (no resume) needs no wall-clock difference."""
        if self.start is None:
            return {}
        if self.seated:
            return {"bout_s": round(now - self.start, 3), "sit_s": round(max(0.0, now - self.seated_since), 3)}
        end = self.away_since if self.away_since is not None else now
        return {"bout_s": round(max(0.0, end - self.start), 3)}
