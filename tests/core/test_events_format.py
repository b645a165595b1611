"""Event ids and JSON lines: the fast formatting gives exactly what the plain code gives."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

from hypothesis import given, settings, strategies as st

from device.core import events

_scalars = st.one_of(st.none(), st.booleans(), st.integers(-2**70, 2**70), st.floats(allow_nan=True, allow_infinity=True),
                     st.text(max_size=8))
_values = st.recursive(_scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3),
                       max_leaves=6)
_keys = st.one_of(st.text(max_size=6), st.sampled_from(["t", "v", "id", "level"]), st.integers(0, 9), st.none())


@settings(max_examples=500, deadline=None)
@given(data=st.dictionaries(_keys, _values, max_size=6), t=st.one_of(st.floats(), st.integers(-10**6, 10**12)),
       v=st.sampled_from([1, 2, True]), text=st.text(max_size=10))
def test_to_json_is_json_dumps_of_to_dict(data, t, v, text):
    ev = events.Event(type="prompt", t=t, ts=text or "2026-03-02T08:30:00.123+01:00", id=text or "ID", data=data, v=v)
    try:
        want = json.dumps(ev.to_dict(), separators=(",", ":"), sort_keys=False)
    except (TypeError, ValueError) as e:
        want = type(e)
    try:
        got = ev.to_json()
    except (TypeError, ValueError) as e:
        got = type(e)
    assert got == want


@settings(max_examples=3000, deadline=None)
@given(t=st.one_of(st.floats(-1e12, 1e12), st.floats(0, 4e7), st.integers(0, 4 * 10**11).map(lambda n: n / 1e4),
                   st.integers(0, 2**40).map(lambda n: n / 2**12)))
def test_t_is_written_as_json_writes_round_t_3(t):
    ev = events.Event(type="sit_end", t=t, ts="x", id="y", data={"seated_s": 1.0})
    assert ev.to_json() == json.dumps(ev.to_dict(), separators=(",", ":"))


def _reference_id(state, wall, node):
    ms = int(wall.timestamp() * 1000)
    if ms > state["ms"]:
        state["ms"], state["seq"] = ms, 0
    elif state["seq"] > 0xFFFF:   # (a wall clock that went back keeps the last millisecond)
        state["ms"], state["seq"] = state["ms"] + 1, 0
    ms, seq = state["ms"], state["seq"]
    state["seq"] += 1
    return events._b32(ms, 10) + events._b32(seq, 4) + events._b32(node, 13)


@settings(max_examples=200, deadline=None)
@given(node=st.integers(0, 2**64 - 1), steps=st.lists(st.integers(-10**12, 10**12) | st.just(0), min_size=1, max_size=40))
def test_ids_are_the_plain_base32_layout(node, steps):
    ids, state = events.IdFactory(node=node), {"ms": -1, "seq": 0}
    for step in steps:
        wall = datetime(1970, 1, 1, tzinfo=timezone.utc) + timedelta(microseconds=abs(step) % (2**47 * 1000))
        for _ in range(1 + step % 3):
            assert ids.new(wall) == _reference_id(state, wall, node)


def test_ids_keep_increasing_when_the_wall_clock_steps_back():
    """A Pi without an RTC boots in the past, or NTP steps it back: ids still follow emission order."""
    ids = events.IdFactory(node=7)
    t = datetime(2026, 3, 2, 8, tzinfo=timezone.utc)
    made = [ids.new(t), ids.new(t + timedelta(seconds=1))]
    made += [ids.new(t - timedelta(hours=2)) for _ in range(3)]      # stepped back two hours
    made += [ids.new(datetime(1970, 1, 1, tzinfo=timezone.utc))]      # or to 1970
    made += [ids.new(t + timedelta(seconds=2))]
    assert made == sorted(made) and len(set(made)) == len(made)


def test_ids_stay_ordered_past_65536_in_one_millisecond():
    ids = events.IdFactory(node=1)
    made = [ids.new_ms(1000) for _ in range(70000)] + [ids.new_ms(999), ids.new_ms(1001), ids.new_ms(1002)]
    assert made == sorted(made) and len(set(made)) == len(made)


def test_ids_continue_after_the_last_stored_one():
    """A restart (new node) with the wall clock behind the last stored id: the next id is still later."""
    before = events.IdFactory(node=2**64 - 1)
    last = [before.new_ms(5000) for _ in range(3)][-1]
    after = events.IdFactory(node=0)
    after.floor(last)
    assert after.new_ms(10) > last and after.new_ms(6000) > last
    after.floor("not an id")   # ignored
    after.floor(None)
    assert after.new_ms(1) > last
