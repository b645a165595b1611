"""Where the settings come from: the file search path, the TOML file, secrets in the environment,
and the files the settings name (certificates, the history database).

Search order: ``--config FILE``, else ``/etc/deskpulse/config.toml``, else
``~/.config/deskpulse/config.toml``, else the built-in defaults (those of
DESIGN.md section 3). Secrets may come from the environment instead of the file
(``DESKPULSE_MQTT_PASSWORD``, ``DESKPULSE_DASHBOARD_PASSWORD_HASH``) so the
file can stay world-readable.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from device.config.schema import ENV_SECRETS, Config, ConfigError
from device.config.validate import _short, from_dict

SYSTEM_PATH = Path("/etc/deskpulse/config.toml")
USER_PATH = Path("~/.config/deskpulse/config.toml")


def _apply_env(raw: dict[str, Any], env: dict[str, str]) -> None:
    for (section, key), var in ENV_SECRETS.items():
        if env.get(var):
            raw.setdefault(section, {})[key] = env[var]


def default_path(env: dict[str, str] | None = None) -> Path | None:
    """The file that would be used without ``--config``, or None for defaults."""
    for p in (SYSTEM_PATH, USER_PATH.expanduser()):
        if p.is_file():
            return p
    return None


def load(path: str | os.PathLike | None = None, env: dict[str, str] | None = None) -> Config:
    """Load the configuration; ``path=None`` searches the standard places."""
    env = dict(os.environ) if env is None else env
    if path is None:
        found = default_path(env)
        if found is None:
            raw: dict[str, Any] = {}
            _apply_env(raw, env)
            return from_dict(raw, "defaults")
        path = found
    source = os.fspath(path)
    import tomllib  # here: only reading a file needs it (benchmarks/cli_startup.py)
    try:
        with open(source, "rb") as f:
            raw = tomllib.load(f)
    except FileNotFoundError:
        raise ConfigError(f"{source}: no such file") from None
    except IsADirectoryError:
        raise ConfigError(f"{source}: is a directory, not a config file") from None
    except PermissionError:
        raise ConfigError(f"{source}: permission denied") from None
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{source}: not valid TOML: {e}") from None
    except RecursionError:  # tomllib recurses once per level of [[[...]]] or {a={b=...}}
        raise ConfigError(f"{source}: not valid TOML: values nested too deeply") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{source}: not a text file") from None
    _apply_env(raw, env)
    return from_dict(raw, source)



def check_files(cfg: Config, db_source: str | None = None) -> None:
    """What only the filesystem can tell: the files the daemon will open exist and are what they should be.

    Run by ``config check`` and ``run`` (not by ``load``: the dashboard must not refuse to
    start over an MQTT certificate). ``db_source`` names where a ``--db`` came from.
    """
    m = cfg.mqtt
    for key in ("ca_file", "cert_file", "key_file"):
        v = getattr(m, key)
        if not v:
            continue
        p = Path(v).expanduser()
        if not p.exists():
            raise ConfigError(f"{cfg.source}: mqtt.{key} = {_short(v)}: no such file")
        if not p.is_file():
            raise ConfigError(f"{cfg.source}: mqtt.{key} = {_short(v)}: not a file")
    db = default_db_path(cfg)
    if db.is_dir():
        if db_source:
            where = db_source
        elif cfg.history.db_path:
            where = f"{cfg.source}: history.db_path = {_short(cfg.history.db_path)}"
        else:
            where = f"{cfg.source}: the default history {db}"
        raise ConfigError(f"{where}: is a directory, not a history file")


def default_db_path(cfg: Config, env: dict[str, str] | None = None) -> Path:
    """Where the history lives: config, else systemd's StateDirectory, else XDG data home."""
    env = dict(os.environ) if env is None else env
    if cfg.history.db_path:
        return Path(cfg.history.db_path).expanduser()
    if env.get("STATE_DIRECTORY"):
        return Path(env["STATE_DIRECTORY"].split(":")[0]) / "history.db"
    base = Path(env.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "deskpulse" / "history.db"
