"""``BoundedClient``: paho's client with a receive hook that bounds the size of an incoming PUBLISH.

Only the daemon's sink uses it (it takes commands from whoever may publish on ``cmd``);
``client.make_client(bounded=True)`` builds one.
"""
from __future__ import annotations

import logging

import paho.mqtt.client as mqtt

log = logging.getLogger("deskpulse.mqtt")

#: The most of one incoming MQTT packet the desk holds in memory (topic and header included).
#: Anything longer is read through and dropped (``BoundedClient``): the broker's own limit is
#: up to 256 MB, and paho would otherwise hold the whole packet and copy it twice.
MAX_IN_PACKET = 128 * 1024

_PUBLISH = 0x30
_CHUNK = 64 * 1024
_KEEP = 2 + 65535 + 2  # the longest topic a PUBLISH can carry, with its length and the message id


class BoundedClient(mqtt.Client):
    """paho's ``Client`` holding at most ``max_in_packet`` bytes of any incoming PUBLISH.

    paho (2.x) reads a packet whole into one bytearray before decoding it, then copies
    it twice more while decoding (``struct.unpack`` of the topic, then of the message
    id); it has no limit of its own for what it receives, and MQTT 3.1.1 cannot tell the
    broker one (MQTT 5's Maximum Packet Size could, but only with brokers that speak 5).
    A 200 MB payload cost 633 MB here. So once the fixed header has said a PUBLISH is
    longer than the limit, this receive hook keeps its first bytes (topic and message
    id: enough to decode it and to send the PUBACK, so the broker does not send it
    again) and reads the rest through in 64 KiB pieces that are dropped at once. The
    message reaches ``on_message`` cut short; ``take_oversized()`` tells it so.

    It relies on paho's private ``_sock_recv`` and ``_in_packet`` (checked at start: a paho
    that reads differently gets a warning and no bound; tests/adapters/mqtt/test_hostile_commands.py
    measures the memory through a real broker, so an upgrade that breaks it fails there).
    """

    def __init__(self, *args, max_in_packet: int = MAX_IN_PACKET, **kw):
        super().__init__(*args, **kw)
        self.max_in_packet: int | None = max(max_in_packet, _KEEP)
        self._oversized: int | None = None
        if not {"command", "have_remaining", "remaining_length", "packet"} <= set(getattr(self, "_in_packet", {})):
            log.warning("mqtt: this paho-mqtt reads packets differently; incoming messages are not size-bounded")
            self.max_in_packet = None  # plain paho then: still correct, only not bounded

    def _sock_recv(self, bufsize: int) -> bytes:
        p = self._in_packet
        if self.max_in_packet is None:
            pass
        elif not p["command"]:
            self._oversized = None  # a new packet starts
        elif p["have_remaining"] and p["command"] & 0xF0 == _PUBLISH and p["remaining_length"] > self.max_in_packet:
            self._oversized = p["remaining_length"]
            del p["packet"][_KEEP:]
            bufsize = min(bufsize, _CHUNK)
        return super()._sock_recv(bufsize)

    def take_oversized(self) -> int | None:
        """The real length (bytes after the fixed header) of the PUBLISH being handled, if it was cut; once."""
        n, self._oversized = self._oversized, None
        return n
