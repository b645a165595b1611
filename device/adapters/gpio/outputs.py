"""``Outputs``: the LED and the buzzer, each playing its pattern in a thread of its own while it plays."""
from __future__ import annotations

import logging
import threading
from typing import Callable

from device.adapters.gpio.devices import Closer
from device.adapters.gpio.patterns import BEEP_OFF_S, BEEP_ON_S, LED_PATTERNS_ONOFF, LED_PATTERNS_PWM, MAX_BEEPS

log = logging.getLogger("deskpulse.hardware")


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


class Outputs(Closer):
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
