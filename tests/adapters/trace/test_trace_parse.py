"""The streaming trace parser (fast blocks, text blocks, any block size) agrees with the row-by-row reference.

``device/adapters/trace/rows.py`` (the fast parser and the reference) read through
``device/adapters/trace/reader.py`` (blocks of any size, bytes or text).
"""
from __future__ import annotations

import random

import pytest
from hypothesis import given, settings, strategies as st

from device.adapters import trace as T
from device.adapters.trace import reader
from device.adapters.trace.rows import parse_fast
from device.sim.simulate import simulate, write

HEAD = "# deskpulse-trace v1\n# start: 2026-03-02T00:00:00+01:00\n# duration_s: 1000\n# signals: seat,pir\nt,signal,value\n"
ATOMS = ["1.5", "2", "0", "1", "seat", "pir", "button", ",", "\n", "\r", " ", "nan", "inf", "-1", "1e3",
         "\t", "\n\n", "#", "\x0c", "1_0", "é", "", "2000", ",seat,", "\n0,seat,1"]


def _outcome(parse, text):
    try:
        tr = parse(text)
        return "ok", tr.times, tr.signals, tr.values, tr.header
    except T.TraceError as e:
        return "error", str(e)


def _read_in_blocks(tmp_path_factory, text, block):
    path = tmp_path_factory.mktemp("b") / "x.csv"
    path.write_bytes(text.encode())
    return _outcome(lambda _: T.read_trace(str(path), block=block), None), str(path)


@settings(max_examples=400, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), block=st.sampled_from([1, 7, 64, T.BLOCK_BYTES]))
def test_fast_parser_accepts_exactly_what_the_row_parser_accepts(tmp_path_factory, seed, block):
    rnd = random.Random(seed)
    rows, t = [], 0.0
    for _ in range(rnd.randint(0, 6)):
        t += rnd.choice([0, 0.5, 1.25])
        rows.append(f"{t},{rnd.choice(['seat', 'pir', 'button'])},{rnd.choice('01')}")
    body = list("\n".join(rows) + rnd.choice(["", "\n", "\n\n"]))
    for _ in range(rnd.randint(0, 3)):   # a few random insertions, deletions, replacements
        op, pos = rnd.random(), rnd.randint(0, len(body))
        if op < 0.5:
            body.insert(pos, rnd.choice(ATOMS))
        elif body:
            body[min(pos, len(body) - 1):min(pos, len(body) - 1) + 1] = [] if op < 0.8 else [rnd.choice(ATOMS)]
    text = HEAD + "".join(body)
    got, path = _read_in_blocks(tmp_path_factory, text, block)
    assert got == _outcome(lambda x: reader._read_rows(path, x), text.replace("\r\n", "\n").replace("\r", "\n"))


def _counting_rows(monkeypatch):
    calls = []
    rows = reader.parse_rows

    def spy(path, header, limit, last_t, lines, lineno):
        calls.append(len(lines))
        return rows(path, header, limit, last_t, lines, lineno)
    monkeypatch.setattr(reader, "parse_rows", spy)
    return calls


def test_a_simulated_trace_takes_the_fast_path_and_matches(tmp_path, monkeypatch):
    path = tmp_path / "d.csv"
    write(simulate("typical", days=2, seed=3), path)
    text = path.read_text()
    calls = _counting_rows(monkeypatch)
    fast = T.read_trace(str(path), block=4096)   # many blocks, each split mid-file
    assert calls == []
    ref = reader._read_rows(str(path), text)
    assert (fast.times, fast.signals, fast.values, fast.header) == (ref.times, ref.signals, ref.values, ref.header)
    assert all(s in T.SIGNALS for s in fast.signals) and set(fast.values) <= {0, 1}


def _stream(tmp_path):
    path = tmp_path / "h.csv"
    path.write_text(HEAD)
    return T.open_trace(str(path))


@pytest.mark.parametrize("row", ["1,seat", "1,seat,0,1", "1,chair,1", "1,seat,2", "x,seat,1", " 1,seat,1",
                                 "1,seat,1\r", "nan,seat,1", "inf,seat,1", "-1,seat,1", "2000,seat,1"])
def test_odd_rows_leave_the_fast_path(tmp_path, row):
    with _stream(tmp_path) as s:
        assert parse_fast(("0,seat,0\n" + row + "\n5,pir,1\n").encode(), s.last_t, s.limit) is None


@pytest.mark.parametrize("bad", ["nan", "inf", "1e999"])
def test_a_time_that_is_not_finite_is_reported_on_its_line(bad):
    with pytest.raises(T.TraceError) as e:
        reader._read_rows("x.csv", HEAD + "0,seat,0\n" + bad + ",seat,1\n")
    assert str(e.value) == f"x.csv:7: time {bad!r} is not a finite number"


@settings(max_examples=200, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_read_trace_reads_the_file_as_the_text_reader_would(tmp_path_factory, seed):
    # read_trace parses the file's bytes while they are ASCII without '\r' (universal
    # newlines would change nothing) and from the first block that is not, decodes text
    # as the text reader would: small blocks switch from one to the other mid-file
    rnd = random.Random(seed)
    block = rnd.choice([1, 5, 64, T.BLOCK_BYTES])
    rows = [f"{i * rnd.choice([0.5, 1.25, 3])},{rnd.choice(['seat', 'pir', 'button'])},{rnd.choice('01')}"
            for i in range(rnd.randint(0, 6))]
    body = list("\n".join(rows) + rnd.choice(["", "\n"]))
    for _ in range(rnd.randint(0, 3)):
        body.insert(rnd.randint(0, len(body)), rnd.choice(ATOMS + ["\r\n", "\xa0", "\x1f"]))
    path = tmp_path_factory.mktemp("rt") / "x.csv"
    path.write_bytes((HEAD.replace("\n", rnd.choice(["\n", "\r\n"])) + "".join(body)).encode())
    with open(path, encoding="utf-8") as f:
        text = f.read()
    assert _outcome(lambda _: T.read_trace(str(path), block=block), None) == \
        _outcome(lambda x: reader._read_rows(str(path), x), text)
