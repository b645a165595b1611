"""The HTML pages: Today, History, Exercises, and the actions posted from Today."""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for

from dashboard import charts, commands, history, queries, status, today
from dashboard.cache import cached
from dashboard.dates import day_start, desk_day, parse_day
from dashboard.live import live as live_view
from device.config import parse_hhmm
from device.core.exercises import NOT_MEDICAL_ADVICE, WALK, seated_rotation

bp = Blueprint("pages", __name__)

ACTIONS = {
    "done": ("done", {}, "Marked as done."),
    "snooze": ("snooze", {}, "Snoozed."),
    "pause30": ("pause", {"minutes": 30}, "Paused for 30 minutes."),
    "pause60": ("pause", {"minutes": 60}, "Paused for 60 minutes."),
    "resume": ("resume", {}, "Resumed."),
}


@bp.app_context_processor
def _globals() -> dict[str, Any]:
    cfg = current_app.config["DESKPULSE"]
    return {"device_name": cfg.device.name, "not_medical_advice": NOT_MEDICAL_ADVICE,
            "static_version": current_app.config["STATIC_VERSION"], "fmt_hm": history.fmt_hm,
            "timedelta1": timedelta(days=1), "done_by_text": today.done_by_text,
            "compliance_text": today.compliance_text, "compliance_shown": today.compliance_shown}


def _now():
    clock = current_app.config["CLOCK"]
    return clock.wall().astimezone(current_app.config["TZ"])


def _boundary():
    return parse_hhmm(current_app.config["DESKPULSE"].coaching.day_boundary)


def today_view(day: date | None = None) -> dict[str, Any]:
    """Everything Today shows (also /api/status and /api/day): live status, totals, timeline."""
    now = _now()
    boundary, tz = _boundary(), current_app.config["TZ"]
    cur = desk_day(now, boundary)
    day = day or cur
    live = live_view(status.status_json(), now, current_app.config["DESKPULSE"].coaching.break_s)
    events = queries.day_events(day.isoformat())
    is_today = day == cur
    now_utc = now.timestamp()
    # a past day is complete: nothing extends to "now"
    state = live if is_today else {**live, "running": False, "updated_ts": None}
    end_utc = now_utc if is_today else day_start(day + timedelta(days=1), boundary, tz).timestamp()
    summary = today.summarize(events, end_utc, state,
                              window_s=current_app.config["DESKPULSE"].coaching.done_window_min * 60)
    start = day_start(day, boundary, tz).timestamp()
    lo, hi = charts.timeline_window(start, summary, now_utc)
    budget_s = current_app.config["DESKPULSE"].dashboard.daily_budget_min * 60
    return {"day": day, "is_today": is_today, "now": now, "live": live, "summary": summary,
            "budget_s": budget_s, "last_event_id": events[-1]["id"] if events else None,
            "pir_only": current_app.config["DESKPULSE"].sensing.sensors == "pir",
            "timeline": charts.timeline(lo, hi, tz, summary, now_utc if is_today else None,
                                        label=f"Timeline of {day:%A %d %B}")}


@bp.route("/", endpoint="today")
def today_page():
    v = today_view()
    return render_template("today.html", v=v, how_short=today.HOW_SHORT, page="today")


def past_day(value: str) -> date:
    """A desk day from a URL, up to today: 400 if it is no date, 404 if it is still to come."""
    try:
        d = parse_day(value)
    except ValueError as e:
        abort(400, str(e))
    if d > _today():
        abort(404, f"{d} is not yet a desk day: today is {_today()}")
    return d


@bp.route("/day/<day>")
def day_page(day: str):
    v = today_view(past_day(day))
    # a past day is not Today: the nav marks nothing
    return render_template("today.html", v=v, how_short=today.HOW_SHORT, page="today" if v["is_today"] else "day",
                           simulated=_simulated(v["day"], v["day"]))


def _simulated(first: date, last: date) -> tuple[str, str] | None:
    """The demo's made-up days, if any of them is shown (the page then says so)."""
    span = queries.simulated_days()
    return span if span and span[0] <= last.isoformat() and first.isoformat() <= span[1] else None


@bp.route("/partials/timeline")
def timeline_partial():
    """The timeline SVG alone, fetched by today.js to redraw without a reload."""
    return Response(today_view()["timeline"], mimetype="text/html")


def _today():
    return desk_day(_now(), _boundary())


@bp.route("/history")
@cached(_today)
def history_page():
    rng = request.args.get("range", "month")
    if rng not in history.RANGES:
        abort(400, "range: expected week, month or year")
    now = _now()
    cur = desk_day(now, _boundary())
    try:
        last = parse_day(request.args["end"], "end") if request.args.get("end") else cur
    except ValueError as e:
        abort(400, str(e))
    first = last - timedelta(days=history.RANGES[rng] - 1)
    rows = queries.days_between(first.isoformat(), last.isoformat())
    budget_s = current_app.config["DESKPULSE"].dashboard.daily_budget_min * 60
    return render_template(
        "history.html", page="history", rng=rng, first=first, last=last, rows=rows, simulated=_simulated(first, last),
        charts=history.charts(rows, first, last, budget_s), summary=history.summary(rows, budget_s),
        compare=history.compare_weeks(last), streaks=history.streaks(budget_s, last), budget_s=budget_s,
        prev_end=(first - timedelta(days=1)).isoformat(),
        next_end=(last + timedelta(days=history.RANGES[rng])).isoformat() if last < cur else None)


@bp.route("/exercises")
def exercises_page():
    """device/core/exercises.py in the configured rotation, with the ladder's configured times."""
    c = current_app.config["DESKPULSE"].coaching
    routine = f"seated routine ({c.first_prompt_min:g} min)"
    exercises = [(e, routine) for e in seated_rotation(tuple(c.exercises))]
    exercises.append((WALK, f"walk prompt ({c.walk_prompt_min:g} min)"))
    return render_template("exercises.html", page="exercises", exercises=exercises, coaching=c)


@bp.route("/action", methods=["POST"])
def action():
    """Queue a command for the daemon (CSRF-checked in before_request)."""
    key = request.form.get("action", "")
    if key not in ACTIONS:
        abort(400, "unknown action")
    name, args, message = ACTIONS[key]
    try:
        commands.write_command(commands.commands_dir(current_app.config["DB_PATH"]), name,
                               source="dashboard", **args)
    except OSError as e:
        current_app.logger.warning("cannot queue %s: %s", name, e)
        flash("Could not reach the daemon: its command folder is not writable.", "error")
    else:
        flash(message + " The desk will react within a few seconds.", "ok")
    return redirect(url_for("pages.today"), code=303)
