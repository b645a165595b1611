"""Argument checks shared by the commands: text in, a value or one ``UserError`` line out.

The commands take numbers as text and check them here rather than with
argparse's ``type=``, whose usage dump and wording differ from every other
deskpulse mistake (one line naming the flag, exit 2).
"""
from __future__ import annotations

from device.errors import UserError

MAX_SEED = 2**63
MAX_DAYS = 3660


def number(flag: str, text: str, lo: float, hi: float, kind: type = float, unit: str = ""):
    """``text`` as ``kind`` (float or int) within ``lo..hi``; ``flag`` without its dashes."""
    try:
        n = kind(text)
    except (TypeError, ValueError):
        what = "whole number" if kind is int else "number"
        raise UserError(f"--{flag} {text!r} is not a {what}{' of ' + unit if unit else ''}") from None
    if not lo <= n <= hi or n != n:
        fmt = lambda v: str(int(v)) if v == int(v) else f"{v:g}"  # noqa: E731
        raise UserError(f"--{flag} {text} is outside {fmt(lo)}..{fmt(hi)}{' ' + unit if unit else ''}")
    return n


def whole(flag: str, text: str, lo: int, hi: int) -> int:
    return number(flag, text, lo, hi, int)


def days(text: str) -> int:
    return whole("days", text, 1, MAX_DAYS)


def seed(text: str) -> int:
    return whole("seed", text, 0, MAX_SEED)


def profile(flag: str, text: str) -> str:
    """A simulated person's profile name."""
    from device.sim.simulate import PROFILES
    if text not in PROFILES:
        raise UserError(f"--{flag} {text!r}: unknown profile (known: {', '.join(PROFILES)})")
    return text


def speed(text: str) -> float | None:
    """``max`` -> None (a fake clock that jumps), else simulated seconds per real second."""
    return None if text == "max" else number("speed", text, 0.001, 1e6)
