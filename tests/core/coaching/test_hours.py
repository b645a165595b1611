"""Working and quiet hours (device/core/coaching/hours.py). Fake timeline, no sleeps."""
from __future__ import annotations

from coach_helpers import MIN, prompts
from engine_helpers import make_engine, person, run, sit


def test_working_hours_silence_prompts_outside_them():
    # START is 08:00 local; working hours from 09:00: a 08:00-08:50 sit gets no prompt
    eng = make_engine("seat", coaching={"working_hours": "09:00-17:00"})
    assert prompts(run(eng, sit(0, 50 * MIN), 55 * MIN)) == []


def test_quiet_hours_keep_the_led_but_not_the_beep():
    eng = make_engine("seat", coaching={"quiet_hours": "07:00-22:00"})
    ps = prompts(run(eng, person(0, 70 * MIN), 75 * MIN))
    assert [p[1] for p in ps] == [1, 2, 3, 3, 3] and not any(p[2] for p in ps)


def test_a_window_may_wrap_midnight():
    from datetime import datetime, time
    from device.core.coaching import in_window
    night = (time(22, 0), time(7, 0))
    at = lambda h, m=0: datetime(2026, 3, 2, h, m)
    assert [in_window(night, at(h)) for h in (21, 22, 23, 0, 6)] == [False, True, True, True, True]
    assert not in_window(night, at(7)) and not in_window(None, at(12))
    assert in_window((time(9), time(17)), at(16, 59)) and not in_window((time(9), time(17)), at(17))
