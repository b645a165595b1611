"""``deskpulse demo``: a simulated desk at a watchable speed plus the dashboard, in one command.

No Pi and no broker: gpiozero's mock pins are driven by the desk simulator
on a clock running ``--speed`` times real time (a working day in minutes),
the history goes to a fresh temporary directory (or ``--db``), and the
dashboard is served by waitress on localhost, sharing the simulated clock so
"today" is the simulated day. Commands given on the dashboard (done,
snooze, pause) reach the simulated desk like the real one.

A fresh history first gets ``SEED_WEEKS`` simulated weeks before that day
(the same person, replayed through the engine into the store as the daemon
would have written them), so History has charts to show at once. The kv row
``simulated_days`` names them, and the dashboard says they are simulated.
"""
from __future__ import annotations

import argparse
import logging
import tempfile
import threading
import time
from datetime import datetime, time as dtime, timedelta, timezone
from pathlib import Path

from device.errors import UserError

#: Simulated weeks put before the demo's day in a fresh history (History then has bars to show).
SEED_WEEKS = 3
#: kv key naming the simulated days: '{"from": "YYYY-MM-DD", "to": "YYYY-MM-DD"}' (read by the dashboard).
SIMULATED_KEY = "simulated_days"

log = logging.getLogger("deskpulse.demo")


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--speed", default="60", metavar="N", help="simulated seconds per real second (default 60: an hour a minute)")
    p.add_argument("--port", default="8080", metavar="P", help="dashboard port on 127.0.0.1 (default 8080; 0 = any free one)")
    p.add_argument("--profile", default="typical", metavar="NAME", help="the simulated person (default typical)")
    p.add_argument("--seed", default="1", metavar="S", help="simulation seed")
    p.add_argument("--start", default="08:00", metavar="HH:MM", help="simulated time of day to begin at (default 08:00)")
    p.add_argument("--db", metavar="PATH", help="history database (default: a fresh temporary one)")
    p.add_argument("--verbose", "-v", action="store_true")


def run(args: argparse.Namespace) -> int:
    from device import config
    from device.app.commands import args as check
    from device.app.commands.run import SimSpec, local_tz, run_daemon
    from device.adapters.notify import setup_logging

    setup_logging(args.verbose)
    check.profile("profile", args.profile)
    speed = check.speed(args.speed)
    if speed is None:
        raise UserError("--speed max is too fast to watch; give a number like 60")
    port = check.whole("port", args.port, 0, 65535)
    seed = check.seed(args.seed)
    try:
        at = config.parse_hhmm(args.start)
    except ValueError as e:
        raise UserError(f"--start: {e}") from None
    server, app_slot = _bind(port)  # a busy port is one line before anything starts (no temporary history)
    tmp = None
    if args.db:
        db = Path(args.db).expanduser()
        if db.is_dir():
            raise UserError(f"--db {args.db}: is a folder, not a history file")
    else:
        tmp = tempfile.TemporaryDirectory(prefix="deskpulse-demo-")
        db = Path(tmp.name) / "history.db"
    cfg = config.from_dict({"gpio": {"pin_factory": "mock"}, "history": {"db_path": str(db)},
                            "dashboard": {"host": "127.0.0.1", "port": port or 8080}}, "demo")
    start = datetime.now(local_tz(cfg)).replace(hour=at.hour, minute=at.minute, second=0, microsecond=0)
    # The desk runs until the simulated midnight; the dashboard then stays up, its clock stopped there,
    # so the finished day can be browsed instead of a "connection refused" (or an empty new day).
    midnight = datetime.combine(start.date() + timedelta(days=1), dtime(0), start.tzinfo)
    if not db.exists():
        first, last = seed_past_weeks(cfg, db, start, args.profile, seed)
        print(f"deskpulse demo: {SEED_WEEKS} simulated weeks ({first} to {last}) put into the history "
              f"before today, so History has something to show", flush=True)
    end_t = (midnight - start).total_seconds() - 60.0  # stop at 23:59, on the desk's own clock,
    sim = SimSpec(args.profile, 1, seed, speed, start, until_s=end_t + 59.0)  # which never leaves the day
    ran = {}

    def on_ready(daemon):
        ran["daemon"] = daemon
        threading.Thread(target=_stop_at, args=(daemon, end_t, speed), name="deskpulse-demo-end", daemon=True).start()
        app_slot["app"] = _dashboard_app(cfg, db, _UntilClock(daemon.clock, midnight))
        threading.Thread(target=server.run, name="deskpulse-dashboard", daemon=True).start()
        print(f"\ndeskpulse demo: dashboard at http://{server.effective_host}:{server.effective_port}/  "
              f"(a simulated {args.profile} day from {args.start} at {speed:g}x; Ctrl-C to stop)\n", flush=True)

    try:
        rc = run_daemon(cfg, sim=sim, on_ready=on_ready, with_sinks=False)
        daemon = ran.get("daemon")
        if rc == 0 and daemon is not None and daemon.stop_reason == DAY_OVER:
            print(f"\ndeskpulse demo: the simulated day is over; its dashboard stays at "
                  f"http://{server.effective_host}:{server.effective_port}/ (Ctrl-C to stop)", flush=True)
            _wait_for_a_signal()
        return rc
    finally:
        server.close()
        if tmp is not None:
            tmp.cleanup()


