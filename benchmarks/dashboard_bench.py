"""Dashboard latency on years of history, against a 1 KB static file from the same server.

Builds a history of simulated days replayed through the engine into the real
store (5 years by default), serves the dashboard with waitress on a free
localhost port, and times, over one keep-alive connection and interleaved
round-robin so drift hits every URL alike:

- Today (``/``), a 365-day History (``/history?range=year``), ``/api/days`` for a year,
- a 1 KB static file served by the same app (the baseline).

Prints p50/p95 in ms, each page's p95 as a multiple of the static file's p95
(target: at most 3x), the render cache's version check against one primary-key lookup (it
runs before every cached page, so it must not grow with the years), and the database size
(target: at most 20 MB for 5 years).

    python3 benchmarks/dashboard_bench.py [--years 5] [--samples 300] [--keep DIR]
"""
from __future__ import annotations

import argparse
import http.client
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "dashboard")]

from dash_seed import Served, seed_history, write_status  # noqa: E402

from dashboard import create_app  # noqa: E402
from device.adapters.clock import FakeClock  # noqa: E402
from device.config import Config  # noqa: E402


def pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(q * (len(xs) - 1))))]


def build(db: Path, years: int) -> tuple[datetime, float]:
    start = datetime.fromisoformat("2021-03-01T00:00:00+01:00")
    days = int(round(365.25 * years))
    now = start + timedelta(days=days - 1, hours=15, minutes=10)
    t0 = time.perf_counter()
    status = seed_history(db, Config(), start, days, seed=5, until=now, flush_every_s=86400)
    write_status(db, status)
    return now, time.perf_counter() - t0


def size_mb(db: Path) -> float:
    return sum(p.stat().st_size for p in db.parent.glob(db.name + "*")) / 1e6


