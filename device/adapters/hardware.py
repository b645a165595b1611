"""GPIO in and out, through gpiozero: the only module that touches pins.

Layered like gpiozero itself: ``make_pin_factory`` picks the backend,
``Inputs`` turns pin edges into queue items, ``Outputs`` plays LED and buzzer
patterns, and every class takes a ``pin_factory`` so tests hand in a
``MockFactory`` and the daemon hands in the configured backend.

Why things are the way they are (DESIGN.md section 4):

- Inputs are edge-driven ``DigitalInputDevice``s, not the ``MotionSensor``
  that polls at 10 Hz (a Pi Zero should sleep while nobody moves).
- No gpiozero ``bounce_time``: it means different things on lgpio and
  RPi.GPIO, and the engine debounces the same way live and in replay.
- Callbacks share one notification thread and, with lgpio, an exception in a
  callback kills it silently; so a callback only stamps the time and enqueues,
  inside a ``try`` that cannot let anything escape.
- The level at start fires no callback: ``Inputs.levels()`` reads it.
"""
from __future__ import annotations

import logging
import threading
from typing import Callable

from device.errors import UserError

log = logging.getLogger("deskpulse.hardware")

#: (monotonic_t, signal, value) -> None; must be thread-safe (queue.Queue.put is).
Post = Callable[[tuple[float, str, int]], None]


# --------------------------------------------------------------------------- backend

_HINTS = {
    "lgpio": "install it with 'sudo apt install python3-lgpio' (or pip install 'deskpulse[lgpio]'); "
             "off a Pi use gpio.pin_factory = \"mock\"; 'deskpulse doctor' explains more",
    "rpigpio": "RPi.GPIO works on a Pi 4 or older only (on a Pi 5 use \"lgpio\"); "
               "off a Pi use gpio.pin_factory = \"mock\"; 'deskpulse doctor' explains more",
}


#: state changes a mock pin remembers (gpiozero keeps them all: the LED's pulse alone adds ~15 a
#: second, ~100 MB a day, to a simulated desk or demo left running)
MOCK_PIN_STATES = 1000


def _bounded_mock_pin():
    """gpiozero's ``MockPWMPin`` whose ``states`` history keeps only the last ``MOCK_PIN_STATES``."""
    from collections import deque
    from gpiozero.pins.mock import MockPWMPin

    class BoundedMockPin(MockPWMPin):
        def clear_states(self):
            super().clear_states()
            self.states = deque(self.states, maxlen=MOCK_PIN_STATES)

    return BoundedMockPin


def make_pin_factory(name: str):
    """The gpiozero pin factory for ``gpio.pin_factory``; a ``UserError`` with a hint if it cannot load.

    gpiozero's own fallback tries every backend with only a warning each; a
    service on the wrong backend would then sit on a mock pin forever, so we
    pick exactly the configured one and fail loudly.
    """
    if name == "mock":
        from gpiozero.pins.mock import MockFactory
        return MockFactory(pin_class=_bounded_mock_pin())
    try:
        if name == "lgpio":
            from gpiozero.pins.lgpio import LGPIOFactory
            return LGPIOFactory()
        if name == "rpigpio":
            from gpiozero.pins.rpigpio import RPiGPIOFactory
            return RPiGPIOFactory()
    except ImportError as e:
        raise UserError(f"gpio.pin_factory = {name!r}: cannot import {e.name or 'the backend'}; {_HINTS[name]}") from None
    except PermissionError as e:
        raise UserError(f"gpio.pin_factory = {name!r}: permission denied ({e}); add the user to the 'gpio' group "
                        "and run from a writable directory (lgpio writes a pipe there)") from None
    except Exception as e:  # RuntimeError off a Pi, OSError for a missing /dev/gpiochip*, lgpio.error
        raise UserError(f"gpio.pin_factory = {name!r}: the backend does not work here: "
                        f"{type(e).__name__}: {e}; {_HINTS[name]}") from None
    raise UserError(f"gpio.pin_factory = {name!r}: unknown backend (known: lgpio, rpigpio, mock)")


class _Closer:
    """``close()`` safe twice, ``with`` support, and constructors that clean up on failure."""

    _devices: list

    def close(self) -> None:
        devices, self._devices = getattr(self, "_devices", []), []
        for dev in reversed(devices):
            try:
                dev.close()
            except Exception:  # closing must go on for the others
                log.exception("closing %r failed", dev)

    @property
    def closed(self) -> bool:
        return not getattr(self, "_devices", [])

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()


