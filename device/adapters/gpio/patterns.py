"""The LED patterns, one per engine alert, and the buzzer's beeps: steps of (value, seconds)."""
from __future__ import annotations


def _fade(a: float, b: float, seconds: float, fps: int = 20) -> list[tuple[float, float]]:
    n = max(1, int(seconds * fps))
    return [(a + (b - a) * i / n, seconds / n) for i in range(n)]


#: LED patterns by alert: steps of (brightness 0..1, seconds), repeated. PWM and on/off variants.
LED_PATTERNS_PWM: dict[str, list[tuple[float, float]]] = {
    "none": [],
    # seated routine: a calm breath, 4 s a cycle
    "routine": _fade(0.0, 1.0, 1.5) + _fade(1.0, 0.0, 1.5) + [(0.0, 1.0)],
    # reminder (overdue): a faster, plain blink, 2 per second
    "reminder": [(1.0, 0.25), (0.0, 0.25)],
    # walk: a double flash, like a heartbeat, once a second
    "walk": [(1.0, 0.15), (0.0, 0.15), (1.0, 0.15), (0.0, 0.55)],
}
LED_PATTERNS_ONOFF: dict[str, list[tuple[float, float]]] = {
    **LED_PATTERNS_PWM,
    "routine": [(1.0, 1.0), (0.0, 3.0)],  # a slow blink stands in for the breath
}
LED_DESCRIPTIONS = {
    "none": "off",
    "routine": "calm pulse (seated routine)",
    "reminder": "fast blink (overdue)",
    "walk": "double flash (stand up and walk)",
}
BEEP_ON_S, BEEP_OFF_S = 0.12, 0.18
MAX_BEEPS = 3


def describe(alert: str) -> str:
    return LED_DESCRIPTIONS.get(alert, alert)
