"""Adapters: the pins, the history on the SD card, the broker, traces, systemd and the clock.

Each turns one piece of the outside world into the core's terms or back.
"""
