"""The SQLite history: events, bouts, days, the daemon's kv state and the MQTT outbox.

One module a job:

- ``schema``      the tables, ``MIGRATIONS`` (v1..v4, ``PRAGMA user_version``), ``StoreError``
- ``connection``  opening a file: the writer (WAL, page size, migrate, compact), read-only ones
- ``reads``       plain SQL readers on any connection: days, bouts, events (live and packed)
- ``packed``      the format of a packed (closed, compressed) desk day
- ``writer``      ``Store``: the daemon's writer; buffers (``buffer``) and flushes in one
                  transaction a batch (``batch``: events, outbox rows, bouts, days, kv),
                  then packing and the outbox bounds (``upkeep``)
- ``outbox``      ``Outbox``: the MQTT sink's bookkeeping of the ``outbox`` rows
  (``outbox_bounds``: the table's age/size bounds and clock steps, shared with ``upkeep``)
- ``sqlite_uri``  the ``file:`` URI of exactly one file

The names below are what the rest of deskpulse imports from ``device.adapters.store``;
the outbox and the URI helper are imported from their modules.
"""
from __future__ import annotations

from device.adapters.store.buffer import DEFAULT_MAX_BUFFER
from device.adapters.store.connection import COMPACT_FREE_PAGES, PAGE_SIZE, integrity_check, open_readonly
from device.adapters.store.reads import (count_events, day_payloads, iter_event_rows, last_event_id, max_event_id,
                                         read_bouts, read_days, read_events)
from device.adapters.store.schema import MIGRATIONS, SCHEMA_VERSION, StoreError, migrate, needs_upgrade
from device.adapters.store.upkeep import OUTBOX_PRUNE_S, PACK_AFTER_DAYS, PACK_PER_FLUSH
from device.adapters.store.writer import Store

__all__ = [
    "COMPACT_FREE_PAGES", "DEFAULT_MAX_BUFFER", "MIGRATIONS", "OUTBOX_PRUNE_S", "PACK_AFTER_DAYS", "PACK_PER_FLUSH",
    "PAGE_SIZE", "SCHEMA_VERSION", "Store", "StoreError", "count_events", "day_payloads", "integrity_check",
    "iter_event_rows", "last_event_id", "max_event_id", "migrate", "needs_upgrade", "open_readonly", "read_bouts",
    "read_days", "read_events",
]
