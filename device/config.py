"""TOML configuration to frozen dataclasses.

Search order: ``--config FILE``, else ``/etc/deskpulse/config.toml``, else
``~/.config/deskpulse/config.toml``, else the built-in defaults (those of
DESIGN.md section 3). Every problem is a ``ConfigError`` whose message names
the file, the key and what is wrong, in one line; the CLI turns it into exit
code 2. Secrets may come from the environment instead of the file
(``DESKPULSE_MQTT_PASSWORD``, ``DESKPULSE_DASHBOARD_PASSWORD_HASH``) so the
file can stay world-readable.
"""
from __future__ import annotations

import dataclasses
import math
import os
import re
import tomllib
from dataclasses import dataclass, field
from datetime import time as dtime
from pathlib import Path
from typing import Any, get_type_hints

SYSTEM_PATH = Path("/etc/deskpulse/config.toml")
USER_PATH = Path("~/.config/deskpulse/config.toml")


class ConfigError(ValueError):
    """A configuration problem, already phrased for a person: file, key, what is wrong."""


def _positive(v: float) -> str | None:
    return None if v > 0 else "must be greater than 0"


def _non_negative(v: float) -> str | None:
    return None if v >= 0 else "must be 0 or more"


def _pin(v: int) -> str | None:
    return None if 0 <= v <= 27 else "must be a BCM GPIO number from 0 to 27"


def _optional_pin(v: int) -> str | None:
    return None if v == -1 or 0 <= v <= 27 else "must be a BCM GPIO number from 0 to 27, or -1 for none"


def _port(v: int) -> str | None:
    return None if 1 <= v <= 65535 else "must be a TCP port from 1 to 65535"


def _one_of(*choices: str):
    def check(v: str) -> str | None:
        return None if v in choices else f"must be one of {', '.join(repr(c) for c in choices)}"
    return check


_HHMM = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


def parse_hhmm(v: str) -> dtime:
    m = _HHMM.match(v.strip())
    if not m:
        raise ValueError(f"{v!r} is not a time of day like '09:30'")
    return dtime(int(m.group(1)), int(m.group(2)))


def parse_window(v: str) -> tuple[dtime, dtime] | None:
    """``"09:00-18:00"`` -> (09:00, 18:00); ``""`` -> None. May wrap midnight."""
    if not v.strip():
        return None
    a, sep, b = v.partition("-")
    if not sep:
        raise ValueError(f"{v!r} is not a window like '22:00-07:00'")
    start, end = parse_hhmm(a), parse_hhmm(b)
    if start == end:
        # in_window() would be false all day: "09:00-09:00" never prompts (working hours) or never
        # silences (quiet hours); nobody means that, and "" already says "no window"
        raise ValueError("starts and ends at the same time, an empty window; leave it empty for none")
    return start, end


def _window(v: str) -> str | None:
    try:
        parse_window(v)
    except ValueError as e:
        return str(e)
    return None


def _hhmm(v: str) -> str | None:
    try:
        parse_hhmm(v)
    except ValueError as e:
        return str(e)
    return None


def _timezone(v: str) -> str | None:
    if not v:
        return None
    from zoneinfo import ZoneInfo
    try:
        ZoneInfo(v)
    except Exception:  # ZoneInfoNotFoundError, ValueError (a path), IsADirectoryError ("Europe"), ...
        return "unknown time zone (an IANA name like 'Europe/Berlin'; empty = the system's)"
    return None


def _exercises(v: tuple[str, ...]) -> str | None:
    from device.core.exercises import SEATED
    unknown = [k for k in v if k not in SEATED]
    if unknown:
        return f"unknown exercise {unknown[0]!r} (known: {', '.join(SEATED)})"
    return None


def _short(v: Any, limit: int = 80) -> str:
    """``repr(v)``, cut: a message stays one readable line whatever the file holds."""
    r = repr(v)
    return r if len(r) <= limit else r[:limit - 3] + "..."


def opt(default, check=None, doc: str = ""):
    return field(default=default, metadata={"check": check, "doc": doc})


@dataclass(frozen=True)
class DeviceConfig:
    device_id: str = opt("", None, "id in MQTT topics and HA unique_ids; empty = the hostname")
    name: str = opt("Desk", None, "friendly name shown in Home Assistant and the dashboard")
    timezone: str = opt("", _timezone, "IANA zone for day boundaries and timestamps; empty = the system's")


