"""A raw TOML table to a checked ``Config``: types, each key's check, then the checks across keys.

Every problem is a ``ConfigError`` naming the source, the key and what is wrong,
in one line.
"""
from __future__ import annotations

import math

from device.config.record import fields, types
from device.config.schema import SECTIONS, Config, ConfigError


def _short(v: object, limit: int = 80) -> str:
    """``repr(v)``, cut: a message stays one readable line whatever the file holds."""
    r = repr(v)
    return r if len(r) <= limit else r[:limit - 3] + "..."


_TYPE_NAMES = {bool: "true or false", int: "a whole number", float: "a number", str: "a string",
               tuple[str, ...]: "a list of strings"}


def _coerce(source: str, key: str, want: object, v: object) -> object:
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


def _section(source: str, name: str, cls: type, raw: object) -> object:
    if not isinstance(raw, dict):
        raise ConfigError(f"{source}: [{name}] must be a table")
    hints = types(cls)
    known = {f.name: f for f in fields(cls)}
    values = {}
    for key, v in raw.items():
        if key not in known:
            close = [k for k in known if k.split("_")[0] == key.split("_")[0]]
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise ConfigError(f"{source}: {name}.{_short(key, 40)}: unknown key{hint}")
        v = _coerce(source, f"{name}.{key}", hints[key], v)
        check = known[key].check
        problem = check(v) if check else None
        if problem:
            raise ConfigError(f"{source}: {name}.{key} = {_short(v)}: {problem}")
        values[key] = v
    return cls(**values)


def from_dict(raw: dict[str, object], source: str = "<config>") -> Config:
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

