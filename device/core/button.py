"""The desk's button as the engine reads it: a press is "done", a hold is "snooze" (pure timing).

A press released before ``gpio.button_hold_s`` answers the standing prompt
(``exercise_done`` with ``how="button"``); one held that long snoozes it at
the moment it has been held long enough, not at its release. Any press is
also a sign of a person at the desk (the engine tells coaching).
"""
from __future__ import annotations

INF = float("inf")


class Button:
    """One button's press and hold timer; ``due`` is when the press still down becomes a snooze."""

    def __init__(self, hold_s: float):
        self.hold_s = hold_s
        self.down: float | None = None
        self.due = INF

    def edge(self, t: float, value: int) -> bool:
        """A press (1) or release (0) at ``t``: True when the release ends a short press ("done")."""
        if value:
            if self.down is None:
                self.down = t
                self.due = t + self.hold_s
            return False
        if self.down is None:
            return False
        held = t - self.down
        self.down = None
        short = self.due != INF and held < self.hold_s
        self.due = INF
        return short

    def held(self, now: float) -> bool:
        """Whether the press has been held to its snooze by ``now`` (True once; the release is then nothing)."""
        if self.due <= now:
            self.due = INF
            return True
        return False
