"""The daemon's loop: one thread that owns all state, fed by one queue.

Size: about 310 lines: the loop's steps stay here as methods because its error log names the
step that failed, and those names are what a reader of the journal searches for.

Everything that happens arrives as an item on ``Daemon.queue``: a GPIO edge
``(t, signal, value)`` put there by a gpiozero callback, a ``Command`` from
the dashboard inbox or a sink (MQTT), or ``Stop``. The loop waits on the
queue with a timeout that ends at the engine's next deadline (or the next
flush, inbox poll or watchdog pet), feeds the engine unchanged, and hands
the events it returns to the history, the LED/buzzer and the sinks. No other
thread touches the engine, the store's write side or the outputs' choice of
pattern, so none of it needs a lock.

``Daemon`` is that loop and the wiring; its collaborators each keep one part:
``Lifecycle`` (start, stop), ``Resume`` (the resume state), ``Writes`` (what is
written when), ``Sinks``, ``Inbox`` and ``Rejects``.
"""
from __future__ import annotations

import json
import logging
import os
import queue
from pathlib import Path
from typing import Any

from device.adapters.gpio.patterns import describe
from device.app.daemon.inbox import INBOX_POLL_S, Inbox
from device.app.daemon.items import Command, InboxChanged, Stop
from device.app.daemon.lifecycle import Lifecycle
from device.app.daemon.rejects import Rejects
from device.app.daemon.resume import Resume
from device.app.daemon.sinks import Sinks
from device.app.daemon.writes import SIGNIFICANT, Writes
from device.config import parse_window
from device.core.coaching import in_window
from device.core.events import Event, IdFactory

log = logging.getLogger("deskpulse.daemon")

#: Longest the loop sleeps with nothing to do (real seconds); the watchdog may ask for less.
MAX_TICK_S = 60.0
#: How far the loop steps when the engine reports a deadline it has already passed (clock seconds).
STUCK_STEP_S = 1.0


