"""Building and running the daemon: clock, pins, history, sinks and signals, until it stops.

``run_daemon`` is what ``deskpulse run`` and ``deskpulse demo`` share: it picks the
clock (the system's, or a simulated desk's scaled or fake one), opens the history
and the sinks, builds the ``Daemon`` and runs it until SIGTERM/SIGINT, the end of
a simulation (``sim_desk.py``), or a time limit. Signals are caught from the very
start (``Stopper``) and turned into the loop's ``Stop``.
"""
from __future__ import annotations

import logging
import signal
import threading
from datetime import datetime
from pathlib import Path

from device.app.sim_desk import PersonSink, SimSpec, feed_scaled, run_max, simulated_identity
from device.errors import UserError

log = logging.getLogger("deskpulse.run")


def local_tz(cfg):
    if cfg.device.timezone:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError
        try:
            return ZoneInfo(cfg.device.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise UserError(f"{cfg.source}: device.timezone = {cfg.device.timezone!r}: unknown time zone") from None
    return datetime.now().astimezone().tzinfo


class Stopper:
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

    stopper = Stopper()
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
        eyes = PersonSink(clock) if sim is not None else None
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
                            inbox_dir=_inbox(db), version=__version__, runtime_file=runtime_file(db))
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
                reason = run_max(daemon, sim, stopper, eyes)
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


def runtime_file(db: Path) -> Path | None:
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


def _serve(daemon, sim: SimSpec | None, seconds: float | None, stopper: Stopper, eyes=None) -> str:
    """The loop on its own thread; the main thread only waits and turns signals into a Stop."""
    loop = threading.Thread(target=daemon.serve, name="deskpulse-loop")
    loop.start()
    stopper.post = daemon.request_stop
    if stopper.reason:  # a signal that came while starting
        daemon.request_stop(stopper.reason)
    if sim is not None:
        threading.Thread(target=feed_scaled, args=(daemon, sim, stopper.event, stopper, eyes),
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
