"""Wall-clock steps (NTP, a Pi without an RTC booting in the past) while running and across restarts."""
from __future__ import annotations

from datetime import timedelta

from device.adapters.store import open_readonly, read_events


class Sink:
    def __init__(self):
        self.events = []

    def publish(self, event):
        self.events.append(event)

    def set_state(self, status):
        pass

    def close(self):
        pass


def test_event_ids_follow_emission_across_a_backwards_step_and_a_restart(desk):
    sink = Sink()
    d = desk(sinks=[sink]).start()
    d.at(90)                                # past the PIR's warm-up
    d.sit(2)
    d.leave(3)
    d.clock.jump_wall(-2 * 3600)            # NTP steps the clock back two hours
    d.sit(2)
    d.leave(3)
    ids = [e.id for e in sink.events]
    assert [e.type for e in sink.events].count("break") == 2
    assert ids == sorted(ids), "ids in emission order"
    last = max(ids)
    d.stop()
    # the Pi reboots without an RTC: its clock is a day behind everything stored
    b = desk(start=d.clock.wall() - timedelta(days=1)).start()
    b.at(90)
    b.sit(2)
    b.stop()
    with open_readonly(d.db) as ro:
        later = [e for _, e in read_events(ro, from_id=last, limit=None)]   # /api/events?after=<last>
    assert [e.type for e in later][:2] == ["daemon_stop", "daemon_start"]
    assert "sit_start" in [e.type for e in later] and later[-1].type == "daemon_stop"


import pytest  # noqa: E402


def _stored(db, type_):
    with open_readonly(db) as ro:
        return [e for _, e in read_events(ro, limit=None) if e.type == type_]


def _bouts_and_days(db):
    from device.adapters.store import read_bouts, read_days
    with open_readonly(db) as ro:
        return read_bouts(ro), read_days(ro)


def _sit_11_s_then_step(d, step):
    d.at(60)
    d.set("pir", 1)
    d.set("seat", 1)
    d.at(d.t + 2)
    d.set("pir", 0)
    d.at(d.t + 9)                        # seated 11 s
    d.clock.jump_wall(step)              # NTP steps the wall clock


@pytest.mark.parametrize("step", [2 * 3600, -2 * 3600])
def test_a_bout_resumed_across_a_restart_after_a_clock_step_keeps_its_true_length(desk, step):
    """Issue #11.1: a sit of 11 s, a +2 h step and a restart stored a 7,211 s bout (0 s for -2 h)."""
    a = desk().start()
    _sit_11_s_then_step(a, step)
    a.stop("SIGTERM")
    b = desk(clock=a.clock).start()      # restarted at once, the seat still pressed
    assert b.daemon.resumed
    b.sit(3)                             # sits on, moving, three minutes, then leaves for a break
    b.leave(3)
    b.stop()
    (bout,), (day,) = _bouts_and_days(a.db)
    brk = _stored(a.db, "break")[0]
    true_s = 11 + 3 * 60
    assert brk.data["bout_s"] == pytest.approx(true_s, abs=5)
    assert brk.data["seated_s"] == pytest.approx(true_s, abs=5)
    assert bout.bout_s == pytest.approx(true_s, abs=5) and bout.seated_s == pytest.approx(true_s, abs=5)
    assert day.seated_s == pytest.approx(true_s, abs=5)


@pytest.mark.parametrize("step", [2 * 3600, -2 * 3600])
def test_a_bout_open_at_a_stop_is_closed_with_monotonic_time(desk, factory, step):
    a = desk().start()
    _sit_11_s_then_step(a, step)
    a.stop("SIGTERM")
    a.daemon.inputs = None
    factory.reset()                      # nobody on the seat when it comes back ...
    a.clock.advance(600)                 # ... ten minutes later: longer than a break
    b = desk(clock=a.clock).start()
    assert not b.daemon.resumed
    b.stop()
    (bout,), (day,) = _bouts_and_days(a.db)
    stop = [e for e in _stored(a.db, "daemon_stop") if e.data["reason"] == "SIGTERM"][0]
    assert stop.data["bout_s"] == pytest.approx(11, abs=0.01) and stop.data["sit_s"] == pytest.approx(11, abs=0.01)
    assert bout.bout_s == pytest.approx(11, abs=0.01) and bout.seated_s == pytest.approx(11, abs=0.01)
    assert day.seated_s == pytest.approx(11, abs=0.01)


def test_a_restart_in_the_same_boot_measures_the_downtime_on_the_monotonic_clock(desk, caplog):
    import logging
    caplog.set_level(logging.INFO, "deskpulse.daemon")
    a = desk().start()
    a.sit(5)
    a.stop("SIGTERM")
    a.clock.advance(20)
    a.clock.jump_wall(-60 * 3600)        # the wall clock went back 60 hours while it was down
    b = desk(clock=a.clock).start()
    assert b.daemon.resumed, "20 s of downtime, whatever the wall clock says"
    assert "resuming the bout saved 20 s ago" in caplog.text
    assert " -" not in caplog.text.replace("--", "")


def test_after_a_reboot_into_the_past_the_log_says_so_instead_of_a_negative_age(desk, caplog):
    import logging
    caplog.set_level(logging.INFO, "deskpulse.daemon")
    a = desk().start()
    a.sit(5)
    a.daemon.stopped = True              # a power cut: no stop, the last saved state stays unclean
    a.daemon.lifecycle.close_devices()
    a.daemon.lifecycle.lock.release()
    a.store.close()
    b = desk(start=a.clock.wall() - timedelta(hours=60)).start()   # another boot, no RTC
    assert not b.daemon.resumed
    assert "s old" not in caplog.text
    assert "the wall clock reads" in caplog.text and "before the last saved state" in caplog.text
    lost = [e for e in b.events("daemon_stop") if e.data["reason"] == "unclean"][0]
    assert lost.data["bout_s"] == pytest.approx(5 * 60, abs=5)


def test_a_bout_resumed_with_the_seat_found_empty_ends_where_the_restart_was(desk, factory):
    """Restarted mid-bout while the person had left: no prompt to an empty chair, the bout ends."""
    a = desk().start()
    a.sit(10)
    a.stop("SIGTERM")
    a.daemon.inputs = None
    factory.reset()                      # the seat reads empty at the restart
    a.clock.advance(5)
    b = desk(clock=a.clock).start()
    assert b.daemon.resumed
    b.at(b.t + 40 * 60)
    types = [e.type for e in b.events()]
    assert "prompt" not in types
    assert types[-2:] == ["sit_end", "break"]
    brk = b.events("break")[-1]
    assert brk.data["bout_s"] == pytest.approx(10 * 60 + 5, abs=5)
    assert not b.daemon.status["seated"]
