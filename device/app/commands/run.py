"""``deskpulse run``: the desk daemon, on GPIO or on a simulated desk.

Without ``--simulate`` it reads the configured GPIO backend in real time
(with ``gpio.pin_factory = "mock"``: an empty chair forever, which is how the
idle cost is measured). With ``--simulate PROFILE`` gpiozero's mock pins are
driven by the desk simulator, on a clock running ``--speed`` times real time
(``max``: a fake clock that jumps from one edge or deadline to the next).

Arguments are checked here rather than by argparse ``type=`` so that a
mistake is one line and exit 2, like every deskpulse error.
"""
from __future__ import annotations

import argparse
import logging
import signal
import threading
from datetime import datetime
from pathlib import Path

from device.app.commands import args as check
from device.errors import UserError

log = logging.getLogger("deskpulse.run")


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--config", metavar="FILE", help="default: /etc/deskpulse/config.toml, then ~/.config/deskpulse/config.toml")
    p.add_argument("--simulate", metavar="PROFILE",
                   help="drive mock pins with a simulated person: typical, fidgety, long_sitter, still_reader, "
                        "day_off, night_owl, noisy_mat, deep_reader, bag_carrier, late_night")
    p.add_argument("--speed", default="60", metavar="N|max", help="simulated seconds per real second (default 60), or max")
    p.add_argument("--days", default="1", metavar="N", help="simulated days (default 1)")
    p.add_argument("--seed", default="1", metavar="S", help="simulation seed (default 1)")
    p.add_argument("--db", metavar="PATH", help="history database (default: history.db_path, $STATE_DIRECTORY or XDG)")
    p.add_argument("--seconds", default=None, metavar="N", help="stop after N real seconds (benchmarks)")
    p.add_argument("--verbose", "-v", action="store_true", help="log every input edge")


