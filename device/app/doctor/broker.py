"""The doctor's MQTT check: can this machine reach the broker and log in.

``check_mqtt`` is deliberately a separate, replaceable function (``run_checks``
takes another): on a test's fake network it only tries a TCP connect; on the
real one the MQTT adapter's ``probe`` also tries the login and TLS.
"""
from __future__ import annotations

import socket
from typing import Any, Callable

from device import config as config_mod
from device.app.doctor.report import FAIL, OK, Check


def check_mqtt(cfg: config_mod.Config, connect: Callable[..., Any] = socket.create_connection,
               timeout: float = 2.0) -> Check:
    """A TCP connect to the broker, then (on the real network) an MQTT CONNECT: login and TLS."""
    m = cfg.mqtt
    if not m.host:
        return Check("mqtt", OK, "off (mqtt.host is empty)")
    where = f"{m.host}:{m.port}"
    try:
        sock = connect((m.host, m.port), timeout=timeout)
    except socket.gaierror as e:
        return Check("mqtt", FAIL, f"{where}: unknown host ({e.strerror or e})",
                     fix="check mqtt.host (a name this Pi can resolve, or an IP address)")
    except TimeoutError:
        return Check("mqtt", FAIL, f"{where}: no answer within {timeout:g} s",
                     fix="is the broker up and reachable from here? check mqtt.host/mqtt.port and firewalls")
    except OSError as e:
        return Check("mqtt", FAIL, f"{where}: {e.strerror or e}",
                     fix="is the broker running? check mqtt.host/mqtt.port and the broker's listener")
    sock.close()
    if connect is not socket.create_connection:  # a test's fake network: no real MQTT login to try
        return Check("mqtt", OK, f"{where} accepts TCP connections", ("login and TLS are checked when the daemon connects",))
    from device.adapters.mqtt.probe import probe  # a real MQTT CONNECT: login accepted (CONNACK), TLS verified
    ok, summary, fix = probe(cfg, timeout=max(1.0, 2 * timeout))
    return Check("mqtt", OK if ok else FAIL, summary, fix=fix)
