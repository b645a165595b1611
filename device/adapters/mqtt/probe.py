"""``deskpulse doctor``'s MQTT check: one real CONNECT with the configured login and TLS."""
from __future__ import annotations

import queue
import ssl

from device.adapters.mqtt.client import make_client, tls_context
from device.adapters.mqtt.topics import client_id
from device.config import ConfigError


def probe(cfg, timeout: float = 5.0) -> tuple[bool, str, str]:
    """A real MQTT CONNECT with the configured id suffix, login and TLS: ``(ok, summary, fix)``.

    For ``deskpulse doctor``: tells "unreachable", "TLS not verified", "login
    refused" and "not an MQTT broker" apart. Never includes the password.
    """
    import os
    m = cfg.mqtt
    where = f"{m.host}:{m.port}"
    done: queue.Queue = queue.Queue()
    try:
        client = make_client(cfg, cid=f"{client_id(cfg)}-doctor-{os.getpid()}")
    except ConfigError as e:
        return False, str(e), "check mqtt.ca_file, mqtt.cert_file and mqtt.key_file"
    client.on_connect = lambda c, u, f, rc, p: done.put(rc)
    try:
        if m.tls:  # our own handshake first: paho leaks the socket of a failed one
            import socket
            with socket.create_connection((m.host, m.port), timeout=timeout) as raw:
                with tls_context(cfg).wrap_socket(raw, server_hostname=m.host):
                    pass
        client.connect(m.host, m.port, keepalive=max(5, m.keepalive_s))
    except ssl.SSLCertVerificationError as e:
        return False, f"{where}: TLS certificate not verified ({e.verify_message})", \
            "set mqtt.ca_file to the CA that signed the broker's certificate, and use the name in it as mqtt.host"
    except ssl.SSLError as e:
        return False, f"{where}: TLS handshake failed ({e.reason or e})", \
            "is this the broker's TLS port? check mqtt.tls, mqtt.port and the certificates"
    except OSError as e:
        return False, f"{where}: {e.strerror or e}", "is the broker running? check mqtt.host and mqtt.port"
    client.loop_start()
    try:
        rc = done.get(timeout=timeout)
    except queue.Empty:
        return False, f"{where}: no MQTT answer (CONNACK) within {timeout:g} s", \
            "is this an MQTT port? a TLS listener needs mqtt.tls = true"
    finally:
        client.disconnect()
        client.loop_stop()
    tls = ", TLS verified" if m.tls else ""
    if rc.is_failure:
        fix = ("check mqtt.username and the password (mqtt.password or DESKPULSE_MQTT_PASSWORD)"
               if rc.value in (4, 5, 134, 135) else "see the broker's log")
        return False, f"{where}: the broker refused the login: {rc}", fix
    who = f" as {m.username}" if m.username else " (anonymous)"
    return True, f"{where}: MQTT login accepted{who}{tls}", ""
