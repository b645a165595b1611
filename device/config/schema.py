"""The settings: one frozen record (``device.config.record``) per TOML section, each key with its default, doc and check.

Pure (the engine imports it): it reads no config file and no environment. A key's check takes its
value, already of the right type, and returns None or what is wrong with it;
``device.config.validate`` applies them. ``ConfigError`` is the one error every
configuration problem becomes, phrased for a person: file, key, what is wrong.
"""
from __future__ import annotations

from device.config.record import asdict, field, record
from device.config.times import parse_hhmm, parse_window


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


def _parses(parse):
    """A check that is the parser's own error message, or None when ``parse`` accepts the value."""
    def check(v: str) -> str | None:
        try:
            parse(v)
        except ValueError as e:
            return str(e)
        return None
    return check


_window = _parses(parse_window)
_hhmm = _parses(parse_hhmm)


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


def opt(default, check=None, doc: str = ""):
    """A key: its default, its check (value -> what is wrong, or None) and its doc."""
    return field(default, check=check, doc=doc)


@record
class DeviceConfig:
    device_id: str = opt("", None, "id in MQTT topics and HA unique_ids; empty = the hostname")
    name: str = opt("Desk", None, "friendly name shown in Home Assistant and the dashboard")
    timezone: str = opt("", _timezone, "IANA zone for day boundaries and timestamps; empty = the system's")


@record
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


@record
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


@record
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


@record
class HistoryConfig:
    db_path: str = opt("", None, "SQLite file; empty = $STATE_DIRECTORY or ~/.local/share/deskpulse/history.db")
    flush_interval_s: float = opt(60.0, _positive, "batch writes this long (SD cards wear under per-second commits)")
    record_trace_dir: str = opt("", None, "record raw inputs as daily traces here; empty = off")


@record
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


@record
class DashboardConfig:
    host: str = opt("127.0.0.1", None, "listen address; anything but loopback needs a password")
    port: int = opt(8080, _port, "")
    password_hash: str = opt("", None, "from 'deskpulse dashboard --hash-password'; or DESKPULSE_DASHBOARD_PASSWORD_HASH")
    daily_budget_min: float = opt(360.0, _positive, "seated minutes a day shown as the budget")
    secret_key: str = opt("", None, "session key; empty = generated and kept beside the database")


@record
class Config:
    device: DeviceConfig = field(default_factory=DeviceConfig)
    gpio: GpioConfig = field(default_factory=GpioConfig)
    sensing: SensingConfig = field(default_factory=SensingConfig)
    coaching: CoachingConfig = field(default_factory=CoachingConfig)
    history: HistoryConfig = field(default_factory=HistoryConfig)
    mqtt: MqttConfig = field(default_factory=MqttConfig)
    dashboard: DashboardConfig = field(default_factory=DashboardConfig)
    source: str = "defaults"

    def replace(self, **sections: dict[str, object]) -> Config:
        """A copy with some keys changed, validated like a file: ``cfg.replace(sensing={"sensors": "pir"})``."""
        raw = {name: {**asdict(getattr(self, name)), **changes} for name, changes in sections.items()}
        base = {name: asdict(getattr(self, name)) for name in SECTIONS}
        base.update(raw)
        from device.config.validate import from_dict  # validate imports this module
        return from_dict(base, self.source)


SECTIONS: dict[str, type] = {
    "device": DeviceConfig, "gpio": GpioConfig, "sensing": SensingConfig, "coaching": CoachingConfig,
    "history": HistoryConfig, "mqtt": MqttConfig, "dashboard": DashboardConfig,
}

ENV_SECRETS = {
    ("mqtt", "password"): "DESKPULSE_MQTT_PASSWORD",
    ("dashboard", "password_hash"): "DESKPULSE_DASHBOARD_PASSWORD_HASH",
}
