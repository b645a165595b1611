"""The durable MQTT outbox: which events still need a PUBACK, and in what order.

Size: about 310 lines, a little over the ~300 of the other modules: one job (an outbox row's
life: offered, scanned, acknowledged, pruned), and much of it is the why of its two roads.

The store writes every event into ``outbox`` in the same transaction as
``events`` (``device/adapters/store/batch.py``), but only every ``history.flush_interval_s``.
Waiting for that flush would put up to a minute between an event and Home
Assistant seeing it, so events reach the outbox by two roads:

- **live**: the sink hands each new event here as it happens (``offer_live``)
  and it is published at once;
- **stored**: ``scan`` reads rows in ``seq`` order from this object's own
  SQLite connection: a backlog left by a previous run, or events that only the
  store saw.

Both roads meet on the event id. An event is finished when its PUBACK has
arrived *and* its outbox row has been deleted; a live event acknowledged
before the store flushed it is remembered (``acked_unstored``): the store, asking
``delivered`` at its flush, then writes no row for it at all (with the broker up, the
usual case: the outbox costs the SD card nothing), or, if the row was written anyway,
it is deleted unpublished when it appears. So nothing is published twice in normal
operation, nothing stored is lost (a row goes only after a PUBACK, or when the
age/size bound drops it, logged), and a crash just means the next run
re-sends rows without a PUBACK: at least once, consumers dedupe by id.

Order: a backlog present at start-up (rows up to ``catchup_seq``) is handed
to paho before any live event; if the in-memory queue would overflow (a long
broker outage at high event rates), live events are dropped *from memory
only* and the scan picks them up from the table in order (``catchup_id``).

This class does no networking and no threading: the sink's publishing thread
drives it with a ``send(payload) -> mid`` function and the PUBACK mids, which
keeps it testable without a broker.
"""
from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections import OrderedDict, deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from device.adapters.store.outbox_bounds import follow_clock_steps, prune_outbox
from device.adapters.store.sqlite_uri import sqlite_uri

log = logging.getLogger("deskpulse.outbox")

DAY_S = 86400.0


@dataclass
class _Item:
    id: str
    payload: str
    seqs: list[int] = field(default_factory=list)
    mid: int | None = None


