"""Rejected commands, rate-limited per source (device/app/daemon/rejects.py)."""
from __future__ import annotations

import json

from device.adapters.store import open_readonly


def test_rejections_held_for_the_next_summary_are_counted_at_a_stop(desk, tmp_path):
    # "Every rejection is in exactly one event's count": the ones past the burst waited for the
    # end of the interval, and a stop before it (a restart, an upgrade) dropped them uncounted.
    from device.app.daemon.rejects import REJECT_BURST
    inbox = tmp_path / "commands"
    d = desk(inbox=inbox).start()
    n = REJECT_BURST + 3
    inbox.mkdir(exist_ok=True)
    for i in range(n):
        (inbox / f"{i + 1:020d}-bad.json").write_text("{not json")
    d.at(d.t + 2)
    assert sum(e.data["count"] for e in d.events("command_rejected")) == REJECT_BURST  # the rest held
    d.daemon.stop("test")
    rows = [json.loads(j) for (j,) in open_readonly(d.db).execute(
        "SELECT json FROM events WHERE type = 'command_rejected'")]
    assert sum(r["count"] for r in rows) == n
