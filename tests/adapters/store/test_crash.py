"""kill -9 in the middle of writing: the file stays sound and keeps every announced batch."""
from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from device.adapters.store import integrity_check

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]


def test_kill_9_repeatedly(tmp_path):
    db = tmp_path / "h.db"
    rng = random.Random(1234)
    announced = []
    for _round in range(6):
        p = subprocess.Popen([sys.executable, str(HERE / "crash_writer.py"), str(db), str(ROOT)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        target = rng.randint(3, 25)
        try:
            for _ in range(target):
                line = p.stdout.readline()
                assert line, p.stderr.read()
                announced.append(line.split())
            time.sleep(rng.random() * 0.02)                 # land somewhere inside a later write
        finally:
            os.kill(p.pid, signal.SIGKILL)
            p.wait(timeout=10)
            p.stdout.close()
            p.stderr.close()
        assert p.returncode == -signal.SIGKILL
        assert integrity_check(db) == []
    conn = sqlite3.connect(db)
    try:
        ids = {r[0] for r in conn.execute("SELECT id FROM events")}
        outbox = {r[0] for r in conn.execute("SELECT e.id FROM outbox o JOIN events e ON e.seq = o.seq")}
        batches = [int(n) for n, _, _ in announced]
        assert batches == sorted(set(batches)) and batches[0] == 0   # each run resumed after the last commit
        committed = int(conn.execute("SELECT value FROM kv WHERE key = 'next_batch'").fetchone()[0])
        assert committed > batches[-1]
        assert len(ids) == 50 * committed                    # kv and events share each transaction
        for _n, first, last in announced:
            assert first in ids and last in ids and first in outbox and last in outbox
        assert len(ids) >= 50 * len(announced) and len(outbox) == len(ids)
        days = conn.execute("SELECT sum(seated_s) FROM days").fetchone()[0]
        assert days == 5.0 * 25 * (len(ids) // 50)
    finally:
        conn.close()
