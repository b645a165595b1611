"""The clocks (device/adapters/clock.py): the fake one the tests and simulations advance."""
from __future__ import annotations


def test_fake_clock_counts_real_seconds_across_dst():
    from datetime import datetime
    from zoneinfo import ZoneInfo
    from device.adapters.clock import FakeClock
    clock = FakeClock(datetime(2024, 10, 27, 1, 30, tzinfo=ZoneInfo("Europe/Berlin")))
    clock.advance(2 * 3600)  # 01:30 CEST + 2 h = 02:30 CET (the hour repeats)
    assert clock.wall().isoformat() == "2024-10-27T02:30:00+01:00"
