"""``deskpulse watch`` as a person runs it, and the doctor's real MQTT login check."""
from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from mqtt_support import has_mosquitto_passwd, mqtt_cfg  # noqa: E402

import pytest  # noqa: E402

from device.app.commands.watch import format_event, format_state  # noqa: E402
from device.adapters.mqtt.probe import probe  # noqa: E402

ROOT = Path(__file__).resolve().parents[3]


def test_format_lines():
    s = {"seated": True, "bout_s": 1830, "today_seated_min": 95.5, "breaks": 2, "prompts": 1,
         "exercises_done": 1, "compliance": 100.0, "level": 1, "alert": "routine", "paused_until": None}
    line = format_state("desk1", s, "online")
    assert line.startswith("desk1 [online] · SEATED · bout 30 min · today 95.5 min seated")
    assert "level 1 (routine)" in line and "compliance 100%" in line
    e = {"v": 1, "id": "X", "type": "prompt", "t": 1.0, "ts": "2026-03-02T09:30:00.000+01:00", "level": 1,
         "exercise": {"key": "ankle_pumps", "name": "Ankle pumps"}, "bout_s": 1800.0}
    assert format_event("desk1", e) == "09:30:00 desk1 prompt          level=1 exercise=Ankle pumps bout_s=1800"


def test_watch_shows_state_and_events_and_exits_on_ctrl_c(broker, listen):
    proc = subprocess.Popen([sys.executable, "-m", "device.cli", "watch", "--host", "127.0.0.1", "--port",
                             str(broker.port), "--device", "watched"], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().startswith("watching deskpulse/watched/")
        pub = listen(broker.port, [])
        pub.wait_connected()
        time.sleep(0.3)  # the watcher's SUBACK
        pub.client.publish("deskpulse/watched/status", "online", retain=True)
        assert proc.stdout.readline().strip() == "watched [online]"
        pub.client.publish("deskpulse/watched/state", json.dumps({"seated": True, "bout_s": 600}))
        assert "SEATED · bout 10 min" in proc.stdout.readline()
        pub.client.publish("deskpulse/watched/event", json.dumps(
            {"type": "sit_end", "ts": "2026-03-02T10:00:00+01:00", "seated_s": 5.0}), qos=1)
        assert proc.stdout.readline().strip() == "10:00:00 watched sit_end         seated_s=5"
        pub.client.publish("deskpulse/watched/event", b"\xff not json", qos=1)
        assert "unreadable payload" in proc.stdout.readline()
        proc.send_signal(signal.SIGINT)
        assert proc.wait(10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stdout.close()
        proc.stderr.close()


def test_watch_without_a_broker_is_one_line_exit_2(tmp_path):
    r = subprocess.run([sys.executable, "-m", "device.cli", "watch", "--host", "127.0.0.1", "--port", "1"],
                       cwd=ROOT, capture_output=True, text=True, timeout=30)
    assert r.returncode == 2
    assert r.stderr.count("\n") == 1 and "cannot reach the broker at 127.0.0.1:1" in r.stderr


def test_probe_accepts_an_open_broker(broker, tmp_path):
    ok, summary, fix = probe(mqtt_cfg(broker.port, tmp_path))
    assert ok and summary == f"127.0.0.1:{broker.port}: MQTT login accepted (anonymous)"


@pytest.mark.skipif(not has_mosquitto_passwd(), reason="mosquitto_passwd not installed")
def test_password_accepted_and_refused_never_shown(tmp_path, own_broker, monkeypatch):
    pw = tmp_path / "passwd"
    subprocess.run(["mosquitto_passwd", "-b", "-c", str(pw), "desk1", "s3cret-pw"], check=True,
                   capture_output=True)
    pw.chmod(0o600)
    b = own_broker(extra=f"password_file {pw}\n", anonymous=False).start()
    good = mqtt_cfg(b.port, tmp_path, username="desk1", password="s3cret-pw")
    ok, summary, _ = probe(good)
    assert ok and "as desk1" in summary
    bad = mqtt_cfg(b.port, tmp_path, username="desk1", password="wrong")
    ok, summary, fix = probe(bad)
    assert not ok and "refused the login" in summary and "DESKPULSE_MQTT_PASSWORD" in fix
    assert "wrong" not in summary + fix
    anon = mqtt_cfg(b.port, tmp_path)
    assert not probe(anon)[0]
    # The password may come from the environment instead of the file.
    from device import config
    f = tmp_path / "c.toml"
    f.write_text(f'[mqtt]\nhost = "127.0.0.1"\nport = {b.port}\nusername = "desk1"\n')
    assert probe(config.load(f, env={"DESKPULSE_MQTT_PASSWORD": "s3cret-pw"}))[0]


def test_probe_says_when_nothing_speaks_mqtt(tmp_path):
    import socket
    with socket.socket() as srv:
        srv.bind(("127.0.0.1", 0))
        srv.listen(1)
        ok, summary, fix = probe(mqtt_cfg(srv.getsockname()[1], tmp_path), timeout=0.5)
    assert not ok and "no MQTT answer" in summary


def _openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


@pytest.fixture
def tls_files(tmp_path):
    import shutil
    if not shutil.which("openssl"):
        pytest.skip("openssl not installed")
    d = tmp_path / "pki"
    d.mkdir()
    _openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=test CA",
             "-keyout", "ca.key", "-out", "ca.crt", cwd=d)
    _openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost", "-keyout", "server.key",
             "-out", "server.csr", cwd=d)
    (d / "ext.cnf").write_text("subjectAltName=DNS:localhost,IP:127.0.0.1\n")
    _openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
             "-days", "2", "-extfile", "ext.cnf", "-out", "server.crt", cwd=d)
    _openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=other CA",
             "-keyout", "other.key", "-out", "other.crt", cwd=d)
    return d


