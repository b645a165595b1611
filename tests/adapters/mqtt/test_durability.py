"""Nothing is lost: broker killed and restarted, the desk process killed, the no-loss run."""
from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from mqtt_support import mqtt_cfg, outbox_rows, wait_for  # noqa: E402
from mqtt_support import stream  # noqa: E402

from device.adapters.mqtt.sink import MqttSink  # noqa: E402
from device.adapters.store import Store  # noqa: E402

DESK = Path(__file__).parent / "desk_proc.py"


def first_seen_order(msgs: list[dict]) -> list[str]:
    seen, out = set(), []
    for d in msgs:
        if d["id"] not in seen:
            seen.add(d["id"])
            out.append(d["id"])
    return out


def history_ids(db: Path) -> list[str]:
    """Every stored event id, packed days included (delivered days are packed once closed)."""
    from device.adapters.store import iter_event_rows, open_readonly
    conn = open_readonly(db)
    try:
        return [r[0] for r in iter_event_rows(conn)]
    finally:
        conn.close()


def desk_config(tmp_path: Path, port: int) -> Path:
    p = tmp_path / "desk.toml"
    p.write_text(f'[device]\ndevice_id = "simdesk"\n[gpio]\npin_factory = "mock"\n'
                 f'[history]\ndb_path = "{tmp_path / "history.db"}"\n'
                 f'[mqtt]\nhost = "127.0.0.1"\nport = {port}\nkeepalive_s = 5\n')
    return p


def start_desk(cfg_path: Path, *args: str) -> subprocess.Popen:
    err = open(cfg_path.parent / "desk.err", "a")
    try:
        return subprocess.Popen([sys.executable, str(DESK), str(cfg_path), *args], stdout=subprocess.PIPE,
                                stderr=err, text=True)
    finally:
        err.close()


def kill_desk(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGKILL)
    proc.wait(10)
    proc.stdout.close()


def desk_log(cfg_path: Path) -> str:
    return (cfg_path.parent / "desk.err").read_text()[-2000:]


def wait_progress(proc: subprocess.Popen, fraction: float, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    for line in proc.stdout:
        if line.startswith("progress"):
            _, i, n = line.split()
            if int(i) >= fraction * int(n):
                return
        if time.monotonic() > deadline:
            break
    raise AssertionError(f"desk process did not reach {fraction:.0%} (exit {proc.poll()})")


import pytest  # noqa: E402


@pytest.mark.parametrize("how", ["stop", "kill"])
def test_broker_down_and_restarted_mid_stream(own_broker, listen, tmp_path, how):
    """``stop``: SIGTERM, mosquitto saves its sessions: nothing lost, order kept.
    ``kill``: SIGKILL loses what the broker had acknowledged but not yet passed on (the
    broker's durability, not ours); everything it had *not* acknowledged must be re-sent."""
    b = own_broker().start()
    lst = listen(b.port, ["deskpulse/desk1/event"], client_id="durable-listener", persistent=True)
    lst.wait_connected()
    store = Store(tmp_path / "history.db")
    sink = MqttSink(mqtt_cfg(b.port, tmp_path), db_path=tmp_path / "history.db", reconnect_max_s=1)
    try:
        wait_for(sink.connected.is_set, what="sink connected")
        events = stream(400)
        for e in events[:200]:
            store.add(e)
            sink.publish(e)
        store.flush()
        sink.kick()
        getattr(b, how)()
        wait_for(lambda: not sink.connected.is_set(), what="sink sees the broker gone")
        time.sleep(0.2)  # let the publishing thread account for PUBACKs already received
        acked_before = sink.outbox.acked
        for e in events[200:300]:
            store.add(e)
            sink.publish(e)
        store.flush()
        sink.kick()
        b.start()
        lst.wait_connected(timeout=15)
        for e in events[300:]:
            store.add(e)
            sink.publish(e)
        store.flush()
        sink.kick()
        must = events if how == "stop" else events[acked_before:]
        got = lst.events({e.id for e in must}, timeout=30)
        order = first_seen_order(got)
        assert order == sorted(order), "order per device kept"
        if how == "stop":
            assert order == [e.id for e in events]
        wait_for(lambda: outbox_rows(tmp_path / "history.db") == 0, timeout=15, what="outbox drained")
        assert sink.outbox.acked >= 400
    finally:
        sink.close()
        store.close()


def test_desk_killed_with_events_pending_then_restarted(own_broker, listen, tmp_path):
    b = own_broker()  # not started: everything the desk makes waits in the outbox
    cfg_path = desk_config(tmp_path, b.port)
    proc = start_desk(cfg_path, "--days", "2")
    wait_progress(proc, 0.6)
    kill_desk(proc)
    db = tmp_path / "history.db"
    pending = outbox_rows(db)
    stored = history_ids(db)
    assert pending == len(stored) > 50, "every stored event is waiting in the outbox"
    b.start()
    lst = listen(b.port, ["deskpulse/simdesk/event"])
    lst.wait_connected()
    from device import config
    sink = MqttSink(config.load(cfg_path), reconnect_max_s=1)
    try:
        got = lst.events(set(stored), timeout=30)
        assert first_seen_order(got)[:len(stored)] == stored
        wait_for(lambda: outbox_rows(db) == 0, timeout=15, what="outbox drained")
    finally:
        sink.close()


def test_no_loss_simulated_days_with_broker_restarts_and_a_desk_kill(own_broker, listen, tmp_path):
    """The 'done when' run: several simulated days at full speed; broker stopped and started
    twice, the desk process killed once; a persistent QoS 1 subscriber that listened
    throughout receives every event id in the history at least once."""
    b = own_broker().start()
    lst = listen(b.port, ["deskpulse/simdesk/event"], client_id="no-loss-listener", persistent=True)
    lst.wait_connected()
    cfg_path = desk_config(tmp_path, b.port)
    db = tmp_path / "history.db"

    # Run 1: three days, killed at 60 %.
    proc = start_desk(cfg_path, "--days", "4", "--seed", "11")
    wait_progress(proc, 0.3)
    b.stop()                                   # broker stop 1, while the desk runs
    wait_progress(proc, 0.6)
    kill_desk(proc)                            # the desk is killed with events pending
    assert outbox_rows(db) > 0, "the kill left undelivered events behind"
    b.start()
    lst.wait_connected(timeout=15)

    # Run 2: the desk restarts (later days), drains what run 1 left, keeps going.
    proc = start_desk(cfg_path, "--days", "6", "--seed", "12", "--offset-days", "4", "--linger", "60")
    wait_progress(proc, 0.4)
    b.stop()                                   # broker stop 2
    wait_progress(proc, 0.7)
    b.start()
    lst.wait_connected(timeout=15)
    out, _ = proc.communicate(timeout=120)
    assert proc.returncode == 0 and "done" in out, desk_log(cfg_path)

    ids = history_ids(db)
    assert len(ids) > 500
    got = lst.events(set(ids), timeout=60)
    received = {d["id"] for d in got}
    assert set(ids) <= received
    for d in got[:50]:
        assert json.loads(json.dumps(d))["type"]  # well-formed events
