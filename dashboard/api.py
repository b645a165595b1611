"""JSON under /api: status, a day, a range of days, events with paging, exports.

Every parameter is validated here; a bad one is a 400 with ``{"error": ...}``
naming the parameter, never a 500. Ranges are capped so one request cannot
make a Pi Zero walk years of rows.
"""
from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any, Iterator

from flask import Blueprint, Response, abort, jsonify, request, stream_with_context

from dashboard import queries, today
from dashboard.dates import desk_day, parse_day
from dashboard.cache import cached
from dashboard.pages import _boundary, _now, _today, past_day, today_view
from device.app.commands import export

bp = Blueprint("api", __name__)

MAX_DAYS = 400
MAX_EXPORT_DAYS = {"days": 20 * 366, "bouts": 20 * 366, "events": MAX_DAYS}
MAX_LIMIT = 1000
_ID = re.compile(r"[0-9A-Za-z]{1,40}")
_LIMIT = re.compile(r"[0-9]{1,6}")


def _bad(message: str):
    abort(400, message)


def _day_arg(name: str, default: date | None = None) -> date:
    value = request.args.get(name)
    if value is None and default is not None:
        return default
    try:
        return parse_day(value, name)
    except ValueError as e:
        _bad(str(e))


def _range(max_days: int, default_days: int) -> tuple[date, date]:
    today = desk_day(_now(), _boundary())
    last = _day_arg("to", today)
    first = _day_arg("from", last - timedelta(days=default_days - 1))
    if first > last:
        _bad(f"from ({first}) is after to ({last})")
    n = (last - first).days + 1
    if n > max_days:
        _bad(f"range of {n} days is too long: at most {max_days}")
    return first, last


def _public_summary(s: dict[str, Any]) -> dict[str, Any]:
    keys = ("seated_s", "bouts", "breaks", "longest_bout_s", "current_bout_s", "prompts", "exercises_done",
            "done_by", "snoozes", "asks", "answered_in_time", "compliance")
    return {**{k: s[k] for k in keys}, "done_by_text": today.done_by_text(s),
            "compliance_text": today.compliance_text(s), "compliance_shown": today.compliance_shown(s)}


@bp.route("/status")
def status():
    v = today_view()
    return jsonify(day=v["day"].isoformat(), now=v["now"].isoformat(timespec="seconds"),
                   daemon=v["live"], today=_public_summary(v["summary"]),
                   budget_s=v["budget_s"], last_event_id=v["last_event_id"])


@bp.route("/day/<day>")
def day(day: str):
    d = past_day(day)
    v = today_view(d)
    s = v["summary"]
    return jsonify(day=d.isoformat(), stats=queries.day_row(d.isoformat()), summary=_public_summary(s),
                   bouts=queries.day_bouts(d.isoformat()), events=queries.events_page(d.isoformat(), None, 5000))


@bp.route("/days")
@cached(_today)
def days():
    first, last = _range(MAX_DAYS, 30)
    return jsonify(**{"from": first.isoformat(), "to": last.isoformat(),
                      "days": queries.days_between(first.isoformat(), last.isoformat())})


@bp.route("/events")
def events():
    d = _day_arg("day") if request.args.get("day") is not None else None
    after = request.args.get("after")
    if after is not None and not _ID.fullmatch(after):
        _bad("after: expected an event id (letters and digits)")
    raw_limit = request.args.get("limit", "100")
    if not _LIMIT.fullmatch(raw_limit):  # not str.isdigit: it accepts "²", which int() refuses
        _bad(f"limit: expected a whole number from 1 to {MAX_LIMIT}")
    limit = int(raw_limit)
    if not 1 <= limit <= MAX_LIMIT:
        _bad(f"limit: expected a whole number from 1 to {MAX_LIMIT}")
    rows = queries.events_page(None if d is None else d.isoformat(), after, limit)
    nxt = rows[-1]["id"] if len(rows) == limit else None
    return jsonify(events=rows, next_after=nxt, limit=limit)


def _export_what() -> str:
    what = request.args.get("what", "days")
    if what not in MAX_EXPORT_DAYS:
        _bad("what: expected days, bouts or events")
    return what


def _export_range(what: str) -> tuple[date, date]:
    if request.args.get("from") is None and what != "events":
        first_day = queries.first_day()
        default = 30
        if first_day:
            try:
                default = (desk_day(_now(), _boundary()) - date.fromisoformat(first_day)).days + 1
            except ValueError:
                pass
        return _range(MAX_EXPORT_DAYS[what], max(1, min(default, MAX_EXPORT_DAYS[what])))
    return _range(MAX_EXPORT_DAYS[what], 30)


def _rows(what: str, first: date, last: date) -> Iterator[dict[str, Any]]:
    """The rows as ``deskpulse export`` makes them (device/app/commands/export.py), streamed."""
    a, b = first.isoformat(), last.isoformat()
    if what == "days":
        return map(export.day_row, queries.iter_days(a, b))
    if what == "bouts":
        return map(export.bout_row, queries.iter_bouts(a, b))
    return queries.iter_event_rows(a, b, export.event_row)


def _filename(what: str, first: date, last: date, ext: str) -> str:
    return f'attachment; filename="deskpulse-{what}-{first}-{last}.{ext}"'


def _export(fmt: str, mimetype: str) -> Response:
    """An export download, the same text as ``deskpulse export --format fmt``, streamed in batches."""
    what = _export_what()
    first, last = _export_range(what)
    rows = _rows(what, first, last)

    def body():
        batch = []
        for piece in export.chunks(fmt, what, rows):
            batch.append(piece)
            if len(batch) >= 200:
                yield "".join(batch)
                batch.clear()
        yield "".join(batch)
    return Response(stream_with_context(body()), mimetype=mimetype,
                    headers={"Content-Disposition": _filename(what, first, last, fmt)})


@bp.route("/export.csv")
def export_csv():
    return _export("csv", "text/csv")


@bp.route("/export.json")
def export_json():
    return _export("json", "application/json")