def test_tls_verified_and_unverified(tls_files, own_broker, tmp_path, listen):
    d = tls_files
    b = own_broker(extra=f"cafile {d}/ca.crt\ncertfile {d}/server.crt\nkeyfile {d}/server.key\n").start()
    good = mqtt_cfg(b.port, tmp_path, tls=True, ca_file=str(d / "ca.crt"))
    ok, summary, _ = probe(good)
    assert ok and summary.endswith("TLS verified"), summary
    ok, summary, fix = probe(mqtt_cfg(b.port, tmp_path, tls=True, ca_file=str(d / "other.crt")))
    assert not ok and "TLS certificate not verified" in summary and "mqtt.ca_file" in fix
    ok, summary, fix = probe(mqtt_cfg(b.port, tmp_path), timeout=1.0)
    assert not ok
    # And the sink itself publishes over TLS.
    from device.adapters.mqtt.sink import MqttSink
    from mqtt_support import stream
    from device.adapters.store import Store
    store = Store(tmp_path / "history.db")
    sink = MqttSink(good, db_path=tmp_path / "history.db")
    try:
        assert sink.connected.wait(10)
        e = stream(1)[0]
        store.add(e)
        sink.publish(e)
        assert sink.outbox.acked == 0 or True
        from mqtt_support import wait_for
        wait_for(lambda: sink.outbox.acked == 1, what="PUBACK over TLS")
    finally:
        sink.close()
        store.close()


def test_doctor_check_mqtt_logs_in_for_real(broker, tmp_path):
    from device.app import doctor
    c = doctor.check_mqtt(mqtt_cfg(broker.port, tmp_path))
    assert c.status == doctor.OK and "MQTT login accepted" in c.summary


def test_missing_tls_files_are_one_line_config_errors(tmp_path):
    from device.config import ConfigError
    from device.adapters.mqtt.sink import MqttSink
    cfg = mqtt_cfg(1883, tmp_path, tls=True, ca_file=str(tmp_path / "nope.crt"))
    with pytest.raises(ConfigError, match=r"mqtt.ca_file = '.*nope.crt': cannot load it \(No such file"):
        MqttSink(cfg, db_path=tmp_path / "h.db")
    ok, summary, fix = probe(cfg)
    assert not ok and "mqtt.ca_file" in summary
