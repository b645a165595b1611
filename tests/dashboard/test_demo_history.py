"""The demo a newcomer runs first: weeks of simulated history behind its live day, marked as simulated."""
from __future__ import annotations

import contextlib
import json
import logging
import os
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parents[2]


@contextlib.contextmanager
def demo(tmp_path, db: Path, *args):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "XDG_RUNTIME_DIR": str(tmp_path)}
    p = subprocess.Popen([sys.executable, "-m", "device.cli", "demo", "--port", "0", "--speed", "600",
                          "--db", str(db), *args], cwd=tmp_path, env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines = []
    try:
        url = None
        for line in p.stdout:
            lines.append(line)
            if "dashboard at " in line:
                url = line.split("dashboard at ")[1].split()[0]
                break
        assert url, "".join(lines)
        yield url, lines
        p.send_signal(signal.SIGINT)
        assert p.wait(timeout=20) == 0
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
        p.stdout.close()


def get(url: str):
    with urllib.request.urlopen(url, timeout=20) as r:
        body = r.read().decode()
    return json.loads(body) if r.headers.get_content_type() == "application/json" else body


def test_a_fresh_demo_shows_past_weeks_marked_as_simulated(tmp_path):
    with demo(tmp_path, tmp_path / "demo.db") as (url, lines):
        today = get(url + "api/status")["day"]
        days = get(url + "api/days")["days"]
        past = [d for d in days if d["day"] < today and (d["seated_s"] or 0) > 0]
        assert len(past) >= 10, days
        assert min(d["day"] for d in past) >= str(get(url + "api/days")["from"])
        history = get(url + "history?range=month")
        assert "simulated" in history.lower() and past[0]["day"] in history
        assert 'class="s-seated"' in history
        assert "simulated" in get(url + "day/" + past[-1]["day"]).lower()
        assert "simulated" not in get(url).lower().split("<main>", 1)[1]  # Today is the live desk
    assert any("simulated" in line and "weeks" in line for line in lines), "".join(lines)


def test_a_demo_on_an_existing_history_adds_nothing_to_its_past(tmp_path):
    from device.adapters.store import Store
    db = tmp_path / "mine.db"
    Store(db).close()
    with demo(tmp_path, db) as (url, _):
        today = get(url + "api/status")["day"]
        assert [d for d in get(url + "api/days")["days"] if d["day"] < today] == []
        assert "simulated" not in get(url + "history").lower()


def test_the_simulated_persons_summary_counts_in_words(caplog):
    from device.app.sim_desk import log_answers
    desk = SimpleNamespace(actions=[SimpleNamespace(kind="exercise")], person=SimpleNamespace(log=[1]))
    with caplog.at_level(logging.INFO, "deskpulse"):
        log_answers(desk)
    assert "answered 1 of 1 prompt: 1 routine the PIR saw, 0 button presses, 0 snoozes, 0 walks taken early" \
        in caplog.text
    desk = SimpleNamespace(actions=[SimpleNamespace(kind=k) for k in ("button", "snooze", "walk", "exercise",
                                                                       "exercise")],
                           person=SimpleNamespace(log=[1] * 7))
    caplog.clear()
    with caplog.at_level(logging.INFO, "deskpulse"):
        log_answers(desk)
    assert "answered 5 of 7 prompts: 2 routines the PIR saw, 1 button press, 1 snooze, 1 walk taken early" \
        in caplog.text
