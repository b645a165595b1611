"""Histories for the dashboard tests and benchmark: simulated days replayed through the engine.

A unique module name (not ``helpers``) so no other area's import can pick it up.
The same path the daemon takes: ``device.sim.simulate`` makes a person's sensor
edges, ``device.core.engine.Engine`` turns them into events exactly as the live
loop would, and ``device.adapters.store.Store`` writes events, bouts and days.
"""
from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from device.config import Config, parse_hhmm
from device.core.engine import Engine
from device.core.events import IdFactory
from device.sim.simulate import simulate
from device.adapters.store import Store

START = datetime.fromisoformat("2026-03-02T00:00:00+01:00")  # a Monday
DAYS = 24
#: "now" in the seeded history: mid-afternoon of its last day, a bout possibly still open.
NOW = START + timedelta(days=DAYS - 1, hours=15, minutes=10)


def person(a: float, b: float) -> list[tuple[float, str, int]]:
    """Seat edges of someone seated from ``a`` to ``b`` (seconds), with a person's small weight shifts."""
    edges, t = [(a, "seat", 1)], a + 100.0
    while t + 2 < b:
        edges += [(t, "seat", 0), (t + 2, "seat", 1)]
        t += 120.0
    return edges + [(b, "seat", 0)]


def drive(engine: Engine, edges, until: float) -> list:
    """Feed ``(t, signal, value)`` edges, running the engine's deadlines on the way, as the daemon does."""
    out = []

    def step_to(t: float) -> None:
        d = engine.next_deadline()
        while d is not None and d <= t:
            out.extend(engine.advance(d))
            d = engine.next_deadline()

    for t, sig, v in sorted(edges):
        step_to(t)
        out += engine.feed(t, sig, v)
    step_to(until)
    return out


def seed_history(db_path: Path, cfg: Config, start: datetime, days: int, seed: int = 1,
                 profile: str = "typical", until: datetime | None = None,
                 flush_every_s: float = 6 * 3600, answers: bool = False) -> dict[str, Any]:
    """Replay ``days`` simulated days from ``start`` (local midnight) into ``db_path``.

    With ``until`` the replay stops there without finishing, so the last bout
    may still be open, as on a live desk. Returns the engine's status at the end.
    With ``answers`` the person answers prompts as on the daemon's simulated desk
    (``device.sim.person``: routines the PIR sees, the button), as the demo shows.
    """
    sim = simulate(profile, days, seed, start=start)
    if answers:
        return _seed_answering(db_path, cfg, start, sim, seed, profile, until, flush_every_s)
    cfg, wall_at, engine, end, now, store = _replay_setup(db_path, cfg, start, sim, seed, until)
    next_flush = flush_every_s
    try:
        deadline = engine.next_deadline()
        for t, sig, value in sim.edges():
            if t > end:
                break
            now[0] = t
            while deadline is not None and deadline <= t:
                store.add(engine.advance(deadline))
                deadline = engine.next_deadline()
            store.add(engine.feed(t, sig, value))
            deadline = engine.next_deadline()
            if t >= next_flush:
                store.flush()
                next_flush = t + flush_every_s
        while deadline is not None and deadline <= end:
            store.add(engine.advance(deadline))
            deadline = engine.next_deadline()
        if until is None:
            store.add(engine.finish(end))
        else:
            store.add(engine.advance(end))
        store.flush()
    finally:
        store.close()
    return _status_at(engine, wall_at, end)


def _seed_answering(db_path: Path, cfg: Config, start: datetime, sim, seed: int, profile: str,
                    until: datetime | None, flush_every_s: float) -> dict[str, Any]:
    """``seed_history`` with a person who sees every event and answers through the inputs."""
    from device.sim.answering import replay_answering
    from device.sim.desk_stream import DeskStream
    from device.sim.person import Person
    cfg, wall_at, engine, end, now, store = _replay_setup(db_path, cfg, start, sim, seed, until)
    person = Person(profile, seed, sim.truth, done_motion_s=cfg.coaching.done_motion_s,
                    button_hold_s=cfg.gpio.button_hold_s)
    stream = DeskStream(sim, person)
    try:
        replay_answering(engine, stream, person, store, now, end, flush_every_s, finish=until is None)
        store.flush()
    finally:
        store.close()
    return _status_at(engine, wall_at, end)


def _replay_setup(db_path: Path, cfg: Config, start: datetime, sim, seed: int, until: datetime | None):
    """(cfg, wall_at, engine, end, now, store) for replaying ``sim`` into ``db_path``; ``now[0]`` is
    the desk's own clock, so its outbox ages as a real desk's would (no broker here)."""
    cfg = cfg.replace(sensing={"sensors": "both"})
    wall_at = lambda t: (start + timedelta(seconds=t)).astimezone(start.tzinfo)  # noqa: E731
    engine = Engine(cfg, wall_at, ids=IdFactory(node=seed), start_t=0.0)
    end = sim.duration_s if until is None else min(sim.duration_s, (until - start).total_seconds())
    now = [0.0]
    store = Store(db_path, parse_hhmm(cfg.coaching.day_boundary), wall=lambda: wall_at(now[0]).timestamp(),
                  outbox_max_age_days=cfg.mqtt.outbox_max_age_days, outbox_max_rows=cfg.mqtt.outbox_max_rows)
    return cfg, wall_at, engine, end, now, store


def _status_at(engine: Engine, wall_at, end: float) -> dict[str, Any]:
    """The engine's status at ``end``, stamped as the daemon stamps it."""
    status = dict(engine.status(end))
    status["updated_ts"] = wall_at(end).isoformat(timespec="seconds")
    return status


def write_status(db_path: Path, status: dict[str, Any] | None) -> None:
    """What the daemon does at each flush: the live status as JSON in kv, from a read-write connection."""
    conn = sqlite3.connect(db_path, timeout=5)
    try:
        with conn:
            if status is None:
                conn.execute("DELETE FROM kv WHERE key = 'status'")
            else:
                conn.execute("INSERT OR REPLACE INTO kv (key, value) VALUES ('status', ?)", (json.dumps(status),))
    finally:
        conn.close()


def empty_history(db_path: Path) -> None:
    """A database with the schema and no rows: the daemon ran once, nothing happened yet."""
    Store(db_path).close()


class Served:
    """The app under waitress on a free localhost port, in a thread (``with Served(app) as s: s.url``).

    The loop runs in short slices so ``__exit__`` can stop it before closing the
    sockets (closing them under a running ``select`` raises EBADF in the thread).
    """

    def __init__(self, app, threads: int = 4):
        import threading

        import waitress
        self.server = waitress.create_server(app, host="127.0.0.1", port=0, threads=threads,
                                             clear_untrusted_proxy_headers=True)
        self.url = f"http://127.0.0.1:{self.server.effective_port}"
        self._stop = threading.Event()
        self.thread = threading.Thread(target=self._run, name="waitress", daemon=True)

    def _run(self) -> None:
        srv = self.server
        while not self._stop.is_set():
            srv.asyncore.loop(timeout=0.05, map=srv._map, use_poll=True, count=1)

    def __enter__(self) -> "Served":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self.thread.join(timeout=5)
        self.server.task_dispatcher.shutdown()
        self.server.asyncore.close_all(self.server._map)


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
