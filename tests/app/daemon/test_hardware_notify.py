"""hardware.py on MockFactory pins, and notify.py on a real unix datagram socket."""
from __future__ import annotations

import io
import os
import queue
import socket

import pytest
from gpiozero import LED
from gpiozero.exc import GPIOPinInUse

from device.adapters import hardware
from device.errors import UserError
from device.adapters.notify import Notifier, setup_logging


def test_inputs_enqueue_logical_levels_whatever_the_wiring(cfg, factory):
    q = queue.Queue()
    now = iter(range(100))
    cfg = cfg.replace(gpio={"seat_pull_up": True, "pir_active_high": False})
    with hardware.Inputs(cfg, q.put, lambda: float(next(now)), factory) as inp:
        assert inp.levels() == {"seat": 0, "pir": 0, "button": 0}
        inp.pin("seat").drive_low()   # switch to GND: pressed
        inp.pin("pir").drive_low()    # an active-low PIR: motion
        inp.pin("pir").drive_high()
        assert [q.get_nowait() for _ in range(3)] == [(0.0, "seat", 1), (1.0, "pir", 1), (2.0, "pir", 0)]
        assert q.empty()
        assert inp.levels() == {"seat": 1, "pir": 0, "button": 0}  # read, not a callback


def test_the_level_at_start_is_read_not_called_back(cfg, factory):
    q = queue.Queue()
    with hardware.Inputs(cfg, q.put, lambda: 0.0, factory) as inp:
        inp.drive("seat", 1)
        q.get_nowait()
    with hardware.Inputs(cfg, q.put, lambda: 0.0, factory) as inp:
        inp.drive("seat", 1)  # someone already seated when the daemon starts
        q.get_nowait()
        assert inp.levels()["seat"] == 1


def test_a_raising_callback_is_counted_and_later_ones_still_arrive(cfg, factory):
    got = []

    def post(item):
        if not got:
            got.append(None)
            raise RuntimeError("queue gone")
        got.append(item)
    with hardware.Inputs(cfg, post, lambda: 1.0, factory) as inp:
        inp.drive("pir", 1)
        inp.drive("pir", 0)
        inp.drive("seat", 1)
        assert inp.errors == 1
        assert got[1:] == [(1.0, "pir", 0), (1.0, "seat", 1)]


def test_unwired_inputs_are_skipped(cfg, factory):
    cfg = cfg.replace(sensing={"sensors": "seat"}, gpio={"button_pin": -1})
    with hardware.Inputs(cfg, lambda i: None, lambda: 0.0, factory) as inp:
        assert list(inp.devices) == ["seat"]


def test_close_twice_and_pins_are_released(cfg, factory):
    inp = hardware.Inputs(cfg, lambda i: None, lambda: 0.0, factory)
    out = hardware.Outputs(cfg, factory)
    inp.close(), out.close()
    inp.close(), out.close()
    assert inp.closed and out.closed
    LED(cfg.gpio.led_pin, pin_factory=factory).close()  # free again


def test_outputs_clean_up_after_a_partial_failure(cfg, factory):
    squatter = LED(cfg.gpio.buzzer_pin, pin_factory=factory)
    with pytest.raises(GPIOPinInUse):
        hardware.Outputs(cfg, factory)
    squatter.close()
    LED(cfg.gpio.led_pin, pin_factory=factory).close()  # the LED made before the failure was closed


@pytest.mark.parametrize("pwm", [True, False])
def test_led_patterns_play_and_stop_dark(cfg, factory, pwm):
    cfg = cfg.replace(gpio={"led_pwm": pwm})
    with hardware.Outputs(cfg, factory, time_scale=0.02) as out:
        pin = out.led.pin
        for alert in ("routine", "reminder", "walk"):
            pin.clear_states()
            assert out.show(alert) is True and out.show(alert) is False
            out._led_player._thread.join(0.3)  # let a few cycles play
            values = {round(float(s.state), 2) for s in pin.states}
            assert 1.0 in values and 0.0 in values
            if pwm and alert == "routine":
                assert len(values) > 5  # a fade, not a blink
        out.show("none")
        assert out.pattern == "none" and float(out.led.value) == 0.0


