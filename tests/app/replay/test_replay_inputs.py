"""Replay inputs (#11.9, #11.10): hostile traces end in one line and exit 2, never a hang or a
traceback; a replay, its summary and the simulator work in memory bounded by the work, not the file."""
from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import tracemalloc
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from device import config
from device.sim import simulate as sim
from device.cli import main
from device.app.replay import replay, replay_stream
from device.core.rollup import summarize, summarize_stream
from device.adapters.trace import TraceError, open_trace, read_trace

ROOT = Path(__file__).resolve().parents[3]
HEAD = "# deskpulse-trace v1\n# start: {start}\n# duration_s: {duration}\n# signals: seat,pir\nt,signal,value\n"
# someone sits from 10 s to 4000 s, their legs seen moving every minute and a half
ROWS = "0,pir,0\n0,seat,0\n10,seat,1\n" + "".join(f"{t},pir,1\n{t + 4},pir,0\n" for t in range(12, 3990, 90)) \
    + "4000,seat,0\n"


def _trace(tmp_path, start="2026-03-02T00:00:00+01:00", duration="86400", rows=ROWS, name="t.csv"):
    path = tmp_path / name
    path.write_text(HEAD.format(start=start, duration=duration) + rows)
    return path


def _one_line_error(capsys, path, line=None):
    cap = capsys.readouterr()
    err = cap.err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("deskpulse replay: "), cap.err
    assert "Traceback" not in cap.err
    where = f"{path}:{line}:" if line else f"{path}:"
    assert where in err[0], err[0]
    return err[0], cap.out


# ------------------------------------------------------------------ never hangs (#11.9)

@pytest.mark.parametrize("bad", ["nan", "inf", "-inf", "1e999", "NaN"])
def test_a_duration_that_is_not_finite_is_an_error_on_its_line(tmp_path, capsys, bad):
    # it was accepted, and the replay then stepped the engine for ever
    path = _trace(tmp_path, duration=bad)
    with pytest.raises(TraceError) as e:
        read_trace(str(path))
    assert str(e.value) == f"{path}:3: '# duration_s: {bad}' is not a finite number"
    assert main(["replay", str(path)]) == 2
    _one_line_error(capsys, path, 3)


@pytest.mark.parametrize("t", ["1e308", "1e12", "3.2e8"])
def test_a_time_past_the_longest_trace_is_an_error_on_its_line(tmp_path, t):
    # 1e308 s seated: the engine steps coaching each minute until then, i.e. for ever
    path = _trace(tmp_path, duration="", rows=f"0,seat,0\n10,seat,1\n{t},seat,0\n")
    with pytest.raises(TraceError) as e:
        read_trace(str(path))
    assert str(e.value).startswith(f"{path}:8: time {float(t)} ")


@pytest.mark.parametrize("case", ["nan duration", "inf duration", "time 1e308"])
def test_the_replay_command_ends_on_hostile_traces(tmp_path, case):
    """In a child process, with a limit far above the few seconds it takes: the old replay never ended."""
    duration, rows = {"nan duration": ("nan", ROWS), "inf duration": ("inf", ROWS),
                      "time 1e308": ("", "0,seat,0\n10,seat,1\n1e308,seat,0\n")}[case]
    path = _trace(tmp_path, duration=duration, rows=rows)
    for extra in ([], ["--summary"]):
        try:
            p = subprocess.run([sys.executable, "-m", "device.cli", "replay", str(path), *extra], cwd=ROOT,
                               capture_output=True, text=True, timeout=120)
        except subprocess.TimeoutExpired:
            pytest.fail(f"deskpulse replay {' '.join(extra)} did not end on a trace with {case}")
        assert p.returncode == 2 and len(p.stderr.strip().splitlines()) == 1 and f"{path}:" in p.stderr, p.stderr


@pytest.mark.parametrize("start, line", [("0001-01-01T00:00:00+00:00", 2), ("0001-01-01T00:00:00-05:00", 2),
                                         ("0001-01-01T00:00:00+05:00", 2), ("9999-12-31T00:00:00+00:00", 2),
                                         ("9999-12-31T23:59:59+14:00", 2), ("9999-12-28T12:00:00+00:00", 3)])
def test_summary_of_a_trace_at_the_ends_of_the_calendar_is_one_line(tmp_path, capsys, start, line):
    # a start in year 1 or 9999 was an OverflowError traceback from the summary
    path = _trace(tmp_path, start=start)
    assert main(["replay", "--summary", str(path)]) == 2
    msg, out = _one_line_error(capsys, path, line)
    assert ("'# start:" if line == 2 else "'# duration_s:") in msg and out == ""


