"""Hostile input on ``cmd`` and ``homeassistant/status`` (issue #11, items 3 and 4), against a real broker.

A retained command is not a command; an oversized one costs neither memory nor a traceback;
a flood of bad ones costs a bounded number of log lines and history events, with the count
kept; a flood of HA birth messages costs one re-announce per interval.
"""
from __future__ import annotations

import json
import logging
import queue
import sqlite3
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from mqtt_support import mqtt_cfg, wait_for  # noqa: E402

from device.adapters.mqtt.sink import MqttSink  # noqa: E402
from device.adapters.mqtt.commands import Command, Rejection, parse_command  # noqa: E402

HERE = Path(__file__).parent


def _connected(sink: MqttSink) -> None:
    wait_for(sink.connected.is_set, what="connected")
    time.sleep(0.1)  # SUBACK


# ----------------------------------------------------------------------------- item 3
def test_a_retained_command_is_ignored_at_every_connect(broker, listen, tmp_path):
    """Today a retained ``pause`` pauses the desk again at every reconnect."""
    pub = listen(broker.port, [])
    pub.wait_connected()
    topic = "deskpulse/retdesk/cmd"
    pub.client.publish(topic, b'{"cmd":"pause","minutes":30}', qos=1, retain=True).wait_for_publish(5)
    try:
        for attempt in range(2):  # two connections: the broker hands the retained message to each
            got: queue.Queue = queue.Queue()
            sink = MqttSink(mqtt_cfg(broker.port, tmp_path, device="retdesk"), db_path=tmp_path / "h.db",
                            on_command=got.put)
            try:
                _connected(sink)
                pub.client.publish(topic, b'{"cmd":"snooze"}', qos=1)  # a live one still works
                assert got.get(timeout=10) == Command("snooze"), "the retained pause was obeyed"
                assert got.empty()
                assert sink.stats()["ignored_retained"] == 1
                assert sink.rejected == 0 and sink.commands == 1
            finally:
                sink.close()
    finally:
        pub.client.publish(topic, b"", qos=1, retain=True).wait_for_publish(5)  # how docs/mqtt.md clears it


# ----------------------------------------------------------------------------- item 4
def test_a_huge_integer_is_rejected_like_any_other_bad_minutes():
    r = parse_command(b'{"cmd":"pause","minutes":' + b"9" * 400 + b"}")
    assert isinstance(r, Rejection) and "from 1 to 1440" in r.reason and len(r.reason) < 200
    r = parse_command(b'{"cmd":"pause","minutes":-' + b"9" * 400 + b"}")
    assert isinstance(r, Rejection) and "from 1 to 1440" in r.reason


def test_a_huge_integer_over_the_broker_is_counted_without_a_traceback(broker, listen, tmp_path, caplog):
    caplog.set_level(logging.DEBUG, "deskpulse")
    got: queue.Queue = queue.Queue()
    sink = MqttSink(mqtt_cfg(broker.port, tmp_path, device="bigint"), db_path=tmp_path / "h.db",
                    on_command=got.put)
    try:
        _connected(sink)
        pub = listen(broker.port, [])
        pub.wait_connected()
        pub.client.publish("deskpulse/bigint/cmd", b'{"cmd":"pause","minutes":1' + b"0" * 400 + b"}", qos=1)
        r = got.get(timeout=10)
        assert isinstance(r, Rejection) and "from 1 to 1440" in r.reason
        assert sink.rejected == 1
        assert "Traceback" not in caplog.text and not any(rec.exc_info for rec in caplog.records)
    finally:
        sink.close()


