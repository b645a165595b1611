"""The seat, the PIR and the button as edge-driven inputs whose callbacks only enqueue."""
from __future__ import annotations

import logging
from typing import Callable

from device.adapters.gpio.devices import Closer

log = logging.getLogger("deskpulse.hardware")

#: (monotonic_t, signal, value) -> None; must be thread-safe (queue.Queue.put is).
Post = Callable[[tuple[float, str, int]], None]


class Inputs(Closer):
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
