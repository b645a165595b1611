"""Rendered History pages and day ranges, kept until the history changes.

The ``days`` rollup only changes when the daemon flushes (a minute at the
soonest), yet a year of History is the dearest page to draw on a Pi Zero. So
a response is cached under its URL, the desk day, and the history's version
(``queries.history_version``: the largest ``events.seq``, which every stored
event moves, and with it any change of ``days``; the largest ``packed_days``
rowid, which every packing moves). Reading the version is three lookups at the
ends of b-trees, the same cost at five years as at one day (it runs before
every cached page), so a cached answer is exact, never stale.
"""
from __future__ import annotations

import functools
import threading
from collections import OrderedDict

from flask import Response, current_app, request

from dashboard import queries

MAX_ENTRIES = 48


class RenderCache:
    def __init__(self, size: int = MAX_ENTRIES):
        self.size = size
        self._d: OrderedDict[tuple, tuple[bytes, str, int]] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, key: tuple):
        with self._lock:
            v = self._d.get(key)
            if v is not None:
                self._d.move_to_end(key)
                self.hits += 1
            else:
                self.misses += 1
            return v

    def put(self, key: tuple, value: tuple[bytes, str, int]) -> None:
        with self._lock:
            self._d[key] = value
            self._d.move_to_end(key)
            while len(self._d) > self.size:
                self._d.popitem(last=False)


def history_version() -> tuple | None:
    return queries.history_version()


def cached(day_fn):
    """Cache a view's 200 responses by URL, ``day_fn()`` (the current desk day) and the history version."""
    def deco(view):
        @functools.wraps(view)
        def wrapped(*a, **kw):
            cache: RenderCache | None = current_app.extensions.get("deskpulse_cache")
            if cache is None:
                return view(*a, **kw)
            version = history_version()
            key = (request.endpoint, request.full_path, str(day_fn()), version)
            hit = cache.get(key) if version is not None else None
            if hit is not None:
                body, mimetype, status = hit
                return Response(body, status=status, mimetype=mimetype)
            resp = current_app.make_response(view(*a, **kw))
            if resp.status_code == 200 and not resp.is_streamed and version is not None:
                cache.put(key, (resp.get_data(), resp.mimetype, 200))
            return resp
        return wrapped
    return deco