def test_beeps_are_short_counted_capped_and_end_silent(cfg, factory):
    with hardware.Outputs(cfg, factory, time_scale=0.01) as out:
        pin = out.buzzer.pin
        pin.clear_states()
        out.beep(10)
        assert out.wait_beeps(2)
        states = [float(s.state) for s in pin.states]
        assert states.count(1.0) == hardware.MAX_BEEPS and states[-1] == 0.0
        assert out.beeps == hardware.MAX_BEEPS


def test_no_buzzer_wired_is_fine(cfg, factory):
    with hardware.Outputs(cfg.replace(gpio={"buzzer_pin": -1}), factory) as out:
        out.beep(1)
        assert out.buzzer is None and out.beeps == 0


@pytest.mark.parametrize("name", ["lgpio", "rpigpio"])
def test_an_unavailable_backend_fails_loudly_with_a_hint(name):
    try:
        hardware.make_pin_factory(name).close()
    except UserError as e:
        msg = str(e)
        assert "\n" not in msg and f"gpio.pin_factory = {name!r}" in msg and "mock" in msg
    else:  # pragma: no cover - on a real Pi
        pytest.skip(f"{name} works here")


# ------------------------------------------------------------------------------ notify

@pytest.fixture
def notify_socket(tmp_path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    path = str(tmp_path / "notify")
    s.bind(path)
    s.settimeout(2)
    yield s, path
    s.close()


def test_notify_ready_watchdog_stopping(notify_socket):
    sock, path = notify_socket
    now = [0.0]
    n = Notifier({"NOTIFY_SOCKET": path, "WATCHDOG_USEC": "10000000"}, monotonic=lambda: now[0])
    assert n.watchdog_interval_s == 5.0
    assert n.ready("watching both")
    assert sock.recv(1024) == b"READY=1\nSTATUS=watching both"
    assert not n.watchdog()  # just said we live
    now[0] = 5.0
    assert n.watchdog()
    assert sock.recv(1024) == b"WATCHDOG=1"
    now[0] = 6.0
    assert not n.watchdog()
    assert n.stopping()
    assert sock.recv(1024) == b"STOPPING=1"
    n.close()


def test_notify_abstract_socket():
    name = f"deskpulse-test-{os.getpid()}"
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.bind("\0" + name)
    s.settimeout(2)
    try:
        n = Notifier({"NOTIFY_SOCKET": "@" + name})
        assert n.ready()
        assert s.recv(1024) == b"READY=1"
        n.close()
    finally:
        s.close()


def test_notify_is_a_no_op_outside_systemd_and_survives_a_dead_socket(tmp_path):
    assert not Notifier({}).ready()
    n = Notifier({"NOTIFY_SOCKET": str(tmp_path / "gone")})
    assert not n.ready() and not n.stopping()  # logged once, never raised
    n.close()


def test_watchdog_for_another_pid_is_ignored():
    n = Notifier({"NOTIFY_SOCKET": "/x", "WATCHDOG_USEC": "1000000", "WATCHDOG_PID": "1"})
    assert n.watchdog_s is None


def test_journald_logs_carry_priorities_and_no_timestamps():
    import logging
    buf = io.StringIO()
    setup_logging(False, env={"INVOCATION_ID": "x"}, stream=buf)
    log = logging.getLogger("deskpulse.test")
    log.info("hello")
    log.warning("careful")
    log.debug("hidden")
    assert buf.getvalue() == "<6>hello\n<4>careful\n"
    buf = io.StringIO()
    setup_logging(True, env={}, stream=buf)
    log.debug("shown")
    assert buf.getvalue().endswith("DEBUG   shown\n") and buf.getvalue()[2] == ":"
    logging.getLogger("deskpulse").handlers.clear()
    logging.getLogger("deskpulse").propagate = True