def cache_check(app, n: int = 1000) -> tuple[float, float]:
    """p50 µs of the render cache's version check, and of one primary-key lookup (the baseline),
    interleaved. Each on a fresh connection, as a request has: SQLite's page cache starts empty
    (the schema is read first, outside the timing: every request pays that alike)."""
    from dashboard import queries
    check, lookup = [], []
    for _ in range(n):
        for fn, xs in ((queries.history_version, check), (lambda: queries.kv("status"), lookup)):
            with app.test_request_context("/history"):
                queries.get_db().execute("SELECT 1 FROM kv LIMIT 0").fetchall()
                t = time.perf_counter()
                fn()
                xs.append(time.perf_counter() - t)
    return statistics.median(check) * 1e6, statistics.median(lookup) * 1e6


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--years", type=int, default=5)
    ap.add_argument("--samples", type=int, default=300)
    ap.add_argument("--keep", metavar="DIR", help="build (or reuse) the history in DIR instead of a temp dir")
    args = ap.parse_args()

    import logging
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)  # "task queue depth" notes are expected here
    tmp = tempfile.TemporaryDirectory()
    base = Path(args.keep) if args.keep else Path(tmp.name)
    base.mkdir(parents=True, exist_ok=True)
    db = base / "history.db"
    stamp = base / "now.txt"
    if db.exists() and stamp.exists():
        now, took = datetime.fromisoformat(stamp.read_text().strip()), 0.0
        print(f"reusing {db}")
    else:
        now, took = build(db, args.years)
        stamp.write_text(now.isoformat())
    import sqlite3
    from device.adapters.store import count_events, iter_event_rows
    c = sqlite3.connect(db)
    n_events = count_events(c)
    json_bytes = sum(len(p.encode()) for _, _, p in iter_event_rows(c))  # the baseline: the events as JSON lines
    n_days = c.execute("SELECT count(*) FROM days").fetchone()[0]
    n_outbox = c.execute("SELECT count(*) FROM outbox").fetchone()[0]
    n_live, n_packed = c.execute("SELECT (SELECT count(*) FROM events), (SELECT count(*) FROM packed_days)").fetchone()
    tables = c.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC").fetchall() \
        if c.execute("SELECT count(*) FROM pragma_module_list WHERE name = 'dbstat'").fetchone()[0] else []
    c.close()
    print(f"history: {args.years} years, {n_days} desk days, {n_events} events"
          + (f", built in {took:.0f} s (simulated and replayed through the engine)" if took else ""))

    static_dir = base / "static"
    static_dir.mkdir(exist_ok=True)
    (static_dir / "one-k.txt").write_bytes(b"x" * 1023 + b"\n")
    app = create_app(Config().replace(dashboard={"secret_key": "b" * 40}), db_path=db, clock=FakeClock(now))
    from flask import send_from_directory
    app.add_url_rule("/bench/<path:name>", "bench_static", lambda name: send_from_directory(static_dir, name))

    year_from = (now.date() - timedelta(days=364)).isoformat()
    urls = {
        "static 1 KB": "/bench/one-k.txt",
        "Today": "/",
        "History, 365 days": "/history?range=year",
        "/api/days, a year": f"/api/days?from={year_from}&to={now.date().isoformat()}",
    }
    times: dict[str, list[float]] = {k: [] for k in urls}
    sizes: dict[str, int] = {}
    with Served(app, threads=2) as srv:
        conn = http.client.HTTPConnection("127.0.0.1", int(srv.url.rsplit(":", 1)[1]), timeout=30)

        def get(path: str) -> tuple[float, int]:
            t = time.perf_counter()
            conn.request("GET", path)
            r = conn.getresponse()
            body = r.read()
            dt = time.perf_counter() - t
            if r.status != 200:
                raise SystemExit(f"{path}: HTTP {r.status}")
            return dt, len(body)

        for _ in range(20):  # warm-up: imports, template compilation, page cache
            for name, path in urls.items():
                get(path)
        for _ in range(args.samples):
            for name, path in urls.items():
                dt, n = get(path)
                times[name].append(dt * 1000)
                sizes[name] = n
        conn.close()

    base_p95 = pct(times["static 1 KB"], 0.95)
    print(f"\n{'URL':<22}{'bytes':>9}{'p50 ms':>9}{'p95 ms':>9}{'p95 / static':>14}")
    worst = 0.0
    for name in urls:
        p50, p95 = statistics.median(times[name]), pct(times[name], 0.95)
        ratio = p95 / base_p95
        if name != "static 1 KB":
            worst = max(worst, ratio)
        print(f"{name:<22}{sizes[name]:>9}{p50:>9.2f}{p95:>9.2f}{ratio:>13.2f}x")
    # what the cache saves: the same pages drawn from scratch each time (in-process, no server)
    cold = app.test_client()
    cache = app.extensions.pop("deskpulse_cache")
    for name in ("History, 365 days", "/api/days, a year"):
        xs = []
        for _ in range(30):
            t = time.perf_counter()
            cold.get(urls[name]).close()
            xs.append((time.perf_counter() - t) * 1000)
        print(f"{name} without the render cache (in-process): p50 {statistics.median(xs):.1f} ms, "
              f"p95 {pct(xs, 0.95):.1f} ms")
    app.extensions["deskpulse_cache"] = cache
    check_us, lookup_us = cache_check(app)
    print(f"render cache check (history_version, in-process): p50 {check_us:.1f} µs; one kv lookup "
          f"(the baseline) {lookup_us:.1f} µs; ratio {check_us / lookup_us:.1f}x")
    mb = size_mb(db)
    print(f"\nworst page p95 = {worst:.2f}x the static file's (target <= 3x): {'OK' if worst <= 3 else 'OVER'}")
    print(f"database: {mb:.1f} MB for {args.years} years (target <= 20 MB): {'OK' if mb <= 20 else 'OVER'}"
          f"; {n_packed} desk days packed, {n_live} events as rows, {n_outbox} undelivered in the outbox "
          f"(no broker: the last outbox_max_age_days)")
    print(f"  baseline, the same events as bare JSON lines: {json_bytes / 1e6:.1f} MB; "
          f"the database is {mb * 1e6 / json_bytes:.2f}x that, with bouts, days and the outbox")
    if tables:
        print("  by table/index: " + ", ".join(f"{name} {size / 1e6:.2f} MB" for name, size in tables if size >= 50_000))
    tmp.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
