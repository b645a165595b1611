"""A bout carried across a restart: the coach's state saved as offsets from now, and restored (pure).

The daemon saves ``export_state`` with its history; the next process gives
it back to ``restore`` with the wall-clock gap it was down for. Times are
saved as seconds *ago*, since each process has its own monotonic axis.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from device.core.exercises import WALK

if TYPE_CHECKING:
    from device.core.coaching.coach import Coach

INF = float("inf")


def export_state(coach: Coach, now: float) -> dict[str, Any]:
    """The bout in progress as wall-clock offsets from ``now``, for a restart."""
    bout, ladder = coach.bout, coach.ladder

    def ago(t: float | None) -> float | None:
        return None if t is None or t in (INF, -INF) else round(now - t, 3)
    return {
        "seated": bout.seated, "bout_start_ago": ago(bout.start),
        "away_since_ago": ago(bout.away_since), "seated_since_ago": ago(bout.seated_since),
        "bout_seated_s": bout.seated_s, "bout_prompts": bout.prompts,
        "bout_done": bout.done, "bout_max_level": bout.max_level,
        "level": ladder.level, "prompt_ago": ago(ladder.prompt_t) if ladder.level else None,
        "ask_ago": ago(ladder.ask_t) if ladder.level else None, "ask_level": ladder.ask_level,
        "anchor_ago": ago(ladder.anchor), "seated_done": ladder.seated_done,
        "walk_beeps": ladder.walk_beeps, "next_exercise": ladder.next_exercise,
        "paused_for": (round(coach.paused_until - now, 3) if coach.paused_until != -INF else None),
    }


def restore(coach: Coach, now: float, s: dict[str, Any], gap_s: float) -> None:
    """Resume a bout after a restart ``gap_s`` seconds (wall clock) after ``s`` was saved.

    The process was down for ``gap_s``: the person is assumed to have
    stayed as they were (sitting or away) until ``now``; the bout goes on
    if they were seated or away for less than ``break_s`` in total.
    """
    if s.get("bout_start_ago") is None:
        return
    bout, ladder = coach.bout, coach.ladder
    back = lambda key: now - gap_s - s[key]
    bout.start = back("bout_start_ago")
    ladder.anchor = back("anchor_ago") if s.get("anchor_ago") is not None else bout.start
    bout.seated_s = float(s.get("bout_seated_s", 0.0))
    bout.prompts = int(s.get("bout_prompts", 0))
    bout.done = int(s.get("bout_done", 0))
    bout.max_level = int(s.get("bout_max_level", 0))
    ladder.seated_done = bool(s.get("seated_done", False))
    ladder.walk_beeps = int(s.get("walk_beeps", 0))
    ladder.next_exercise = int(s.get("next_exercise", 0))
    ladder.level = int(s.get("level", 0))
    if ladder.level and s.get("prompt_ago") is not None:
        ladder.prompt_t = back("prompt_ago")
        ladder.exercise = WALK if ladder.level == 3 else \
            ladder.rotation[(ladder.next_exercise - 1) % len(ladder.rotation)]
        ladder.ask_t = back("ask_ago") if s.get("ask_ago") is not None else ladder.prompt_t
        ladder.ask_level = 3 if ladder.level == 3 else 1
    if s.get("paused_for") is not None:
        coach.paused_until = now - gap_s + s["paused_for"]
    if s.get("seated"):
        bout.seated = True
        bout.seated_since = back("seated_since_ago")
    else:
        bout.away_since = back("away_since_ago") if s.get("away_since_ago") is not None else now - gap_s
        bout.break_due = bout.away_since + coach.cfg.break_s
    ladder.schedule()
