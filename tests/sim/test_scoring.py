"""device/sim/scoring.py: score.py's definitions in process, checked by hand and against score.py itself."""
from __future__ import annotations

import importlib.util
from pathlib import Path
from types import SimpleNamespace

import pytest

from device import config
from device.sim import scoring
from device.app.replay import replay
from device.adapters.trace import read_trace

def _score_py(shared: Path):
    spec = importlib.util.spec_from_file_location("score", shared / "tools" / "score.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def ev(type_, t):
    return SimpleNamespace(type=type_, t=t)


def test_a_hand_made_day():
    # Truth: one sitting 0-3600 s, a 60 s step away (a short away spell, bridged in bouts), then 3660-5000.
    truth = [(0.0, 3600.0), (3660.0, 5000.0)]
    # Measured: the sitting noticed 100 s late, the step away not seen, a stray sitting of 200 s later.
    events = [ev("sit_start", 100.0), ev("prompt", 1810.0004), ev("prompt", 3000.0), ev("sit_end", 5000.0),
              ev("sit_start", 8000.0), ev("prompt", 8100.0), ev("sit_end", 8200.0)]
    occ, prompts = scoring.parse_events(events, 86400.0)
    assert occ == [(100.0, 5000.0), (8000.0, 8200.0)]
    assert prompts == [1810.0, 3000.0, 8100.0]     # to the millisecond, as the JSON line carries it
    row = scoring.score_day("x", truth, occ, prompts)
    # truth 4940 s, measured 4900 + 200 = 5100 s, both 4840 s; union 4940 + 5100 - 4840 = 5200
    assert (row["truth_s"], row["measured_s"], row["intersection_s"], row["union_s"]) == (4940, 5100, 4840, 5200)
    # bouts: truth 0-5000 (the 60 s gap bridged), measured as is: 4900 in common of 5000 + 200
    assert (row["bout_intersection_s"], row["bout_union_s"]) == (4900, 5200)
    # one bout due a prompt at 1800: 1810 is in [1770, 1860]; 3000 is later in the bout (not false),
    # 8100 is while nobody sits (false)
    assert (row["prompts_due"], row["prompts_hit"], row["prompts_false"], row["prompts"]) == (1, 1, 1, 3)
    agg = scoring.aggregate([row])
    assert agg["iou"] == round(4840 / 5200, 4) and agg["bout_iou"] == round(4900 / 5200, 4)
    assert agg["time_err_pct"] == round(100 * 160 / 4940, 2)
    assert agg["prompt_recall"] == 1.0 and agg["false_prompts"] == 1
    assert scoring.missed_prompts(truth, [1900.0]) == [1800.0]
    assert scoring.false_prompts(truth, [1700.0, 5119.0, 5121.0]) == [1700.0, 5121.0]


def test_parse_ignores_what_score_py_ignores():
    events = [ev("sit_end", 5.0), ev("sit_start", 10.0), ev("sit_start", 20.0), ev("status", 30.0),
              ev("sit_end", 40.0), ev("sit_start", 50.0)]
    assert scoring.parse_events(events, 100.0) == ([(10.0, 40.0), (50.0, 100.0)], [])


def test_the_same_figures_as_score_py_on_a_hand_made_case(tmp_path, shared_dir):
    score = _score_py(shared_dir)
    trace = tmp_path / "d.csv"
    trace.write_text("# deskpulse-trace v1\n# start: 2026-03-02T00:00:00+01:00\n# duration_s: 86400\n"
                     "# signals: seat\nt,signal,value\n0.0000,seat,0\n")
    (tmp_path / "d.truth.csv").write_text("start,end\n0.000,3600.000\n3660.000,5000.000\n")
    events = [ev("sit_start", 100.0), ev("prompt", 1810.0004), ev("sit_end", 5000.0), ev("prompt", 9000.0)]
    lines = [f'{{"type": "{e.type}", "t": {e.t:.3f}}}' for e in events]
    occ, prompts = scoring.parse_events(events, 86400.0)
    mine = scoring.score_day("d.csv", scoring.read_truth(str(tmp_path / "d.truth.csv")), occ, prompts)
    assert mine == score.score(str(trace), lines)
    assert scoring.aggregate([mine]) == score.aggregate([score.score(str(trace), lines)])


@pytest.mark.parametrize("sensor", ["both", "seat", "pir"])
def test_the_same_rows_as_score_py_on_the_dev_days(sensor, shared_dir):
    dev = shared_dir / "traces" / "dev"
    score = _score_py(shared_dir)
    cfg = config.load(None, env={})
    theirs, mine = [], []
    for p in sorted(p for p in dev.glob("*.csv") if not p.name.endswith(".truth.csv")):
        tr = read_trace(str(p))
        events = list(replay(tr, cfg, sensor))
        theirs.append(score.score(str(p), [e.to_json() for e in events]))
        occ, prompts = scoring.parse_events(events, tr.duration_s)
        mine.append(scoring.score_day(p.name, scoring.read_truth(str(p)[:-4] + ".truth.csv"), occ, prompts))
    assert mine == theirs
    assert scoring.aggregate(mine) == score.aggregate(theirs)
