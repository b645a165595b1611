"""Where the settings come from: the file search path, the TOML file, secrets in the environment,
and the files the settings name (certificates, the history database).

Search order: ``--config FILE``, else ``/etc/deskpulse/config.toml``, else
``~/.config/deskpulse/config.toml``, else the built-in defaults (those of
DESIGN.md section 3). Secrets may come from the environment instead of the file
(``DESKPULSE_MQTT_PASSWORD``, ``DESKPULSE_DASHBOARD_PASSWORD_HASH``) so the
file can stay world-readable.

``pathlib`` is imported only where a ``Path`` is made (~3 ms): ``deskpulse config
check FILE`` of a file that names no other file needs none (benchmarks/cli_startup.py).
``SYSTEM_PATH`` and ``USER_PATH`` are made when first used (``__getattr__`` below).
"""
from __future__ import annotations

import errno
import os
import stat
import sys

from device.config.schema import ENV_SECRETS, Config, ConfigError
from device.config.validate import _short, from_dict

_PATHS = {"SYSTEM_PATH": "/etc/deskpulse/config.toml", "USER_PATH": "~/.config/deskpulse/config.toml"}


def __getattr__(name: str):
    """``SYSTEM_PATH`` and ``USER_PATH``, the ``Path``s searched without ``--config``, made on first use."""
    if name in _PATHS:
        from pathlib import Path
        value = globals()[name] = Path(_PATHS[name])
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _apply_env(raw: dict[str, object], env: dict[str, str]) -> None:
    for (section, key), var in ENV_SECRETS.items():
        if env.get(var):
            raw.setdefault(section, {})[key] = env[var]


def default_path(env: dict[str, str] | None = None) -> Path | None:
    """The file that would be used without ``--config``, or None for defaults."""
    this = sys.modules[__name__]  # SYSTEM_PATH and USER_PATH through __getattr__
    for p in (this.SYSTEM_PATH, this.USER_PATH.expanduser()):
        if p.is_file():
            return p
    return None


def load(path: str | os.PathLike | None = None, env: dict[str, str] | None = None) -> Config:
    """Load the configuration; ``path=None`` searches the standard places."""
    env = dict(os.environ) if env is None else env
    if path is None:
        found = default_path(env)
        if found is None:
            raw: dict[str, object] = {}
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
    if not (m.ca_file or m.cert_file or m.key_file or cfg.history.db_path) and _default_history_is_not_a_dir():
        return
    from pathlib import Path
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


def _default_history_is_not_a_dir() -> bool:
    """True if the default history (no ``history.db_path``) is surely not a directory, False if
    ``default_db_path(cfg).is_dir()`` must tell: the same answer with ``os.path`` and ``os.stat``
    instead of ``pathlib`` (a ``Path`` only drops ``//`` and ``.``, which ``stat`` ignores too),
    leaving to ``pathlib`` whatever is not plain (a home not found, an error ``is_dir`` raises)."""
    env = os.environ
    if env.get("STATE_DIRECTORY"):
        db = os.path.join(env["STATE_DIRECTORY"].split(":")[0], "history.db")
    else:
        base = env.get("XDG_DATA_HOME")
        if not base:
            home = os.path.expanduser("~")
            if home[:1] == "~":  # Path.home() raises RuntimeError
                return False
            base = os.path.join(home, ".local", "share")
        db = os.path.join(base, "deskpulse", "history.db")
    try:
        mode = os.stat(db).st_mode
    except OSError as e:
        return e.errno in (errno.ENOENT, errno.ENOTDIR, errno.EBADF, errno.ELOOP)  # what Path.is_dir() ignores
    except ValueError:
        return False
    return not stat.S_ISDIR(mode)


def default_db_path(cfg: Config, env: dict[str, str] | None = None) -> Path:
    """Where the history lives: config, else systemd's StateDirectory, else XDG data home."""
    from pathlib import Path
    env = dict(os.environ) if env is None else env
    if cfg.history.db_path:
        return Path(cfg.history.db_path).expanduser()
    if env.get("STATE_DIRECTORY"):
        return Path(env["STATE_DIRECTORY"].split(":")[0]) / "history.db"
    base = Path(env.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "deskpulse" / "history.db"
