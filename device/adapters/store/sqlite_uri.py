"""The SQLite URI of exactly one file, for every connection that opens the history by URI.

``f"file:{path}?mode=ro"`` is not that: a ``#`` or ``?`` in the path ends the
file name early (``/a#b/history.db`` opens ``/a``, and ``mode`` is lost with
the rest, so it opens writable), and ``%`` is read as an escape.
"""
from __future__ import annotations

import os
from pathlib import Path


def sqlite_uri(path: str | os.PathLike, mode: str) -> str:
    """``file:`` URI of ``path`` (absolute, every special character escaped) opened in ``mode`` (ro, rw, rwc)."""
    return Path(path).expanduser().absolute().as_uri() + f"?mode={mode}"
