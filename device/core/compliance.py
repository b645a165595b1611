"""Compliance: which prompts asked for an exercise, and which were answered in time (pure logic).

One definition for every figure (the ``days`` table, exports, the API, the
MQTT state, Home Assistant, Today and History), so it lives here and nowhere
else:

- An **ask** is a prompt that asks for something new: the seated routine
  (level 1) or the walk (level 3), the first prompt of its level. The
  reminder (level 2) and the walk's repeated beeps ask for the same thing
  again, so they belong to the standing ask. A test prompt is never an ask.
- An ask is **answered in time** when, within ``coaching.done_window_min``
  (default 10 min) of the ask's prompt, something answers it: for the seated
  routine, leg movement (the PIR), standing up and sitting back down
  (``stood``), the button or a command; for the walk, a break (timed from the
  moment the person left), the button or a command.
- Anything else is not answered: done later (a break 32 minutes on ends the
  ladder, but late), snoozed (the prompt after a snooze is a new ask),
  paused, or simply ignored.
- An ask given after the person had already left (the seated routine is
  given while someone is up short of a break) that then turns into a break was
  seen by nobody: it is withdrawn, neither asked nor answered.
- **compliance** = asks answered in time / asks, as a percentage (0-100),
  over any span (a day, a week: sums of both counts, never an average of
  daily percentages). No asks, no figure (None / null), never 100 %.

The engine marks each ``exercise_done`` with ``in_time`` (it knows the
configured window and when the person left). Events written before that
field existed are judged here by the same rule with the default window.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

#: The default ``coaching.done_window_min``, in seconds: used for events older than ``in_time``.
DEFAULT_WINDOW_S = 600.0
#: The default ``coaching.break_s``: an old ``exercise_done(how=break)`` came this long after the leaving.
DEFAULT_BREAK_S = 120.0

#: What answers each kind of ask (the ``how`` of ``exercise_done``).
ANSWERS = {1: frozenset({"pir", "stood", "button", "command"}), 3: frozenset({"break", "button", "command"})}


def is_ask(data: dict[str, Any]) -> bool:
    """Whether a prompt event's data opens a new ask (see the module docstring)."""
    if data.get("test"):
        return False
    return data.get("level") in (1, 3) and data.get("repeat", 1) == 1


def answers(ask_level: int, how: str) -> bool:
    """Whether an exercise done this way answers an ask of this level."""
    return how in ANSWERS.get(3 if ask_level == 3 else 1, ())


def in_time(ask_level: int, ask_t: float, how: str, act_t: float, window_s: float) -> bool:
    """Answered in time: an answer to this ask, acted on within ``window_s`` of the ask's prompt."""
    return answers(ask_level, how) and act_t - ask_t <= window_s


def percent(answered: int, asks: int) -> float | None:
    """Compliance as a percentage to one decimal (the same digits in the history, exports, API and MQTT), or None with nothing asked."""
    return round(100.0 * answered / asks, 1) if asks else None


@dataclass
class Ask:
    utc: float
    level: int                        # 1 (seated routine) or 3 (walk)
    tag: Any = None                   # the caller's (the rollup's desk day)
    how: str | None = None            # what ended it: an exercise_done's how, "snooze", "pause", "break"
    done_utc: float | None = None     # when it was acted on (a break: when the person left)
    answered: bool = False            # in time
    withdrawn: bool = False           # prompted after the person had left, then a break: nobody saw it
    closed: bool = False


def _utc(ts: Any) -> float | None:
    try:
        wall = datetime.fromisoformat(ts)
    except (TypeError, ValueError):
        return None
    return wall.timestamp() if wall.tzinfo is not None else None


class Asks:
    """Follows one stream of events (emission order) and tells each ask's fate.

    ``feed(type, utc, data, tag)`` returns ``(what, ask)``: ``"ask"`` (a new
    ask opened), ``"again"`` (a reminder or repeat of the standing ask),
    ``"answered"`` (the standing ask was answered in time), ``"late"`` (done,
    but not in time), ``"withdrawn"`` (see the module docstring),
    ``"snoozed"`` or ``"paused"`` (it ended unanswered), or ``(None, None)``. Only one ask stands at a time, as on the desk.
    """

    def __init__(self, window_s: float = DEFAULT_WINDOW_S):
        self.window_s = window_s
        self.open: Ask | None = None
        self._by_break: Ask | None = None   # ended by exercise_done(how=break): the break event says when they left
        self._after_break: Ask | None = None  # standing at a break: an exercise_done(how=break) may follow

    def _close(self) -> None:
        if self.open is not None:
            self.open.closed = True
        self.open = None

    def feed(self, typ: str, utc: float, data: dict[str, Any], tag: Any = None) -> tuple[str | None, Ask | None]:
        ask = self.open
        if typ == "break" and self._by_break is not None:
            done, self._by_break = self._by_break, None
            left = _utc(data.get("bout_end_ts"))
            if left is not None and left <= utc:
                done.done_utc = left
            return None, None
        self._by_break = None
        after, self._after_break = self._after_break, None
        if typ == "exercise_done" and ask is None and after is not None and data.get("how") == "break":
            # (a stream where the break came first: the exercise_done it caused follows it)
            flag = data.get("in_time")
            after.answered = flag if isinstance(flag, bool) else \
                in_time(after.level, after.utc, "break", after.done_utc, self.window_s)
            return ("answered" if after.answered else "late"), after
        if typ == "prompt":
            if data.get("test"):
                return None, None
            if is_ask(data) or ask is None:
                self._close()
                level = data.get("level")
                self.open = Ask(utc=utc, level=3 if level == 3 else 1, tag=tag)
                return "ask", self.open
            return "again", ask
        if ask is None:
            return None, None
        if typ == "exercise_done":
            how = data.get("how")
            flag = data.get("in_time")
            ask.how, ask.done_utc = how, utc
            self._close()
            if how == "break":
                self._by_break = ask
            if isinstance(flag, bool):
                ask.answered = flag
            else:   # an event from before ``in_time``: a break was stamped break_s after the person left
                act = utc - DEFAULT_BREAK_S if how == "break" else utc
                ask.answered = in_time(ask.level, ask.utc, how, act, self.window_s)
            return ("answered" if ask.answered else "late"), ask
        if typ == "break":
            left = _utc(data.get("bout_end_ts"))
            self._close()
            if ask.how is None and left is not None and ask.utc > left:
                ask.withdrawn = True
                return "withdrawn", ask
            if ask.how is None:
                ask.how, ask.done_utc = "break", left if left is not None else utc
                self._after_break = ask
            return None, None
        if typ in ("snooze", "pause"):
            ask.how, ask.done_utc = typ, utc
            self._close()
            return ("snoozed" if typ == "snooze" else "paused"), ask
        if (typ == "sit_start" and data.get("new_bout")) or (typ == "daemon_start" and not data.get("resumed_bout")):
            self._close()
        return None, None
