"""Sinks (device/app/daemon/sinks.py): every event, the status and commands; a failing sink is counted, never fatal."""
from __future__ import annotations


def test_sinks_get_events_states_and_commands(desk, recording_sink):
    good, bad = recording_sink(), recording_sink(fail=True)
    d = desk(sinks=[bad, good]).start()
    assert good.daemon is d.daemon
    d.sit(31)
    good.daemon.post_command("snooze", source="mqtt")
    d.at(d.t + 1)
    types = [e.type for e in good.events]
    assert types[0] == "daemon_start" and "prompt" in types and "snooze" in types
    assert any(s["seated"] for s in good.states) and good.flushes >= 1
    assert d.daemon.sink_errors >= len(good.events)
    d.stop()
    assert good.closed == 1 and good.events[-1].type == "daemon_stop"
