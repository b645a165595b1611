"""Connections to a history file: the daemon's writer, and read-only ones for everyone else.

- **The writer** (``connect_writer``, ``prepare_writer``, ``compact``): WAL with
  synchronous=NORMAL, so readers (the dashboard) never block the writer and a crash
  (kill -9, OOM) never loses a committed batch or corrupts the file; a power cut may lose
  the last batch or so, never the file. New files get 1 KiB pages (a commit writes whole
  pages, and ours change a few rows) and mode 0640 (history is personal). Opening migrates
  (``schema.py``); a file with many free pages is compacted once.
- **Readers** (``open_readonly``): ``file:...?mode=ro`` (``sqlite_uri.py``), refusing a file
  that is missing, not a database, or of another schema version, in one line for a person.
"""
from __future__ import annotations

import logging
import os
import sqlite3
import time as time_
from pathlib import Path

from device.adapters.store.schema import SCHEMA_VERSION, StoreError, check_version, migrate
from device.adapters.store.sqlite_uri import sqlite_uri

log = logging.getLogger("deskpulse.store")

#: New history files use 1 KiB pages: a commit writes whole pages, and ours change a few rows.
PAGE_SIZE = 1024
#: A file with more free pages than this (and over a quarter of it) is compacted at start.
COMPACT_FREE_PAGES = 1024


# -- the writer --------------------------------------------------------------------------------
def connect_writer(path: Path, busy_timeout_s: float) -> sqlite3.Connection:
    """The daemon's connection (autocommit: the store begins its own transactions); makes the file if need be."""
    new = not path.exists()
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False,
                           timeout=busy_timeout_s)
    if new:
        os.chmod(path, 0o640)  # history is personal: no world read
    return conn


def prepare_writer(conn: sqlite3.Connection, path: Path) -> int:
    """Page size (a new file), WAL and its bounds, then migrate; returns the schema version found."""
    if conn.execute("PRAGMA page_count").fetchone()[0] == 0:
        conn.execute(f"PRAGMA page_size = {PAGE_SIZE}")  # only a new, empty file takes it
    mode = conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
    if mode.lower() != "wal":
        log.warning("%s: journal_mode is %s, not wal", path, mode)
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("PRAGMA journal_size_limit=4194304")
    before = check_version(conn, str(path))
    migrate(conn, str(path))
    if 0 < before < SCHEMA_VERSION:
        log.info("%s: history schema v%d upgraded to v%d", path, before, SCHEMA_VERSION)
    return before


def compact(conn: sqlite3.Connection, path: Path) -> None:
    """VACUUM once after an upgrade (or at a later start if a reader prevented it then).

    It rewrites the file without the freed pages and, out of WAL, with our page size; it
    is one transaction, so a kill leaves the old file. It needs the file to itself: with a
    reader (the dashboard) holding it, it is skipped with a warning until the next start.
    Day-to-day packing frees a few pages a day that new rows reuse, so it never asks for this.
    """
    free = conn.execute("PRAGMA freelist_count").fetchone()[0]
    size = conn.execute("PRAGMA page_size").fetchone()[0]
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    if size == PAGE_SIZE and not (free > COMPACT_FREE_PAGES and free > pages // 4):
        return
    t0 = time_.perf_counter()
    try:
        mode = conn.execute("PRAGMA journal_mode=DELETE").fetchone()[0]
        if mode.lower() == "wal":
            raise sqlite3.OperationalError("another connection has it open")
        conn.execute(f"PRAGMA page_size = {PAGE_SIZE}")
        conn.execute("VACUUM")
    except sqlite3.OperationalError as e:
        log.warning("%s: could not compact the history (%s); trying again at the next start", path, e)
        return
    finally:
        conn.execute("PRAGMA journal_mode=WAL")
    log.info("%s: compacted from %d pages of %d bytes (%d free) in %.1f s", path, pages, size, free,
             time_.perf_counter() - t0)


# -- readers -----------------------------------------------------------------------------------
def open_readonly(path: str | os.PathLike) -> sqlite3.Connection:
    """A read-only connection (``file:...?mode=ro``) for the dashboard and ``export``; rows are ``sqlite3.Row``.

    Raises ``StoreError`` (one line, for a person) when the file is missing,
    not a database, or from a newer schema.
    """
    p = Path(path).expanduser()
    if not p.is_file():
        raise StoreError(f"{p}: no history database there")
    try:
        conn = sqlite3.connect(sqlite_uri(p.resolve(), "ro"), uri=True, check_same_thread=False)
    except sqlite3.Error as e:
        raise StoreError(f"{p}: cannot open the history database ({e})") from None
    try:
        version = check_version(conn, str(p))
        if version < SCHEMA_VERSION:
            raise StoreError(f"{p}: history schema v{version} is older than v{SCHEMA_VERSION}; "
                             f"start the daemon once to migrate it")
    except BaseException:
        conn.close()
        raise
    conn.row_factory = sqlite3.Row
    return conn


def integrity_check(target: str | os.PathLike | sqlite3.Connection) -> list[str]:
    """``PRAGMA integrity_check``: an empty list when the file is sound, else SQLite's findings."""
    conn = target if isinstance(target, sqlite3.Connection) else open_readonly(target)
    try:
        rows = [r[0] for r in conn.execute("PRAGMA integrity_check").fetchall()]
    finally:
        if conn is not target:
            conn.close()
    return [] if rows == ["ok"] else rows
