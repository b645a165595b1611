"""The deskpulse dashboard: Flask's tutorial shape.

``create_app(config, db_path, clock)`` builds the app from a deskpulse
``Config``; ``pages`` renders Today, History and Exercises, ``api`` serves
JSON under ``/api``; both read the history read-only through ``queries``.
Time comes from the injected clock so tests can pin "now".
"""
from __future__ import annotations

import logging
import os
import secrets
import sqlite3
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import Flask, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from dashboard import auth, queries

log = logging.getLogger("deskpulse.dashboard")

SECRET_FILE = "dashboard-secret"

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",  # no-referrer would make browsers send "Origin: null" on POST
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
}


def load_secret_key(db_path: Path) -> str:
    """The session key kept beside the database (0600), created on first use.

    Sessions then survive restarts. If the directory is not writable, a key
    for this process only: logins end at restart, nothing worse.
    """
    path = db_path.expanduser().parent / SECRET_FILE
    try:
        key = path.read_text().strip()
        if len(key) >= 32:
            return key
    except FileNotFoundError:
        pass
    except OSError as e:
        log.warning("cannot read %s (%s): using a per-process session key", path, e.strerror)
        return secrets.token_hex(32)
    key = secrets.token_hex(32)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{SECRET_FILE}.{os.getpid()}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(key + "\n")
        os.replace(tmp, path)
    except OSError as e:
        log.warning("cannot write %s (%s): using a per-process session key; logins end at restart",
                    path, e.strerror)
    return key


def _tz(cfg, clock):
    if cfg.device.timezone:
        try:
            return ZoneInfo(cfg.device.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            log.warning("unknown device.timezone %r: using the clock's", cfg.device.timezone)
    return clock.wall().tzinfo


def create_app(config=None, db_path=None, clock=None) -> Flask:
    """Build the dashboard. ``config``: a deskpulse Config (None = load the standard files);
    ``db_path``: the history (None = the configured one); ``clock``: a device.adapters.clock clock."""
    from device import config as dconfig
    from device.adapters.clock import SystemClock

    cfg = config if config is not None else dconfig.load(None)
    db = Path(db_path) if db_path is not None else dconfig.default_db_path(cfg)
    clock = clock or SystemClock()
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=cfg.dashboard.secret_key or load_secret_key(db),
        DB_PATH=str(db.expanduser()),
        PASSWORD_HASH=cfg.dashboard.password_hash,
        DESKPULSE=cfg,
        CLOCK=clock,
        TZ=_tz(cfg, clock),
        SESSION_COOKIE_NAME="deskpulse_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Strict",
        PERMANENT_SESSION_LIFETIME=timedelta(days=14),
        SEND_FILE_MAX_AGE_DEFAULT=timedelta(hours=12),
        MAX_CONTENT_LENGTH=16 * 1024,
        POLL_MS=4000,  # how often Today asks /api/status
    )
    app.json.sort_keys = False
    app.extensions["deskpulse_limiter"] = auth.AttemptLimiter(clock.monotonic)
    from dashboard.sessions import SESSIONS_FILE, Sessions
    app.extensions["deskpulse_sessions"] = Sessions(
        db.expanduser().parent / SESSIONS_FILE, lambda: clock.wall().timestamp(),
        app.config["PERMANENT_SESSION_LIFETIME"].total_seconds())
    from dashboard.cache import RenderCache
    app.extensions["deskpulse_cache"] = RenderCache()
    static_dir = Path(app.static_folder)
    app.config["STATIC_VERSION"] = str(int(max(p.stat().st_mtime for p in static_dir.iterdir())))

    from dashboard import api, pages
    app.register_blueprint(auth.bp)
    app.register_blueprint(pages.bp)
    app.register_blueprint(api.bp, url_prefix="/api")
    app.before_request(auth.require_login)
    app.before_request(auth.check_csrf)
    app.teardown_appcontext(queries.close_db)
    app.jinja_env.globals.update(csrf_token=auth.csrf_token, password_required=auth.password_required)

    @app.after_request
    def security_headers(resp):
        for k, v in HEADERS.items():
            resp.headers.setdefault(k, v)
        if request.endpoint != "static":
            resp.headers.setdefault("Cache-Control", "no-store")
        return resp

    @app.errorhandler(HTTPException)
    def http_error(e: HTTPException):
        if request.path.startswith("/api/") or request.path == "/api":
            return jsonify(error=e.description if e.code in (400, 403, 413) else e.name.lower()), e.code
        return render_template("error.html", code=e.code, message=e.description), e.code

    @app.errorhandler(sqlite3.DatabaseError)
    def db_error(e: sqlite3.DatabaseError):
        log.error("history unreadable: %s", e)
        if request.path.startswith("/api/"):
            return jsonify(error="the history database cannot be read"), 503
        return render_template("error.html", code=503, message="The history database cannot be read."), 503

    @app.errorhandler(Exception)
    def internal_error(e: Exception):
        if isinstance(e, HTTPException):
            return http_error(e)
        log.exception("unhandled error on %s", request.path)
        if request.path.startswith("/api/"):
            return jsonify(error="internal error"), 500
        return render_template("error.html", code=500, message="Something went wrong."), 500

    return app