def test_an_oversized_payload_is_dropped_without_holding_it_in_memory(broker, listen, tmp_path):
    """Today a 48 MB payload is held whole, then copied twice (~150 MB of peak RSS); a Pi Zero has 512 MB."""
    size = 48 * 1024 * 1024
    proc = subprocess.Popen([sys.executable, str(HERE / "sink_proc.py"), str(broker.port), "bigdesk",
                             str(tmp_path / "h.db")], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline().split()
        assert line[0] == "ready", line
        base_kb = int(line[1])
        pub = listen(broker.port, [])
        pub.wait_connected()
        pub.client.publish("deskpulse/bigdesk/cmd", b"x" * size, qos=1)
        pub.client.publish("deskpulse/bigdesk/cmd", b'{"cmd":"snooze"}', qos=1)
        first = proc.stdout.readline().split(maxsplit=2)
        assert first[0] == "rejected", first
        assert first[2].startswith(f"payload too large ({size} bytes"), first[2]
        second = proc.stdout.readline().split()
        assert second[:2] == ["command", "snooze"], "the connection survives and the next command works"
        grew_mb = (int(second[2]) - base_kb) / 1024
        assert grew_mb < 16, f"peak RSS grew by {grew_mb:.0f} MB for a {size >> 20} MB payload"
    finally:
        proc.stdin.close()
        proc.wait(15)
        proc.stdout.close()


def _rejected_rows(db: Path) -> list[dict]:
    with sqlite3.connect(db) as c:
        return [json.loads(j) for (j,) in c.execute("SELECT json FROM events WHERE type = 'command_rejected' "
                                                     "ORDER BY seq")]


def test_a_flood_of_bad_commands_costs_a_bounded_log_and_history_and_is_counted(broker, listen, tmp_path, caplog):
    """Today every bad command costs three log lines and a ~400-byte event (2,107 of them: 0.85 MB, 6,300 lines)."""
    from device.adapters.clock import FakeClock
    from device.app.daemon import REJECT_BURST, REJECT_INTERVAL_S, Daemon
    from device.adapters.store import Store
    caplog.set_level(logging.INFO, "deskpulse")
    n = 400
    cfg = mqtt_cfg(broker.port, tmp_path, device="flood").replace(gpio={"pin_factory": "mock"})
    clock = FakeClock(datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc))
    store = Store(tmp_path / "history.db")
    sink = MqttSink(cfg, db_path=tmp_path / "history.db")
    daemon = Daemon(cfg, clock, store, sinks=[sink])
    daemon.start()
    try:
        _connected(sink)
        pub = listen(broker.port, [])
        pub.wait_connected()
        caplog.clear()
        for i in range(n):
            pub.client.publish("deskpulse/flood/cmd", f'{{"cmd":"explode{i}"}}', qos=1)
        wait_for(lambda: sink.rejected == n, timeout=30, what=f"{n} rejections")
        clock.advance(1)
        daemon.pump()
        daemon.flush(clock.monotonic())
        rows = _rejected_rows(store.path)
        assert len(rows) == REJECT_BURST, "the first few are recorded one by one"
        assert all(r["count"] == 1 and r["source"] == "mqtt" for r in rows)
        assert "explode0" in rows[0]["reason"]
        daemon.run_until(clock.monotonic() + REJECT_INTERVAL_S + 1)
        daemon.flush(clock.monotonic())
        rows = _rejected_rows(store.path)
        assert len(rows) == REJECT_BURST + 1, "then one summary per interval"
        assert rows[-1]["count"] == n - REJECT_BURST, "the summary says how many it stands for"
        assert sum(r["count"] for r in rows) == n, "every rejection is counted, none twice"
        lines = [r for r in caplog.records if "reject" in r.getMessage()]
        assert len(lines) <= 2 * (REJECT_BURST + 1), len(lines)
        # A quiet interval later, the next mistake is reported at once again.
        daemon.run_until(clock.monotonic() + 2 * REJECT_INTERVAL_S + 1)
        pub.client.publish("deskpulse/flood/cmd", b'{"cmd":"typo"}', qos=1)
        wait_for(lambda: sink.rejected == n + 1, what="one more rejection")
        daemon.pump()
        daemon.flush(clock.monotonic())
        rows = _rejected_rows(store.path)
        assert len(rows) == REJECT_BURST + 2 and "typo" in rows[-1]["reason"] and rows[-1]["count"] == 1
    finally:
        daemon.stop("test")
        store.close()


def _count_announces(lst, key: str, window_s: float) -> int:
    n = 0
    deadline = time.monotonic() + window_s
    while (left := deadline - time.monotonic()) > 0:
        try:
            m = lst.get(timeout=left)
        except queue.Empty:
            break
        if m.topic.endswith(key):
            n += 1
    return n


def test_a_flood_of_ha_birth_messages_is_coalesced(broker, listen, tmp_path):
    """Today every ``homeassistant/status online`` re-sends all 14 discovery configs."""
    key = "deskpulse_birth/occupancy/config"
    lst = listen(broker.port, [f"homeassistant/+/deskpulse_birth/+/config"])
    lst.wait_connected()
    sink = MqttSink(mqtt_cfg(broker.port, tmp_path, device="birth"), db_path=tmp_path / "h.db")
    try:
        _connected(sink)
        lst.until(lambda m: m.topic.endswith(key))  # the announce at connect
        assert _count_announces(lst, key, 0.3) == 0
        for _ in range(200):
            lst.client.publish("homeassistant/status", "online")
        assert _count_announces(lst, key, 2.0) == 1, "one answer at once, the rest wait for the interval"
    finally:
        sink.close()


def test_a_birth_inside_the_interval_is_answered_at_its_end_not_dropped(broker, listen, tmp_path):
    key = "deskpulse_birth2/occupancy/config"
    lst = listen(broker.port, [f"homeassistant/+/deskpulse_birth2/+/config"])
    lst.wait_connected()
    sink = MqttSink(mqtt_cfg(broker.port, tmp_path, device="birth2"), db_path=tmp_path / "h.db",
                    rediscover_min_s=1.0)
    try:
        _connected(sink)
        lst.until(lambda m: m.topic.endswith(key))
        lst.client.publish("homeassistant/status", "online")
        first = lst.until(lambda m: m.topic.endswith(key)).timestamp
        for _ in range(49):  # after the first answer, so they all fall inside its interval, however loaded the machine
            lst.client.publish("homeassistant/status", "online")
        second = lst.until(lambda m: m.topic.endswith(key)).timestamp
        assert second - first >= 0.9, "the second answer waits for the end of the interval"
        assert _count_announces(lst, key, 1.5) == 0, "and it answers every birth of the interval"
    finally:
        sink.close()
