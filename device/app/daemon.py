"""The daemon: one loop thread that owns all state, fed by one queue.

Everything that happens arrives as an item on ``Daemon.queue``: a GPIO edge
``(t, signal, value)`` put there by a gpiozero callback, a ``Command`` from
the dashboard inbox or a sink (MQTT), or ``Stop``. The loop waits on the
queue with a timeout that ends at the engine's next deadline (or the next
flush, inbox poll or watchdog pet), feeds the engine unchanged, and hands
the events it returns to the history, the LED/buzzer and the sinks. No other
thread touches the engine, the store's write side or the outputs' choice of
pattern, so none of it needs a lock.

Sinks are how outputs other than the history plug in (MQTT is one). A sink
is any object with::

    publish(event)      # each event as it is emitted (before the history has flushed it)
    set_state(status)   # the live status dict, on every significant change and at each flush
    close()             # at shutdown, before the history's last flush
    start(daemon)       # optional: before READY=1; may call daemon.post_command(...) from any thread
    flushed()           # optional: after each successful history flush (the outbox rows are on disk)
    delivered(event_id) # optional, any thread: the event is already acknowledged, so the history
                        # need not queue it for this sink (no outbox row written, none to delete)

Every call happens on the loop thread, must not block, and an exception in a
sink is logged and counted, never fatal.

Survival: the engine's exported state is kept in the history's kv table with
the wall time it was saved (``daemon_state``), and the monotonic time and boot
id; at start a state saved less than ``coaching.break_s`` ago resumes the
bout ("ago" on the monotonic clock within one boot, so an NTP step while the
daemon was down changes nothing; on the wall clock after a reboot). An older one is closed at the
last moment it was known: a back-dated ``daemon_stop`` (reason ``unclean``)
gives the rollup that moment before ``daemon_start`` (``resumed_bout`` false)
closes the bout.
"""
from __future__ import annotations

import json
import logging
import os
import queue
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from device.core.coaching import in_window
from device.config import parse_window
from device.errors import UserError
from device.core.events import Event, EventFactory, IdFactory
from device.adapters.gpio.backend import make_pin_factory
from device.adapters.gpio.inputs import Inputs, wired_signals
from device.adapters.gpio.outputs import Outputs
from device.adapters.gpio.patterns import describe

log = logging.getLogger("deskpulse.daemon")

STATE_KEY = "daemon_state"
STATUS_KEY = "status"
#: Longest the loop sleeps with nothing to do (real seconds); the watchdog may ask for less.
MAX_TICK_S = 60.0
#: How long start() waits for a sink that has a ``connected`` event (a broker) before READY=1.
READY_WAIT_S = 5.0
#: How often the dashboard inbox is looked at (real seconds): a stat() per look.
INBOX_POLL_S = 2.0
#: After a command (someone is watching the dashboard) the history is written this soon (clock seconds).
COMMAND_FLUSH_DELAY_S = 1.0
#: During a bout with nothing else to write, the resume state goes to the SD card this often
#: (clock seconds), so that after a power cut the lost bout ends at most this long before the
#: cut; the RAM copy in the runtime directory is refreshed at every flush (crashes, restarts).
#: With no bout nothing is written at all: the dashboard sees that the daemon is alive from
#: the lock it holds (device/adapters/liveness.py), not from a timestamp on the card.
HEARTBEAT_S = 1800.0
#: At most this many buffered events go into the RAM copy (the newest): a card that has failed
#: for hours must not make every status change serialise tens of thousands of events.
RAM_PENDING_MAX = 2000
#: How far the loop steps when the engine reports a deadline it has already passed (clock seconds).
STUCK_STEP_S = 1.0
_SIGNIFICANT = ("seated", "level", "alert", "paused_until_ts", "snoozed_until_ts")
#: Rejected commands (per source) logged and recorded one by one before a flood is summarised ...
REJECT_BURST = 5
#: ... in one ``command_rejected`` event (with its ``count``) and one log line per this many clock seconds.
REJECT_INTERVAL_S = 600.0


@dataclass
class Command:
    name: str
    args: dict[str, Any] = field(default_factory=dict)
    source: str = "command"


@dataclass
class InboxChanged:
    """The dashboard's inbox directory got a file (from the inotify thread)."""


