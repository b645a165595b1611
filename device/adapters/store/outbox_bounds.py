"""The outbox table's bounds: rows past the age or size bound are dropped; queued times follow clock steps.

Both writers of the ``outbox`` table apply them inside a transaction of their own: the
store at its flush (``device/adapters/store/upkeep.py``: with no broker configured no MQTT
sink runs to do it) and the MQTT sink's ``Outbox.prune`` (``device/adapters/store/outbox.py``).
"""
from __future__ import annotations

import json
import sqlite3

#: A change of the wall clock against the monotonic one larger than this is a step (NTP after a
#: boot without an RTC, a clock set by hand), not an adjustment: NTP slews at most 0.5 ms a second.
CLOCK_STEP_S = 60.0
CLOCK_KEY = "outbox_clock"


def follow_clock_steps(conn: sqlite3.Connection, wall: float, mono: float, boot: str | None) -> float:
    """Keep the queued rows' ages true when the wall clock steps; returns the step (0.0: none seen).

    ``created_utc`` is wall time, and the age bound compares it with the wall clock, so a Pi
    that booted in 1970 and then met NTP would find every row it queued meanwhile 56 years
    old and drop it undelivered. The offset between the wall and the monotonic clock is kept
    in ``kv`` with the boot it belongs to; when it has moved (within the same boot: the
    monotonic clock is the kernel's, shared by every process), the rows move with it. Across
    a reboot the monotonic clock starts again and nothing can be compared: the offset is only
    recorded. The caller owns the transaction (the store's flush, the sink's prune), so two
    connections never apply one step twice.
    """
    if boot is None:
        return 0.0
    offset = wall - mono
    row = conn.execute("SELECT value FROM kv WHERE key = ?", (CLOCK_KEY,)).fetchone()
    try:
        saved = json.loads(row[0]) if row and row[0] else None
    except ValueError:
        saved = None
    step = 0.0
    if isinstance(saved, dict) and saved.get("boot") == boot and isinstance(saved.get("offset"), (int, float)):
        step = offset - saved["offset"]
        if abs(step) < CLOCK_STEP_S:
            return 0.0
        conn.execute("UPDATE outbox SET created_utc = created_utc + ?", (round(step),))
    conn.execute("INSERT INTO kv (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                 (CLOCK_KEY, json.dumps({"boot": boot, "offset": round(offset, 3)})))
    return step


def prune_outbox(conn: sqlite3.Connection, now: float, max_age_s: float, max_rows: int) -> tuple[int, int]:
    """Delete outbox rows queued before ``now - max_age_s`` and all but the newest ``max_rows``.

    Returns (too old, over the row bound). The caller owns the transaction and the logging.
    """
    old = conn.execute("DELETE FROM outbox WHERE created_utc < ?", (now - max_age_s,)).rowcount
    over = conn.execute("DELETE FROM outbox WHERE seq <= (SELECT seq FROM outbox ORDER BY seq DESC "
                        "LIMIT 1 OFFSET ?)", (max_rows,)).rowcount
    return old, over
