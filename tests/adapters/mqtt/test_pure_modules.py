"""The MQTT package's pure modules cost no paho: ``watch``, ``run`` and the tests import topic
names and the command parser; only the sink, the client and ``doctor``'s probe need paho."""
from __future__ import annotations

import subprocess
import sys

PURE = ["device.adapters.mqtt", "device.adapters.mqtt.topics", "device.adapters.mqtt.state",
        "device.adapters.mqtt.commands", "device.adapters.mqtt.discovery"]


def test_pure_modules_do_not_import_paho():
    code = "import sys\n" + "".join(f"import {m}\n" for m in PURE) + "print('paho' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