# --------------------------------------------------------------------------- inputs

class Inputs(_Closer):
    """Seat, PIR and button as edge-driven inputs whose callbacks only enqueue.

    ``post`` receives ``(clock.monotonic(), signal, value)`` with the logical
    level (1 = seat pressed / motion / button pressed). ``errors`` counts
    callbacks that failed, so a test or ``selftest`` can see them.
    """

    def __init__(self, cfg, post: Post, monotonic: Callable[[], float], pin_factory,
                 signals: tuple[str, ...] | None = None):
        from gpiozero import DigitalInputDevice
        self._post = post
        self._monotonic = monotonic
        self._devices = []
        self.devices: dict[str, object] = {}
        self.active_high: dict[str, bool] = {}
        self.errors = 0
        g = cfg.gpio
        wanted = signals if signals is not None else wired_signals(cfg)
        # (pin, pull_up, active_state): pull_up=None needs an explicit active level.
        spec = {
            "seat": (g.seat_pin, g.seat_pull_up, None),
            # the PIR drives its line; the pull keeps it quiet when unplugged
            "pir": (g.pir_pin, not g.pir_active_high, None),
            "button": (g.button_pin, True, None),
        }
        try:
            for sig in wanted:
                pin, pull_up, active = spec[sig]
                if pin == -1:
                    continue
                dev = DigitalInputDevice(pin, pull_up=pull_up, active_state=active, pin_factory=pin_factory)
                self._devices.append(dev)
                self.devices[sig] = dev
                self.active_high[sig] = not pull_up
                dev.when_activated = self._callback(sig, 1)
                dev.when_deactivated = self._callback(sig, 0)
        except Exception:
            self.close()
            raise

    def _callback(self, signal: str, value: int):
        def cb() -> None:
            try:
                self._post((self._monotonic(), signal, value))
            except BaseException:  # noqa: BLE001 - nothing may escape into gpiozero's thread
                self.errors += 1
                try:
                    log.exception("input callback for %s failed (edge lost)", signal)
                except BaseException:  # noqa: BLE001
                    pass
        return cb

    def levels(self) -> dict[str, int]:
        """The logical level of every input now (start-up fires no callback)."""
        return {sig: int(bool(dev.is_active)) for sig, dev in self.devices.items()}

    def pin(self, signal: str):
        """The gpiozero pin of an input (tests drive MockPins through it)."""
        return self.devices[signal].pin

    def drive(self, signal: str, value: int) -> None:
        """Set a MockPin to a *logical* level (1 = pressed/motion), whatever its wiring."""
        pin = self.devices[signal].pin
        if bool(value) == self.active_high[signal]:
            pin.drive_high()
        else:
            pin.drive_low()


def wired_signals(cfg) -> tuple[str, ...]:
    """The inputs this configuration uses: sensors per ``sensing.sensors``, plus the button."""
    g, sensors = cfg.gpio, cfg.sensing.sensors
    out = []
    if sensors in ("seat", "both") and g.seat_pin != -1:
        out.append("seat")
    if sensors in ("pir", "both") and g.pir_pin != -1:
        out.append("pir")
    if g.button_pin != -1:
        out.append("button")
    return tuple(out)


# --------------------------------------------------------------------------- outputs

def _fade(a: float, b: float, seconds: float, fps: int = 20) -> list[tuple[float, float]]:
    n = max(1, int(seconds * fps))
    return [(a + (b - a) * i / n, seconds / n) for i in range(n)]


#: LED patterns by alert: steps of (brightness 0..1, seconds), repeated. PWM and on/off variants.
LED_PATTERNS_PWM: dict[str, list[tuple[float, float]]] = {
    "none": [],
    # seated routine: a calm breath, 4 s a cycle
    "routine": _fade(0.0, 1.0, 1.5) + _fade(1.0, 0.0, 1.5) + [(0.0, 1.0)],
    # reminder (overdue): a faster, plain blink, 2 per second
    "reminder": [(1.0, 0.25), (0.0, 0.25)],
    # walk: a double flash, like a heartbeat, once a second
    "walk": [(1.0, 0.15), (0.0, 0.15), (1.0, 0.15), (0.0, 0.55)],
}
LED_PATTERNS_ONOFF: dict[str, list[tuple[float, float]]] = {
    **LED_PATTERNS_PWM,
    "routine": [(1.0, 1.0), (0.0, 3.0)],  # a slow blink stands in for the breath
}
LED_DESCRIPTIONS = {
    "none": "off",
    "routine": "calm pulse (seated routine)",
    "reminder": "fast blink (overdue)",
    "walk": "double flash (stand up and walk)",
}
BEEP_ON_S, BEEP_OFF_S = 0.12, 0.18
MAX_BEEPS = 3


