"""What a doctor check returns, and the screen and exit code made of them all.

A check never raises: it returns a :class:`Check` with ``ok``, ``warn`` or
``FAIL``, one line of what it saw, optional detail lines and, unless ok, one
line saying how to fix it. ``render`` lays them out one per line with the fixes
under them; ``exit_code`` is 1 if anything FAILs.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

OK, WARN, FAIL = "ok", "warn", "FAIL"


@dataclass(frozen=True)
class Check:
    name: str
    status: str
    summary: str
    notes: tuple[str, ...] = ()
    fix: str = ""


def render(checks: Iterable[Check]) -> str:
    checks = list(checks)
    width = max(len(c.name) for c in checks) + 2
    out = []
    for c in checks:
        out.append(f"  {c.status:<5} {c.name:<{width}}{c.summary}")
        out.extend(f"  {'':<5} {'':<{width}}{note}" for note in c.notes)
        if c.fix and c.status != OK:
            out.append(f"  {'':<5} {'fix:':<{width}}{c.fix}")
    fails = sum(c.status == FAIL for c in checks)
    warns = sum(c.status == WARN for c in checks)
    if fails:
        out.append(f"{fails} FAIL, {warns} warn: deskpulse run would not work here; fix the FAIL lines first.")
    else:
        out.append(f"no failures ({warns} warn)." if warns else "all checks ok.")
    return "\n".join(out) + "\n"


def exit_code(checks: Iterable[Check]) -> int:
    return 1 if any(c.status == FAIL for c in checks) else 0
