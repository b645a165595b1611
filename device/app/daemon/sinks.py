"""The daemon's sinks: outputs other than the history (MQTT is one), and how they are called.

A sink is any object with::

    publish(event)      # each event as it is emitted (before the history has flushed it)
    set_state(status)   # the live status dict, on every significant change and at each flush
    close()             # at shutdown, before the history's last flush
    start(daemon)       # optional: before READY=1; may call daemon.post_command(...) from any thread
    flushed()           # optional: after each successful history flush (the outbox rows are on disk)
    delivered(event_id) # optional, any thread: the event is already acknowledged, so the history
                        # need not queue it for this sink (no outbox row written, none to delete)

Every call happens on the loop thread, must not block, and an exception in a
sink is logged and counted, never fatal.
"""
from __future__ import annotations

import logging

log = logging.getLogger("deskpulse.daemon")

#: How long start() waits for a sink that has a ``connected`` event (a broker) before READY=1.
READY_WAIT_S = 5.0


class Sinks:
    """The sinks in order, and the count of their failures (``errors``)."""

    def __init__(self, sinks, store):
        self.all = list(sinks)
        self.errors = 0
        for sink in self.all:
            if callable(getattr(sink, "delivered", None)):
                store.delivered = sink.delivered

    def __iter__(self):
        return iter(self.all)

    def call(self, sink, method: str, *args) -> None:
        try:
            getattr(sink, method)(*args)
        except Exception:
            self.errors += 1
            if self.errors <= 20 or self.errors % 1000 == 0:
                log.exception("sink %s.%s failed (%d so far)", type(sink).__name__, method, self.errors)

    def publish(self, event) -> None:
        for sink in self.all:
            self.call(sink, "publish", event)

    def set_state(self, status: dict) -> None:
        for sink in self.all:
            self.call(sink, "set_state", status)

    def flushed(self) -> None:
        for sink in self.all:
            if hasattr(sink, "flushed"):
                self.call(sink, "flushed")

    def start(self, daemon) -> None:
        for sink in self.all:
            if hasattr(sink, "start"):
                self.call(sink, "start", daemon)

    def wait_connected(self) -> None:
        """READY=1 waits a little for a broker, never for long."""
        for sink in self.all:
            connected = getattr(sink, "connected", None)
            if connected is not None and hasattr(connected, "wait") and not connected.wait(READY_WAIT_S):
                log.warning("%s not connected after %.0f s; carrying on (it retries)", type(sink).__name__, READY_WAIT_S)

    def close(self) -> None:
        for sink in self.all:
            self.call(sink, "close")
