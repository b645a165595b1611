"""The pure core: edges to occupancy, bouts, prompts and events, and the daily figures.

Nothing here reads a clock, a pin, a socket or a file: times come in as arguments, events go
out as values (tests/system/test_layers.py holds it to that).
"""