class Outbox:
    """Bookkeeping for QoS 1 delivery backed by the ``outbox`` table.

    ``window`` bounds messages handed to paho and not yet acknowledged;
    ``memory_cap`` bounds events held in memory waiting for a send slot.
    """

    def __init__(self, db_path: str | Path, *, window: int = 100, memory_cap: int = 10000,
                 max_age_days: float = 30.0, max_rows: int = 100000,
                 wall: Callable[[], float] = time.time, mono: Callable[[], float] = time.monotonic,
                 acked_memory_s: float = 3600.0, boot: str | None | object = ...):
        self.db_path = Path(db_path)
        self.window = window
        self.memory_cap = memory_cap
        self.max_age_s = max_age_days * DAY_S
        self.max_rows = max_rows
        self.wall = wall
        self.mono = mono
        if boot is ...:   # (a ``wall`` of a test's own has no steps to follow)
            from device.adapters.clock import boot_id
            boot = boot_id() if wall is time.time else None
        self.boot = boot  # with ``mono``, how the age bound tells a clock step from time passing
        self.acked_memory_s = acked_memory_s
        self._conn: sqlite3.Connection | None = None
        self._open_error: str | None = None
        self.cursor = 0
        self.catchup_seq = 0          # start-up backlog: live events wait until the scan passes this seq
        self.catchup_id: str | None = None  # overflow: live events wait until the scan sees this id
        self.more_rows = True         # the last scan stopped before the end of the table
        self.pending: dict[str, _Item] = {}
        self.send_q: deque[_Item] = deque()
        self.live_wait: deque[_Item] = deque()
        self.inflight: dict[int, _Item] = {}
        self.acked_unstored: OrderedDict[str, float] = OrderedDict()
        # The store (another thread) asks ``delivered`` at its flush; this lock is all they share.
        self._acked_lock = threading.Lock()
        self.skipped = 0  # events the store did not queue at all: acknowledged before its flush
        self.to_delete: list[int] = []
        self.sent = 0
        self.acked = 0
        self.dropped = 0
        self.deduped = 0
        self.orphans = 0

    # -- database --------------------------------------------------------------------------
    def _db(self) -> sqlite3.Connection | None:
        """This thread's own connection; None (and retried later) while the store has not made the file."""
        if self._conn is not None:
            return self._conn
        try:
            conn = sqlite3.connect(sqlite_uri(self.db_path, "rw"), uri=True, isolation_level=None, timeout=5.0)
            conn.execute("PRAGMA synchronous=NORMAL")
            row = conn.execute("SELECT COALESCE(MAX(seq), 0) FROM outbox").fetchone()
        except sqlite3.Error as e:
            if str(e) != self._open_error:
                log.warning("outbox: cannot open %s yet (%s); retrying", self.db_path, e)
                self._open_error = str(e)
            try:
                conn.close()
            except (sqlite3.Error, UnboundLocalError):
                pass
            return None
        self._conn = conn
        self.catchup_seq = row[0]
        if self.catchup_seq:
            n = conn.execute("SELECT COUNT(*) FROM outbox").fetchone()[0]
            log.info("outbox: %d undelivered events from before; sending them first", n)
        self.prune()
        return conn

    def close(self) -> None:
        if self._conn is not None:
            self.commit()
            self._conn.close()
            self._conn = None

    def backlog(self) -> int:
        """Rows still in the table (for stats and tests)."""
        conn = self._db()
        return 0 if conn is None else conn.execute("SELECT COUNT(*) FROM outbox").fetchone()[0]

    # -- the two roads in ------------------------------------------------------------------
    @property
    def catching_up(self) -> bool:
        return self.catchup_id is not None or self.cursor < self.catchup_seq

    def offer_live(self, event_id: str, payload: str) -> None:
        """A new event from the daemon loop (already or soon in the table)."""
        with self._acked_lock:
            if event_id in self.pending or event_id in self.acked_unstored:
                return
        item = _Item(event_id, payload)
        self.pending[event_id] = item
        if self.catching_up:
            self.live_wait.append(item)
            if len(self.live_wait) > self.memory_cap:
                self._spill(self.live_wait)
        else:
            self.send_q.append(item)
            if len(self.send_q) > self.memory_cap:
                self._spill(self.send_q)

    def _spill(self, q: deque[_Item]) -> None:
        """Forget not-yet-stored live events from the tail of ``q``; the scan will find their rows in order."""
        last = None
        while q and not q[-1].seqs:
            item = q.pop()
            del self.pending[item.id]
            last = last or item.id
        if last is not None:
            self.catchup_id = last
            log.info("outbox: over %d events waiting; reading them back from the table", self.memory_cap)

    def scan(self) -> int:
        """Read new outbox rows in seq order into the send queue; returns rows read."""
        conn = self._db()
        if conn is None:
            return 0
        read = 0
        while True:
            room = 2 * self.window - len(self.send_q)
            if room <= 0:
                self.more_rows = True
                break
            # The row points at its event (same seq); the payload is the event's stored json.
            rows = conn.execute("SELECT o.seq, e.id, e.json FROM outbox o LEFT JOIN events e ON e.seq = o.seq "
                                "WHERE o.seq > ? ORDER BY o.seq LIMIT ?", (self.cursor, min(room, 1000))).fetchall()
            for seq, eid, payload in rows:
                self.cursor = seq
                read += 1
                if eid is None:  # its event is gone (cannot happen through the store): nothing to send
                    self.to_delete.append(seq)
                    self.orphans += 1
                    continue
                with self._acked_lock:
                    deduped = self.acked_unstored.pop(eid, None) is not None
                if deduped:
                    self.to_delete.append(seq)
                    self.deduped += 1
                elif eid in self.pending:
                    self.pending[eid].seqs.append(seq)
                else:
                    item = _Item(eid, payload, [seq])
                    self.pending[eid] = item
                    self.send_q.append(item)
                if eid == self.catchup_id:
                    self.catchup_id = None
            if len(rows) < min(room, 1000):
                self.more_rows = False
                break
        if not self.catching_up and self.live_wait:
            self.send_q.extend(self.live_wait)
            self.live_wait.clear()
        return read

    # -- out and back ----------------------------------------------------------------------
    def pump(self, send: Callable[[str], int | None]) -> int:
        """Hand queued events to ``send`` while the in-flight window has room; returns how many."""
        n = 0
        while self.send_q and len(self.inflight) < self.window:
            item = self.send_q[0]
            mid = send(item.payload)
            if mid is None:
                break
            self.send_q.popleft()
            item.mid = mid
            self.inflight[mid] = item
            self.sent += 1
            n += 1
        return n

    def ack(self, mid: int) -> bool:
        """A PUBACK for ``mid``: the event is delivered; its row (if any yet) will be deleted."""
        item = self.inflight.pop(mid, None)
        if item is None:
            return False  # a status/state/discovery message, not an event
        self.acked += 1
        del self.pending[item.id]
        if item.seqs:
            self.to_delete.extend(item.seqs)
        else:
            with self._acked_lock:
                self.acked_unstored[item.id] = self.mono()
        return True

    def commit(self) -> None:
        """Delete acknowledged rows in one transaction (few writes: the Pi's SD card)."""
        if not self.to_delete or self._conn is None:
            self._forget_old_acks()
            return
        seqs, self.to_delete = self.to_delete, []
        try:
            with self._conn:
                self._conn.executemany("DELETE FROM outbox WHERE seq = ?", [(s,) for s in seqs])
        except sqlite3.Error as e:
            log.warning("outbox: could not delete %d delivered rows (%s); they may be sent again", len(seqs), e)
        self._forget_old_acks()

    def _forget_old_acks(self) -> None:
        """Bound ``acked_unstored``: a live event the store never wrote must not be remembered forever."""
        horizon = self.mono() - self.acked_memory_s
        with self._acked_lock:
            while self.acked_unstored:
                eid, t = next(iter(self.acked_unstored.items()))
                if t >= horizon and len(self.acked_unstored) <= 10 * self.memory_cap:
                    break
                self.acked_unstored.popitem(last=False)

    def delivered(self, event_id: str) -> bool:
        """For the store, at its flush (any thread): was this event acknowledged before it was stored?

        If so the store writes no outbox row for it: nothing to insert now and nothing to
        delete later, so a desk with its broker up costs the card no outbox writes at all.
        The answer is given once (the id is forgotten), so a flush that fails and is retried
        queues the event after all: at least once, never lost.
        """
        with self._acked_lock:
            found = self.acked_unstored.pop(event_id, None) is not None
            self.skipped += found
        return found

    def prune(self) -> int:
        """Apply ``mqtt.outbox_max_age_days`` and ``outbox_max_rows``; log what was dropped."""
        conn = self._conn
        if conn is None:
            return 0
        try:
            conn.execute("BEGIN IMMEDIATE")
            try:
                now = self.wall()
                step = follow_clock_steps(conn, now, self.mono(), self.boot)
                old, over = prune_outbox(conn, now, self.max_age_s, self.max_rows)
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
        except sqlite3.Error as e:
            log.warning("outbox: could not apply the backlog bounds (%s)", e)
            return 0
        if step:
            log.info("outbox: the wall clock stepped by %+.0f s; the queued events keep their age", step)
        if old or over:
            self.dropped += old + over
            log.warning("outbox: dropped %d undelivered events (%d older than %g days, %d over %d rows); "
                        "%d dropped since start", old + over, old, self.max_age_s / DAY_S, over, self.max_rows,
                        self.dropped)
        return old + over

    def stats(self) -> dict[str, int]:
        return {"sent": self.sent, "acked": self.acked, "inflight": len(self.inflight),
                "queued": len(self.send_q) + len(self.live_wait), "dropped": self.dropped,
                "deduped": self.deduped, "skipped": self.skipped}
