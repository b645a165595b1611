"""benchmarks/accuracy.py: the fixed evaluation set, and the harness end to end on a few days."""
from __future__ import annotations

import importlib.util
import json
from datetime import datetime
from pathlib import Path

import pytest

from device import config
from device.sim import scoring
from device.sim import simulate as sim
from device.app.replay import replay
from device.adapters.trace import Trace, TraceHeader

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def acc():
    spec = importlib.util.spec_from_file_location("accuracy", ROOT / "benchmarks" / "accuracy.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_the_fixed_set_covers_every_profile_and_pir_model(acc):
    assert set(acc.PROFILE_SEED) == set(sim.PROFILES) and set(acc.PIR_SEED) == set(sim.PIR_MODELS)
    fixed, holdout = acc.day_specs("fixed"), acc.day_specs("holdout")
    assert {(p, m) for _, p, m, _, _ in fixed} == {(p, m) for p in sim.PROFILES for m in sim.PIR_MODELS}
    per_cell = {}
    for _, p, m, _, days in fixed:
        per_cell[p, m] = per_cell.get((p, m), 0) + days
    assert min(per_cell.values()) >= 2 and sum(per_cell.values()) >= 60
    seeds = [s for *_, s, _ in fixed]
    assert len(set(seeds)) == len(seeds), "every trace its own seed"
    assert not set(seeds) & {s for *_, s, _ in holdout}, "the holdout shares no day with the fixed set"


def test_object_figures_attribute_calls_to_bags_and_sittings(acc):
    bags = [(1000.0, 2000.0), (5000.0, 6000.0), (9000.0, 9500.0)]
    truth = [(0.0, 950.0), (3000.0, 4000.0), (7000.0, 8000.0)]
    calls = [(1000.0, 1300.0), (1000.0, 1500.0),   # the first bag, decided in 300 s (then again)
             (4980.0, 5400.0),                     # the second, back-dated to the person's stand-up
             (3100.0, 3500.0),                     # a real sitting called an object
             (7100.0, 9200.0)]                     # decided during the third bag, back-dated far
                                                   # into the sitting before it: both count
    o = acc.object_figures(calls, bags, truth)
    assert o["bags"] == 3 and o["bags_told"] == 3 and o["decision_s"] == [300.0, 400.0, 200.0]
    assert o["sits"] == 3 and o["sits_called"] == 2    # 3000-4000 and 7000-8000, not 0-950
    # back-dated less than 120 s before the press (the stand-up and walk away): the bag's alone
    assert acc.object_figures([(8900.0, 9100.0)], bags, truth)["sits_called"] == 0
    assert acc.object_figures([(7990.0, 9100.0)], bags, truth)["sits_called"] == 1
    assert acc.object_figures([], bags, truth) == {"bags": 3, "bags_told": 0, "decision_s": [], "sits": 3,
                                                   "sits_called": 0}


def test_a_known_day_end_to_end(acc):
    """A seat pressed 600-7800 s while the truth says 0-7800: every figure is known beforehand.

    (A 2 s weight shift every 10 minutes, so that nothing takes the person for a bag.)"""
    start = datetime.fromisoformat("2026-03-02T00:00:00+01:00")
    times = [0.0, 600.0]
    for k in range(1, 12):
        times += [600.0 + 600 * k, 602.0 + 600 * k]
    times.append(7800.0)
    tr = Trace("<hand-made>", TraceHeader(start, 86400.0, ("seat",)), times, ["seat"] * len(times),
               [i % 2 for i in range(len(times))])
    res = acc.run_trace(None, tr, [(0.0, 7800.0)], [(8000.0, 9000.0)], ("seat",), config.load(None, env={}), "x")
    row = res["rows"]["seat"]
    assert res["days"] == 1.0
    assert row["truth_s"] == 7800 and row["intersection_s"] == 7200
    assert 7200 <= row["measured_s"] <= 7210 and row["union_s"] == 7800 + row["measured_s"] - 7200
    # due at 1800; the sensing first saw them at 600, so its 30 minutes end at 2400: missed, not false
    assert row["prompts_due"] == 1 and row["prompts_hit"] == 0 and row["missed_at"] == [1800.0]
    assert row["prompts_false"] == 0 and row["prompts"] >= 1
    s = acc.summarise([res], "seat")
    assert s["iou"] == round(7200 / row["union_s"], 4) and s["prompt_recall"] == 0.0 and s["false_prompts"] == 0
    assert s["time_err_pct"] == round(100 * (row["measured_s"] - 7800) / 7800, 2)


def test_the_harness_scores_as_replay_and_scoring_do(acc, capsys):
    rc = acc.main(["--profile", "bag_carrier,typical", "--pir", "am312", "--days", "1", "--workers", "1", "--json"])
    assert rc == 0
    out = json.loads(capsys.readouterr().out)
    fixed = out["sets"]["fixed"]
    assert set(fixed) == {"both", "seat", "pir"}
    # the same days replayed and scored here, the plain way
    cfg = config.load(None, env={})
    for sensor in ("both", "seat", "pir"):
        rows = []
        for _, p, m, seed, days in acc.day_specs("fixed", ["bag_carrier", "typical"], ["am312"], 1):
            r = sim.simulate(p, days, seed, pir_model=m)
            occ, prompts = scoring.parse_events(replay(acc.trace_of(r), cfg, sensor), r.duration_s)
            rows.append(scoring.score_day("", r.truth, occ, prompts))
        want = scoring.aggregate(rows)
        got = fixed[sensor]["summary"]
        for k in ("iou", "bout_iou", "time_err_pct", "prompt_recall", "false_prompts"):
            assert got[k] == want[k], (sensor, k)
        assert got["days"] == 2 * acc.SEEDS_PER_CELL
        cells = fixed[sensor]["by_cell"]
        assert sum(c["false"] for c in cells.values()) == want["false_prompts"]
        if got["objects"] is not None:
            assert got["objects"]["bags"] >= 1


def test_the_text_report_and_the_dev_folder(acc, capsys, tmp_path):
    r = sim.simulate("typical", 1, 3, pir_model="am312")
    sim.write(r, tmp_path / "a.csv")
    rc = acc.main(["--split", "none", "--dev", str(tmp_path), "--sensor", "seat", "--workers", "1"])
    out = capsys.readouterr().out
    assert rc == 0
    assert "dev (1 d)" in out and "prompt recall" in out and "≥ 0.98" in out


@pytest.mark.parametrize("argv", [["--sensor", "legs"], ["--profile", "sloth"], ["--pir", "x"], ["--days", "0"],
                                  ["--dev", "/no/such/dir"]])
def test_bad_arguments_exit_2_with_one_line(acc, capsys, argv):
    assert acc.main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("accuracy.py:")


def test_object_figures_come_from_sensing_object_calls(acc, monkeypatch, capsys):
    """The figures are read from ``Sensing.object_calls`` (n/a while it is absent, and for PIR alone)."""
    r = sim.simulate("bag_carrier", 1, 3, pir_model="am312")
    assert r.bags
    on, off = r.bags[0]
    assert off - on > 60
    fake = [(on, on + 60.0), (r.truth[0][0], r.truth[0][0] + 600.0)]
    plain = acc.replay

    def replay_with_calls(trace, cfg, sensor, on_engine):
        engines = []
        events = list(plain(trace, cfg, sensor, on_engine=lambda e: (engines.append(e), on_engine(e))))
        engines[0].sensing.object_calls = list(fake)     # what sensing would have recorded
        return events

    monkeypatch.setattr(acc, "replay", replay_with_calls)
    res = acc.run_trace(r, acc.trace_of(r), r.truth, r.bags, ("both", "pir"), config.load(None, env={}), "x")
    o = res["rows"]["both"]["objects"]
    assert o["bags"] == len(r.bags) and o["bags_told"] == 1 and o["decision_s"] == [60.0]
    assert o["sits"] == len(r.truth) and o["sits_called"] == 1
    assert res["rows"]["pir"]["objects"] is None
    s = acc.summarise([res], "both")["objects"]
    assert (s["decision_median_s"], s["decision_p90_s"], s["decision_max_s"]) == (60.0, 60.0, 60.0)
    res.update(split="fixed", profile="bag_carrier", pir="am312", seed=3)
    acc.print_report({"fixed": [res]}, ("both",), False)
    out = capsys.readouterr().out
    assert f"1/{len(r.bags)}" in out and "60/60/60" in out and f"1/{len(r.truth)}" in out
