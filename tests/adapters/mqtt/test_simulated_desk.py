"""`deskpulse run --simulate` with [mqtt] configured publishes like a real desk, under its own name."""
from __future__ import annotations

import json
import os
import queue
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

ROOT = Path(__file__).resolve().parents[3]


def test_a_simulated_desk_publishes_events_state_and_discovery_as_desk_sim(broker, listen, tmp_path):
    cfg = tmp_path / "config.toml"
    cfg.write_text(f'[device]\ndevice_id = "desk1"\nname = "Office desk"\n'
                   f'[mqtt]\nhost = "127.0.0.1"\nport = {broker.port}\n')
    sub = listen(broker.port, ["deskpulse/#", "homeassistant/#"])
    sub.wait_connected()
    db = tmp_path / "sim.db"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "XDG_RUNTIME_DIR": str(tmp_path)}
    r = subprocess.run([sys.executable, "-m", "device.cli", "run", "--config", str(cfg), "--simulate", "typical",
                        "--speed", "max", "--db", str(db)], cwd=tmp_path, env=env, capture_output=True,
                       text=True, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
    with sqlite3.connect(db) as c:
        ids = {i for (i,) in c.execute("SELECT id FROM events")}
        left = c.execute("SELECT COUNT(*) FROM outbox").fetchone()[0]
    # all acknowledged before it exited; the clean stop's own row is written after the sink closed
    assert len(ids) > 20 and left <= 1
    msgs, seen = [], set()
    deadline = time.monotonic() + 30
    while not ids <= seen and time.monotonic() < deadline:
        try:
            m = sub.get(timeout=1.0)
        except queue.Empty:
            continue
        msgs.append(m)
        if m.topic.endswith("/event"):
            seen.add(json.loads(m.payload)["id"])
    assert seen == ids
    got = [json.loads(m.payload) for m in msgs if m.topic.endswith("/event")]
    topics = {m.topic for m in msgs}
    # never the real desk's topics: its retained state and HA entities stay untouched
    assert not [t for t in topics if t.startswith("deskpulse/desk1/") or "deskpulse_desk1/" in t]
    assert "deskpulse/desk1-sim/state" in topics and "deskpulse/desk1-sim/status" in topics
    occ = [json.loads(m.payload) for m in msgs if m.topic == "homeassistant/binary_sensor/deskpulse_desk1-sim/occupancy/config"]
    assert occ and occ[0]["device"]["name"] == "Office desk (simulated)"
    assert occ[0]["unique_id"] == "deskpulse_desk1-sim_occupancy", "a new desk (fresh history): exact ids"
    states = [json.loads(m.payload) for m in msgs if m.topic == "deskpulse/desk1-sim/state"]
    # stamped with the simulated day, whose totals it carries
    assert max(s["today_seated_min"] for s in states) > 60
    day = min(e["ts"][:10] for e in got)
    assert all(s["ts"][:10] >= day for s in states)
