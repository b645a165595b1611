"""MqttSink against a real mosquitto: payloads, retained state, LWT, outbox behaviour."""
from __future__ import annotations

import json
import socket
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from mqtt_support import mqtt_cfg, outbox_rows, wait_for  # noqa: E402
from mqtt_support import stream  # noqa: E402

from device.adapters.mqtt.sink import MqttSink  # noqa: E402
from device.adapters.store import Store  # noqa: E402


@pytest.fixture
def desk(tmp_path, broker):
    made = []

    def make(port=None, device="desk1", **kw):
        cfg = mqtt_cfg(port or broker.port, tmp_path, device=device)
        store = Store(tmp_path / "history.db")
        sink = MqttSink(cfg, db_path=tmp_path / "history.db", **kw)
        made.append((store, sink))
        return cfg, store, sink
    yield make
    for store, sink in made:
        sink.close()
        store.close()


def test_events_arrive_with_their_payloads_and_rows_are_deleted(desk, broker, listen, tmp_path):
    lst = listen(broker.port, ["deskpulse/desk1/event"])
    lst.wait_connected()
    cfg, store, sink = desk()
    wait_for(sink.connected.is_set, what="sink connected")
    events = stream(20)
    for e in events:
        store.add(e)
        sink.publish(e)
    got = lst.events({e.id for e in events})
    by_id = {d["id"]: d for d in got}
    for e in events:
        assert by_id[e.id] == json.loads(e.to_json())
    assert [d["id"] for d in got][:20] == [e.id for e in events], "order per device kept"
    store.flush()
    sink.kick()
    wait_for(lambda: outbox_rows(tmp_path / "history.db") == 0, what="outbox emptied after PUBACKs")
    assert sink.outbox.sent == 20, "live-published events are not sent again from the table"


def test_with_the_broker_up_the_history_writes_no_outbox_rows(desk, broker, listen, tmp_path):
    """PUBACKs come back long before the store's flush: it then queues nothing, and nothing is deleted."""
    lst = listen(broker.port, ["deskpulse/desk1/event"])
    lst.wait_connected()
    cfg, store, sink = desk()
    store.delivered = sink.delivered                 # what the daemon wires for a sink that has it
    wait_for(sink.connected.is_set, what="sink connected")
    events = stream(20)
    for e in events:
        store.add(e)
        sink.publish(e)
    lst.events({e.id for e in events})
    wait_for(lambda: sink.outbox.acked == 20, what="PUBACKs")
    assert store.flush()
    assert outbox_rows(tmp_path / "history.db") == 0 and sink.outbox.skipped == 20
    assert sink.outbox.sent == 20 and sink.outbox.deduped == 0


def test_retained_state_online_and_last_will(desk, broker, listen, tmp_path):
    cfg, store, sink = desk(device="lwt-desk")
    wait_for(sink.connected.is_set, what="sink connected")
    sink.set_state({"seated": True, "bout_s": 600, "level": 1, "alert": "routine",
                    "today": {"seated_s": 7200, "breaks": 3, "prompts": 2, "exercises_done": 1,
                              "compliance": 50.0}})
    first = listen(broker.port, ["deskpulse/lwt-desk/state"])
    first.wait_connected()
    first.get()  # the state is on the broker now (live or retained)
    lst = listen(broker.port, ["deskpulse/lwt-desk/state", "deskpulse/lwt-desk/status"])
    lst.wait_connected()
    state = lst.until(lambda m: m.topic.endswith("/state"))
    assert state.retain, "a late subscriber gets the state at once"
    s = json.loads(state.payload)
    assert s["seated"] is True and s["state"] == "seated" and s["bout_s"] == 600
    assert s["today_seated_min"] == 120.0 and s["breaks"] == 3 and s["compliance"] == 50.0
    status = lst.until(lambda m: m.topic.endswith("/status"))
    assert status.payload == b"online" and status.retain
    # Cut the socket without a DISCONNECT: the broker must publish the Last Will.
    sink.client.socket().shutdown(socket.SHUT_RDWR)
    m = lst.until(lambda m: m.topic.endswith("/status") and m.payload == b"offline", timeout=15)
    assert m.payload == b"offline"
    # paho reconnects by itself and says online again.
    lst.until(lambda m: m.topic.endswith("/status") and m.payload == b"online", timeout=15)


def test_clean_close_publishes_offline(desk, broker, listen):
    cfg, store, sink = desk(device="closer")
    wait_for(sink.connected.is_set, what="sink connected")
    lst = listen(broker.port, ["deskpulse/closer/status"])
    lst.wait_connected()
    assert lst.until(lambda m: True).payload == b"online"
    sink.close()
    assert lst.until(lambda m: True).payload == b"offline"


