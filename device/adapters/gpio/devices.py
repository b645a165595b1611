"""``Closer``: the owner of a set of gpiozero devices, closed once and all, whatever fails."""
from __future__ import annotations

import logging

log = logging.getLogger("deskpulse.hardware")


class Closer:
    """``close()`` safe twice, ``with`` support, and constructors that clean up on failure."""

    _devices: list

    def close(self) -> None:
        devices, self._devices = getattr(self, "_devices", []), []
        for dev in reversed(devices):
            try:
                dev.close()
            except Exception:  # closing must go on for the others
                log.exception("closing %r failed", dev)

    @property
    def closed(self) -> bool:
        return not getattr(self, "_devices", [])

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()
