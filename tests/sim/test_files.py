"""The simulator's files (``device/sim/files.py``): a run written as a trace and a truth file reads back identical.
"""
from __future__ import annotations

from device.adapters.trace import read_trace
from device.sim.days import simulate
from device.sim.files import write
from sim_checks import MONDAY


def test_trace_round_trips_through_reader(tmp_path):
    r = simulate("fidgety", 1, 7, MONDAY, pir_model="am312")
    trace_path, truth_path = write(r, tmp_path / "day.csv")
    assert truth_path == str(tmp_path / "day.truth.csv")
    tr = read_trace(trace_path)
    assert tr.header.start == MONDAY
    assert tr.header.duration_s == 86400
    assert tr.header.signals == ("seat", "pir")
    assert (tr.times, tr.signals, tr.values) == (r.times, r.signals, r.values)
    with open(truth_path, encoding="utf-8") as f:
        lines = f.read().splitlines()
    assert lines[0] == "start,end"
    assert [tuple(map(float, ln.split(","))) for ln in lines[1:]] == r.truth
