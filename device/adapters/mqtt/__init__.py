"""MQTT: the desk's events, retained state and Home Assistant discovery out; commands in.

A package of one-job modules, imported by their own paths (this file imports nothing, so
the pure ones cost no paho):

- ``topics``: topic names and the desk's ids in them (pure);
- ``state``: the retained ``state`` payload (pure);
- ``commands``: the ``cmd`` payload parser (pure);
- ``discovery``: Home Assistant discovery configs (pure);
- ``ha_ids``: the Home Assistant id scheme of a desk, pinned in the history;
- ``bounded``: paho's client with a bound on incoming packet size;
- ``client``: the configured paho client (auth, TLS, Last Will);
- ``sink``: ``MqttSink``, the daemon's MQTT sink and command input;
- ``publisher``: the sink's publishing thread (drains the outbox);
- ``probe``: ``deskpulse doctor``'s CONNECT check.
"""
