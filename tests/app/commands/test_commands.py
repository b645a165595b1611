"""selftest and demo as a person runs them."""
from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

from device.adapters.gpio import backend
from device.cli import main

ROOT = Path(__file__).resolve().parents[3]


def test_selftest_shows_patterns_a_beep_and_live_edges(tmp_path, factory, monkeypatch, capsys):
    cfg = tmp_path / "c.toml"
    cfg.write_text('[gpio]\npin_factory = "mock"\n')
    monkeypatch.setattr(backend, "make_pin_factory", lambda name: factory)

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


@contextlib.contextmanager
def demo_process(tmp_path, *args):
    """``deskpulse demo`` as a person starts it; must end by Ctrl-C with exit 0 unless already gone."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "XDG_RUNTIME_DIR": str(tmp_path)}
    p = subprocess.Popen([sys.executable, "-m", "device.cli", "demo", "--port", "0", *args,
                          "--db", str(tmp_path / "demo.db")], cwd=tmp_path, env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        yield p
        p.send_signal(signal.SIGINT)
        assert p.wait(timeout=10) == 0
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
        p.stdout.close()


def test_demo_serves_the_dashboard_and_stops_on_ctrl_c(tmp_path):
    with demo_process(tmp_path, "--speed", "1200") as p:
        url = None
        for line in p.stdout:
            if "dashboard at " in line:
                url = line.split("dashboard at ")[1].split()[0]
                break
        assert url and url.startswith("http://127.0.0.1:")
        with urllib.request.urlopen(url, timeout=10) as r:
            page = r.read().decode()
            assert r.status == 200 and "<html" in page.lower()
        assert 'data-poll-ms="250"' in page  # a poll per simulated minute or so: it looks live
        # half an hour of the simulated desk (1.5 s): the page must never call it "not running"
        seen, t0 = [], time.monotonic()
        while time.monotonic() - t0 < 1.5:
            with urllib.request.urlopen(url + "api/status", timeout=10) as r:
                d = json.load(r)["daemon"]
            seen.append((d["running"], d["state"]))
            time.sleep(0.1)
        assert all(running for running, _ in seen), seen
        assert {"away", "seated"} & {state for _, state in seen}


def test_demo_on_a_busy_port_is_one_line(tmp_path, capsys):
    import socket
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert main(["demo", "--port", str(port), "--db", str(tmp_path / "d.db")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"deskpulse demo: --port {port}: cannot listen") and "\n" not in err
    assert not (tmp_path / "d.db").exists()  # nothing started


def test_demo_on_a_busy_port_makes_no_temporary_history(tmp_path, capsys, monkeypatch):
    import socket
    import tempfile
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        assert main(["demo", "--port", str(busy.getsockname()[1])]) == 2
    assert "cannot listen" in capsys.readouterr().err
    assert not list(tmp_path.glob("deskpulse-demo-*"))


def test_dashboard_on_a_busy_port_is_one_line(tmp_path, capsys):
    import socket
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert main(["dashboard", "--host", "127.0.0.1", "--port", str(port), "--db", str(tmp_path / "d.db")]) == 2
    err = capsys.readouterr().err.strip()
    assert err == f"deskpulse dashboard: cannot listen on 127.0.0.1:{port}: Address already in use", err
    assert main(["dashboard", "--port", "http"]) == 2
    assert capsys.readouterr().err.strip() == "deskpulse dashboard: --port 'http' is not a whole number"


def test_the_simulating_commands_check_their_arguments_alike(capsys):
    """run --simulate, simulate and demo share one set of checks: the same mistake, the same line."""
    cases = [
        (["run", "--simulate", "lazy"], "--simulate 'lazy': unknown profile (known: typical,"),
        (["simulate", "--profile", "lazy", "--out", "x.csv"], "--profile 'lazy': unknown profile (known: typical,"),
        (["demo", "--profile", "lazy"], "--profile 'lazy': unknown profile (known: typical,"),
        (["run", "--simulate", "typical", "--days", "0"], "--days 0 is outside 1..3660"),
        (["simulate", "--days", "0", "--out", "x.csv"], "--days 0 is outside 1..3660"),
        (["run", "--simulate", "typical", "--seed", "x"], "--seed 'x' is not a whole number"),
        (["simulate", "--seed", "x", "--out", "x.csv"], "--seed 'x' is not a whole number"),
        (["demo", "--seed", "x"], "--seed 'x' is not a whole number"),
        (["run", "--simulate", "typical", "--speed", "fast"], "--speed 'fast' is not a number"),
        (["demo", "--speed", "0"], "--speed 0 is outside 0.001..1000000"),
        (["simulate", "--pir-hold", "700", "--out", "x.csv"], "--pir-hold 700 is outside 1..600 seconds"),
        (["selftest", "--seconds", "nan"], "--seconds nan is outside 0..3600"),
    ]
    for argv, want in cases:
        assert main(argv) == 2, argv
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and err.startswith(f"deskpulse {argv[0]}: {want}"), (argv, err)


def test_demo_stops_the_desk_at_midnight_and_keeps_the_day_browsable(tmp_path):
    with demo_process(tmp_path, "--speed", "120", "--start", "23:57") as p:
        url, over = None, False
        for line in p.stdout:  # 3 simulated minutes at 120x: 1.5 s
            if "dashboard at " in line:
                url = line.split("dashboard at ")[1].split()[0]
            if "the simulated day is over" in line:
                over = True
                break
        assert url and over
        time.sleep(0.6)  # over a simulated minute: the dashboard's clock must stay on the finished day
        with urllib.request.urlopen(url + "api/status", timeout=10) as r:
            st = json.load(r)
        assert st["daemon"]["state"] == "stopped" and st["daemon"]["detail"].startswith("Stopped at 23:5") \
            and st["daemon"]["detail"].endswith("(end of the simulated day).")
        assert st["now"][11:19] == "23:59:59"
        assert p.poll() is None  # still serving


def test_a_simulated_desk_keeps_out_of_the_real_history(tmp_path):
    # no --db: the simulation writes beside the real history, never into it
    env = {**os.environ, "PYTHONPATH": str(ROOT), "XDG_DATA_HOME": str(tmp_path / "data"),
           "XDG_RUNTIME_DIR": str(tmp_path / "run"), "HOME": str(tmp_path)}
    env.pop("STATE_DIRECTORY", None)
    r = subprocess.run([sys.executable, "-m", "device.cli", "run", "--simulate", "typical", "--speed", "max"],
                       cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
    home = tmp_path / "data" / "deskpulse"
    assert (home / "history-sim.db").stat().st_size > 0
    assert not (home / "history.db").exists()
