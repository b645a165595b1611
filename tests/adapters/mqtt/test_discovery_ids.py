"""Home Assistant ids (issue #11, item 5): collision-free for new desks, unchanged for existing ones.

Today ``office-1`` and ``office_1`` publish the same unique_ids and device identifier, so HA
rejects the second desk's 14 entities. HA keys an entity by its unique_id (its history,
statistics, automations, area and name hang off that registry entry), so an existing desk must
keep publishing the unique_ids HA already has.
"""
from __future__ import annotations

import json
import sqlite3
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from mqtt_support import mqtt_cfg, stream, wait_for  # noqa: E402

from device import config  # noqa: E402
from device.adapters.mqtt import discovery
from device.adapters.mqtt.ha_ids import HA_IDS_KEY  # noqa: E402
from device.adapters.mqtt.sink import MqttSink  # noqa: E402
from device.adapters.mqtt.topics import Topics  # noqa: E402
from device.adapters.store import Store  # noqa: E402


def _ids(device: str, scheme: str = "exact") -> tuple[set[str], set[str], set[str]]:
    cfg = config.from_dict({}, "t").replace(device={"device_id": device}, mqtt={"host": "x"})
    confs = [json.loads(p) for _, p in discovery.configs(cfg, Topics.from_config(cfg), ids=scheme)]
    return ({c["unique_id"] for c in confs}, {i for c in confs for i in c["device"]["identifiers"]},
            {c["default_entity_id"] for c in confs})


def test_ids_differing_only_by_dash_and_underscore_do_not_collide():
    dash_uids, dash_dev, _ = _ids("office-1")
    under_uids, under_dev, _ = _ids("office_1")
    assert len(dash_uids) == len(under_uids) == 14
    assert not dash_uids & under_uids, "HA would reject the second desk's entities"
    assert not dash_dev & under_dev, "HA would merge both desks into one device"


def test_the_encoding_is_injective_over_every_id_shape():
    """Every id a desk can have (a-z 0-9 _ -) gets its own unique_ids: no two desks share one."""
    devices = ["a", "a-b", "a_b", "a-b-c", "a_b-c", "a-b_c", "a_b_c", "a--b", "a__b", "a_-b", "a-_b",
               "a_test", "a_paused", "a_seated", "x-9", "x_9", "x9"]
    seen: dict[str, str] = {}
    for d in devices:
        for uid in _ids(d)[0]:
            assert uid not in seen, f"{d} and {seen.get(uid)} share {uid}"
            seen[uid] = d


def test_ids_without_a_dash_are_what_they_always_were():
    uids, dev, ents = _ids("office_desk_3")
    assert "deskpulse_office_desk_3_occupancy" in uids and dev == {"deskpulse_office_desk_3"}
    assert "binary_sensor.deskpulse_office_desk_3_occupancy" in ents
    assert _ids("desk1")[0] == _ids("desk1", "legacy")[0]
    assert _ids("office_1")[0] == _ids("office_1", "legacy")[0]


def test_legacy_ids_are_the_old_ones_and_entity_ids_stay_valid():
    uids, dev, ents = _ids("desk-pi", "legacy")
    assert "deskpulse_desk_pi_occupancy" in uids and dev == {"deskpulse_desk_pi"}
    for scheme in ("legacy", "exact"):
        for e in _ids("desk-pi", scheme)[2]:
            domain, slug = e.split(".")
            assert all(ch.isascii() and (ch.isalnum() or ch == "_") for ch in slug), e


def test_has_entity_name_is_not_sent():
    cfg = config.from_dict({}, "t").replace(device={"device_id": "desk1"}, mqtt={"host": "x"})
    for _, p in discovery.configs(cfg, Topics.from_config(cfg)):
        assert "has_entity_name" not in json.loads(p), "not an MQTT discovery option"


