"""The mosquitto ACL example of docs/mqtt.md, run for real: a desk writes only its own topics."""
from __future__ import annotations

import json
import queue
import subprocess
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from mqtt_support import has_mosquitto_passwd, mqtt_cfg, wait_for  # noqa: E402
from mqtt_support import stream  # noqa: E402

from device.adapters.mqtt.sink import MqttSink  # noqa: E402
from device.adapters.store import Store  # noqa: E402

DOC = Path(__file__).resolve().parents[3] / "docs" / "mqtt.md"


def documented_broker_limit() -> str:
    """The ``max_packet_size`` line of the documented broker config."""
    text = DOC.read_text()
    start = text.index("# /etc/mosquitto/conf.d/deskpulse.conf")
    line = [ln for ln in text[start:text.index("```", start)].splitlines() if ln.startswith("max_packet_size")]
    assert len(line) == 1
    return line[0] + "\n"


def documented_acl() -> str:
    text = DOC.read_text()
    start = text.index("# /etc/mosquitto/acl")
    return text[start:text.index("```", start)]


@pytest.mark.skipif(not has_mosquitto_passwd(), reason="mosquitto_passwd not installed")
def test_documented_acl_confines_a_desk_to_its_topics(tmp_path, own_broker, listen):
    pw = tmp_path / "passwd"
    for i, (user, password) in enumerate([("desk1", "pw-desk1"), ("homeassistant", "pw-ha")]):
        subprocess.run(["mosquitto_passwd", "-b", *(["-c"] if i == 0 else []), str(pw), user, password],
                       check=True, capture_output=True)
    acl = tmp_path / "acl"
    acl.write_text(documented_acl())
    pw.chmod(0o600)
    acl.chmod(0o600)
    b = own_broker(extra=f"password_file {pw}\nacl_file {acl}\n" + documented_broker_limit(),
                   anonymous=False).start()

    ha = listen(b.port, ["deskpulse/#", "homeassistant/#"], auth=("homeassistant", "pw-ha"))
    ha.wait_connected()
    got_cmd: queue.Queue = queue.Queue()
    cfg = mqtt_cfg(b.port, tmp_path, device="desk1", username="desk1", password="pw-desk1")
    store = Store(tmp_path / "history.db")
    sink = MqttSink(cfg, db_path=tmp_path / "history.db", on_command=got_cmd.put)
    try:
        assert sink.connected.wait(10)
        sink.set_state({"seated": True})
        e = stream(1)[0]
        store.add(e)
        sink.publish(e)
        seen: dict[str, bytes] = {}
        deadline = time.monotonic() + 10
        while not {"deskpulse/desk1/event", "deskpulse/desk1/state", "deskpulse/desk1/status",
                   "homeassistant/binary_sensor/deskpulse_desk1/occupancy/config"} <= set(seen):
            m = ha.q.get(timeout=max(0.01, deadline - time.monotonic()))
            seen[m.topic] = m.payload
        assert json.loads(seen["deskpulse/desk1/event"])["id"] == e.id
        # HA's buttons reach the desk through the ACL.
        ha.client.publish("deskpulse/desk1/cmd", '{"cmd":"snooze"}', qos=1)
        assert got_cmd.get(timeout=10).name == "snooze"
        # The desk cannot write another desk's topics or discovery: the broker drops them.
        sink.client.publish("deskpulse/desk2/event", "forged", qos=1)
        sink.client.publish("homeassistant/sensor/deskpulse_desk2/bout/config", "{}", qos=1, retain=True)
        sink.client.publish("deskpulse/desk1/event", "marker", qos=1)
        m = ha.until(lambda m: m.payload in (b"forged", b"{}", b"marker"))
        assert m.payload == b"marker", f"a forged message on {m.topic} got through"
        wait_for(lambda: sink.outbox.acked == 1, what="the event's PUBACK")
        # The documented broker limit: an oversized command never reaches the desk.
        big = tmp_path / "big"
        big.write_bytes(b"x" * (2 << 20))
        subprocess.run(["mosquitto_pub", "-p", str(b.port), "-u", "homeassistant", "-P", "pw-ha", "-q", "1",
                        "-t", "deskpulse/desk1/cmd", "-f", str(big)], capture_output=True, timeout=30)
        ha.client.publish("deskpulse/desk1/cmd", '{"cmd":"done"}', qos=1)
        assert got_cmd.get(timeout=15).name == "done"
        assert got_cmd.empty() and sink.rejected == 0 and sink.connected.is_set()
    finally:
        sink.close()
        store.close()
