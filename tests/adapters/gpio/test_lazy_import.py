"""The GPIO package imports gpiozero only when a pin factory or a device is made, not at import."""
from __future__ import annotations

import subprocess
import sys

MODULES = ["device.adapters.gpio", "device.adapters.gpio.backend", "device.adapters.gpio.inputs",
           "device.adapters.gpio.outputs", "device.adapters.gpio.patterns", "device.adapters.gpio.devices"]


def test_importing_the_gpio_modules_does_not_import_gpiozero():
    code = "import sys\n" + "".join(f"import {m}\n" for m in MODULES) + "print('gpiozero' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
