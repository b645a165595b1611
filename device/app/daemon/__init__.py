"""The daemon: one loop thread that owns all state, fed by one queue (``loop.py``).

The package, one job per module:

- ``loop``: ``Daemon``, the queue and the one thread that owns all state: it feeds
  the engine and hands the events to the history, the LED/buzzer and the sinks.
- ``lifecycle``: start (the liveness lock, the devices, resuming, READY=1) and stop.
- ``resume``: the resume state in the history and in the RAM copy (``runtime_dir``),
  the boot id and the downtime measured on the monotonic clock; reading it back at start.
- ``writes``: what is written to the card and when (flushes, status, heartbeat).
- ``sinks``: the sink protocol (MQTT is one) and the calls that must never be fatal.
- ``inbox``: commands arriving as files from the dashboard (inotify or polling).
- ``rejects``: rejected commands, rate-limited per source.
- ``items``: what the queue carries besides edges (``Command``, ``InboxChanged``, ``Stop``).
- ``trace_recorder``: the raw inputs recorded as replayable traces.

The names below are re-exported for importers; the constants are copies, so a test
that changes one patches the module that uses it (e.g. ``device.app.daemon.resume.RAM_PENDING_MAX``).
"""
from device.app.daemon.inbox import INBOX_POLL_S, inbox_dir_for, inbox_reader
from device.app.daemon.items import Command, InboxChanged, Stop
from device.app.daemon.loop import MAX_TICK_S, STUCK_STEP_S, Daemon
from device.app.daemon.rejects import REJECT_BURST, REJECT_INTERVAL_S, RejectLimiter
from device.app.daemon.resume import RAM_PENDING_MAX, STATE_KEY, runtime_dir
from device.app.daemon.sinks import READY_WAIT_S
from device.app.daemon.trace_recorder import TraceRecorder
from device.app.daemon.writes import COMMAND_FLUSH_DELAY_S, HEARTBEAT_S, STATUS_KEY

__all__ = [
    "Daemon", "Command", "InboxChanged", "Stop", "RejectLimiter", "TraceRecorder",
    "runtime_dir", "inbox_dir_for", "inbox_reader",
    "STATE_KEY", "STATUS_KEY", "MAX_TICK_S", "READY_WAIT_S", "INBOX_POLL_S", "COMMAND_FLUSH_DELAY_S",
    "HEARTBEAT_S", "RAM_PENDING_MAX", "STUCK_STEP_S", "REJECT_BURST", "REJECT_INTERVAL_S",
]
