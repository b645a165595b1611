"""The paho client every MQTT user here connects with: auth, TLS and the Last Will from the config.

Shared by the daemon's sink, ``watch`` and ``doctor`` (``probe.py``) so all three connect the same way.
"""
from __future__ import annotations

import ssl

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from device.adapters.mqtt.bounded import BoundedClient
from device.adapters.mqtt.topics import OFFLINE, client_id
from device.config import ConfigError


def tls_context(cfg) -> ssl.SSLContext:
    """Verify the broker against ``mqtt.ca_file`` (else the system CAs); optional client certificate."""
    m = cfg.mqtt
    try:
        ctx = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cafile=m.ca_file or None)
    except (OSError, ssl.SSLError) as e:
        raise ConfigError(f"{cfg.source}: mqtt.ca_file = {m.ca_file!r}: cannot load it ({_why(e)})") from None
    if m.cert_file:
        try:
            ctx.load_cert_chain(m.cert_file, m.key_file or None)
        except (OSError, ssl.SSLError) as e:
            raise ConfigError(f"{cfg.source}: mqtt.cert_file = {m.cert_file!r} / mqtt.key_file = {m.key_file!r}: "
                              f"cannot load them ({_why(e)})") from None
    return ctx


def _why(e: BaseException) -> str:
    return getattr(e, "strerror", None) or getattr(e, "reason", None) or str(e)


def make_client(cfg, cid: str | None = None, will_topic: str | None = None, bounded: bool = False) -> mqtt.Client:
    """A paho client with auth, TLS and (optionally) the Last Will set from the config.

    Shared with ``watch`` and ``doctor`` so all three connect the same way. ``bounded``:
    a ``BoundedClient`` (the daemon, which takes commands from whoever may publish on ``cmd``).
    """
    m = cfg.mqtt
    cls = BoundedClient if bounded else mqtt.Client
    client = cls(CallbackAPIVersion.VERSION2, client_id=cid or client_id(cfg), clean_session=True,
                 protocol=mqtt.MQTTv311)
    if m.username:
        client.username_pw_set(m.username, m.password or None)
    if m.tls:
        client.tls_set_context(tls_context(cfg))
    if will_topic:
        client.will_set(will_topic, OFFLINE, qos=1, retain=True)
    return client
