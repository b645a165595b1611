"""Wall-clock steps (NTP, a Pi without an RTC booting in the past) while running and across restarts."""
from __future__ import annotations

from datetime import timedelta

from device.store import open_readonly, read_events


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
    d.sit(2)
    d.leave(3)
    d.clock.jump_wall(-2 * 3600)            # NTP steps the clock back two hours
    d.sit(2)
    d.leave(3)
    ids = [e.id for e in sink.events]
    assert len(ids) > 6 and ids == sorted(ids), "ids in emission order"
    last = max(ids)
    d.stop()
    # the Pi reboots without an RTC: its clock is a day behind everything stored
    b = desk(start=d.clock.wall() - timedelta(days=1)).start()
    b.sit(2)
    b.stop()
    with open_readonly(d.db) as ro:
        later = [e for _, e in read_events(ro, from_id=last, limit=None)]   # /api/events?after=<last>
    assert [e.type for e in later][:2] == ["daemon_stop", "daemon_start"]
    assert "sit_start" in [e.type for e in later] and later[-1].type == "daemon_stop"
