"""GPIO in and out, through gpiozero: the only package that touches pins.

Layered like gpiozero itself, one module a job, each imported by its own path
(this file imports nothing, and no module imports gpiozero before it needs a pin):

- ``backend``: ``make_pin_factory`` picks the backend (and bounds a mock pin's memory);
- ``inputs``: ``Inputs`` turns pin edges into queue items;
- ``outputs``: ``Outputs`` plays LED and buzzer patterns;
- ``patterns``: what those patterns are, and how they are described;
- ``devices``: closing a set of gpiozero devices, once, whatever fails.

Every class takes a ``pin_factory`` so tests hand in a ``MockFactory`` and the
daemon hands in the configured backend.

Why things are the way they are (DESIGN.md section 4):

- Inputs are edge-driven ``DigitalInputDevice``s, not the ``MotionSensor``
  that polls at 10 Hz (a Pi Zero should sleep while nobody moves).
- No gpiozero ``bounce_time``: it means different things on lgpio and
  RPi.GPIO, and the engine debounces the same way live and in replay.
- Callbacks share one notification thread and, with lgpio, an exception in a
  callback kills it silently; so a callback only stamps the time and enqueues,
  inside a ``try`` that cannot let anything escape.
- The level at start fires no callback: ``Inputs.levels()`` reads it.
"""