@dataclass
class Stop:
    reason: str = "stop"


class RejectLimiter:
    """How many rejected commands of one source get a log line and an event each (pure; time is passed in).

    A typo in an automation should show at once, in the log and as a ``command_rejected``
    event; a flood (2,107 hostile commands cost 6,300 log lines and 0.85 MB of history)
    must not. The first ``burst`` in an interval are reported one by one; the rest are
    counted, and at the end of the interval one summary stands for them (``count``).
    While the flood goes on there is one summary per interval and nothing else; one
    quiet interval (no rejection at all) gives the next mistake its own report again.
    Every rejection is in exactly one event's ``count``.
    """

    def __init__(self, burst: int = REJECT_BURST, interval_s: float = REJECT_INTERVAL_S):
        self.burst, self.interval_s = burst, interval_s
        self._end: float | None = None  # end of the current interval; None: quiet
        self._left = burst
        self._held = 0
        self._last = ""

    def admit(self, now: float, reason: str) -> bool:
        """True: report this one now (count 1). False: counted into the next summary."""
        if self._end is None:
            self._end, self._left = now + self.interval_s, self.burst
        if self._left > 0:
            self._left -= 1
            return True
        self._held += 1
        self._last = reason
        return False

    def due(self, now: float) -> tuple[int, str] | None:
        """At the end of an interval: ``(count, last reason)`` of the held ones, if any."""
        if self._end is None or now < self._end:
            return None
        if not self._held:
            self._end = None  # a quiet interval: the next one gets the full burst
            return None
        out = (self._held, self._last)
        self._end, self._left, self._held = now + self.interval_s, 0, 0  # still flooding
        return out

    def next_due(self) -> float | None:
        return self._end

    def take(self) -> tuple[int, str] | None:
        """At a stop: ``(count, last reason)`` of the held ones now, if any (else they go uncounted)."""
        if not self._held:
            return None
        out = (self._held, self._last)
        self._held = 0
        return out


