"""The Home Assistant id scheme of one desk (``exact`` or ``legacy``, see ``discovery.py``), pinned in the history.

Decided once per sink at its first announce and written to the history's ``kv`` table, so a
desk keeps the unique_ids Home Assistant already knows it by, whatever the next run decides.
"""
from __future__ import annotations

import json
import logging
import sqlite3

from device.adapters.mqtt import discovery
from device.adapters.store.sqlite_uri import sqlite_uri

log = logging.getLogger("deskpulse.mqtt")

#: The history's kv key pinning each device id's HA id scheme (``discovery``): {device_id: "exact"|"legacy"}.
HA_IDS_KEY = "mqtt_ha_ids"


class HaIds:
    """``exact`` or ``legacy`` HA ids for the desk ``device`` whose history is ``db_path``.

    ``want`` is ``mqtt.ha_unique_ids`` (``auto``, ``exact`` or ``legacy``).
    """

    def __init__(self, db_path, device: str, want: str):
        self.db_path = db_path
        self.device = device
        self.want = want
        self.ids: str | None = None  # decided at the first announce (decide) ...
        # ... from what the history held before this run: by the time the broker answers, the
        # daemon may have flushed this run's daemon_start, and a new desk would look old.
        self._had_events = _history_had_events(db_path)

    def decide(self) -> str:
        """``exact`` or ``legacy`` HA ids for this desk (``discovery``), decided once and pinned in the history.

        The one-off migration: the two schemes differ only for a device id with a ``-``.
        Such a desk whose history already has events ran an older version, which
        published legacy unique_ids; HA keys its entities (history, automations) by
        them, so it keeps them. A new desk gets exact ids. ``mqtt.ha_unique_ids``
        overrides (and re-pins). Until the history file exists nothing is pinned.
        """
        if self.ids is not None:
            return self.ids
        dev, want = self.device, self.want
        try:
            conn = sqlite3.connect(sqlite_uri(self.db_path, "rw"), uri=True, timeout=5.0)
        except sqlite3.Error:
            return want if want != "auto" else "exact"  # no history yet: a new desk
        try:
            with conn:
                row = conn.execute("SELECT value FROM kv WHERE key = ?", (HA_IDS_KEY,)).fetchone()
                pins = _json_dict(row[0] if row else None)
                if want != "auto":
                    ids = want
                elif pins.get(dev) in discovery.IDS:
                    ids = pins[dev]
                elif "-" in dev and (self._had_events if self._had_events is not None else _has_events(conn)):
                    ids = "legacy"
                    log.info("mqtt: %s ran before: keeping the Home Assistant ids it has (with '-' as '_'; "
                             "see mqtt.ha_unique_ids in docs/mqtt.md)", dev)
                else:
                    ids = "exact"
                if pins.get(dev) != ids:
                    pins[dev] = ids
                    conn.execute("INSERT OR REPLACE INTO kv (key, value) VALUES (?, ?)",
                                 (HA_IDS_KEY, json.dumps(pins, separators=(",", ":"))))
        except sqlite3.Error as e:
            # Not pinned; tried again at the next announce. Meanwhile the safe side: keep what HA may have.
            ids = want if want != "auto" else "legacy" if "-" in dev and self._had_events is not False else "exact"
            log.warning("mqtt: cannot read or pin the Home Assistant ids in %s (%s); using %s for now",
                        self.db_path, e, ids)
            return ids
        finally:
            conn.close()
        self.ids = ids
        return ids


def _json_dict(raw: str | None) -> dict:
    try:
        d = json.loads(raw) if raw else {}
    except ValueError:
        return {}
    return d if isinstance(d, dict) else {}


def _history_had_events(db_path) -> bool | None:
    """Whether the history file holds events now (None: cannot tell). No file: a new desk."""
    try:
        conn = sqlite3.connect(sqlite_uri(db_path, "ro"), uri=True, timeout=5.0)
    except sqlite3.Error:
        return False  # no such file yet
    try:
        return _has_events(conn)
    except sqlite3.Error:
        return None
    finally:
        conn.close()


def _has_events(conn: sqlite3.Connection) -> bool:
    """Whether this history holds any event (a previous run's): live rows or packed days."""
    for table in ("events", "packed_days"):
        try:
            if conn.execute(f"SELECT 1 FROM {table} LIMIT 1").fetchone():
                return True
        except sqlite3.OperationalError:
            continue  # an older schema without that table
    return False

