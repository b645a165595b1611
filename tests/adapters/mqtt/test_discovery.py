"""Home Assistant discovery configs, field by field, and as a broker carries them."""
from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from mqtt_support import mqtt_cfg, wait_for  # noqa: E402

from device import config  # noqa: E402
from device.adapters.mqtt import discovery
from device.adapters.mqtt.sink import MqttSink  # noqa: E402
from device.adapters.mqtt.topics import Topics, sanitize_id  # noqa: E402
from device.adapters.mqtt.state import build_state  # noqa: E402

# From the HA docs: device classes and state classes this integration may use.
SENSOR_DEVICE_CLASSES = {"duration", "timestamp", None}
BINARY_DEVICE_CLASSES = {"occupancy"}
STATE_CLASSES = {"measurement", "total", "total_increasing", None}
DURATION_UNITS = {"d", "h", "min", "s", "ms"}
REQUIRED = {"name", "unique_id", "default_entity_id", "availability_topic", "payload_available",
            "payload_not_available", "device"}


def configs(**keys):
    cfg = config.from_dict({}, "t").replace(device={"device_id": "Office Desk #3", "name": "Office desk"},
                                            mqtt={"host": "x", **keys})
    topics = Topics.from_config(cfg)
    return cfg, topics, [(t, json.loads(p)) for t, p in discovery.configs(cfg, topics)]


def test_topic_names_are_sanitised():
    assert sanitize_id("Office Desk #3") == "office_desk_3"
    assert sanitize_id("a/b+c#") == "a_b_c"
    assert sanitize_id("///") == "desk"
    cfg, topics, _ = configs()
    assert topics.status == "deskpulse/office_desk_3/status"
    assert topics.cmd == "deskpulse/office_desk_3/cmd"


def test_every_config_follows_the_documented_schema():
    cfg, topics, confs = configs()
    assert len(confs) >= 14
    uids = [c["unique_id"] for _, c in confs]
    assert len(uids) == len(set(uids)), "unique_id unique"
    for topic, c in confs:
        prefix, component, node_id, key, last = topic.split("/")
        assert prefix == "homeassistant" and last == "config"
        assert node_id == "deskpulse_office_desk_3", "one node per desk: the broker ACL relies on it"
        assert component in {"sensor", "binary_sensor", "button"}
        assert REQUIRED <= set(c), (topic, REQUIRED - set(c))
        assert "object_id" not in c, "object_id stopped working in HA 2026.4"
        assert c["unique_id"] == f"deskpulse_office_desk_3_{key}"
        assert c["default_entity_id"] == f"{component}.{c['unique_id']}"
        assert all(ch.isalnum() or ch == "_" for ch in c["unique_id"])
        assert c["availability_topic"] == topics.status
        assert (c["payload_available"], c["payload_not_available"]) == ("online", "offline")
        dev = c["device"]
        assert dev["identifiers"] == ["deskpulse_office_desk_3"]
        assert dev["name"] == "Office desk" and dev["manufacturer"] and dev["model"] and dev["sw_version"]
        if component == "button":
            assert c["command_topic"] == topics.cmd
            assert json.loads(c["payload_press"])["cmd"] in {"done", "snooze", "pause", "resume", "test_prompt"}
            assert "state_topic" not in c
        else:
            assert c["state_topic"] == topics.state
            assert "value_json." in c["value_template"]
        if component == "binary_sensor":
            assert c["device_class"] in BINARY_DEVICE_CLASSES
        if component == "sensor":
            assert c.get("device_class") in SENSOR_DEVICE_CLASSES
            assert c.get("state_class") in STATE_CLASSES
            if c.get("device_class") == "duration":
                assert c["unit_of_measurement"] in DURATION_UNITS
            if c.get("device_class") == "timestamp":
                assert "unit_of_measurement" not in c and "state_class" not in c


def test_the_entities_the_issue_asks_for():
    cfg, topics, confs = configs()
    by_key = {c["unique_id"].rsplit("office_desk_3_", 1)[1]: c for _, c in confs}
    assert by_key["occupancy"]["device_class"] == "occupancy"
    assert by_key["bout"]["device_class"] == "duration"
    assert by_key["seated_today"]["state_class"] == "total_increasing"
    assert by_key["seated_today"]["device_class"] == "duration"
    for k in ("breaks_today", "prompts_today", "exercises_today"):
        assert by_key[k]["state_class"] == "total_increasing"
    assert by_key["compliance"]["unit_of_measurement"] == "%"
    presses = {json.loads(c["payload_press"])["cmd"] for c in by_key.values() if "payload_press" in c}
    assert {"snooze", "done", "pause", "resume"} <= presses
    assert by_key["pause"]["name"] == "Pause 60 min"


def test_templates_point_at_fields_the_state_has():
    cfg, topics, confs = configs()
    state = build_state({"seated": True})
    for _, c in confs:
        tpl = c.get("value_template")
        if tpl:
            field = tpl.split("value_json.")[1].split()[0]
            assert field in state, (c["unique_id"], field)


def test_discovery_prefix_and_off_switch(broker, listen, tmp_path):
    cfg, topics, confs = configs(discovery_prefix="ha")
    assert all(t.startswith("ha/") for t, _ in confs)
    lst = listen(broker.port, ["homeassistant/#"])
    lst.wait_connected()
    sink = MqttSink(mqtt_cfg(broker.port, tmp_path, device="disco"), db_path=tmp_path / "h.db")
    try:
        got = {}
        while len(got) < len(confs):
            m = lst.get()
            if "/deskpulse_disco/" in m.topic:
                got[m.topic] = m
                assert json.loads(m.payload)["availability_topic"] == "deskpulse/disco/status"
        assert {t.split("/")[1] for t in got} == {"sensor", "binary_sensor", "button"}
        # HA restarts: its birth message makes the desk send everything again.
        while not lst.q.empty():
            lst.q.get_nowait()
        lst.client.publish("homeassistant/status", "online")
        again = lst.until(lambda m: m.topic.endswith("deskpulse_disco/occupancy/config"))
        assert json.loads(again.payload)["unique_id"] == "deskpulse_disco_occupancy"
    finally:
        sink.close()
    off = MqttSink(mqtt_cfg(broker.port, tmp_path, device="nodisco", discovery=False), db_path=tmp_path / "h.db")
    try:
        wait_for(off.connected.is_set, what="connected")
        lst2 = listen(broker.port, ["homeassistant/+/deskpulse_nodisco/+/config"])
        lst2.wait_connected()
        import queue
        try:
            lst2.get(timeout=0.5)
            raise AssertionError("discovery sent although mqtt.discovery = false")
        except queue.Empty:
            pass
    finally:
        off.close()