DAY_OVER = "end of the simulated day"


def seed_past_weeks(cfg, db: Path, start: datetime, profile: str, seed: int, weeks: int = SEED_WEEKS):
    """``weeks`` simulated weeks ending the day before ``start``, written to ``db`` as the daemon would have.

    The person answers prompts as on the live simulated desk (``device.sim.sim_person``), so
    the figures look like a real desk's. Returns the first and last desk day written.
    """
    import json

    from device.config import parse_hhmm
    from device.core.engine import Engine
    from device.core.events import IdFactory
    from device.sim.sim_person import DeskStream, Person, replay_answering
    from device.sim.simulate import simulate
    from device.adapters.store import Store

    days = 7 * weeks
    first = datetime.combine(start.date() - timedelta(days=days), dtime(0), start.tzinfo)
    first_utc, tz = first.astimezone(timezone.utc), start.tzinfo
    wall_at = lambda t: (first_utc + timedelta(seconds=t)).astimezone(tz)  # noqa: E731
    sim = simulate(profile, days, seed, start=first)
    engine = Engine(cfg, wall_at, ids=IdFactory(), start_t=0.0)
    wired = {"both": ("seat", "pir"), "seat": ("seat",), "pir": ("pir",)}[cfg.sensing.sensors]
    person = Person(profile, seed, sim.truth, pir="pir" in wired, button=True,
                    done_motion_s=cfg.coaching.done_motion_s, button_hold_s=cfg.gpio.button_hold_s)
    stream = DeskStream(sim, person)
    now = [0.0]
    store = Store(db, parse_hhmm(cfg.coaching.day_boundary), wall=lambda: wall_at(now[0]).timestamp(),
                  queue_for_mqtt=False)
    try:
        replay_answering(engine, stream, person, store, now, sim.duration_s, 86400.0,  # a day per flush
                         signals=wired + ("button",))
        span = {"from": first.date().isoformat(), "to": (start.date() - timedelta(days=1)).isoformat()}
        store.set(SIMULATED_KEY, json.dumps(span))
        store.flush()
    finally:
        store.close()
    return span["from"], span["to"]


def _stop_at(daemon, end_t: float, speed: float) -> None:
    clock = daemon.clock
    while not daemon.stopped:
        left = end_t - clock.monotonic()
        if left <= 0:
            daemon.request_stop(DAY_OVER)
            return
        time.sleep(min(0.5, left / speed))


class _UntilClock:
    """The desk's clock for the dashboard, stopped at ``end`` (wall time)."""

    def __init__(self, clock, end: datetime):
        self._clock, self._end = clock, end
        self.speed = getattr(clock, "speed", 1.0)

    def wall(self) -> datetime:
        return min(self._clock.wall(), self._end - timedelta(seconds=1))

    def monotonic(self) -> float:
        return self._clock.monotonic()


def _wait_for_a_signal() -> None:
    """Until SIGINT or SIGTERM. The handlers only set a flag: nothing in them can wait on a lock."""
    import signal
    got = []
    old = {sig: signal.signal(sig, lambda signum, frame: got.append(signum)) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        while not got:
            time.sleep(0.5)
    finally:
        for sig, handler in old.items():
            signal.signal(sig, handler)


def _bind(port: int):
    """The dashboard's listening socket, bound now; the app is plugged in once the desk runs."""
    from waitress import create_server

    from device.app.commands.dashboard import listen_sockets
    slot = {}

    def app(environ, start_response):
        return slot["app"](environ, start_response)
    try:
        socks = listen_sockets("127.0.0.1", port)
    except OSError as e:
        raise UserError(f"--port {port}: cannot listen on 127.0.0.1:{port} ({e.strerror}); "
                        f"try another port, or --port 0 for any free one") from None
    return create_server(app, sockets=socks, threads=4, ident="deskpulse"), slot


def _dashboard_app(cfg, db: Path, clock):
    try:
        from dashboard import create_app
        app = create_app(cfg, db_path=db, clock=clock)
    except ImportError:  # the dashboard is optional for the daemon; show something useful anyway
        return _stub_app(db)
    # a minute of the simulated desk per poll, so Today looks live
    app.config["POLL_MS"] = max(250, min(4000, int(60_000 / max(float(getattr(clock, "speed", 1.0)), 1.0))))
    return app


def _stub_app(db: Path):
    """A one-page stand-in: the live status the daemon writes, refreshed every few seconds."""
    import html
    import sqlite3

    from device.adapters.store.sqlite_uri import sqlite_uri

    def app(environ, start_response):
        try:
            conn = sqlite3.connect(sqlite_uri(db, "ro"), uri=True)
            row = conn.execute("SELECT value FROM kv WHERE key = 'status'").fetchone()
            conn.close()
            body = row[0] if row else "{}"
        except sqlite3.Error as e:
            body = f"history not readable yet: {e}"
        page = (f"<!doctype html><meta http-equiv=refresh content=3><title>deskpulse demo</title>"
                f"<h1>deskpulse demo</h1><p>live status:</p><pre>{html.escape(body)}</pre>").encode()
        start_response("200 OK", [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(page)))])
        return [page]
    return app
