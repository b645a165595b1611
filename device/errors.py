"""Errors that are a person's mistake, not a bug: the CLI prints them as one line, exit 2."""
from __future__ import annotations

from device.config import ConfigError
from device.adapters.trace import TraceError


class UserError(Exception):
    """A mistake in what a person asked for (argument, path, date); phrased for them."""


#: Everything the CLI turns into one line on stderr and exit code 2. ConfigError and
#: TraceError live beside the pure code that raises them, which must not import the CLI.
USER_ERRORS = (UserError, ConfigError, TraceError)