@dataclass(frozen=True)
class GpioConfig:
    pin_factory: str = opt("lgpio", _one_of("lgpio", "rpigpio", "mock"), "gpiozero backend")
    seat_pin: int = opt(17, _optional_pin, "BCM pin of the seat switch, -1 if not wired")
    seat_pull_up: bool = opt(True, None, "switch to GND with the internal pull-up (pressed reads low)")
    pir_pin: int = opt(4, _optional_pin, "BCM pin of the PIR output, -1 if not wired")
    pir_active_high: bool = opt(True, None, "HC-SR501 and AM312 drive high on motion")
    button_pin: int = opt(27, _optional_pin, "BCM pin of the done/snooze button (to GND), -1 for none")
    led_pin: int = opt(18, _optional_pin, "BCM pin of the LED (18 = PWM0 for smooth pulses)")
    led_pwm: bool = opt(True, None, "fade the LED with PWM; false = on/off blinking only")
    buzzer_pin: int = opt(22, _optional_pin, "BCM pin driving the buzzer's NPN transistor, -1 for none")
    buzzer_active_high: bool = opt(True, None, "")
    button_hold_s: float = opt(2.0, _positive, "holding the button this long snoozes instead of 'done'")


@dataclass(frozen=True)
class SensingConfig:
    sensors: str = opt("both", _one_of("seat", "pir", "both"), "which sensors are wired and used")
    seat_spike_s: float = opt(0.05, _non_negative, "seat pulses shorter than this are bounce or spikes")
    seat_sit_confirm_s: float = opt(3.0, _non_negative, "seat pressed this long confirms sitting")
    seat_leave_confirm_s: float = opt(10.0, _non_negative, "seat empty this long confirms leaving")
    pir_warmup_s: float = opt(60.0, _non_negative, "PIR output ignored this long after start-up")
    pir_absence_s: float = opt(750.0, _positive, "PIR-only: no motion this long means the chair is empty")
    pir_arrival_pulses: int = opt(2, _positive, "PIR-only: motion pulses within pir_arrival_window_s that mean someone sat down")
    pir_arrival_window_s: float = opt(60.0, _positive, "")
    object_timeout_s: float = opt(600.0, _positive, "seat+PIR: a press with no sign of a person (no leg motion as it sat down, no weight shift, not two leg motions) this long is an object, not a person")


@dataclass(frozen=True)
class CoachingConfig:
    break_s: float = opt(120.0, _positive, "off the chair at least this long is a break that ends a bout")
    first_prompt_min: float = opt(30.0, _positive, "continuous sitting before the seated routine (LED only)")
    reminder_after_min: float = opt(5.0, _positive, "not done this long after the first prompt: LED and one beep")
    walk_prompt_min: float = opt(60.0, _positive, "continuous sitting before 'stand up and walk'")
    walk_repeat_min: float = opt(5.0, _positive, "beep again this often while the walk prompt stands")
    walk_repeat_max: int = opt(3, _non_negative, "at most this many walk beeps per bout")
    done_motion_s: float = opt(20.0, _positive, "seconds of leg movement after a prompt that count as done")
    done_window_min: float = opt(10.0, _positive, "a prompt's window: leg movement counts as done this long after it, "
                                 "and only an exercise done (or, for the walk, a break begun) within it counts for compliance")
    snooze_min: float = opt(15.0, _positive, "")
    snooze_max_in_row: int = opt(2, _non_negative, "snoozes allowed in a row before a prompt must be done")
    pause_default_min: float = opt(60.0, _positive, "")
    working_hours: str = opt("", _window, "e.g. '08:00-18:00': never prompt outside; empty = always")
    quiet_hours: str = opt("", _window, "e.g. '22:00-07:00': the buzzer stays silent, the LED still shows")
    day_boundary: str = opt("00:00", _hhmm, "local time at which a desk day begins (a bout is never cut)")
    exercises: tuple[str, ...] = opt(("ankle_pumps", "heel_raises", "seated_marches", "ankle_circles"), _exercises,
                                     "seated routine rotation, by key")


@dataclass(frozen=True)
class HistoryConfig:
    db_path: str = opt("", None, "SQLite file; empty = $STATE_DIRECTORY or ~/.local/share/deskpulse/history.db")
    flush_interval_s: float = opt(60.0, _positive, "batch writes this long (SD cards wear under per-second commits)")
    record_trace_dir: str = opt("", None, "record raw inputs as daily traces here; empty = off")