class TraceRecorder:
    """Raw inputs into one trace file per desk day (``YYYY-MM-DD-HHMMSS.csv``, a new one after each start)."""

    def __init__(self, directory: str | os.PathLike, clock, signals: tuple[str, ...], note: str = ""):
        from device.adapters.trace import TraceWriter
        self._writer_cls = TraceWriter
        self.dir = Path(directory).expanduser()
        self.dir.mkdir(parents=True, exist_ok=True)
        self.clock, self.signals, self.note = clock, signals, note
        self._w = None
        self._t0 = 0.0
        self._date = None

    def _open(self, t: float, levels: dict[str, int]) -> None:
        start = self.clock.wall_at(t)
        path = self.dir / f"{start:%Y-%m-%d-%H%M%S}.csv"
        self._w = self._writer_cls(path, start, self.signals, self.note, initial=levels)
        self._t0, self._date = t, start.date()
        log.info("recording raw inputs to %s", path)

    def edge(self, t: float, signal: str, value: int, levels: dict[str, int]) -> None:
        if self._w is None:
            self._open(t, {k: v for k, v in levels.items() if k != signal} | {signal: 1 - value})
        self._w.edge(t - self._t0, signal, value)

    def roll(self, t: float, levels: dict[str, int]) -> None:
        """Flush, and start a new file when the local date has changed."""
        if self._w is None:
            self._open(t, levels)
            return
        if self.clock.wall_at(t).date() != self._date:
            self._w.close(t - self._t0)
            self._open(t, levels)
        else:
            self._w.flush()

    def close(self, t: float) -> None:
        if self._w is not None:
            self._w.close(t - self._t0)
            self._w = None


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
        self.sinks = list(sinks)
        self.notifier = notifier
        self.inbox_dir = Path(inbox_dir) if inbox_dir else None
        self.trace_dir = trace_dir if trace_dir is not None else (cfg.history.record_trace_dir or None)
        self.output_scale = output_scale
        self.runtime_file = Path(runtime_file) if runtime_file else None
        for sink in self.sinks:
            if callable(getattr(sink, "delivered", None)):
                store.delivered = sink.delivered
        self.version = version
        self.queue: queue.Queue = queue.Queue()
        self.ids = IdFactory()
        self.quiet = parse_window(cfg.coaching.quiet_hours)
        self.inputs = self.outputs = self.engine = self.trace = None
        self.levels: dict[str, int] = {}
        self.status: dict[str, Any] = {}
        self.errors = 0
        self.sink_errors = 0
        self.resumed = False
        self.stopped = False
        self.stop_reason: str | None = None
        self._owns_factory = False
        self._last_t = 0.0
        self._last_tick = float("-inf")
        self._next_flush = 0.0
        self._last_state_save = 0.0
        self._events_since_save = 0
        self._next_inbox = 0.0
        self._next_inbox_t = float("-inf")
        self._inbox_mtime: int | None = None
        self._inbox_watch = None
        self._written_status: dict[str, Any] | None = None
        self._liveness_lock = None  # device/liveness.DaemonLock while running: how readers know we live
        self._ram_dirty = False  # events or a status change not yet in the runtime (RAM) copy
        self._boot = self._boot_id()  # with "mono" in the saved state: a restart in this boot times its gap
        self._rejects: dict[str, RejectLimiter] = {}  # per command source

    # ------------------------------------------------------------------ thread-safe entry points
    def post_command(self, name: str, source: str = "command", **args: Any) -> None:
        """Queue a command (done, snooze, pause(minutes=), resume, test_prompt) from any thread."""
        self.queue.put(Command(name, args, source))

    def request_stop(self, reason: str = "stop") -> None:
        self.queue.put(Stop(reason))

    # ------------------------------------------------------------------ start
    def start(self, watch_inbox: bool = False) -> None:
        """Open everything, emit ``daemon_start``, send READY=1. ``watch_inbox``: inotify instead of polling."""
        from device.core.engine import Engine
        from device.adapters.liveness import DaemonLock, daemon_alive
        cfg, clock = self.cfg, self.clock
        # First, before the pins: a second daemon on the same history would store events twice
        # (each has its own cache of stored ids) and fight over the status and the RAM copy.
        self._liveness_lock = DaemonLock.take(self.store.path)
        if self._liveness_lock is None and daemon_alive(self.store.path):
            raise UserError(f"another deskpulse daemon is running on {self.store.path}: stop it first "
                            f"(sudo systemctl stop deskpulse), or give this one another --db")
        try:
            self._continue_ids()
            if self.pin_factory is None:
                self.pin_factory = make_pin_factory(cfg.gpio.pin_factory)
                self._owns_factory = True
            self.inputs = Inputs(cfg, self.queue.put, clock.monotonic, self.pin_factory)
            self.levels = self.inputs.levels()
            now = clock.monotonic()
            self._last_t = now
            resume, gap, closing = self._load_state(now)
            initial = {s: self.levels.get(s, 0) for s in ("seat", "pir")}
            self.engine = Engine(cfg, wall_at=clock.wall_at, ids=self.ids, start_t=now,
                                 initial=initial, resume=resume, resume_gap_s=gap)
            self.resumed = resume is not None
            self.outputs = Outputs(cfg, self.pin_factory, time_scale=self.output_scale)
            if self.trace_dir:
                self.trace = TraceRecorder(self.trace_dir, clock, wired_signals(cfg),
                                           note=f"recorded by deskpulse {self.version}".strip())
                self.trace.roll(now, self.levels)
        except BaseException:
            self._close_devices()
            self._release_lock()
            raise
        try:
            self._start_running(now, closing, watch_inbox)
        except BaseException:
            self.stop("error")  # outputs off, sinks and devices closed, the lock released
            raise

    def _start_running(self, now: float, closing: list[Event], watch_inbox: bool) -> None:
        """The rest of ``start`` once the devices are open: emit, start the sinks, READY=1."""
        cfg = self.cfg
        self._recover_buffered()
        # where the dashboard finds the live status and the events not yet flushed (RAM)
        self.store.set("runtime_file", str(self.runtime_file) if self.runtime_file else None)
        self._emit(closing + self.engine.lifecycle(now, "daemon_start", resumed_bout=self.resumed))
        log.info("started: sensors %s, inputs %s, levels %s%s", cfg.sensing.sensors,
                 ",".join(self.inputs.devices) or "none", self.levels,
                 ", bout resumed" if self.resumed else "")
        # On the card before the wait for a broker below (up to READY_WAIT_S): a kill or a power
        # cut during that wait must not lose daemon_start (it did, 16 kills out of 16).
        self._update_status(now)
        self._save_state(now)
        self.flush(now)
        for sink in self.sinks:
            if hasattr(sink, "start"):
                self._sink_call(sink, "start", self)
        for sink in self.sinks:  # READY=1 waits a little for a broker, never for long
            connected = getattr(sink, "connected", None)
            if connected is not None and hasattr(connected, "wait") and not connected.wait(READY_WAIT_S):
                log.warning("%s not connected after %.0f s; carrying on (it retries)", type(sink).__name__, READY_WAIT_S)
        if self.inbox_dir is not None and watch_inbox:
            self._inbox_watch = _InboxWatch.start(self.inbox_dir, lambda: self.queue.put(InboxChanged()))
        self.tick(now)
        if self.notifier:
            self.notifier.ready(f"watching {cfg.sensing.sensors}")

    def _continue_ids(self) -> None:
        """This run's ids sort after every id of earlier runs, even with the wall clock behind them
        (a Pi without an RTC boots in the past): the last stored id, and any left in the RAM copy."""
        from device.adapters.store import max_event_id
        last = []
        if self.store.conn is not None:
            try:
                last.append(max_event_id(self.store.conn))
            except Exception as e:  # a damaged file: the store reports it; ids then follow the clock
                log.warning("cannot read the last event id (%s)", e)
        doc = self._read_runtime()
        pending = doc.get("pending") if isinstance(doc, dict) else None
        if isinstance(pending, list):
            last += [item[1].get("id") for item in pending
                     if isinstance(item, list) and len(item) == 2 and isinstance(item[1], dict)]
        for event_id in last:
            self.ids.floor(event_id)

    def _load_state(self, now: float) -> tuple[dict | None, float, list[Event]]:
        """(resume state, seconds since it was saved, events closing a lost bout)."""
        boot = self._boot
        saved = _newest(self.store.get_json(STATE_KEY), self._read_runtime(), boot=boot)
        if saved is None:
            return None, 0.0, []
        try:
            saved_wall = datetime.fromisoformat(saved["ts"])
            wall_now = self.clock.wall_at(now)
            gap = wall_now.timestamp() - saved_wall.timestamp()
        except (KeyError, TypeError, ValueError):
            log.warning("saved daemon state unreadable; starting fresh")
            return None, 0.0, []
        mono = saved.get("mono")
        if boot is not None and saved.get("boot") == boot and isinstance(mono, (int, float)) and mono <= now:
            # the same boot: the downtime on the monotonic clock, whatever NTP did to the wall clock
            gap = now - mono
        elif gap < -1.0:
            # another boot with the wall clock behind the saved state (no RTC, NTP not synced yet):
            # how long we were down cannot be known, so the bout is not resumed
            log.info("the wall clock reads %s, before the last saved state (%s): the time since is unknown",
                     wall_now.isoformat(timespec="seconds"), saved["ts"])
            gap = float("inf")
        if -1.0 <= gap <= self.cfg.coaching.break_s:
            if saved["engine"].get("bout_start_ago") is not None:
                log.info("resuming the bout saved %.0f s ago", max(gap, 0.0))
                return saved["engine"], max(gap, 0.0), []
            return None, 0.0, []
        if saved.get("clean") or saved["engine"].get("bout_start_ago") is None:
            return None, 0.0, []
        # Unclean end (power cut, kill -9) longer ago than a break: the bout ends where we last saw it,
        # with its length as the engine measured it then (monotonic), not as wall clocks differ.
        if gap != float("inf"):
            log.info("last state is %.0f s old (> break_s): closing that bout at %s", gap, saved["ts"])
        else:
            log.info("closing the bout of the last run at %s", saved["ts"])
        lost = EventFactory(lambda _t: saved_wall, self.ids).make("daemon_stop", now, reason="unclean",
                                                                  **_lost_bout_figures(saved["engine"]))
        return None, 0.0, [lost]

    def _boot_id(self) -> str | None:
        boot_id = getattr(self.clock, "boot_id", None)
        return boot_id() if callable(boot_id) else None

    def _recover_buffered(self) -> None:
        """Events the last run emitted but had not flushed (it crashed or was killed): from the RAM copy.

        They go to the history (and so to the outbox) before this run's first event; any the
        last run did flush are recognised by id and ignored.
        """
        doc = self._read_runtime()
        pending = doc.get("pending") if isinstance(doc, dict) else None
        if not isinstance(pending, list) or not pending:
            return
        events = []
        for item in pending:
            try:
                events.append(Event.from_dict(item[1]))
            except (TypeError, KeyError, ValueError, IndexError):
                continue
        if events:
            log.info("recovering %d events buffered by the last run (from %s)", len(events), self.runtime_file)
            self.store.add(events)

    def _read_runtime(self) -> dict | None:
        if self.runtime_file is None:
            return None
        try:
            return json.loads(self.runtime_file.read_text())
        except (OSError, ValueError):
            return None

    # ------------------------------------------------------------------ the loop
    def serve(self) -> str:
        """Run until a ``Stop`` arrives; returns its reason. Waits on the queue, never sleeps blind."""
        speed = float(getattr(self.clock, "speed", 1.0))
        while not self.stopped:
            now = self.clock.monotonic()
            wake = self.next_wake()
            timeout = MAX_TICK_S if wake is None else max(0.0, (wake - now) / speed)
            if self.inbox_dir is not None and self._inbox_watch is None:
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
        wake = self._next_flush
        for lim in self._rejects.values():
            if lim.next_due() is not None:
                wake = min(wake, lim.next_due())
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
            self._reject(now, cmd.source, str(cmd.args["error"]))
            return
        try:
            events = self.engine.command(now, cmd.name, source=cmd.source, **cmd.args)
        except (TypeError, ValueError, KeyError, OverflowError) as e:
            self._reject(now, cmd.source, f"{cmd.name}: {e}")
            return
        log.info("command %s%s from %s", cmd.name, "" if not cmd.args else f" {cmd.args}", cmd.source)
        self._emit(events)
        self._next_flush = min(self._next_flush, now + COMMAND_FLUSH_DELAY_S)

    def _reject(self, now: float, source: str, reason: str) -> None:
        """One rejected command: logged and recorded, or counted into the next summary (``RejectLimiter``)."""
        lim = self._rejects.setdefault(source, RejectLimiter())
        if lim.admit(now, reason):
            log.warning("command from %s rejected: %s", source, reason)
            self._emit(self.engine.command(now, "rejected", source=source, reason=reason, count=1))

    def _report_rejects(self, now: float, stopping: bool = False) -> None:
        for source, lim in self._rejects.items():
            held = lim.take() if stopping else lim.due(now)
            if held:
                n, last = held
                log.warning("%d more commands from %s rejected in the last %.0f min (the last: %s)",
                            n, source, lim.interval_s / 60, last)
                self._emit(self.engine.command(now, "rejected", source=source, reason=last, count=n))

    def _poll_inbox(self) -> None:
        try:
            mtime = os.stat(self.inbox_dir).st_mtime_ns  # a new file changes it; no change, nothing to read
        except OSError:
            return
        if mtime == self._inbox_mtime:
            return
        self._inbox_mtime = mtime
        for c in inbox_reader()(self.inbox_dir):  # on the loop thread already: handle at once
            if "error" in c:
                cmd = Command("invalid", {"error": c["error"]}, c.get("source", "dashboard"))
            else:
                cmd = Command(c["name"], dict(c.get("args") or {}), c.get("source", "dashboard"))
            self._guarded(self._command, cmd)

    # ------------------------------------------------------------------ timers, outputs, history
    def tick(self, now: float) -> None:
        now = self._now(now)
        self._last_tick = now
        if self.inbox_dir is not None and self._inbox_watch is None and \
                (time.monotonic() >= self._next_inbox or now >= self._next_inbox_t):
            # real time (a person waits for the dashboard), or clock time (a FakeClock barely moves real time)
            self._next_inbox = time.monotonic() + INBOX_POLL_S
            self._next_inbox_t = now + INBOX_POLL_S * float(getattr(self.clock, "speed", 1.0))
            self._guarded(self._poll_inbox)
        if self._rejects:
            self._report_rejects(now)
        self._guarded(self._advance, now)  # whatever goes wrong there, what is buffered still gets flushed
        if now >= self._next_flush:
            self.flush(now)
        if self._ram_dirty and self.runtime_file is not None:
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
        self._events_since_save += len(events)
        self._ram_dirty = True
        if self.runtime_file is not None and self.engine is not None:
            self._save_state(self._last_t, durable=False)
        for e in events:
            log.info("%s %s %s", e.ts[11:19], e.type, _brief(e))
            if e.type == "prompt" and e.data.get("beep"):
                self._beep(2 if e.data.get("level") == 3 else 1, e.t)
            for sink in self.sinks:
                self._sink_call(sink, "publish", e)

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
        changed = any(status.get(k) != self.status.get(k) for k in _SIGNIFICANT)
        self.status = status
        if changed:
            self._ram_dirty = True
        if self.outputs and self.outputs.show(status.get("alert", "none")):
            log.info("LED: %s", describe(self.outputs.pattern))
        if changed:
            for sink in self.sinks:
                self._sink_call(sink, "set_state", status)

    def _save_state(self, now: float, clean: bool = False, durable: bool = True) -> None:
        """The resume state: always to RAM (if there is a runtime dir), to the history when ``durable``.

        The RAM copy also carries the live status and the events not yet flushed, so a
        crash loses no event (``_recover_buffered``) and the dashboard sees the desk as it
        is now, not as of the last flush (``dashboard/queries.py``). RAM costs the card nothing.
        """
        doc = {"ts": self.clock.wall_at(now).isoformat(), "clean": clean,
               "engine": self.engine.export_state(now), "mono": round(now, 3), "boot": self._boot}
        if self.runtime_file is not None:
            ram = dict(doc, status=dict(self.status, stale_after_s=self._stale_after(), stopped=clean),
                       pending=[[day, e.to_dict()] for day, e in self.store.pending_events(RAM_PENDING_MAX)])
            try:
                tmp = self.runtime_file.with_suffix(".tmp")
                tmp.write_text(json.dumps(ram, separators=(",", ":")))
                os.replace(tmp, self.runtime_file)
                self._ram_dirty = False
            except OSError as e:
                log.debug("cannot write %s: %s", self.runtime_file, e)
        if durable:
            self.store.set_json(STATE_KEY, doc)
            self._last_state_save = now
            self._events_since_save = 0

    def _in_bout(self) -> bool:
        return bool(self.status.get("seated")) or bool(self.status.get("bout_s"))

    def _stale_after(self) -> float | None:
        """How old the status may get while the daemon lives: during a bout it is rewritten at least
        every HEARTBEAT_S; with no bout nothing is written (readers go by the daemon's lock)."""
        return 2 * HEARTBEAT_S + self.cfg.history.flush_interval_s if self._in_bout() else None

    def flush(self, now: float) -> None:
        """Write what changed: events, the status, the resume state. An idle desk writes nothing.

        Every SQLite commit costs a few pages, so the card sees one only when
        events are pending, the status changed (seated, level, alert, pause,
        snooze), after a command, or, during a bout with nothing else to write,
        every ``HEARTBEAT_S``. The status's ``stale_after_s`` says how old it
        may get while the daemon lives (None when idle: no periodic writes;
        readers then rely on the daemon's lock). The resume state also goes to
        a file in the runtime directory (RAM) at every flush during a bout, so
        a crash or restart resumes precisely; only a power cut falls back to
        the history's copy.
        """
        self._next_flush = now + self.cfg.history.flush_interval_s
        in_bout = self._in_bout()
        save = self._events_since_save > 0 or (in_bout and now - self._last_state_save >= HEARTBEAT_S)
        if save or in_bout:
            self._save_state(now, durable=save)
        if self.store.pending:
            self._ram_dirty = True  # once flushed, the RAM copy lists no pending events
        if save or self.store.pending or self._status_dirty():
            self.status["stale_after_s"] = self._stale_after()
            self.status["stopped"] = False
            self.store.set_json(STATUS_KEY, self.status)
            self._written_status = {k: self.status.get(k) for k in _SIGNIFICANT}
        if self.trace:
            self._guarded(self.trace.roll, now, self.levels)
        if self.store.flush():
            for sink in self.sinks:
                if hasattr(sink, "flushed"):
                    self._sink_call(sink, "flushed")
        if self.status:
            for sink in self.sinks:  # a periodic refresh of the retained state
                self._sink_call(sink, "set_state", self.status)

    def _status_dirty(self) -> bool:
        written = self._written_status
        return written is None or any(self.status.get(k) != written.get(k) for k in _SIGNIFICANT)

    def _sink_call(self, sink, method: str, *args) -> None:
        try:
            getattr(sink, method)(*args)
        except Exception:
            self.sink_errors += 1
            if self.sink_errors <= 20 or self.sink_errors % 1000 == 0:
                log.exception("sink %s.%s failed (%d so far)", type(sink).__name__, method, self.sink_errors)

    # ------------------------------------------------------------------ stop
    def stop(self, reason: str = "stop") -> None:
        """Outputs off, state saved, history flushed, devices closed. Safe twice."""
        if self.stopped:
            return
        self.stopped = True
        self.stop_reason = reason
        if self.notifier:
            self.notifier.stopping()
        if self.outputs:
            self.outputs.off()
        now = self._now()
        if self.engine is not None:
            self._guarded(self._report_rejects, now, True)
            self._guarded(lambda: self._emit(self.engine.lifecycle(now, "daemon_stop", reason=reason)))
            self._guarded(self._save_state, now, True)
            self.status = dict(self.status, seated=False, alert="none", stopped=True, stop_reason=reason,
                               updated_ts=self.clock.wall_at(now).isoformat(timespec="seconds"))
            self.store.set_json(STATUS_KEY, self.status)  # the RAM copy below says the same
        for sink in self.sinks:
            self._sink_call(sink, "close")
        if self.trace:
            self._guarded(self.trace.close, now)
        self.store.flush()
        if self.engine is not None and self.runtime_file is not None:
            self._guarded(self._save_state, now, True, False)  # the RAM copy: nothing left pending
        self._close_devices()
        self._release_lock()  # after the last write: "stopped" is on disk before readers see no lock
        log.info("stopped (%s)", reason)

    def _release_lock(self) -> None:
        if self._liveness_lock is not None:
            self._liveness_lock.release()
            self._liveness_lock = None  # device/liveness.DaemonLock while running: how readers know we live

    def _close_devices(self) -> None:
        if self._inbox_watch is not None:
            self._inbox_watch.close()
            self._inbox_watch = None
        for dev in (self.outputs, self.inputs):
            if dev is not None:
                dev.close()
        if self._owns_factory and self.pin_factory is not None:
            try:
                self.pin_factory.close()
            except Exception:
                log.debug("closing the pin factory failed", exc_info=True)
            self.pin_factory = None


