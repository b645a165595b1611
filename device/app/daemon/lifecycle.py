"""Starting and stopping the daemon: the liveness lock, the devices, resuming, READY=1, the last writes.

``start`` takes the history's lock first (a second daemon on the same history
would store events twice), opens the pins, resumes or closes the last run's
bout (``resume.py``), emits ``daemon_start`` and writes it to the card before
waiting for a broker, then tells systemd READY=1. ``stop`` turns the outputs
off, emits ``daemon_stop``, saves the state clean, flushes, closes everything and
lets go of the lock last, so "stopped" is on disk before readers see no lock.
"""
from __future__ import annotations

import logging

from device.adapters.gpio.backend import make_pin_factory
from device.adapters.gpio.inputs import Inputs, wired_signals
from device.adapters.gpio.outputs import Outputs
from device.app.daemon.items import InboxChanged
from device.app.daemon.trace_recorder import TraceRecorder
from device.app.daemon.writes import STATUS_KEY
from device.core.events import Event
from device.errors import UserError

log = logging.getLogger("deskpulse.daemon")


class Lifecycle:
    """One daemon's start and stop, and what only they touch: the liveness lock, whether we own the pin factory."""

    def __init__(self, daemon):
        self.d = daemon
        self.lock = None  # device/adapters/liveness.DaemonLock while running: how readers know we live
        self.owns_factory = False

    # ------------------------------------------------------------------ start
    def start(self, watch_inbox: bool = False) -> None:
        """Open everything, emit ``daemon_start``, send READY=1. ``watch_inbox``: inotify instead of polling."""
        from device.core.engine import Engine
        from device.adapters.liveness import DaemonLock, daemon_alive
        d = self.d
        cfg, clock = d.cfg, d.clock
        # First, before the pins: a second daemon on the same history would store events twice
        # (each has its own cache of stored ids) and fight over the status and the RAM copy.
        self.lock = DaemonLock.take(d.store.path)
        if self.lock is None and daemon_alive(d.store.path):
            raise UserError(f"another deskpulse daemon is running on {d.store.path}: stop it first "
                            f"(sudo systemctl stop deskpulse), or give this one another --db")
        try:
            d.resume.continue_ids()
            if d.pin_factory is None:
                d.pin_factory = make_pin_factory(cfg.gpio.pin_factory)
                self.owns_factory = True
            d.inputs = Inputs(cfg, d.queue.put, clock.monotonic, d.pin_factory)
            d.levels = d.inputs.levels()
            now = clock.monotonic()
            d._last_t = now
            resume, gap, closing = d.resume.load(now)
            initial = {s: d.levels.get(s, 0) for s in ("seat", "pir")}
            d.engine = Engine(cfg, wall_at=clock.wall_at, ids=d.ids, start_t=now,
                              initial=initial, resume=resume, resume_gap_s=gap)
            d.resumed = resume is not None
            d.outputs = Outputs(cfg, d.pin_factory, time_scale=d.output_scale)
            if d.trace_dir:
                d.trace = TraceRecorder(d.trace_dir, clock, wired_signals(cfg),
                                        note=f"recorded by deskpulse {d.version}".strip())
                d.trace.roll(now, d.levels)
        except BaseException:
            self.close_devices()
            self.release_lock()
            raise
        try:
            self._start_running(now, closing, watch_inbox)
        except BaseException:
            d.stop("error")  # outputs off, sinks and devices closed, the lock released
            raise

    def _start_running(self, now: float, closing: list[Event], watch_inbox: bool) -> None:
        """The rest of ``start`` once the devices are open: emit, start the sinks, READY=1."""
        d = self.d
        cfg = d.cfg
        d.resume.recover_buffered()
        # where the dashboard finds the live status and the events not yet flushed (RAM)
        d.store.set("runtime_file", str(d.runtime_file) if d.runtime_file else None)
        d._emit(closing + d.engine.lifecycle(now, "daemon_start", resumed_bout=d.resumed))
        log.info("started: sensors %s, inputs %s, levels %s%s", cfg.sensing.sensors,
                 ",".join(d.inputs.devices) or "none", d.levels,
                 ", bout resumed" if d.resumed else "")
        # On the card before the wait for a broker below (up to READY_WAIT_S): a kill or a power
        # cut during that wait must not lose daemon_start (it did, 16 kills out of 16).
        d._update_status(now)
        d._save_state(now)
        d.flush(now)
        d.sinks.start(d)
        d.sinks.wait_connected()
        if d.inbox is not None and watch_inbox:
            d.inbox.start_watch(lambda: d.queue.put(InboxChanged()))
        d.tick(now)
        if d.notifier:
            d.notifier.ready(f"watching {cfg.sensing.sensors}")

    # ------------------------------------------------------------------ stop
    def stop(self, reason: str = "stop") -> None:
        """Outputs off, state saved, history flushed, devices closed. Safe twice."""
        d = self.d
        if d.stopped:
            return
        d.stopped = True
        d.stop_reason = reason
        if d.notifier:
            d.notifier.stopping()
        if d.outputs:
            d.outputs.off()
        now = d._now()
        if d.engine is not None:
            d._guarded(d._report_rejects, now, True)
            d._guarded(lambda: d._emit(d.engine.lifecycle(now, "daemon_stop", reason=reason)))
            d._guarded(d._save_state, now, True)
            d.status = dict(d.status, seated=False, alert="none", stopped=True, stop_reason=reason,
                            updated_ts=d.clock.wall_at(now).isoformat(timespec="seconds"))
            d.store.set_json(STATUS_KEY, d.status)  # the RAM copy below says the same
        d.sinks.close()
        if d.trace:
            d._guarded(d.trace.close, now)
        d.store.flush()
        if d.engine is not None and d.runtime_file is not None:
            d._guarded(d._save_state, now, True, False)  # the RAM copy: nothing left pending
        self.close_devices()
        self.release_lock()  # after the last write: "stopped" is on disk before readers see no lock
        log.info("stopped (%s)", reason)

    def release_lock(self) -> None:
        if self.lock is not None:
            self.lock.release()
            self.lock = None

    def close_devices(self) -> None:
        d = self.d
        if d.inbox is not None:
            d.inbox.close()
        for dev in (d.outputs, d.inputs):
            if dev is not None:
                dev.close()
        if self.owns_factory and d.pin_factory is not None:
            try:
                d.pin_factory.close()
            except Exception:
                log.debug("closing the pin factory failed", exc_info=True)
            d.pin_factory = None
