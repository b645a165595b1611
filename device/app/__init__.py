"""The application: the daemon's loop, the ``deskpulse`` commands, replay and doctor.

It wires the core to the adapters.
"""