class _InboxWatch:
    """inotify on the inbox directory: an idle daemon is woken by a dashboard command, not by a timer.

    Linux only, through libc with ctypes (no dependency); ``start`` returns
    None where it cannot work, and the loop polls every ``INBOX_POLL_S`` instead.
    """

    IN_CLOSE_WRITE, IN_MOVED_TO = 0x8, 0x80

    def __init__(self, fd: int, wake_r: int, wake_w: int, notify):
        import threading
        self._fd, self._r, self._w, self._notify = fd, wake_r, wake_w, notify
        self._thread = threading.Thread(target=self._run, name="deskpulse-inbox", daemon=True)
        self._thread.start()

    @classmethod
    def start(cls, directory: Path, notify):
        try:
            import ctypes
            libc = ctypes.CDLL(None, use_errno=True)
            directory.mkdir(mode=0o700, parents=True, exist_ok=True)
            fd = libc.inotify_init1(os.O_CLOEXEC)
            if fd < 0:
                return None
            if libc.inotify_add_watch(fd, os.fsencode(directory), cls.IN_CLOSE_WRITE | cls.IN_MOVED_TO) < 0:
                os.close(fd)
                return None
        except (OSError, AttributeError):
            return None
        r, w = os.pipe()
        return cls(fd, r, w, notify)

    def _run(self) -> None:
        import select
        while True:
            ready, _, _ = select.select([self._fd, self._r], [], [])
            if self._r in ready:
                return
            try:
                os.read(self._fd, 65536)
            except OSError:
                return
            try:
                self._notify()
            except Exception:  # the loop queue is all we touch; never die of it
                log.debug("inbox wake-up failed", exc_info=True)

    def close(self) -> None:
        os.write(self._w, b"x")
        self._thread.join(1.0)
        for fd in (self._fd, self._r, self._w):
            os.close(fd)


