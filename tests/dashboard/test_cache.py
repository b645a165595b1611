"""The render cache's version check: exact after any flush, and O(1) in the years of history."""
from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta

from dash_seed import seed_history

from dashboard import queries
from device.config import Config
from device.core.events import EventFactory, IdFactory
from device.adapters.store import Store

START = datetime.fromisoformat("2026-03-02T00:00:00+01:00")


def _history(db, days: int) -> None:
    seed_history(db, Config().replace(mqtt={"outbox_max_age_days": 1}), START, days, seed=3,
                 flush_every_s=86400)
    with sqlite3.connect(db) as c:
        c.execute("DELETE FROM outbox")  # the broker has everything: every closed day can be packed


def _version_steps(app) -> tuple[int, tuple]:
    """SQLite VM steps of one version check on a fresh connection (as a request has), and the version."""
    with app.test_request_context("/history"):
        conn = queries.get_db()
        conn.execute("SELECT 1 FROM kv LIMIT 0").fetchall()  # the schema, read by any first query
        steps = [0]

        def tick():
            steps[0] += 1
            return 0
        conn.set_progress_handler(tick, 1)
        v = queries.history_version()
        conn.set_progress_handler(None, 1)
    return steps[0], v


def test_the_version_check_does_not_grow_with_the_packed_days(make_app, tmp_path):
    """Counted in SQLite VM steps (deterministic), not timed: 10 packed days cost what 2,000 do."""
    small, big = tmp_path / "small.db", tmp_path / "big.db"
    _history(small, 12)
    _history(big, 12)
    with sqlite3.connect(big) as c:  # years of packed days (the rows as _pack writes them)
        row = c.execute("SELECT n, first_id, last_id, data FROM packed_days LIMIT 1").fetchone()
        c.executemany("INSERT INTO packed_days (day, n, first_id, last_id, data) VALUES (?, ?, ?, ?, ?)",
                      [(f"20{y:02d}-{m:02d}-{d:02d}", *row) for y in range(10, 16) for m in range(1, 13)
                       for d in range(1, 29)])
        n_big = c.execute("SELECT count(*) FROM packed_days").fetchone()[0]
    assert n_big > 2000
    s_small, _ = _version_steps(make_app(small))
    s_big, _ = _version_steps(make_app(big))
    assert s_big <= s_small + 5, (s_small, s_big)


def test_a_late_event_packed_into_its_day_changes_the_version(make_app, tmp_path):
    """A late event for a packed day is stored and packed in the same flush: ``max(seq)`` is where
    it was, yet the day's row changed. The cached /api/days must show the change."""
    db = tmp_path / "h.db"
    _history(db, 8)
    with sqlite3.connect(db) as c:
        packed = [r[0] for r in c.execute("SELECT day FROM packed_days ORDER BY day")]
    assert len(packed) >= 3
    day = packed[1]
    app = make_app(db)
    client = app.test_client()
    url = f"/api/days?from={packed[0]}&to={packed[-1]}"
    before = {r["day"]: r for r in client.get(url).get_json()["days"]}
    assert client.get(url).get_json()["days"] == list(before.values())  # from the cache
    _, v_before = _version_steps(app)

    late_at = datetime.fromisoformat(day + "T21:00:00+01:00")
    f = EventFactory(lambda t: late_at + timedelta(seconds=t), IdFactory(99))
    ts = lambda t: (late_at + timedelta(seconds=t)).isoformat(timespec="milliseconds")  # noqa: E731
    late = [f.make("sit_start", 0.0, sensor="seat", new_bout=True), f.make("sit_end", 600.0, seated_s=600.0),
            f.make("break", 720.0, bout_start_ts=ts(0), bout_end_ts=ts(600), bout_s=600.0, seated_s=600.0,
                   prompts=0, exercises_done=0, max_level=0)]
    with sqlite3.connect(db) as c:
        max_seq = c.execute("SELECT max(seq) FROM events").fetchone()[0]
    s = Store(db, queue_for_mqtt=False)
    s.add(late)
    assert s.flush()
    s.close()
    with sqlite3.connect(db) as c:
        assert c.execute("SELECT max(seq) FROM events").fetchone()[0] == max_seq  # the case in point
        assert c.execute("SELECT count(*) FROM events WHERE day = ?", (day,)).fetchone()[0] == 0  # packed
    _, v_after = _version_steps(app)
    assert v_after != v_before
    after = {r["day"]: r for r in client.get(url).get_json()["days"]}
    assert after[day]["bouts"] == before[day]["bouts"] + 1
