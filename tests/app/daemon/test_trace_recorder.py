"""Recording the raw inputs (device/app/daemon/trace_recorder.py): the trace replays as what the pins saw."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

START = datetime(2026, 3, 2, 8, 0, tzinfo=timezone(timedelta(hours=1)))  # as in conftest


def test_trace_recording_replays_as_what_the_pins_saw(desk, cfg, tmp_path):
    from device.adapters.trace import read_trace
    d = desk(cfg=cfg.replace(history={"record_trace_dir": str(tmp_path / "traces")})).start()
    d.sit(5)
    d.leave(1)
    d.stop()
    (path,) = (tmp_path / "traces").glob("*.csv")
    tr = read_trace(str(path))
    assert tr.header.start == START
    seat = [(round(t), v) for t, s, v in tr.edges({"seat"})]
    assert seat[0] == (0, 0) and seat[1] == (0, 1) and seat[-1] == (300, 0)
    assert tr.duration_s == pytest.approx(362, abs=1)
