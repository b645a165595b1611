"""deskpulse doctor, device/app/doctor/broker.py: the MQTT check on a fake network (a real broker: tests/adapters/mqtt/test_watch_doctor.py)."""
from __future__ import annotations

import socket
import sys
from pathlib import Path

from device.app import doctor
from device.app.doctor import FAIL, OK

sys.path.insert(0, str(Path(__file__).resolve().parent))
from doctor_fakes import cfg  # noqa: E402


def test_mqtt_off_reachable_and_refused():
    assert doctor.check_mqtt(cfg()).status == OK
    with socket.socket() as srv:
        srv.bind(("127.0.0.1", 0))
        srv.listen(1)
        port = srv.getsockname()[1]
        c = doctor.check_mqtt(cfg().replace(mqtt={"host": "127.0.0.1", "port": port}), timeout=0.5)
        # TCP is accepted but nothing answers the MQTT CONNECT (full checks: tests/adapters/mqtt).
        assert c.status == FAIL and "no MQTT answer" in c.summary
    # The port was just released; nothing listens there now.
    c = doctor.check_mqtt(cfg().replace(mqtt={"host": "127.0.0.1", "port": port}))
    assert c.status == FAIL and c.summary.startswith(f"127.0.0.1:{port}: ") and "broker" in c.fix


def test_mqtt_timeout_and_unknown_host():
    def slow(addr, timeout):
        raise TimeoutError("timed out")

    def unknown(addr, timeout):
        raise socket.gaierror(-2, "Name or service not known")
    c = cfg().replace(mqtt={"host": "broker.lan"})
    assert doctor.check_mqtt(c, connect=slow).summary == "broker.lan:1883: no answer within 2 s"
    u = doctor.check_mqtt(c, connect=unknown)
    assert u.status == FAIL and "unknown host" in u.summary and "mqtt.host" in u.fix