# -------------------------------------------------------------------- the one-off migration
def _announced(broker, listen, tmp_path, device: str, db: Path, **mqtt_keys) -> tuple[dict, MqttSink]:
    lst = listen(broker.port, [f"homeassistant/binary_sensor/deskpulse_{device}/occupancy/config"])
    lst.wait_connected()
    sink = MqttSink(mqtt_cfg(broker.port, tmp_path, device=device, **mqtt_keys), db_path=db)
    try:
        wait_for(sink.connected.is_set, what="connected")
        m = lst.until(lambda m: m.payload and json.loads(m.payload).get("unique_id"))
        return json.loads(m.payload), sink
    finally:
        sink.close()
        lst.close()


def _history_of_an_older_version(db: Path) -> None:
    with Store(db) as s:
        s.add(stream(4))
        s.flush()


def _pinned(db: Path, device: str) -> str | None:
    """The scheme pinned for ``device`` in the history (per device id: a renamed desk is a new one to HA)."""
    with sqlite3.connect(db) as c:
        row = c.execute("SELECT value FROM kv WHERE key = ?", (HA_IDS_KEY,)).fetchone()
    return json.loads(row[0]).get(device) if row else None


def test_an_existing_desk_with_a_dash_keeps_its_entities(broker, listen, tmp_path):
    db = tmp_path / "history.db"
    _history_of_an_older_version(db)
    conf, sink = _announced(broker, listen, tmp_path, "old-desk", db)
    assert conf["unique_id"] == "deskpulse_old_desk_occupancy", "HA already has these entities"
    assert conf["device"]["identifiers"] == ["deskpulse_old_desk"]
    assert conf["default_entity_id"] == "binary_sensor.deskpulse_old_desk_occupancy"
    assert _pinned(db, "old-desk") == "legacy"
    conf, _ = _announced(broker, listen, tmp_path, "old-desk", db)
    assert conf["unique_id"] == "deskpulse_old_desk_occupancy", "pinned: the next start says the same"


def test_a_new_desk_with_a_dash_gets_collision_free_ids_for_good(broker, listen, tmp_path):
    db = tmp_path / "history.db"
    Store(db).close()  # a fresh history, as `deskpulse run` creates it before the sink starts
    conf, _ = _announced(broker, listen, tmp_path, "new-desk", db)
    assert conf["unique_id"] == "deskpulse_new-desk_occupancy"
    assert conf["device"]["identifiers"] == ["deskpulse_new-desk"]
    assert _pinned(db, "new-desk") == "exact"
    _history_of_an_older_version(db)  # it has run a while: still the same ids
    conf, _ = _announced(broker, listen, tmp_path, "new-desk", db)
    assert conf["unique_id"] == "deskpulse_new-desk_occupancy"


def test_the_config_can_move_an_existing_desk_to_exact_ids(broker, listen, tmp_path):
    """Two old desks ``office-1`` and ``office_1``: the dash one is told to take its own ids."""
    db = tmp_path / "history.db"
    _history_of_an_older_version(db)
    conf, _ = _announced(broker, listen, tmp_path, "office-1", db, ha_unique_ids="exact")
    assert conf["unique_id"] == "deskpulse_office-1_occupancy"
    assert _pinned(db, "office-1") == "exact"


def test_a_new_desk_stays_new_when_the_broker_answers_after_its_first_flush(own_broker, listen, tmp_path):
    """The daemon writes this run's daemon_start before a slow broker answers: that is not an old desk."""
    b = own_broker()  # not started yet
    db = tmp_path / "history.db"
    Store(db).close()
    sink = MqttSink(mqtt_cfg(b.port, tmp_path, device="slow-desk"), db_path=db, reconnect_max_s=1)
    try:
        _history_of_an_older_version(db)  # this run's first events, flushed while the broker is away
        b.start()
        lst = listen(b.port, ["homeassistant/binary_sensor/deskpulse_slow-desk/occupancy/config"])
        lst.wait_connected()
        m = lst.until(lambda m: bool(m.payload), timeout=15)
        assert json.loads(m.payload)["unique_id"] == "deskpulse_slow-desk_occupancy"
        assert _pinned(db, "slow-desk") == "exact"
    finally:
        sink.close()
