"""Events lost to kill -9, with real processes: how #11.6 was measured (docs/daemon.md, Survival).

Each round starts ``deskpulse run`` on a fresh history, kills it with SIGKILL, starts a
plain run on the same history and runtime directory (it recovers the RAM copy), stops
it with SIGTERM, and checks that every event the killed run had logged is stored.

- ``broker``: a broker that never answers; killed just after ``daemon_start`` is logged,
  inside the start-up wait for the broker (up to 5 s).
- ``speed``: ``--simulate typical --speed 20000``; killed right after the n-th logged event
  (n random, 5-200): the moment an event is out and the next flush is furthest.

Usage: python benchmarks/kill9_loss.py ROOT N broker|speed
(ROOT: the checkout whose ``device`` package runs; takes 5-10 s a round.)
"""
import collections, json, os, random, re, shutil, signal, socket, sqlite3, subprocess, sys, tempfile, time
from pathlib import Path
ROOT = Path(sys.argv[1]).resolve()
N = int(sys.argv[2]); mode = sys.argv[3]
sys.path.insert(0, str(ROOT))
from device.core.events import TYPES
LINE = re.compile(r"INFO\s+(\d\d:\d\d:\d\d) (\w+) ")

def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]; s.close(); return p

def stored(db):
    from device.adapters.store import open_readonly, read_events
    c = open_readonly(db)
    try:
        return [e.to_dict() for _, e in read_events(c, limit=None)]
    finally:
        c.close()

rng = random.Random(7)
lost_total = seen_total = 0
runs_losing = 0
for k in range(N):
    tmp = Path(tempfile.mkdtemp())
    (tmp / "run").mkdir()
    cfg = tmp / "c.toml"
    body = '[gpio]\npin_factory = "mock"\n[history]\nflush_interval_s = 60.0\n'
    if mode == "broker":
        body += f'[mqtt]\nhost = "127.0.0.1"\nport = {free_port()}\n'
    cfg.write_text(body)
    env = dict(os.environ, XDG_RUNTIME_DIR=str(tmp / "run"), PYTHONPATH=str(ROOT))
    env.pop("NOTIFY_SOCKET", None)
    db = tmp / "h.db"
    cmd = [sys.executable, "-m", "device.cli", "run", "--config", str(cfg), "--db", str(db)]
    extra = ["--simulate", "typical", "--speed", "20000", "--days", "5", "--seed", str(k)] if mode == "speed" else []
    p = subprocess.Popen(cmd + extra, cwd=tmp, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    logged = []
    target = rng.randint(5, 200) if mode == "speed" else 1
    t0 = time.monotonic()
    while True:
        line = p.stdout.readline()
        if not line:
            break
        m = LINE.search(line)
        if m and m.group(2) in TYPES:
            logged.append((m.group(1), m.group(2)))
            if len(logged) >= target:
                break
    if mode == "broker":
        time.sleep(rng.random() * 1.0)
    os.kill(p.pid, signal.SIGKILL); p.wait()
    rest = p.stdout.read()
    for line in rest.splitlines():
        m = LINE.search(line)
        if m and m.group(2) in TYPES:
            logged.append((m.group(1), m.group(2)))
    p.stdout.close()
    # restart on the same history (plain run: recovers the RAM copy), then stop cleanly
    q = subprocess.Popen(cmd, cwd=tmp, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    qout = []
    while True:
        line = q.stdout.readline()
        qout.append(line)
        if not line or "started:" in line:
            break
    q.send_signal(signal.SIGTERM); q.wait(timeout=20); q.stdout.close()
    evs = stored(db)
    if not any(e["type"] == "daemon_start" for e in evs):
        print("".join(qout)[-3000:]); continue
    node = [e for e in evs if e["type"] == "daemon_stop" and e.get("reason") == "SIGTERM"][-1]["id"][-13:]
    have = collections.Counter((e["ts"][11:19], e["type"]) for e in evs if e["id"][-13:] != node)
    want = collections.Counter(logged)
    missing = want - have
    seen_total += sum(want.values()); lost_total += sum(missing.values())
    runs_losing += bool(missing)
    shutil.rmtree(tmp, ignore_errors=True)
    if missing:
        print(k, "missing", sum(missing.values()), list(missing)[:3], flush=True)
print(f"{mode}: {N} kills, {runs_losing} lost something; {lost_total} of {seen_total} logged events lost")