@pytest.mark.parametrize("start", ["0001-01-04T00:00:00+00:00", "9999-12-27T00:00:00-12:00"])
@pytest.mark.parametrize("tz", ["", "Pacific/Kiritimati", "Pacific/Pago_Pago", "America/New_York"])
def test_a_trace_just_inside_the_calendar_replays_and_summarises(tmp_path, capsys, start, tz):
    cfg = tmp_path / "c.toml"
    cfg.write_text(f'[device]\ntimezone = "{tz}"\n[coaching]\nday_boundary = "04:00"\n' if tz else "")
    figures = []
    for s in (start, "2026-03-02T00:00:00+00:00"):   # the same rows in our century: the same figures
        path = _trace(tmp_path, start=s)
        assert main(["replay", "--summary", "--config", str(cfg), str(path)]) == 0
        days = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
        figures.append([{k: v for k, v in d.items() if k != "day"} for d in days])
    assert figures[0] == figures[1] and figures[0]


# A bounded, seeded fuzz of the header and the rows: whatever the damage, the replay and its
# summary end with exit 0, or with exit 2 and one line naming the file and the line.
HEADER_ATOMS = ["nan", "inf", "-1", "1e308", "", "0001-01-01T00:00:00+05:00", "9999-12-31T23:00:00-10:00",
                "2026-03-02", "2026-13-02T00:00:00+01:00", "seat,pir,chair", "x" * 300, "\x00", "é", ",",
                "2026-03-02T00:00:00+01:00", "86400", "0", "1e9", "pir"]
ROW_ATOMS = ["nan", "inf", "-inf", "1e308", "-1", "1e9", "0x10", "1_0", "", " ", ",", "\n", "\r", "\r\n",
             "seat", "pir", "button", "chair", "2", "1", "0", "é", "\x0c", "\xff", "#", "5e5", "86399.9999"]


def _fuzzed(rnd: random.Random) -> bytes:
    lines = ["# deskpulse-trace v1", "# start: 2026-03-02T00:00:00+01:00", "# duration_s: 86400",
             "# signals: seat,pir", "# note: fuzz", "t,signal,value"]
    for _ in range(rnd.randint(0, 3)):   # the header: a value replaced, a line dropped, doubled or added
        i = rnd.randrange(len(lines))
        op = rnd.random()
        if op < 0.5 and ":" in lines[i]:
            lines[i] = lines[i].split(":")[0] + ": " + rnd.choice(HEADER_ATOMS)
        elif op < 0.65:
            del lines[i]
        elif op < 0.8:
            lines.insert(i, lines[i])
        else:
            lines.insert(i, "# " + rnd.choice(HEADER_ATOMS) + ": " + rnd.choice(HEADER_ATOMS))
    t, rows = 0.0, []
    for _ in range(rnd.randint(0, 30)):
        t += rnd.choice([0.0, 0.004, 2.0, 40.0, 700.0])
        rows.append([f"{t:.4f}", rnd.choice(["seat", "pir", "button"]), rnd.choice("01")])
    for _ in range(rnd.randint(0, 3)):   # the rows: a field replaced, or something inserted
        if rows and rnd.random() < 0.6:
            row = rows[rnd.randrange(len(rows))]
            row[rnd.randrange(len(row))] = rnd.choice(ROW_ATOMS)
        else:
            rows.insert(rnd.randint(0, len(rows)), [rnd.choice(ROW_ATOMS)])
    text = "\n".join(lines + [",".join(r) for r in rows]) + rnd.choice(["", "\n", "\n", "\n", "\n\n"])
    return text.encode("utf-8", "surrogatepass") if rnd.random() < 0.9 else text.encode("latin-1", "replace")


@settings(max_examples=150, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2**32 - 1), summary=st.booleans())
def test_fuzzed_traces_end_in_one_line_naming_file_and_line(tmp_path_factory, capsys, seed, summary):
    path = tmp_path_factory.mktemp("fz") / "f.csv"
    data = _fuzzed(random.Random(seed))
    path.write_bytes(data)
    capsys.readouterr()
    rc = main(["replay", *(["--summary"] if summary else []), str(path)])
    if rc == 0:
        out = capsys.readouterr().out
        assert all(json.loads(line) for line in out.splitlines())
        return
    assert rc == 2
    msg, _ = _one_line_error(capsys, path)
    line = int(msg.split(f"{path}:")[1].split(":")[0])
    assert 1 <= line <= len(data.decode("utf-8", "replace").splitlines()) + 2, msg


# ------------------------------------------------------------------ streaming (#11.10)

@pytest.fixture(scope="module")
def month(tmp_path_factory):
    path = tmp_path_factory.mktemp("month") / "m.csv"
    sim.write(sim.simulate("fidgety", days=30, seed=11), path)
    return path


