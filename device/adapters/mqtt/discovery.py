"""Home Assistant MQTT discovery configs for one desk (pure).

Each entity is one retained JSON config on
``<discovery_prefix>/<component>/deskpulse_<device_id>/<key>/config`` (HA's
optional ``node_id`` level, which lets a broker ACL give each desk write
access to its own discovery topics only: ``homeassistant/+/deskpulse_%u/+/config``); all share one
``device`` block (so HA groups them under one device card) and the desk's
``status`` topic for availability, so they grey out when the Last Will fires.
Sensors read fields of the one retained ``state`` JSON through
``value_template``, which keeps the desk's publishing to a single message per
change. ``default_entity_id`` (``<domain>.<slug>``, Home Assistant 2025.10 and
later) replaces ``object_id``, which Home Assistant stops honouring in 2026.4;
older versions drop the key (their discovery schemas remove unknown keys) and
name the entity after the device and entity names (``sensor.office_desk_bout``).

Ids. HA keys an entity by its ``unique_id``: its history, statistics, name, area and
the automations that use it hang off that registry entry. ``ids="exact"`` puts
the device id in as it is (``deskpulse_office-1_bout``): injective, since device ids
differ and no entity key ends with ``_<another key>``. ``ids="legacy"`` is what
every desk published before: ``-`` mapped to ``_``, so ``office-1`` and
``office_1`` collided. The two agree for every id without ``-``; a desk with a
``-`` that already has entities in HA keeps the legacy ones (``device.adapters.mqtt.ha_ids``
decides once and pins it in the history). ``default_entity_id`` needs
``[a-z0-9_]``, so there ``-`` is always ``_`` (HA suffixes a clash with ``_2``).

Pausing is a button ("Pause", for ``coaching.pause_default_min``) plus a
"Resume" button: one tap is what a dashboard user expects; automations that
need another duration publish ``{"cmd":"pause","minutes":N}`` on ``cmd``.
"""
from __future__ import annotations

import json
from typing import Any

from device import __version__
from device.adapters.mqtt.topics import OFFLINE, ONLINE, Topics

#: (component, key, name, extra config) for every entity.
_SENSORS: list[tuple[str, str, str, dict[str, Any]]] = [
    ("binary_sensor", "occupancy", "Occupancy", {
        "device_class": "occupancy",
        "value_template": "{{ 'ON' if value_json.seated else 'OFF' }}",
        "payload_on": "ON", "payload_off": "OFF"}),
    ("sensor", "bout", "Current bout", {
        "device_class": "duration", "unit_of_measurement": "s", "state_class": "measurement",
        "value_template": "{{ value_json.bout_s }}", "icon": "mdi:seat"}),
    ("sensor", "seated_today", "Seated today", {
        "device_class": "duration", "unit_of_measurement": "min", "state_class": "total_increasing",
        "value_template": "{{ value_json.today_seated_min }}", "icon": "mdi:chair-rolling"}),
    ("sensor", "breaks_today", "Breaks today", {
        "state_class": "total_increasing", "value_template": "{{ value_json.breaks }}", "icon": "mdi:walk"}),
    ("sensor", "prompts_today", "Prompts today", {
        "state_class": "total_increasing", "value_template": "{{ value_json.prompts }}", "icon": "mdi:bell-ring"}),
    ("sensor", "exercises_today", "Exercises done today", {
        "state_class": "total_increasing", "value_template": "{{ value_json.exercises_done }}",
        "icon": "mdi:shoe-print"}),
    ("sensor", "compliance", "Compliance today", {
        "unit_of_measurement": "%", "state_class": "measurement",
        "value_template": "{{ value_json.compliance }}", "icon": "mdi:percent"}),
    ("sensor", "level", "Prompt level", {
        "state_class": "measurement", "value_template": "{{ value_json.level }}", "icon": "mdi:stairs-up"}),
    ("sensor", "paused_until", "Paused until", {
        "device_class": "timestamp", "value_template": "{{ value_json.paused_until }}",
        "icon": "mdi:pause-circle"}),
]

_BUTTONS: list[tuple[str, str, dict[str, Any], dict[str, Any]]] = [
    ("done", "Done", {"cmd": "done"}, {"icon": "mdi:check-bold"}),
    ("snooze", "Snooze", {"cmd": "snooze"}, {"icon": "mdi:alarm-snooze"}),
    ("pause", "Pause", {"cmd": "pause"}, {"icon": "mdi:pause"}),
    ("resume", "Resume", {"cmd": "resume"}, {"icon": "mdi:play"}),
    ("test_prompt", "Test prompt", {"cmd": "test_prompt"}, {"icon": "mdi:bell-check",
                                                            "entity_category": "diagnostic"}),
]


IDS = ("exact", "legacy")

_KEYS = [k for _, k, _, _ in _SENSORS] + [k for k, _, _, _ in _BUTTONS]
# What makes "exact" injective: ``deskpulse_<device>_<key>`` splits one way only.
assert not [(a, b) for a in _KEYS for b in _KEYS if a != b and a.endswith("_" + b)], "a key ends in another"


def _slug(s: str) -> str:
    """An id for HA's entity ids (``[a-z0-9_]``): lossy, so never used as an identity."""
    return s.replace("-", "_")


def _uid_base(topics: Topics, ids: str) -> str:
    if ids not in IDS:
        raise ValueError(f"ids must be one of {IDS}, got {ids!r}")
    return f"deskpulse_{topics.device if ids == 'exact' else _slug(topics.device)}"


def device_block(cfg, topics: Topics, ids: str = "exact") -> dict[str, Any]:
    return {
        "identifiers": [_uid_base(topics, ids)],
        "name": cfg.device.name or "Desk",
        "manufacturer": "deskpulse",
        "model": "deskpulse sitting coach",
        "sw_version": __version__,
    }


def configs(cfg, topics: Topics, ids: str = "exact") -> list[tuple[str, str]]:
    """Every ``(topic, json)`` discovery message for this desk, to be published retained.

    ``ids``: ``exact`` or ``legacy`` unique_ids and device identifier (module docstring).
    """
    prefix = cfg.mqtt.discovery_prefix.strip("/") or "homeassistant"
    dev = device_block(cfg, topics, ids)
    base = _uid_base(topics, ids)
    slug = _slug(topics.device)
    node_id = f"deskpulse_{topics.device}"
    common = {
        "availability_topic": topics.status,
        "payload_available": ONLINE,
        "payload_not_available": OFFLINE,
        "device": dev,
        "origin": {"name": "deskpulse", "sw_version": __version__},
    }
    out: list[tuple[str, str]] = []

    def add(component: str, key: str, name: str, extra: dict[str, Any]) -> None:
        conf = {"name": name, "unique_id": f"{base}_{key}",
                "default_entity_id": f"{component}.deskpulse_{slug}_{key}", **common, **extra}
        topic = f"{prefix}/{component}/{node_id}/{key}/config"
        out.append((topic, json.dumps(conf, separators=(",", ":"))))

    for component, key, name, extra in _SENSORS:
        add(component, key, name, {"state_topic": topics.state, **extra})
    for key, name, payload, extra in _BUTTONS:
        if key == "pause":
            name = f"Pause {cfg.coaching.pause_default_min:g} min"
        add("button", key, name, {"command_topic": topics.cmd, "qos": 1,
                                  "payload_press": json.dumps(payload, separators=(",", ":")), **extra})
    return out


def removal(cfg, topics: Topics) -> list[tuple[str, str]]:
    """Empty retained payloads that make HA forget this desk's entities."""
    return [(topic, "") for topic, _ in configs(cfg, topics)]
