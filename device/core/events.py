"""The one event vocabulary that every part of deskpulse speaks.

The sensing and coaching engines emit ``Event`` objects; the SQLite history,
the MQTT outbox, the trace recorder, the replay printer and the dashboard all
consume the same objects (or their JSON form), so a field means the same thing
everywhere.

Every event carries:

- ``v``: the schema version of the payload (bumped on incompatible changes);
- ``id``: unique and sortable (lexicographic order == emission order, even
  across a wall clock stepped back and across restarts; == time order while
  the wall clock runs forward), so MQTT consumers can dedupe at-least-once
  deliveries and SQL can page by id;
- ``type``: one of ``TYPES``;
- ``t``: engine seconds (monotonic axis; in a replay, seconds since the
  trace's start). Durations are always computed on this axis, never from wall
  clock, so NTP jumps cannot distort them;
- ``ts``: wall-clock time of ``t`` as ISO 8601 with its UTC offset;
- type-specific fields, documented in ``TYPES``.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

SCHEMA_VERSION = 1

_CORE = frozenset(("v", "id", "type", "t", "ts"))
_encoder = json.JSONEncoder(separators=(",", ":"))
_encode = _encoder.encode                                  # = json.dumps(x, separators=(",", ":"))
_quote = json.encoder.encode_basestring_ascii              # how that encoder quotes a string
# What json.dumps runs for a dict (the C encoder with the same settings), made once and
# without the circular-reference check; None where the C accelerator is missing.
_c_make_encoder = json.encoder.c_make_encoder
_encode_data = _encoder.iterencode if _c_make_encoder is None else _c_make_encoder(
    None, _encoder.default, _quote, None, ":", ",", False, False, True)

#: Every event type with the fields it carries beyond v/id/type/t/ts.
TYPES: dict[str, str] = {
    "sit_start": "sensor (seat|pir|both); new_bout (bool): this sit begins a new bout",
    "sit_end": "seated_s: length of this sit",
    "break": "a break was taken (off the chair >= break_s): bout_start_ts, bout_end_ts, "
             "bout_s (bout length), seated_s, prompts, exercises_done (in time only), max_level",
    "prompt": "level (1 seated routine, 2 reminder, 3 walk), kind (seated|reminder|walk), "
              "exercise {key,name,instructions}, bout_s, beep (bool), repeat (int); "
              "test (true only on a test_prompt: never counted)",
    "exercise_done": "how (pir|button|break|stood|command), level, exercise (key), latency_s, "
                     "in_time (bool: answered within done_window_min, device/core/compliance.py)",
    "snooze": "minutes, until_ts, in_row",
    "snooze_refused": "in_row, limit",
    "pause": "minutes, until_ts, source",
    "resume": "reason (timer|command)",
    "command_rejected": "source, reason, count (rejections it stands for: 1, or a rate-limited flood's "
                        "summary, whose reason is the last one's)",
    "daemon_start": "version, sensors, resumed_bout (bool)",
    "daemon_stop": "reason; with a bout open: bout_s (to now, or to the leaving) and, seated, sit_s "
                   "(the sit so far), both monotonic: a bout not resumed is closed with these",
}

#: The types that mark the edges of sitting, for consumers that only need occupancy.
OCCUPANCY_TYPES = frozenset({"sit_start", "sit_end"})


@dataclass(frozen=True)
class Event:
    type: str
    t: float
    ts: str
    id: str
    data: dict[str, Any] = field(default_factory=dict)
    v: int = SCHEMA_VERSION

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"v": self.v, "id": self.id, "type": self.type,
                               "t": round(self.t, 3), "ts": self.ts}
        out.update(self.data)
        return out

    def to_json(self) -> str:
        """``json.dumps(self.to_dict(), separators=(",", ":"))``, the common case written directly.

        A replay prints every event, so the fixed fields are formatted here with
        the json module's own quoting and number formatting, and ``data`` goes
        through the json module's C encoder, made once (``json.dumps`` makes one per
        call). That encoder is made without the circular-reference check, so a
        ``RecursionError`` (circular or absurdly deep data) is left to
        ``json.dumps``, as is anything else unusual.
        """
        data, v, t = self.data, self.v, self.t
        if type(v) is int and type(t) is float and -1e12 < t < 1e12 and _CORE.isdisjoint(data):
            # repr(round(t, 3)), a third of the cost: both round the exact value to 3 places
            # the same way, and below 1e12 the shortest repr of that is its digits
            t = f"{t:.3f}".rstrip("0")
            if t[-1] == ".":
                t += "0"
            head = (f'{{"v":{int.__repr__(v)},"id":{_quote(self.id)},"type":{_quote(self.type)},'
                    f'"t":{t},"ts":{_quote(self.ts)}')
            if not data:
                return head + "}"
            try:
                body = "".join(_encode_data(data, 0))
            except RecursionError:
                pass
            else:
                return head + "," + body[1:]
        return _encode(self.to_dict())

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Event":
        d = dict(d)
        core = {k: d.pop(k) for k in ("type", "t", "ts", "id")}
        v = d.pop("v", SCHEMA_VERSION)
        return cls(type=core["type"], t=float(core["t"]), ts=core["ts"], id=core["id"], data=d, v=v)


_new = object.__new__
_setattr = object.__setattr__

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
# every pair of digits, indexed by a 10-bit number: two digits per lookup
_PAIRS = [a + b for a in _CROCKFORD for b in _CROCKFORD]


def _b32(n: int, width: int) -> str:
    out = []
    for _ in range(width):
        out.append(_CROCKFORD[n & 31])
        n >>= 5
    return "".join(reversed(out))


class IdFactory:
    """ULID-shaped ids: 48-bit milliseconds, a 16-bit sequence, a 64-bit node.

    Lexicographic order is emission order, whatever the wall clock does: the
    millisecond part never goes back (a wall clock stepped back, or a Pi
    without an RTC booting in the past, keeps the last millisecond and counts
    on in the sequence; 65,536 ids in one millisecond move it on by one), so
    ``/api/events?after=ID`` and a consumer's last id never go blind. While
    the wall clock runs forward, that is also time order. ``floor(last_id)``
    carries the order across a restart (the daemon gives it the last stored
    id). ``node`` distinguishes processes: the daemon draws a random one at
    start so ids from before and after a restart never collide; a replay uses
    a fixed node so its output is deterministic.
    """

    def __init__(self, node: int | None = None):
        self.node = int.from_bytes(os.urandom(8), "big") if node is None else node & (2**64 - 1)
        self._node_s = _b32(self.node, 13)
        self._last_ms = -1
        self._ms_s = _b32(-1, 10)
        self._seq = 0

    def floor(self, last_id: str | None) -> None:
        """Make every later id sort after ``last_id`` (an id of this layout; anything else is ignored)."""
        if not isinstance(last_id, str) or len(last_id) != 27:
            return
        try:
            ms, seq = _unb32(last_id[:10]), _unb32(last_id[10:14])
        except ValueError:
            return
        if (ms, seq) >= (self._last_ms, self._seq):
            self._set_ms(ms)
            self._seq = seq + 1

    def new(self, wall: datetime) -> str:
        return self.new_ms(int(wall.timestamp() * 1000))

    def new_ms(self, ms: int) -> str:
        """``new`` for a wall time given as ``int(wall.timestamp() * 1000)``."""
        if ms > self._last_ms:
            self._set_ms(ms)
            self._seq = 0
        elif self._seq > 0xFFFF:
            self._set_ms(self._last_ms + 1)
            self._seq = 0
        seq = self._seq
        self._seq += 1
        return self._ms_s + _PAIRS[seq >> 10] + _PAIRS[seq & 1023] + self._node_s

    def _set_ms(self, ms: int) -> None:
        self._last_ms = ms
        p = _PAIRS   # _b32(ms, 10), two digits at a time
        self._ms_s = p[ms >> 40 & 1023] + p[ms >> 30 & 1023] + p[ms >> 20 & 1023] + p[ms >> 10 & 1023] + p[ms & 1023]


def _unb32(s: str) -> int:
    n = 0
    for c in s.upper():
        i = _CROCKFORD.find(c)
        if i < 0:
            raise ValueError(f"not base32: {s!r}")
        n = n * 32 + i
    return n


class EventFactory:
    """Builds events from engine time, mapping it to wall clock via ``wall_at``.

    ``wall_at(t)`` returns the timezone-aware wall time of engine second ``t``
    (the clock module provides it), which lets back-dated events carry the
    wall time of the moment they describe, not of the moment they were known.
    """

    def __init__(self, wall_at, ids: IdFactory | None = None):
        self.wall_at = wall_at
        self.ids = ids or IdFactory()
        # a wall_at that can format its own stamps (a replay's WallMapper) skips the datetime
        self._stamp = getattr(wall_at, "stamp", None)

    def make(self, type_: str, t: float, **data: Any) -> Event:
        return self.make_from(type_, t, data)

    def make_from(self, type_: str, t: float, data: dict[str, Any]) -> Event:
        """``make`` with the data as a dict the event takes over (no copy)."""
        if type_ not in TYPES:
            raise ValueError(f"unknown event type {type_!r}")
        if self._stamp is not None:
            ts, ms = self._stamp(t)
            # Event(type_, t, ts, id, data) at half the cost: the frozen dataclass's
            # __init__ sets each field through object.__setattr__; this sets them at once
            ev = _new(Event)
            _setattr(ev, "__dict__", {"type": type_, "t": t, "ts": ts, "id": self.ids.new_ms(ms),
                                      "data": data, "v": SCHEMA_VERSION})
            return ev
        wall = self.wall_at(t)
        return Event(type_, t, wall.isoformat(timespec="milliseconds"), self.ids.new(wall), data)
