"""gpio/devices.py through Inputs and Outputs: close() is safe twice and gives the pins back."""
from __future__ import annotations

from gpiozero import LED

from device.adapters.gpio.inputs import Inputs
from device.adapters.gpio.outputs import Outputs


def test_close_twice_and_pins_are_released(cfg, factory):
    inp = Inputs(cfg, lambda i: None, lambda: 0.0, factory)
    out = Outputs(cfg, factory)
    inp.close(), out.close()
    inp.close(), out.close()
    assert inp.closed and out.closed
    LED(cfg.gpio.led_pin, pin_factory=factory).close()  # free again
