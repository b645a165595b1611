"""A replay's event stamps: the arithmetic path gives exactly what the datetime path gives."""
from __future__ import annotations

import math
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from hypothesis import example, given, settings, strategies as st

from device.app.replay import WallMapper, _td_us

ZONES = [None, "UTC", "Europe/Berlin", "Europe/Dublin", "America/New_York", "America/St_Johns", "Asia/Kolkata",
         "Australia/Lord_Howe", "Pacific/Chatham", "Africa/Casablanca", "Europe/Amsterdam", "America/Sao_Paulo"]
# fixed offsets a trace's '# start:' may carry (seconds and microseconds in it too)
OFFSETS = [timedelta(0), timedelta(hours=1), timedelta(hours=-8), timedelta(hours=5, minutes=30),
           timedelta(hours=-3, minutes=-30), timedelta(hours=1, seconds=17), timedelta(minutes=19, seconds=32, microseconds=5)]
# UTC instants near DST changes, and years with odd historical offsets
STARTS = st.one_of(
    st.datetimes(min_value=datetime(1880, 1, 1), max_value=datetime(2100, 1, 1)),
    st.sampled_from([datetime(2026, 3, 29, 0, 59, 59), datetime(2026, 10, 25, 0, 0), datetime(2026, 3, 8, 6, 59),
                     datetime(2026, 11, 1, 5, 30), datetime(2026, 4, 4, 14, 59), datetime(1937, 6, 30, 23, 30),
                     datetime(2026, 3, 2, 0, 0)]))


def _times():
    ties = st.builds(lambda k, j: k + (j + 0.5) / 1e6, st.integers(0, 10**8), st.integers(0, 10**6))
    return st.one_of(st.floats(0, 4e8, allow_nan=False), st.floats(0, 1e5, allow_nan=False), ties,
                     st.integers(0, 10**8).map(float), st.builds(lambda a, b: a + b, st.floats(0, 4e7), st.sampled_from([0.05, 3.0, 10.0, 120.0])))


@settings(max_examples=2000, deadline=None)
@given(t=st.one_of(_times(), st.floats(-1e9, 1e9, allow_nan=False)))
@example(t=0.5e-6)
@example(t=1.5e-6)
@example(t=2.5e-6)
@example(t=-2.5e-6)
def test_td_us_rounds_as_timedelta_does(t):
    assert _td_us(t) == timedelta(seconds=t) // timedelta(microseconds=1)


@settings(max_examples=1500, deadline=None)
@given(start=STARTS, off=st.sampled_from(OFFSETS), zone=st.sampled_from(ZONES),
       ts=st.lists(_times(), min_size=1, max_size=8))
def test_stamps_are_the_datetime_ones(start, off, zone, ts):
    start = start.replace(tzinfo=timezone(off))
    tz = ZoneInfo(zone) if zone else start.tzinfo
    m = WallMapper(start, tz)
    for t in sorted(ts):
        try:
            w = (start + timedelta(seconds=t)).astimezone(tz)
        except OverflowError:
            continue
        assert m(t) == w
        assert m.stamp(t) == (w.isoformat(timespec="milliseconds"), int(w.timestamp() * 1000))
        assert m.iso_s(t) == w.isoformat(timespec="seconds")


def test_a_replay_across_the_dst_changes_of_a_year():
    start = datetime(2026, 1, 1, tzinfo=timezone(timedelta(hours=1)))
    for zone in ("Europe/Berlin", "America/New_York", "Australia/Lord_Howe"):
        tz = ZoneInfo(zone)
        m = WallMapper(start, tz)
        for i in range(0, 365 * 86400, 599):
            t = i + math.sin(i) ** 2          # every ~10 min, odd fractions
            w = (start + timedelta(seconds=t)).astimezone(tz)
            assert m.stamp(t) == (w.isoformat(timespec="milliseconds"), int(w.timestamp() * 1000))
