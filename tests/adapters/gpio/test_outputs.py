"""gpio/outputs.py on MockFactory pins: LED patterns and beeps play, stop and end dark and silent."""
from __future__ import annotations

import pytest
from gpiozero import LED
from gpiozero.exc import GPIOPinInUse

from device.adapters.gpio.outputs import Outputs
from device.adapters.gpio.patterns import MAX_BEEPS


def test_outputs_clean_up_after_a_partial_failure(cfg, factory):
    squatter = LED(cfg.gpio.buzzer_pin, pin_factory=factory)
    with pytest.raises(GPIOPinInUse):
        Outputs(cfg, factory)
    squatter.close()
    LED(cfg.gpio.led_pin, pin_factory=factory).close()  # the LED made before the failure was closed


@pytest.mark.parametrize("pwm", [True, False])
def test_led_patterns_play_and_stop_dark(cfg, factory, pwm):
    cfg = cfg.replace(gpio={"led_pwm": pwm})
    with Outputs(cfg, factory, time_scale=0.02) as out:
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
    with Outputs(cfg, factory, time_scale=0.01) as out:
        pin = out.buzzer.pin
        pin.clear_states()
        out.beep(10)
        assert out.wait_beeps(2)
        states = [float(s.state) for s in pin.states]
        assert states.count(1.0) == MAX_BEEPS and states[-1] == 0.0
        assert out.beeps == MAX_BEEPS


def test_no_buzzer_wired_is_fine(cfg, factory):
    with Outputs(cfg.replace(gpio={"buzzer_pin": -1}), factory) as out:
        out.beep(1)
        assert out.buzzer is None and out.beeps == 0
