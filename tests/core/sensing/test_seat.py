"""The seat: debounce, spikes, the sit and leave confirmations, back-dating. Table-driven on a fake timeline."""
from __future__ import annotations

import pytest

from engine_helpers import make_engine, run, sit, types

BOUNCE = [(100.000, "seat", 1), (100.002, "seat", 0), (100.004, "seat", 1), (100.006, "seat", 0), (100.007, "seat", 1)]


@pytest.mark.parametrize("name, edges, until, expected", [
    ("a sit is back-dated to its edge", sit(100, 400), 600,
     [("sit_start", 100.0), ("sit_end", 400.0)]),
    ("contact bounce collapses to one transition", BOUNCE + [(400, "seat", 0)], 600,
     [("sit_start", 100.01), ("sit_end", 400.0)]),
    ("a 5 ms spike is not a sit", [(100, "seat", 1), (100.005, "seat", 0)], 200, []),
    ("a press under 3 s is not a sit", sit(100, 102.5), 200, []),
    ("a 6 s weight shift does not end the sit", sit(100, 300) + sit(306, 500), 700,
     [("sit_start", 100.0), ("sit_end", 500.0)]),
    ("a 12 s absence ends it, back-dated", sit(100, 300) + sit(312, 500), 700,
     [("sit_start", 100.0), ("sit_end", 300.0), ("sit_start", 312.0), ("sit_end", 500.0)]),
    ("a spike during a sit is ignored", sit(100, 300) + [(200, "seat", 0), (200.003, "seat", 1)], 500,
     [("sit_start", 100.0), ("sit_end", 300.0)]),
])
def test_seat_only(name, edges, until, expected):
    events = run(make_engine("seat"), edges, until)
    assert types(events, "sit_start", "sit_end") == expected, name


def test_seat_pressed_at_start_counts_from_zero():
    events = run(make_engine("seat"), [(0.0, "seat", 1), (900, "seat", 0)], 1000)
    assert types(events, "sit_start", "sit_end") == [("sit_start", 0.0), ("sit_end", 900.0)]