_inbox_reader = None


def inbox_reader():
    """``dashboard.commands.read_pending_commands``, without importing Flask into the daemon.

    ``import dashboard.commands`` runs ``dashboard/__init__.py``, which imports
    Flask: 12 MB and 0.2 s of a Pi Zero for a stdlib-only module. Unless the
    dashboard is loaded anyway (the demo), load that one file on its own.
    """
    global _inbox_reader
    if _inbox_reader is None:
        import sys
        if "dashboard" in sys.modules:
            from dashboard.commands import read_pending_commands
            _inbox_reader = read_pending_commands
        else:
            import importlib.util
            spec = importlib.util.find_spec("dashboard")
            path = Path(list(spec.submodule_search_locations)[0]) / "commands.py"
            mspec = importlib.util.spec_from_file_location("deskpulse_dashboard_inbox", path)
            mod = importlib.util.module_from_spec(mspec)
            mspec.loader.exec_module(mod)
            _inbox_reader = mod.read_pending_commands
    return _inbox_reader


def inbox_dir_for(db) -> Path | None:
    """Where the dashboard queues commands for this history (``commands/`` beside it)."""
    try:
        import importlib.util
        if importlib.util.find_spec("dashboard") is None:
            return None
    except (ImportError, ValueError):
        return None
    return Path(db).expanduser().resolve().parent / "commands"


