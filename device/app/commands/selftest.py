"""``deskpulse selftest``: check the wiring by eye and ear, then watch the inputs live.

Lights each LED pattern in turn, beeps once, then prints every input edge
for a few seconds so a person can press the seat, wave at the PIR and push
the button and see each one arrive. Stop the service first: only one process
may own the GPIO pins.
"""
from __future__ import annotations

import argparse
import queue
import time

from device.app.commands import args as check

_MEANING = {"seat": ("empty", "pressed"), "pir": ("still", "motion"), "button": ("released", "pressed")}


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--config", metavar="FILE", help="default: /etc/deskpulse/config.toml, then ~/.config/deskpulse/config.toml")
    p.add_argument("--seconds", default="15", metavar="N", help="how long to show input edges (default 15)")
    p.add_argument("--pattern-seconds", default="3", metavar="N", help="how long each LED pattern shows (default 3)")


def run(args: argparse.Namespace) -> int:
    from device import config

    from device.adapters.gpio.backend import make_pin_factory
    from device.adapters.gpio.inputs import Inputs
    from device.adapters.gpio.outputs import Outputs
    from device.adapters.gpio.patterns import describe
    cfg = config.load(args.config)
    watch_s = check.number("seconds", args.seconds, 0, 3600)
    show_s = check.number("pattern-seconds", args.pattern_seconds, 0, 3600)
    factory = make_pin_factory(cfg.gpio.pin_factory)
    g = cfg.gpio
    print(f"backend: {cfg.gpio.pin_factory}   config: {cfg.source}")
    try:
        with Outputs(cfg, factory) as out:
            if out.led is None:
                print("LED: not wired (gpio.led_pin = -1)")
            else:
                kind = "PWM" if g.led_pwm else "on/off"
                for alert in ("routine", "reminder", "walk"):
                    print(f"LED on GPIO{g.led_pin} ({kind}): {describe(alert)} ...", flush=True)
                    out.show(alert)
                    time.sleep(show_s)
                out.show("none")
            if out.buzzer is None:
                print("buzzer: not wired (gpio.buzzer_pin = -1)")
            else:
                print(f"buzzer on GPIO{g.buzzer_pin}: one short beep", flush=True)
                out.beep(1)
                out.wait_beeps(2.0)
        q: queue.Queue = queue.Queue()
        t0 = time.monotonic()
        with Inputs(cfg, q.put, time.monotonic, factory) as inp:
            if not inp.devices:
                print("inputs: none wired")
                return 0
            pins = {"seat": g.seat_pin, "pir": g.pir_pin, "button": g.button_pin}
            now = ", ".join(f"{s} (GPIO{pins[s]}) {_MEANING[s][v]}" for s, v in inp.levels().items())
            print(f"inputs now: {now}")
            if "pir" in inp.devices:
                print("(an HC-SR501 needs about a minute after power-on before it reports honestly)")
            print(f"watching inputs for {watch_s:g} s: press the seat, move your legs, push the button", flush=True)
            end = t0 + watch_s
            edges = 0
            while True:
                left = end - time.monotonic()
                if left <= 0:
                    break
                try:
                    t, sig, v = q.get(timeout=min(left, 0.5))
                except queue.Empty:
                    continue
                edges += 1
                print(f"  +{t - t0:7.3f} s  {sig:<6} {v}  {_MEANING[sig][v]}", flush=True)
            print(f"{edges} edge{'s' if edges != 1 else ''} seen" + ("" if edges else
                  "; if you did press or move, check the wiring and pins in hardware.md, then run 'deskpulse doctor'"))
            if inp.errors:
                print(f"{inp.errors} input callback error(s): see the log above")
    finally:
        factory.close()
    return 0
