"""gpio/inputs.py on MockFactory pins: edges become queue items with logical levels."""
from __future__ import annotations

import queue

from device.adapters.gpio.inputs import Inputs


def test_inputs_enqueue_logical_levels_whatever_the_wiring(cfg, factory):
    q = queue.Queue()
    now = iter(range(100))
    cfg = cfg.replace(gpio={"seat_pull_up": True, "pir_active_high": False})
    with Inputs(cfg, q.put, lambda: float(next(now)), factory) as inp:
        assert inp.levels() == {"seat": 0, "pir": 0, "button": 0}
        inp.pin("seat").drive_low()   # switch to GND: pressed
        inp.pin("pir").drive_low()    # an active-low PIR: motion
        inp.pin("pir").drive_high()
        assert [q.get_nowait() for _ in range(3)] == [(0.0, "seat", 1), (1.0, "pir", 1), (2.0, "pir", 0)]
        assert q.empty()
        assert inp.levels() == {"seat": 1, "pir": 0, "button": 0}  # read, not a callback


def test_the_level_at_start_is_read_not_called_back(cfg, factory):
    q = queue.Queue()
    with Inputs(cfg, q.put, lambda: 0.0, factory) as inp:
        inp.drive("seat", 1)
        q.get_nowait()
    with Inputs(cfg, q.put, lambda: 0.0, factory) as inp:
        inp.drive("seat", 1)  # someone already seated when the daemon starts
        q.get_nowait()
        assert inp.levels()["seat"] == 1


def test_a_raising_callback_is_counted_and_later_ones_still_arrive(cfg, factory):
    got = []

    def post(item):
        if not got:
            got.append(None)
            raise RuntimeError("queue gone")
        got.append(item)
    with Inputs(cfg, post, lambda: 1.0, factory) as inp:
        inp.drive("pir", 1)
        inp.drive("pir", 0)
        inp.drive("seat", 1)
        assert inp.errors == 1
        assert got[1:] == [(1.0, "pir", 0), (1.0, "seat", 1)]


def test_unwired_inputs_are_skipped(cfg, factory):
    cfg = cfg.replace(sensing={"sensors": "seat"}, gpio={"button_pin": -1})
    with Inputs(cfg, lambda i: None, lambda: 0.0, factory) as inp:
        assert list(inp.devices) == ["seat"]