@pytest.mark.parametrize("sensor", ["both", "seat", "pir"])
@pytest.mark.parametrize("block", [100, 4096, 1 << 20])
def test_a_streamed_replay_gives_the_whole_replays_events(month, sensor, block):
    cfg = config.load(None, env={})
    whole = [e.to_json() for e in replay(read_trace(str(month)), cfg, sensor)]
    with open_trace(str(month), block=block) as stream:
        streamed = [e.to_json() for e in replay_stream(stream, cfg, sensor)]
    assert streamed == whole and len(whole) > 200


@pytest.mark.parametrize("boundary", ["00:00", "04:00"])
@pytest.mark.parametrize("every", [1, 7, 1000])
def test_the_summary_given_day_by_day_is_the_whole_summary(month, boundary, every):
    b = config.parse_hhmm(boundary)
    events = list(replay(read_trace(str(month)), config.load(None, env={})))
    assert list(summarize_stream(events, b, every=every)) == summarize(events, b)


def _peak(fn) -> int:
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_replay_memory_is_bounded_by_the_block_not_the_file(tmp_path, monkeypatch):
    """Eight times the days, the same peak: the old replay held the whole file, split, and every event."""
    from device.adapters.trace import reader
    monkeypatch.setattr(reader, "BLOCK_BYTES", 16 << 10)   # both files span many blocks
    monkeypatch.setattr(sys, "stdout", open(os.devnull, "w"))   # what is written is not held
    peaks = {}
    for days in (4, 4, 32):   # the first run imports what the replay needs
        path = tmp_path / f"d{days}.csv"
        sim.write(sim.simulate("typical", days=days, seed=2), path)
        for summary in ([], ["--summary"]):
            peaks[days, bool(summary)] = _peak(lambda: main(["replay", *summary, str(path)]))
    sys.stdout.close()
    for summary in (False, True):
        assert peaks[32, summary] < 1.5 * peaks[4, summary], peaks


def test_simulate_memory_is_bounded_by_the_window_not_the_run(tmp_path, monkeypatch, capsys):
    from device.sim import files
    monkeypatch.setattr(files, "WINDOW_DAYS", 7)
    peaks = {days: _peak(lambda: main(["simulate", "--days", str(days), "--out", str(tmp_path / f"s{days}.csv")]))
             for days in (7, 7, 56)}   # the first run imports what it needs
    capsys.readouterr()
    assert peaks[56] < 1.5 * peaks[7], peaks


def test_a_run_of_one_window_is_written_as_before(tmp_path):
    a = sim.write_days("night_owl", 9, 4, tmp_path / "a.csv", pir_model="am312")
    b = sim.write(sim.simulate("night_owl", 9, 4, pir_model="am312"), tmp_path / "b.csv")
    assert Path(a[0]).read_bytes() == Path(b[0]).read_bytes()
    assert Path(a[1]).read_bytes() == Path(b[1]).read_bytes()


@pytest.mark.parametrize("days", [15, 22])
def test_a_run_of_many_windows_is_one_valid_trace(tmp_path, days):
    """Windows join into one trace: levels alternate, one PIR hold, truth sorted, within the run."""
    path, truth, edges, seated = sim.write_days("night_owl", days, 4, tmp_path / "w.csv", window_days=7)
    tr = read_trace(path)
    assert tr.header.duration_s == days * 86400 and len(tr.times) == edges
    for sig in ("seat", "pir"):
        levels = [v for t, s, v in tr.edges({sig})]
        assert all(a != b for a, b in zip(levels, levels[1:])), f"{sig}: a row that changes no level"
    holds = {line for line in Path(path).read_text().splitlines() if line.startswith("# note:")}
    assert len(holds) == 1 and "hold" in holds.pop()
    spans = [tuple(map(float, line.split(","))) for line in Path(truth).read_text().splitlines()[1:]]
    assert all(a < b <= c for (a, b), (c, _) in zip(spans, spans[1:]))
    assert spans[-1][1] <= days * 86400 and sum(b - a for a, b in spans) == pytest.approx(seated, abs=0.01)
    # the windows after the first are seeded apart: no week repeats the first
    week = [round(t % (7 * 86400), 3) for t in tr.times if t < 7 * 86400]
    assert week != [round(t - 7 * 86400, 3) for t in tr.times if 7 * 86400 <= t < 14 * 86400]


def test_mock_pins_remember_a_bounded_history():
    """gpiozero's MockPin appends every change to ``states``: a demo's LED pulse grew it without end."""
    from device.adapters.gpio import backend
    bound = getattr(backend, "MOCK_PIN_STATES", 1000)
    factory = backend.make_pin_factory("mock")
    try:
        pin = factory.pin(17)
        for _ in range(3 * bound):
            pin.drive_high()
            pin.drive_low()
        assert len(pin.states) <= bound and pin.states[-1].state is False
    finally:
        factory.close()