def local_tz(cfg):
    if cfg.device.timezone:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError
        try:
            return ZoneInfo(cfg.device.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise UserError(f"{cfg.source}: device.timezone = {cfg.device.timezone!r}: unknown time zone") from None
    return datetime.now().astimezone().tzinfo


def run(args: argparse.Namespace) -> int:
    from device import config
    from device.adapters.notify import setup_logging

    cfg = config.load(args.config)
    setup_logging(args.verbose)
    sim = None
    if args.simulate:
        profile = check.profile("simulate", args.simulate)
        cfg = cfg.replace(gpio={"pin_factory": "mock"})
        start = datetime.now(local_tz(cfg)).replace(hour=0, minute=0, second=0, microsecond=0)
        sim = SimSpec(profile, check.days(args.days), check.seed(args.seed), check.speed(args.speed), start)
    if args.db:
        cfg = cfg.replace(history={"db_path": args.db})
        config.check_files(cfg, db_source=f"--db {args.db}")
    elif sim is not None:
        # simulated days must never land in the desk's real history (nor take its lock)
        real = config.default_db_path(cfg)
        cfg = cfg.replace(history={"db_path": str(real.with_name(f"{real.stem}-sim{real.suffix}"))})
    if not args.db:
        config.check_files(cfg)
    seconds = check.number("seconds", args.seconds, 0.1, 1e9) if args.seconds else None
    return run_daemon(cfg, sim=sim, seconds=seconds)


class SimSpec:
    def __init__(self, profile: str, days: int, seed: int, speed: float | None, start: datetime,
                 until_s: float | None = None):
        self.profile, self.days, self.seed, self.speed, self.start = profile, days, seed, speed, start
        self.until_s = until_s  # a scaled clock stops there (the demo's end of day)


class _Stopper:
    """SIGTERM/SIGINT from the very start: before the loop runs they are remembered, then forwarded.

    A handler runs on the main thread between bytecodes, so it never touches the
    loop's queue while the main thread itself could hold the queue's lock: in
    ``max`` mode it only sets a flag, in served mode ``post`` is the daemon's
    ``request_stop`` (the main thread only joins the loop thread).
    """

    def __init__(self):
        self.reason: str | None = None
        self._called = False
        self.event = threading.Event()
        self.post = None
        self._old = {}

    def __call__(self, reason: str) -> None:
        # Only the first request counts. A second signal can arrive while the first handler is
        # still inside ``event.set()`` (Ctrl-C twice; timeout(1) sends TERM to us and to our group): going on
        # would take the Event's lock that this very thread holds, and hang for ever.
        if self._called:
            return
        self._called = True
        self.reason = reason
        self.event.set()
        if self.post is not None:
            self.post(reason)

    def install(self) -> None:
        for sig in (signal.SIGTERM, signal.SIGINT):
            self._old[sig] = signal.signal(sig, lambda signum, frame: self(signal.Signals(signum).name))

    def restore(self) -> None:
        for sig, h in self._old.items():
            signal.signal(sig, h)


def run_daemon(cfg, sim: SimSpec | None = None, seconds: float | None = None, on_ready=None,
               with_sinks: bool = True) -> int:
    """Build and run the daemon until SIGTERM/SIGINT, the end of a simulation, or ``seconds``."""
    from device import __version__
    from device.adapters.gpio.backend import make_pin_factory
    from device.adapters.clock import FakeClock, ScaledClock, SystemClock
    from device.config import default_db_path
    from device.app.daemon import Daemon
    from device.adapters.notify import Notifier
    from device.adapters.store import Store, needs_upgrade

    stopper = _Stopper()
    stopper.install()
    try:
        db = default_db_path(cfg)
        if sim is None:
            clock = SystemClock(local_tz(cfg) if cfg.device.timezone else None)
        elif sim.speed is None:
            clock = FakeClock(sim.start)
        else:
            clock = ScaledClock(sim.start, sim.speed, sim.until_s)
        pin_factory = make_pin_factory(cfg.gpio.pin_factory)
        notifier = Notifier()
        if needs_upgrade(db):
            # an upgrade recomputes every stored day once (v4: a minute or so for years of history on
            # a Pi Zero): ask systemd for more than TimeoutStartSec, lest it kill the upgrade and retry
            notifier.notify("EXTEND_TIMEOUT_USEC=900000000", "STATUS=upgrading the history (once)")
        store = Store.for_config(cfg)
        sinks = []
        eyes = _PersonSink(clock) if sim is not None else None
        if eyes is not None:
            sinks.append(eyes)
        try:
            if with_sinks and cfg.mqtt.host:
                from device.adapters.mqtt.sink import MqttSink
                if sim is None:
                    sinks.append(MqttSink(cfg, db_path=db))
                else:  # stamped with the simulated time, under its own name
                    sinks.append(MqttSink(simulated_identity(cfg), db_path=db,
                                          wall=lambda: clock.wall().isoformat(timespec="seconds")))
            daemon = Daemon(cfg, clock, store, pin_factory=pin_factory, sinks=sinks, notifier=notifier,
                            inbox_dir=_inbox(db), version=__version__, runtime_file=_runtime_file(db))
            log.info("history in %s%s", db, f", simulating {sim.profile} x{sim.speed or 'max'}" if sim else "")
            daemon.start(watch_inbox=sim is None or sim.speed is not None)
        except BaseException:
            for s in sinks:
                s.close()
            store.close()
            pin_factory.close()
            notifier.close()
            raise
        if on_ready:
            on_ready(daemon)
        try:
            if sim is not None and sim.speed is None:
                reason = _run_max(daemon, sim, stopper, eyes)
            else:
                reason = _serve(daemon, sim, seconds, stopper, eyes)
        finally:
            if not daemon.stopped:
                daemon.stop("error")
            store.close()
            pin_factory.close()
            notifier.close()
    finally:
        stopper.restore()
    return 0 if reason != "error" else 1


def simulated_identity(cfg):
    """The configuration a simulated desk publishes with: ``<device_id>-sim``, "<name> (simulated)".

    It publishes like the real desk (events, retained state, discovery, commands), but
    never as it: the same device id would overwrite the real desk's retained state and
    Home Assistant history, and the same MQTT client id would make the broker throw the
    real daemon off at every reconnect.
    """
    from device.adapters.mqtt.topics import device_id
    return cfg.replace(device={"device_id": f"{device_id(cfg)}-sim", "name": f"{cfg.device.name or 'Desk'} (simulated)"},
                       mqtt={"client_id": f"{cfg.mqtt.client_id}-sim" if cfg.mqtt.client_id else ""})


def _runtime_file(db: Path) -> Path | None:
    """A RAM copy of the resume state, one per history file (a demo must not resume the real desk)."""
    import hashlib
    from device.app.daemon import runtime_dir
    d = runtime_dir()
    if d is None:
        return None
    try:
        d.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError:
        return None
    key = hashlib.sha1(str(Path(db).expanduser().resolve()).encode()).hexdigest()[:12]
    return d / f"state-{key}.json"


def _inbox(db: Path):
    from device.app.daemon import inbox_dir_for
    return inbox_dir_for(db)


def _serve(daemon, sim: SimSpec | None, seconds: float | None, stopper: _Stopper, eyes=None) -> str:
    """The loop on its own thread; the main thread only waits and turns signals into a Stop."""
    loop = threading.Thread(target=daemon.serve, name="deskpulse-loop")
    loop.start()
    stopper.post = daemon.request_stop
    if stopper.reason:  # a signal that came while starting
        daemon.request_stop(stopper.reason)
    if sim is not None:
        threading.Thread(target=_feed_scaled, args=(daemon, sim, stopper.event, stopper, eyes),
                         name="deskpulse-sim", daemon=True).start()
    timer = None
    if seconds is not None:
        timer = threading.Timer(seconds, stopper, args=("time limit",))
        timer.daemon = True
        timer.start()
    try:
        loop.join()  # interrupted by signals (POSIX), whose handler posts the Stop
    finally:
        stopper.event.set()
        if eyes is not None:
            eyes.wake.set()  # the feeder waits on this one
        if timer:
            timer.cancel()
    return daemon.stop_reason or "stop"


class _PersonSink:
    """The simulated person's eyes: a sink that shows them every event the daemon emits.

    ``publish`` runs on the loop thread; the feeder reads the same ``Person``
    and ``DeskStream`` from its own thread (scaled time), hence ``lock``, and
    ``wake`` tells a feeder waiting for a later edge that an answer was planned.
    """

    def __init__(self, clock):
        self.clock = clock
        self.lock = threading.Lock()
        self.wake = threading.Event()
        self.person = None

    def publish(self, event) -> None:
        if self.person is None:
            return
        with self.lock:
            planned = self.person.notice(max(event.t, self.clock.monotonic()), event.type, event.data)
        if planned is not None:
            self.wake.set()

    def set_state(self, status) -> None:
        pass

    def close(self) -> None:
        pass


def _sim_edges(daemon, sim: SimSpec):
    from device.sim.simulate import simulate
    sensors = tuple(s for s in ("seat", "pir") if s in daemon.inputs.devices)
    if not sensors:
        raise UserError("--simulate: the configuration wires neither a seat nor a PIR input")
    result = simulate(sim.profile, sim.days, sim.seed, start=sim.start, signals=sensors)
    log.info("simulated %s: %d edges over %.0f h (seed %d)", sim.profile, len(result.times),
             result.duration_s / 3600, sim.seed)
    return result


def _sim_desk(daemon, sim: SimSpec, eyes: _PersonSink):
    """The simulated day's edges, merged with the person's answers to prompts (device/sim/sim_person.py)."""
    from device.sim.sim_person import DeskStream, Person
    result = _sim_edges(daemon, sim)
    wired = daemon.inputs.devices
    person = Person(sim.profile, sim.seed, result.truth, pir="pir" in wired, button="button" in wired,
                    done_motion_s=daemon.cfg.coaching.done_motion_s, button_hold_s=daemon.cfg.gpio.button_hold_s)
    with eyes.lock:
        eyes.person = person
    return result, DeskStream(result, person)


def _log_answers(desk) -> None:
    from device.sim.sim_person import answers_summary
    log.info("the simulated person %s", answers_summary([a.kind for a in desk.actions], len(desk.person.log)))


def _feed_scaled(daemon, sim: SimSpec, stopping: threading.Event, stop, eyes: _PersonSink) -> None:
    """Drive the mock pins at the scaled clock's pace, then stop at the simulation's end.

    The next edge may come from the person answering a prompt the loop has just
    emitted: ``eyes.wake`` interrupts the wait for a later one.
    """
    try:
        result, desk = _sim_desk(daemon, sim, eyes)
        clock, end = daemon.clock, result.duration_s
        while not stopping.is_set():
            with eyes.lock:
                t = desk.next_time()
                eyes.wake.clear()
            due = end if t is None else min(t, end)
            wait = (due - clock.monotonic()) / sim.speed
            if wait > 0:
                eyes.wake.wait(min(wait, 0.5))
                continue
            if t is None or t >= end:
                break
            with eyes.lock:
                edge = desk.pop()
            if edge is not None and not stopping.is_set():
                daemon.inputs.drive(edge[1], edge[2])
        _log_answers(desk)
        if not stopping.is_set():
            stop("simulation end")
    except Exception as e:  # a simulator problem ends the run, it must not hang it
        log.error("simulation failed: %s", e)
        stop("error")


def _run_max(daemon, sim: SimSpec, stopper: _Stopper, eyes: _PersonSink) -> str:
    """One thread: jump the fake clock to each edge, running every deadline on the way.

    The daemon is stepped one wake-up at a time, never past the next edge: a
    prompt at a deadline is then seen by the person before the clock passes
    the moment they answer it.
    """
    result, desk = _sim_desk(daemon, sim, eyes)
    end = result.duration_s
    while not (stopper.reason or daemon.stopped):
        t = desk.next_time()
        t = end if t is None else min(t, end)
        wake = daemon.next_wake()  # after a tick always later than now: each step moves the clock
        step = t if wake is None else min(t, max(wake, daemon.clock.monotonic()))
        daemon.run_until(step)
        if step < t:
            continue
        if t >= end:
            break
        edge = desk.pop()
        if edge is not None:
            daemon.inputs.drive(edge[1], edge[2])
    if not stopper.reason and not daemon.stopped:
        daemon.pump()
    _log_answers(desk)
    daemon.stop(stopper.reason or "simulation end")
    return daemon.stop_reason
