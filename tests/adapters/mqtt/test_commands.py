"""Commands on ``cmd``: parsing (fuzzed), the broker path, and the daemon turning them into events."""
from __future__ import annotations

import json
import queue
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).parent))
from mqtt_support import mqtt_cfg, wait_for  # noqa: E402

from device.adapters.mqtt.sink import MqttSink  # noqa: E402
from device.adapters.mqtt.commands import MAX_COMMAND_BYTES, Command, Rejection, parse_command  # noqa: E402


@pytest.mark.parametrize("payload,expected", [
    (b'{"cmd":"snooze"}', Command("snooze")),
    (b'{"cmd":"done"}', Command("done")),
    (b'{"cmd":"resume"}', Command("resume")),
    (b'{"cmd":"test_prompt"}', Command("test_prompt")),
    (b'{"cmd":"test-prompt"}', Command("test_prompt")),
    (b'{"cmd":"pause","minutes":30}', Command("pause", {"minutes": 30.0})),
    (b'{"cmd":"pause"}', Command("pause", {"minutes": 45.0})),
    (b' {"cmd": "pause", "minutes": 1.5} ', Command("pause", {"minutes": 1.5})),
])
def test_valid_commands(payload, expected):
    assert parse_command(payload, default_pause_min=45) == expected


@pytest.mark.parametrize("payload,why", [
    (b"", "not JSON"),
    (b"snooze", "not JSON"),
    (b"\xff\xfe", "not UTF-8"),
    (b"[]", "JSON object"),
    (b'"snooze"', "JSON object"),
    (b"{}", "missing"),
    (b'{"cmd":3}', "must be a string"),
    (b'{"cmd":"explode"}', "unknown command"),
    (b'{"cmd":"pause","minutes":"30"}', "must be a number"),
    (b'{"cmd":"pause","minutes":true}', "must be a number"),
    (b'{"cmd":"pause","minutes":0}', "from 1 to 1440"),
    (b'{"cmd":"pause","minutes":100000}', "from 1 to 1440"),
    (b'{"cmd":"pause","minutes":NaN}', "from 1 to 1440"),
    (b'{"cmd":"pause","minutes":1e999}', "from 1 to 1440"),
    (b'{"cmd":"pause","minuts":30}', "unexpected key"),
    (b'{"cmd":"snooze","minutes":5}', "unexpected key"),
    (b'{"cmd":"snooze"' + b" " * MAX_COMMAND_BYTES + b"}", "too large"),
    (b"[" * 500 + b"]" * 500, "JSON object"),
])
def test_rejections_say_why_in_one_line(payload, why):
    r = parse_command(payload)
    assert isinstance(r, Rejection)
    assert why in r.reason and "\n" not in r.reason and len(r.reason) < 200


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(
    st.binary(max_size=2048),
    st.text(max_size=200).map(lambda s: s.encode("utf-8", "surrogatepass")),
    st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
                 lambda c: st.lists(c, max_size=4) | st.dictionaries(st.text(max_size=8), c, max_size=4),
                 max_leaves=12).map(lambda o: json.dumps(o).encode()),
    st.fixed_dictionaries({"cmd": st.sampled_from(["pause", "snooze", "done", "x", ""])},
                          optional={"minutes": st.one_of(st.floats(), st.integers(), st.text(max_size=5),
                                                         st.integers(min_value=10 ** 300, max_value=10 ** 400),
                                                         st.none(), st.booleans())}).map(
        lambda o: json.dumps(o).encode()),
))
def test_fuzzed_payloads_never_crash(payload):
    r = parse_command(payload)
    assert isinstance(r, (Command, Rejection))
    if isinstance(r, Rejection):
        assert r.reason and "\n" not in r.reason and len(r.reason) < 200
    else:
        assert r.name in {"snooze", "done", "pause", "resume", "test_prompt"}
        if r.name == "pause":
            assert 1 <= r.args["minutes"] <= 1440


def test_commands_over_the_broker_every_reject_counted(broker, listen, tmp_path):
    got: queue.Queue = queue.Queue()
    sink = MqttSink(mqtt_cfg(broker.port, tmp_path, device="cmdesk"), db_path=tmp_path / "h.db",
                    on_command=got.put)
    try:
        wait_for(sink.connected.is_set, what="connected")
        time.sleep(0.1)  # SUBACK
        sender = listen(broker.port, [])
        sender.wait_connected()
        payloads = [b'{"cmd":"snooze"}', b"garbage", b'{"cmd":"pause","minutes":30}', b"\x00" * 5000,
                    b'{"cmd":"rm -rf"}', b'{"cmd":"done"}']
        for p in payloads:
            sender.client.publish("deskpulse/cmdesk/cmd", p, qos=1)
        results = [got.get(timeout=10) for _ in payloads]
        assert [type(r).__name__ for r in results] == ["Command", "Rejection", "Command", "Rejection",
                                                       "Rejection", "Command"]
        assert sink.rejected == 3 and sink.commands == 3
        assert sink.connected.is_set(), "a bad payload does not disturb the connection"
    finally:
        sink.close()


def test_daemon_turns_commands_into_events(broker, listen, tmp_path):
    from device.adapters.clock import FakeClock
    from device.app.daemon import Daemon
    from device.adapters.store import Store
    cfg = mqtt_cfg(broker.port, tmp_path, device="loopdesk").replace(gpio={"pin_factory": "mock"})
    clock = FakeClock(datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc))
    store = Store(tmp_path / "history.db")
    sink = MqttSink(cfg, db_path=tmp_path / "history.db")
    daemon = Daemon(cfg, clock, store, sinks=[sink])
    events = listen(broker.port, ["deskpulse/loopdesk/event"])
    events.wait_connected()
    daemon.start()
    try:
        wait_for(sink.connected.is_set, what="connected")
        time.sleep(0.1)
        events.client.publish("deskpulse/loopdesk/cmd", b'{"cmd":"pause","minutes":30}', qos=1)
        events.client.publish("deskpulse/loopdesk/cmd", b'{"cmd":"pause","minutes":-3}', qos=1)
        items = [daemon.queue.get(timeout=10), daemon.queue.get(timeout=10)]
        for it in items:
            daemon.queue.put(it)
        clock.advance(1)
        daemon.pump()
        seen = {}
        while not {"pause", "command_rejected"} <= set(seen):
            d = json.loads(events.get().payload)
            seen[d["type"]] = d
        assert seen["pause"]["minutes"] == 30 and seen["pause"]["source"] == "mqtt"
        assert seen["command_rejected"]["source"] == "mqtt"
        assert "from 1 to 1440" in seen["command_rejected"]["reason"]
    finally:
        daemon.stop("test")
        store.close()
