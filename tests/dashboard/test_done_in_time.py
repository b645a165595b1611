""""Exercises done" means done in time, on every surface of the dashboard (#10.3).

One day from the real engine into a real SQLite history: the seated routine at
08:30 ignored through its reminder until a break at 08:54, 22 min on (late: it ends the
prompts, it does not do the routine), then the routine at 10:00 answered by the
button two minutes on. One exercise was done, one of two asks answered.
"""
from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

from dash_seed import NOW, drive, person, write_status

from device import config
from device.core.engine import Engine
from device.core.events import IdFactory
from device.core.rollup import summarize
from device.adapters.store import Store

DAY0 = NOW.replace(hour=8, minute=0, second=0, microsecond=0)
MIN = 60.0


def one_answered_one_ignored(until: float = 110 * MIN):
    cfg = config.load(None, env={}).replace(sensing={"sensors": "seat"})
    eng = Engine(cfg, wall_at=lambda t: DAY0 + timedelta(seconds=t), ids=IdFactory(node=5))
    edges = person(0, 52 * MIN) + person(60 * MIN, 100 * MIN) + [(92 * MIN, "button", 1),
                                                                  (92 * MIN + 0.3, "button", 0)]
    return drive(eng, edges, until)


def test_a_late_break_is_no_exercise_done_on_today_the_api_and_the_exports(tmp_path, make_app):
    events = one_answered_one_ignored()
    done = [(e.data["how"], e.data["in_time"]) for e in events if e.type == "exercise_done"]
    assert done == [("break", False), ("button", True)]
    rolled = summarize(events)[0]
    assert (rolled.exercises_done, rolled.done_button, rolled.done_break, rolled.asks,
            rolled.answered_in_time, rolled.compliance) == (1, 1, 0, 2, 1, 50.0)
    db = tmp_path / "history.db"
    with Store(db) as s:
        s.add(events)
        assert s.flush()
    write_status(db, {"seated": False, "bout_s": 0, "level": 0, "alert": "none",
                      "updated_ts": (NOW - timedelta(seconds=30)).isoformat()})
    client = make_app(db).test_client()
    day = DAY0.date().isoformat()

    today = client.get("/api/status").get_json()["today"]
    assert (today["exercises_done"], today["done_by"], today["answered_in_time"], today["compliance"]) == \
        (1, {"button": 1}, 1, 50.0)
    assert today["done_by_text"] == "Detected by button ×1."
    body = client.get(f"/api/day/{day}").get_json()
    assert body["stats"]["exercises_done"] == body["summary"]["exercises_done"] == 1
    assert (body["stats"]["done_break"], body["stats"]["done_button"]) == (0, 1)
    assert [b["exercises_done"] for b in body["bouts"]] == [0, 1]
    assert [d["exercises_done"] for d in client.get(f"/api/days?from={day}&to={day}").get_json()["days"]] == [1]
    r = client.get(f"/api/export.csv?what=days&from={day}&to={day}")
    rows = list(csv.DictReader(io.StringIO(r.get_data(as_text=True))))
    assert [(x["exercises_done"], x["done_break"]) for x in rows] == [("1", "0")]

    html = client.get("/").get_data(as_text=True)
    assert re.search(r'id="done">1<', html)
    assert 'id="compliance">50%<' in html
    assert "ignored, break after 22 min" in html and "done (button, 2 min)" in html
