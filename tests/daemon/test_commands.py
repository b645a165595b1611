"""selftest and demo as a person runs them."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import urllib.request
from pathlib import Path

from device import hardware
from device.cli import main

ROOT = Path(__file__).resolve().parents[2]


def test_selftest_shows_patterns_a_beep_and_live_edges(tmp_path, factory, monkeypatch, capsys):
    cfg = tmp_path / "c.toml"
    cfg.write_text('[gpio]\npin_factory = "mock"\n')
    monkeypatch.setattr(hardware, "make_pin_factory", lambda name: factory)

    pin = factory.pin(17)
    watching = threading.Event()

    def press():
        while pin._when_changed is None and not watching.wait(0.01):
            pass  # until selftest listens to the seat
        # the inputs open before the LED patterns play; press once the 1 s watch window is running
        if not watching.wait(0.3):
            pin.drive_low()  # the seat switch closes to GND
    presser = threading.Thread(target=press)
    presser.start()
    try:
        assert main(["selftest", "--config", str(cfg), "--seconds", "1", "--pattern-seconds", "0.01"]) == 0
    finally:
        watching.set()
        presser.join()
    out = capsys.readouterr().out
    for text in ("calm pulse", "fast blink", "double flash", "one short beep", "seat   1  pressed", "1 edge seen"):
        assert text in out


def test_selftest_bad_argument_is_one_line(capsys):
    assert main(["selftest", "--seconds", "soon"]) == 2
    assert capsys.readouterr().err.strip() == "deskpulse selftest: --seconds 'soon' is not a number"


def test_demo_serves_the_dashboard_and_stops_on_ctrl_c(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "XDG_RUNTIME_DIR": str(tmp_path)}
    p = subprocess.Popen([sys.executable, "-m", "device.cli", "demo", "--port", "0", "--speed", "600",
                          "--db", str(tmp_path / "demo.db")], cwd=tmp_path, env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        url = None
        for line in p.stdout:
            if "dashboard at " in line:
                url = line.split("dashboard at ")[1].split()[0]
                break
        assert url and url.startswith("http://127.0.0.1:")
        with urllib.request.urlopen(url, timeout=10) as r:
            assert r.status == 200 and b"<html" in r.read().lower()
        p.send_signal(signal.SIGINT)
        assert p.wait(timeout=10) == 0
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
        p.stdout.close()