class Daemon:
    """The wiring of inputs, engine, outputs, history and sinks around one queue.

    Use ``start()`` then ``serve()`` (blocking until a ``Stop``) in real or
    scaled time; or, on a ``FakeClock``, ``start()`` then ``run_until(t)``
    and ``pump()`` from one thread, then ``stop()``.
    """

    def __init__(self, cfg, clock, store, *, pin_factory=None, sinks=(), notifier=None,
                 inbox_dir: str | os.PathLike | None = None, trace_dir: str | None = None,
                 output_scale: float = 1.0, version: str = "", runtime_file: str | os.PathLike | None = None):
        self.cfg, self.clock, self.store = cfg, clock, store
        self.pin_factory = pin_factory
        self.sinks = Sinks(sinks, store)
        self.notifier = notifier
        self.inbox_dir = Path(inbox_dir) if inbox_dir else None
        self.inbox = Inbox(self.inbox_dir, clock) if self.inbox_dir is not None else None
        self.trace_dir = trace_dir if trace_dir is not None else (cfg.history.record_trace_dir or None)
        self.output_scale = output_scale
        self.runtime_file = Path(runtime_file) if runtime_file else None
        self.version = version
        self.queue: queue.Queue = queue.Queue()
        self.ids = IdFactory()
        self.quiet = parse_window(cfg.coaching.quiet_hours)
        self.inputs = self.outputs = self.engine = self.trace = None
        self.levels: dict[str, int] = {}
        self.status: dict[str, Any] = {}
        self.errors = 0
        self.resumed = False
        self.stopped = False
        self.stop_reason: str | None = None
        self._last_t = 0.0
        self._last_tick = float("-inf")
        self.resume = Resume(cfg, clock, store, self.ids, self.runtime_file)
        self.writes = Writes(cfg, store, self.resume)
        self.rejects = Rejects(self._record_reject)
        self.lifecycle = Lifecycle(self)

    @property
    def sink_errors(self) -> int:
        return self.sinks.errors

    # ------------------------------------------------------------------ thread-safe entry points
    def post_command(self, name: str, source: str = "command", **args: Any) -> None:
        """Queue a command (done, snooze, pause(minutes=), resume, test_prompt) from any thread."""
        self.queue.put(Command(name, args, source))

    def request_stop(self, reason: str = "stop") -> None:
        self.queue.put(Stop(reason))

    # ------------------------------------------------------------------ start, stop (lifecycle.py)
    def start(self, watch_inbox: bool = False) -> None:
        """Open everything, emit ``daemon_start``, send READY=1. ``watch_inbox``: inotify instead of polling."""
        self.lifecycle.start(watch_inbox)

    def stop(self, reason: str = "stop") -> None:
        """Outputs off, state saved, history flushed, devices closed. Safe twice."""
        self.lifecycle.stop(reason)

    # ------------------------------------------------------------------ the loop
    def serve(self) -> str:
        """Run until a ``Stop`` arrives; returns its reason. Waits on the queue, never sleeps blind."""
        speed = float(getattr(self.clock, "speed", 1.0))
        while not self.stopped:
            now = self.clock.monotonic()
            wake = self.next_wake()
            timeout = MAX_TICK_S if wake is None else max(0.0, (wake - now) / speed)
            if self.inbox is not None and self.inbox.polled:
                timeout = min(timeout, INBOX_POLL_S)
            if self.notifier and self.notifier.enabled:
                timeout = min(timeout, self.notifier.watchdog_interval_s)
            try:
                item = self.queue.get(timeout=min(timeout, MAX_TICK_S))
            except queue.Empty:
                item = None
            if item is not None:
                self._handle(item)
                self._drain()
            if not self.stopped:
                self._guarded(self.tick, self.clock.monotonic())
        return self.stop_reason or "stop"

    def next_wake(self) -> float | None:
        """The clock time at which the loop next has work without any input."""
        wake = self.rejects.next_wake(self.writes.next_flush)
        deadline = self.engine.next_deadline() if self.engine else None
        if deadline is not None:
            wake = min(wake, deadline)
        if wake <= self._last_tick:
            # A deadline that a tick at that very time did not consume (the engine's, or the flush
            # of a tick that raised before reaching it) would spin the loop; poll gently instead.
            wake = self._last_tick + STUCK_STEP_S
        return wake

    def pump(self) -> None:
        """Handle everything queued, then run the timers (FakeClock driving, tests)."""
        self._drain()
        if not self.stopped:
            self._guarded(self.tick, self.clock.monotonic())

    def run_until(self, t: float) -> None:
        """FakeClock only: jump from deadline to deadline up to ``t``, handling the queue on the way."""
        self.pump()
        while not self.stopped:
            wake = self.next_wake()
            if wake is None or wake > t:
                break
            if wake > self.clock.monotonic():
                self.clock.set(wake)
            self.pump()
        if t > self.clock.monotonic():
            self.clock.set(t)
        self.pump()

    def _drain(self) -> None:
        while not self.stopped:
            try:
                item = self.queue.get_nowait()
            except queue.Empty:
                return
            self._handle(item)

    def _handle(self, item) -> None:
        if isinstance(item, Stop):
            self.stop(item.reason)
        elif isinstance(item, InboxChanged):
            self._guarded(self._poll_inbox)
        elif isinstance(item, Command):
            self._guarded(self._command, item)
        else:
            self._guarded(self._edge, *item)

    def _guarded(self, fn, *args) -> None:
        """Nothing that goes wrong with one item may stop the loop (or the prompting)."""
        try:
            fn(*args)
        except Exception:
            self.errors += 1
            if self.errors <= 20 or self.errors % 1000 == 0:
                log.exception("loop: %s failed (%d errors so far); carrying on", fn.__name__, self.errors)

    # ------------------------------------------------------------------ items
    def _now(self, t: float | None = None) -> float:
        """Times fed to the engine never go backwards (an edge stamped before the last tick is late, not early)."""
        t = self.clock.monotonic() if t is None else t
        self._last_t = max(self._last_t, t)
        return self._last_t

    def _edge(self, t: float, signal: str, value: int) -> None:
        value = 1 if value else 0
        if self.levels.get(signal) == value:
            return  # a repeat (e.g. a callback racing the start-up read): no edge
        t = self._now(t)
        if self.trace:
            self.trace.edge(t, signal, value, self.levels)
        self.levels[signal] = value
        log.debug("edge %s=%d at %.3f", signal, value, t)
        self._emit(self.engine.feed(t, signal, value))

    def _command(self, cmd: Command) -> None:
        now = self._now()
        if "error" in cmd.args:
            self.rejects.reject(now, cmd.source, str(cmd.args["error"]))
            return
        try:
            events = self.engine.command(now, cmd.name, source=cmd.source, **cmd.args)
        except (TypeError, ValueError, KeyError, OverflowError) as e:
            self.rejects.reject(now, cmd.source, f"{cmd.name}: {e}")
            return
        log.info("command %s%s from %s", cmd.name, "" if not cmd.args else f" {cmd.args}", cmd.source)
        self._emit(events)
        self.writes.after_command(now)

    def _record_reject(self, now: float, source: str, reason: str, count: int) -> None:
        self._emit(self.engine.command(now, "rejected", source=source, reason=reason, count=count))

    def _report_rejects(self, now: float, stopping: bool = False) -> None:
        self.rejects.report(now, stopping)

    def _poll_inbox(self) -> None:
        for cmd in self.inbox.commands():  # on the loop thread already: handle at once
            self._guarded(self._command, cmd)

    # ------------------------------------------------------------------ timers, outputs, history
    def tick(self, now: float) -> None:
        now = self._now(now)
        self._last_tick = now
        if self.inbox is not None and self.inbox.due(now):
            self._guarded(self._poll_inbox)
        if self.rejects:
            self._report_rejects(now)
        self._guarded(self._advance, now)  # whatever goes wrong there, what is buffered still gets flushed
        if now >= self.writes.next_flush:
            self.flush(now)
        if self.writes.ram_dirty and self.runtime_file is not None:
            self._save_state(now, durable=False)
        if self.notifier:
            self.notifier.watchdog()

    def _advance(self, now: float) -> None:
        self._emit(self.engine.advance(now))
        self._update_status(now)

    def _emit(self, events: list[Event]) -> None:
        """Keep the events (buffer and RAM copy), then announce them (log, buzzer, sinks).

        In that order: an event a sink has published or the log has shown must survive a
        kill -9 that comes before the next flush, so the RAM copy is rewritten here, before
        anything announces it, rather than at the end of the loop's turn (a kill in between
        lost 1 event in 920 at high speed, and about one per kill right after an event).
        """
        if not events:
            return
        self.store.add(events)
        self.writes.added(len(events))
        if self.runtime_file is not None and self.engine is not None:
            self._save_state(self._last_t, durable=False)
        for e in events:
            log.info("%s %s %s", e.ts[11:19], e.type, _brief(e))
            if e.type == "prompt" and e.data.get("beep"):
                self._beep(2 if e.data.get("level") == 3 else 1, e.t)
            self.sinks.publish(e)

    def _beep(self, n: int, t: float) -> None:
        if in_window(self.quiet, self.clock.wall_at(t)):
            log.info("buzzer: quiet hours, no beep")
            return
        if self.outputs and self.outputs.buzzer is not None:
            log.info("buzzer: %d short beep%s", n, "s" if n > 1 else "")
            self.outputs.beep(n)

    def _update_status(self, now: float) -> None:
        status = dict(self.engine.status(now))
        status["updated_ts"] = self.clock.wall_at(now).isoformat(timespec="seconds")
        changed = any(status.get(k) != self.status.get(k) for k in SIGNIFICANT)
        self.status = status
        if changed:
            self.writes.ram_dirty = True
        if self.outputs and self.outputs.show(status.get("alert", "none")):
            log.info("LED: %s", describe(self.outputs.pattern))
        if changed:
            self.sinks.set_state(status)

    def _save_state(self, now: float, clean: bool = False, durable: bool = True) -> None:
        """The resume state, to RAM and (``durable``) to the history (``Writes.save_state``)."""
        self.writes.save_state(now, self.engine, self.status, clean, durable)

    def flush(self, now: float) -> None:
        """Write what changed: events, the status, the resume state (``Writes.write``). An idle desk writes nothing."""
        self.writes.write(now, self.engine, self.status)
        if self.trace:
            self._guarded(self.trace.roll, now, self.levels)
        if self.store.flush():
            self.sinks.flushed()
        if self.status:  # a periodic refresh of the retained state
            self.sinks.set_state(self.status)


def _brief(e: Event) -> str:
    d = e.data
    if e.type == "prompt":
        ex = d.get("exercise") or {}
        return f"level {d.get('level')} ({d.get('kind')}) {ex.get('name', '')} after {d.get('bout_s', 0) / 60:.0f} min" \
               + (" beep" if d.get("beep") else "")
    if e.type == "break":
        return f"bout {d.get('bout_s', 0) / 60:.1f} min, seated {d.get('seated_s', 0) / 60:.1f} min"
    return json.dumps(d, separators=(",", ":"))[:160]
