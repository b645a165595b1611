"""The README's MQTT examples are what the code publishes (keys, and the discovery config exactly)."""
from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

from device import config
from device.adapters.mqtt import discovery
from device.core.engine import Engine
from device.core.events import IdFactory
from device.adapters.mqtt.topics import Topics
from device.adapters.mqtt.state import build_state

README = (Path(__file__).resolve().parents[3] / "README.md").read_text()
MQTT = README[README.index("## MQTT"):README.index("## Events")]


def test_the_state_example_has_exactly_the_published_keys():
    example = json.loads(re.search(r'`(\{"state":.*?\})`', MQTT).group(1))
    real = build_state({"seated": True, "bout_s": 282.0, "level": 0, "alert": "none", "next_prompt_in_s": 1518.0,
                        "today": {"seated_s": 27235.0, "breaks": 14, "prompts": 15, "exercises_done": 6,
                                  "compliance": 200 / 3}}, "2026-12-01T18:15:00+00:00")
    assert example == real


def test_the_event_examples_have_the_engines_keys():
    t0 = datetime(2026, 12, 1, 8, tzinfo=timezone.utc)
    eng = Engine(config.Config().replace(sensing={"sensors": "seat"}),
                 wall_at=lambda t: t0 + timedelta(seconds=t), ids=IdFactory(node=1))
    events = eng.feed(0.0, "seat", 1)
    t = 0.0
    while t < 36 * 60:
        t += 10.0
        events += eng.advance(t)
    events += eng.feed(t, "seat", 0)  # up after the reminder: the break counts as done
    while t < 42 * 60:
        t += 10.0
        events += eng.advance(t)
    real = {e.type: json.loads(e.to_json()) for e in events}
    examples = [json.loads(m) for m in re.findall(r'`(\{"v":1,.*?\})`', MQTT)]
    assert {e["type"] for e in examples} == {"prompt", "exercise_done"}
    for ex in examples:
        assert set(ex) == set(real[ex["type"]]), ex["type"]
        if ex["type"] == "prompt":
            assert set(ex["exercise"]) == set(real["prompt"]["exercise"])


def test_the_discovery_example_is_exactly_what_the_desk_sends():
    block = re.search(r"```\nhomeassistant/binary_sensor/deskpulse_desk1/occupancy/config\n(.*?)```", MQTT, re.S).group(1)
    cfg = config.Config().replace(device={"device_id": "desk1", "name": "Office desk"}, mqtt={"host": "x"})
    sent = dict(discovery.configs(cfg, Topics.from_config(cfg)))
    assert json.loads(block) == json.loads(sent["homeassistant/binary_sensor/deskpulse_desk1/occupancy/config"])