def test_broker_down_at_start_then_up(own_broker, tmp_path, listen):
    b = own_broker()
    cfg = mqtt_cfg(b.port, tmp_path)
    store = Store(tmp_path / "history.db")
    sink = MqttSink(cfg, db_path=tmp_path / "history.db", reconnect_max_s=1)
    try:
        events = stream(30)
        for e in events[:15]:
            store.add(e)
            sink.publish(e)
        store.flush()
        sink.kick()
        assert outbox_rows(tmp_path / "history.db") == 15
        b.start()
        lst = listen(b.port, ["deskpulse/desk1/event"])
        lst.wait_connected()
        for e in events[15:]:
            store.add(e)
            sink.publish(e)
        store.flush()
        sink.kick()
        # The first 15 were handed to paho while offline; they may reach the broker before the
        # listener subscribed, so only the later ones are guaranteed to this listener.
        lst.events({e.id for e in events[15:]})
        wait_for(lambda: outbox_rows(tmp_path / "history.db") == 0, timeout=15, what="outbox drained")
        assert sink.outbox.acked == 30
    finally:
        sink.close()
        store.close()


def test_no_broker_configured_keeps_the_outbox(tmp_path):
    from device import config
    cfg = config.from_dict({}, "t").replace(history={"db_path": str(tmp_path / "h.db")})
    store = Store(tmp_path / "h.db")
    sink = MqttSink(cfg, db_path=tmp_path / "h.db")
    for e in stream(5):
        store.add(e)
        sink.publish(e)
    store.flush()
    sink.kick()
    sink.close()
    store.close()
    assert outbox_rows(tmp_path / "h.db") == 5


def test_state_carries_todays_totals_and_is_refreshed_on_a_tick(broker, listen, tmp_path):
    from mqtt_support import factory
    fac = factory()
    store = Store(tmp_path / "history.db")
    store.add([fac.make("sit_start", 0.0, sensor="seat", new_bout=True),
               fac.make("sit_end", 1800.0, seated_s=1800.0),
               fac.make("break", 1920.0, bout_start_ts=fac.wall_at(0).isoformat(),
                        bout_end_ts=fac.wall_at(1800).isoformat(), bout_s=1800.0, seated_s=1800.0,
                        prompts=0, exercises_done=0, max_level=0)])
    assert store.flush()
    lst = listen(broker.port, ["deskpulse/ticker/state"])
    lst.wait_connected()
    cfg = mqtt_cfg(broker.port, tmp_path, device="ticker", state_interval_s=0.3)
    sink = MqttSink(cfg, db_path=tmp_path / "history.db")
    try:
        sink.set_state({"seated": False, "updated_ts": "2026-03-02T10:00:00+01:00"})
        first = json.loads(lst.get().payload)
        assert first["today_seated_min"] == 30.0 and first["breaks"] == 1 and first["seated"] is False
        # No new status from the daemon: the slow tick re-publishes, so HA never shows it stale.
        second = json.loads(lst.get(timeout=5).payload)
        assert second["breaks"] == 1 and second["ts"] >= first["ts"]
        # Another day: nothing counted yet.
        sink.set_state({"seated": True, "updated_ts": "2026-03-03T09:00:00+01:00"})
        m = lst.until(lambda m: json.loads(m.payload)["seated"])
        assert json.loads(m.payload)["today_seated_min"] == 0 and json.loads(m.payload)["breaks"] == 0
    finally:
        sink.close()
        store.close()


def test_state_counts_only_exercises_done_in_time(broker, listen, tmp_path):
    """A routine ignored until a late break and one answered by the button: exercises_done 1, as in the history."""
    from mqtt_support import factory
    fac = factory()
    m = 60.0

    def prompt(t, level):
        return fac.make("prompt", t, level=level, kind={1: "seated", 2: "reminder"}[level],
                        exercise={"key": "ankle_pumps", "name": "Ankle pumps", "instructions": "..."},
                        bout_s=t, beep=level > 1, repeat=1)

    def brk(t, start, end, done):
        return fac.make("break", t, bout_start_ts=fac.wall_at(start).isoformat(),
                        bout_end_ts=fac.wall_at(end).isoformat(), bout_s=end - start, seated_s=end - start,
                        prompts=1, exercises_done=done, max_level=1)
    store = Store(tmp_path / "history.db")
    store.add([fac.make("sit_start", 0.0, sensor="seat", new_bout=True), prompt(30 * m, 1), prompt(35 * m, 2),
               fac.make("sit_end", 52 * m, seated_s=52 * m),
               fac.make("exercise_done", 54 * m, how="break", level=2, exercise="ankle_pumps", latency_s=1440.0,
                        in_time=False),
               brk(54 * m, 0.0, 52 * m, 0),
               fac.make("sit_start", 60 * m, sensor="seat", new_bout=True), prompt(90 * m, 1),
               fac.make("exercise_done", 92 * m, how="button", level=1, exercise="ankle_pumps", latency_s=120.0,
                        in_time=True),
               fac.make("sit_end", 100 * m, seated_s=40 * m), brk(102 * m, 60 * m, 100 * m, 1)])
    assert store.flush()
    lst = listen(broker.port, ["deskpulse/done/state"])
    lst.wait_connected()
    sink = MqttSink(mqtt_cfg(broker.port, tmp_path, device="done"), db_path=tmp_path / "history.db")
    try:
        sink.set_state({"seated": False, "updated_ts": "2026-03-02T10:00:00+01:00"})
        state = json.loads(lst.get().payload)
        assert (state["prompts"], state["exercises_done"], state["compliance"]) == (3, 1, 50.0)
    finally:
        sink.close()
        store.close()