def _newest(*docs, boot: str | None = None) -> dict | None:
    """The most recently saved of several resume states (history, RAM), ignoring malformed ones.

    Within one boot by the monotonic clock (a wall clock stepped back would make the newer
    copy look older), else by the wall clock."""
    best, best_key = None, None
    for d in docs:
        if not isinstance(d, dict) or not isinstance(d.get("engine"), dict):
            continue
        try:
            t = datetime.fromisoformat(d["ts"]).timestamp()
        except (KeyError, TypeError, ValueError):
            continue
        same = boot is not None and d.get("boot") == boot and isinstance(d.get("mono"), (int, float))
        key = (1, d["mono"]) if same else (0, t)
        if best_key is None or key > best_key:
            best, best_key = d, key
    return best


def _lost_bout_figures(engine: dict) -> dict[str, float]:
    """``Coach.open_figures`` of a saved engine state: the bout (and sit) at the moment it was saved."""
    out: dict[str, float] = {}
    try:
        bout = float(engine["bout_start_ago"])
        if engine.get("seated"):
            out = {"bout_s": bout, "sit_s": float(engine.get("seated_since_ago") or 0.0)}
        elif engine.get("away_since_ago") is not None:
            out = {"bout_s": max(0.0, bout - float(engine["away_since_ago"]))}
    except (KeyError, TypeError, ValueError):
        return {}
    return {k: round(v, 3) for k, v in out.items() if v == v and abs(v) != float("inf")}


def runtime_dir(env=None) -> Path | None:
    """RAM that outlives the process: systemd's RuntimeDirectory, else $XDG_RUNTIME_DIR/deskpulse."""
    env = os.environ if env is None else env
    if env.get("RUNTIME_DIRECTORY"):
        return Path(env["RUNTIME_DIRECTORY"].split(":")[0])
    if env.get("XDG_RUNTIME_DIR"):
        return Path(env["XDG_RUNTIME_DIR"]) / "deskpulse"
    return None


def _brief(e: Event) -> str:
    d = e.data
    if e.type == "prompt":
        ex = d.get("exercise") or {}
        return f"level {d.get('level')} ({d.get('kind')}) {ex.get('name', '')} after {d.get('bout_s', 0) / 60:.0f} min" \
               + (" beep" if d.get("beep") else "")
    if e.type == "break":
        return f"bout {d.get('bout_s', 0) / 60:.1f} min, seated {d.get('seated_s', 0) / 60:.1f} min"
    return json.dumps(d, separators=(",", ":"))[:160]