@dataclass(frozen=True)
class MqttConfig:
    host: str = opt("", None, "broker host; empty = MQTT off (the outbox still keeps events)")
    port: int = opt(1883, _port, "")
    username: str = opt("", None, "")
    password: str = opt("", None, "prefer DESKPULSE_MQTT_PASSWORD in the environment")
    client_id: str = opt("", None, "empty = deskpulse-<device_id>")
    keepalive_s: int = opt(60, _positive, "")
    tls: bool = opt(False, None, "")
    ca_file: str = opt("", None, "")
    cert_file: str = opt("", None, "client certificate (optional)")
    key_file: str = opt("", None, "")
    topic_prefix: str = opt("deskpulse", None, "topics are <prefix>/<device_id>/...")
    discovery: bool = opt(True, None, "publish Home Assistant discovery configs")
    discovery_prefix: str = opt("homeassistant", None, "")
    ha_unique_ids: str = opt("auto", _one_of("auto", "exact", "legacy"),
                             "auto = keep the ids an existing desk has in HA; exact = never shared (docs/mqtt.md)")
    outbox_max_age_days: float = opt(30.0, _positive, "undelivered events older than this are dropped (and counted)")
    outbox_max_rows: int = opt(100000, _positive, "")
    state_interval_s: float = opt(60.0, _positive, "refresh the retained state at least this often")


@dataclass(frozen=True)
class DashboardConfig:
    host: str = opt("127.0.0.1", None, "listen address; anything but loopback needs a password")
    port: int = opt(8080, _port, "")
    password_hash: str = opt("", None, "from 'deskpulse dashboard --hash-password'; or DESKPULSE_DASHBOARD_PASSWORD_HASH")
    daily_budget_min: float = opt(360.0, _positive, "seated minutes a day shown as the budget")
    secret_key: str = opt("", None, "session key; empty = generated and kept beside the database")


@dataclass(frozen=True)
class Config:
    device: DeviceConfig = field(default_factory=DeviceConfig)
    gpio: GpioConfig = field(default_factory=GpioConfig)
    sensing: SensingConfig = field(default_factory=SensingConfig)
    coaching: CoachingConfig = field(default_factory=CoachingConfig)
    history: HistoryConfig = field(default_factory=HistoryConfig)
    mqtt: MqttConfig = field(default_factory=MqttConfig)
    dashboard: DashboardConfig = field(default_factory=DashboardConfig)
    source: str = "defaults"

    def replace(self, **sections: dict[str, Any]) -> "Config":
        """A copy with some keys changed, validated like a file: ``cfg.replace(sensing={"sensors": "pir"})``."""
        raw = {name: {**dataclasses.asdict(getattr(self, name)), **changes} for name, changes in sections.items()}
        base = {name: dataclasses.asdict(getattr(self, name)) for name in SECTIONS}
        base.update(raw)
        return from_dict(base, self.source)


SECTIONS: dict[str, type] = {
    "device": DeviceConfig, "gpio": GpioConfig, "sensing": SensingConfig, "coaching": CoachingConfig,
    "history": HistoryConfig, "mqtt": MqttConfig, "dashboard": DashboardConfig,
}

ENV_SECRETS = {
    ("mqtt", "password"): "DESKPULSE_MQTT_PASSWORD",
    ("dashboard", "password_hash"): "DESKPULSE_DASHBOARD_PASSWORD_HASH",
}

_TYPE_NAMES = {bool: "true or false", int: "a whole number", float: "a number", str: "a string",
               tuple[str, ...]: "a list of strings"}


def _coerce(source: str, key: str, want: Any, v: Any) -> Any:
    if want is bool:
        ok = isinstance(v, bool)
    elif want is int:
        ok = isinstance(v, int) and not isinstance(v, bool)
    elif want is float:
        ok = isinstance(v, (int, float)) and not isinstance(v, bool)
        v = float(v) if ok else v
    elif want is str:
        ok = isinstance(v, str)
    else:  # tuple[str, ...]
        ok = isinstance(v, (list, tuple)) and all(isinstance(x, str) for x in v)
        v = tuple(v) if ok else v
    if not ok:
        raise ConfigError(f"{source}: {key}: expected {_TYPE_NAMES[want]}, got {type(v).__name__} {_short(v)}")
    if want is float and not math.isfinite(v):
        # TOML has inf and nan; no setting means either (inf would stop the history's flushes for good)
        raise ConfigError(f"{source}: {key} = {v!r}: must be a finite number")
    return v


