"""Helpers for the coaching tests: the prompts and the exercises done of an event list."""
from __future__ import annotations

MIN = 60.0


def prompts(events):
    return [(round(e.t / MIN, 2), e.data["level"], e.data["beep"]) for e in events if e.type == "prompt"]


def dones(events):
    return [(round(e.t / MIN, 1), e.data["how"], e.data["in_time"]) for e in events if e.type == "exercise_done"]
