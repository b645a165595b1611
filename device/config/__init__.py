"""The settings: TOML configuration to frozen records.

One job per module:

- ``schema``: the sections and keys (defaults, docs, per-key checks), ``Config``, ``ConfigError``;
  pure, the engine imports it.
- ``times``: ``parse_hhmm`` and ``parse_window``, the times of day in settings.
- ``validate``: a raw table to a checked ``Config`` (``from_dict``), cross-key checks.
- ``load``: the search path, the TOML file, secrets from the environment, ``check_files``
  and ``default_db_path``.
- ``show``: ``to_toml``, the effective configuration for ``deskpulse config show``.
- ``record``: ``@record``, the frozen-record helper the schema's classes use
  (``fields``, ``asdict``); what ``dataclasses`` did, without its start-up cost.

Every problem is a ``ConfigError`` whose message names the file, the key and
what is wrong, in one line; the CLI turns it into exit code 2. The names below
are re-exported so that ``from device import config; config.load(...)`` and
``from device.config import Config`` keep working.
"""
from __future__ import annotations

from device.config.load import check_files, default_db_path, default_path, load
from device.config.schema import (
    ENV_SECRETS, SECTIONS, CoachingConfig, Config, ConfigError, DashboardConfig, DeviceConfig, GpioConfig,
    HistoryConfig, MqttConfig, SensingConfig, opt,
)
from device.config.show import to_toml
from device.config.times import parse_hhmm, parse_window
from device.config.validate import from_dict


def __getattr__(name: str):
    # SYSTEM_PATH and USER_PATH are Paths, made on first use: pathlib is not imported for nothing
    if name in ("SYSTEM_PATH", "USER_PATH"):
        import sys
        return getattr(sys.modules["device.config.load"], name)  # (device.config.load is the function)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "CoachingConfig", "Config", "ConfigError", "DashboardConfig", "DeviceConfig", "ENV_SECRETS", "GpioConfig",
    "HistoryConfig", "MqttConfig", "SECTIONS", "SYSTEM_PATH", "SensingConfig", "USER_PATH", "check_files",
    "default_db_path", "default_path", "from_dict", "load", "opt", "parse_hhmm", "parse_window", "to_toml",
]