def _section(source: str, name: str, cls: type, raw: Any) -> Any:
    if not isinstance(raw, dict):
        raise ConfigError(f"{source}: [{name}] must be a table")
    hints = get_type_hints(cls)
    known = {f.name: f for f in dataclasses.fields(cls)}
    values = {}
    for key, v in raw.items():
        if key not in known:
            close = [k for k in known if k.split("_")[0] == key.split("_")[0]]
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise ConfigError(f"{source}: {name}.{_short(key, 40)}: unknown key{hint}")
        v = _coerce(source, f"{name}.{key}", hints[key], v)
        check = known[key].metadata.get("check")
        problem = check(v) if check else None
        if problem:
            raise ConfigError(f"{source}: {name}.{key} = {_short(v)}: {problem}")
        values[key] = v
    return cls(**values)


def from_dict(raw: dict[str, Any], source: str = "<config>") -> Config:
    unknown = [k for k in raw if k not in SECTIONS]
    if unknown:
        raise ConfigError(f"{source}: [{_short(unknown[0], 40)}]: unknown section (known: {', '.join(SECTIONS)})")
    sections = {name: _section(source, name, cls, raw.get(name, {})) for name, cls in SECTIONS.items()}
    cfg = Config(**sections, source=source)
    _cross_checks(cfg)
    return cfg


def _cross_checks(cfg: Config) -> None:
    c, s, g = cfg.coaching, cfg.sensing, cfg.gpio
    if c.walk_prompt_min <= c.first_prompt_min:
        raise ConfigError(f"{cfg.source}: coaching.walk_prompt_min = {c.walk_prompt_min:g}: must be later than "
                          f"coaching.first_prompt_min = {c.first_prompt_min:g}")
    if not c.reminder_after_min < c.done_window_min <= c.walk_prompt_min - c.first_prompt_min:
        # the reminder must fall inside the window (else answering it could never count), and the
        # routine's window must close by the walk prompt (the next thing asked)
        raise ConfigError(f"{cfg.source}: coaching.done_window_min = {c.done_window_min:g}: must be longer than "
                          f"coaching.reminder_after_min = {c.reminder_after_min:g} and at most walk_prompt_min - "
                          f"first_prompt_min = {c.walk_prompt_min - c.first_prompt_min:g}")
    if s.sensors in ("seat", "both") and g.seat_pin == -1 and g.pin_factory != "mock":
        raise ConfigError(f"{cfg.source}: gpio.seat_pin = -1: sensing.sensors = {s.sensors!r} needs a seat pin")
    if s.sensors in ("pir", "both") and g.pir_pin == -1 and g.pin_factory != "mock":
        raise ConfigError(f"{cfg.source}: gpio.pir_pin = -1: sensing.sensors = {s.sensors!r} needs a PIR pin")
    pins = {k: getattr(g, k) for k in ("seat_pin", "pir_pin", "button_pin", "led_pin", "buzzer_pin")}
    seen: dict[int, str] = {}
    for k, p in pins.items():
        if p == -1:
            continue
        if p in seen:
            raise ConfigError(f"{cfg.source}: gpio.{k} = {p}: already used by gpio.{seen[p]}")
        seen[p] = k
    if cfg.mqtt.tls and cfg.mqtt.cert_file and not cfg.mqtt.key_file:
        raise ConfigError(f"{cfg.source}: mqtt.key_file: needed with mqtt.cert_file")


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


def to_toml(cfg: Config, hide_secrets: bool = True) -> str:
    """The effective configuration as TOML, defaults included, secrets masked."""
    out = [f"# effective configuration (from {cfg.source})"]
    for name in SECTIONS:
        section = getattr(cfg, name)
        out.append(f"\n[{name}]")
        for f in dataclasses.fields(section):
            v = getattr(section, f.name)
            if hide_secrets and (name, f.name) in ENV_SECRETS and v:
                v = "********"
            out.append(f"{f.name} = {_toml_value(v)}")
    return "\n".join(out) + "\n"


def _toml_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, tuple):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    return '"' + str(v).replace("\\", "\\\\").replace('"', '\\"') + '"'


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