class _Player:
    """Plays a list of (value, seconds) steps on one output in a background thread.

    One thread per output while a pattern plays and none while off, so an
    empty chair costs no wake-ups. ``stop()`` always leaves the output off.
    """

    def __init__(self, write: Callable[[float], None], name: str):
        self._write = write
        self._name = name
        self._thread: threading.Thread | None = None
        self._stop: threading.Event | None = None

    def play(self, steps: list[tuple[float, float]], repeat: bool, scale: float = 1.0) -> None:
        self.stop()
        if not steps:
            return
        stop = threading.Event()

        def body() -> None:
            try:
                while True:
                    for value, seconds in steps:
                        self._write(value)
                        if stop.wait(seconds * scale):
                            return
                    if not repeat:
                        return
            except Exception:  # a closed pin at shutdown; never kill the process
                log.debug("%s pattern stopped by an error", self._name, exc_info=True)
            finally:
                try:
                    self._write(0)
                except Exception:
                    pass

        self._stop = stop
        self._thread = threading.Thread(target=body, name=f"deskpulse-{self._name}", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._thread is not None:
            self._stop.set()
            self._thread.join(1.0)
            self._thread = None
        try:
            self._write(0)
        except Exception:
            pass

    def wait(self, timeout: float) -> bool:
        """Wait for a finite pattern to end (tests); True if it did."""
        t = self._thread
        if t is None:
            return True
        t.join(timeout)
        return not t.is_alive()


class Outputs(_Closer):
    """The LED and the buzzer, each optional (pin -1).

    ``show(alert)`` sets the LED pattern for an engine alert; ``beep(n)``
    plays at most ``MAX_BEEPS`` short beeps and always ends silent: the
    buzzer is never left on. Quiet hours are the daemon's decision, not
    ours. ``time_scale`` shrinks every step (tests).
    """

    def __init__(self, cfg, pin_factory, time_scale: float = 1.0):
        from gpiozero import PWMLED, LED, Buzzer
        g = cfg.gpio
        self._devices = []
        self.scale = time_scale
        self.led = self.buzzer = None
        self.pattern = "none"
        self.beeps = 0
        try:
            if g.led_pin != -1:
                cls = PWMLED if g.led_pwm else LED
                self.led = cls(g.led_pin, pin_factory=pin_factory)
                self._devices.append(self.led)
            if g.buzzer_pin != -1:
                self.buzzer = Buzzer(g.buzzer_pin, active_high=g.buzzer_active_high, pin_factory=pin_factory)
                self._devices.append(self.buzzer)
        except Exception:
            self.close()
            raise
        self._pwm = g.led_pwm
        self._patterns = LED_PATTERNS_PWM if g.led_pwm else LED_PATTERNS_ONOFF
        self._led_player = _Player(self._write_led, "led")
        self._buzz_player = _Player(self._write_buzzer, "buzzer")

    def _write_led(self, v: float) -> None:
        if self.led is not None and not self.led.closed:
            self.led.value = v if self._pwm else bool(v >= 0.5)

    def _write_buzzer(self, v: float) -> None:
        if self.buzzer is not None and not self.buzzer.closed:
            self.buzzer.value = bool(v)

    def show(self, alert: str) -> bool:
        """Play the LED pattern for ``alert``; True if the pattern changed."""
        if alert not in self._patterns:
            alert = "none"
        if alert == self.pattern:
            return False
        self.pattern = alert
        self._led_player.play(self._patterns[alert], repeat=True, scale=self.scale)
        return True

    def beep(self, n: int = 1) -> None:
        n = max(0, min(int(n), MAX_BEEPS))
        if n == 0 or self.buzzer is None:
            return
        self.beeps += n
        self._buzz_player.play([(1.0, BEEP_ON_S), (0.0, BEEP_OFF_S)] * n, repeat=False, scale=self.scale)

    def wait_beeps(self, timeout: float = 2.0) -> bool:
        return self._buzz_player.wait(timeout)

    def off(self) -> None:
        self.pattern = "none"
        self._led_player.stop()
        self._buzz_player.stop()

    def close(self) -> None:
        if getattr(self, "_led_player", None) is not None:
            self.off()
        super().close()


def describe(alert: str) -> str:
    return LED_DESCRIPTIONS.get(alert, alert)
