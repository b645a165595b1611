"""Login, failed-attempt limits and CSRF.

With no password hash configured the dashboard is open, which is only
allowed on loopback (the serve command refuses anything else). With a hash,
every page and API call needs a session made by ``/login`` and still kept by
the server (``sessions``: logout ends it, whoever holds a copy of the
cookie). Failed logins are limited per client only (an IPv4 address, an IPv6
/64, which one host can hop through): a limit over all clients would let four
LAN devices lock the owner out. Every POST (login included) must carry the
session's CSRF token, and a cross-site Origin is refused outright.
"""
from __future__ import annotations

import functools
import hmac
import ipaddress
import secrets
import threading
from collections import deque
from urllib.parse import quote, urlsplit

from flask import (Blueprint, abort, current_app, flash, g, redirect, render_template, request, session,
                   url_for)
from werkzeug.security import check_password_hash, generate_password_hash

bp = Blueprint("auth", __name__)

PER_CLIENT = (5, 15 * 60)   # failures, window seconds
#: Clients remembered at once: bounds memory against address spraying.
MAX_CLIENTS = 10_000


def hash_password(password: str) -> str:
    """The string to put in ``dashboard.password_hash`` (scrypt, salted)."""
    return generate_password_hash(password, method="scrypt")


def client_key(addr: str | None) -> str:
    """Who is trying: the IPv4 address, or the /64 of an IPv6 one (a host picks freely inside its /64)."""
    try:
        ip = ipaddress.ip_address((addr or "").split("%", 1)[0])
    except ValueError:
        return addr or "?"
    if ip.version == 6 and ip.ipv4_mapped is not None:
        return str(ip.ipv4_mapped)
    if ip.version == 6:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


class AttemptLimiter:
    """Failed logins in a sliding window, per client (in memory: a restart forgets them,
    which is acceptable for a desk gadget on a LAN)."""

    def __init__(self, monotonic, per_client=PER_CLIENT):
        self.monotonic = monotonic
        self.per_client = per_client
        self._by_client: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _trim(self, q: deque[float], window: float, now: float) -> None:
        while q and q[0] <= now - window:
            q.popleft()

    def retry_after(self, client: str) -> int:
        """Seconds until this client may try again; 0 = allowed now."""
        now = self.monotonic()
        with self._lock:
            wait = 0.0
            q = self._by_client.get(client)
            if q is not None:
                self._trim(q, self.per_client[1], now)
                if len(q) >= self.per_client[0]:
                    wait = q[0] + self.per_client[1] - now
                if not q:
                    del self._by_client[client]
            return int(wait) + 1 if wait > 0 else 0

    def failed(self, client: str) -> None:
        now = self.monotonic()
        with self._lock:
            self._by_client.setdefault(client, deque()).append(now)
            if len(self._by_client) > MAX_CLIENTS:
                self._by_client.pop(next(iter(self._by_client)))

    def succeeded(self, client: str) -> None:
        with self._lock:
            self._by_client.pop(client, None)


def csrf_token() -> str:
    tok = session.get("csrf")
    if not tok:
        tok = session["csrf"] = secrets.token_urlsafe(32)
    return tok


def check_csrf() -> None:
    """before_request: every state-changing request carries the token and comes from our origin."""
    if request.method in ("GET", "HEAD", "OPTIONS") or request.routing_exception is not None:
        return  # a 404/405 changes nothing: let routing answer it
    origin = request.headers.get("Origin")
    if origin and origin != "null":
        o = urlsplit(origin)
        if o.netloc != request.host:
            abort(403, "cross-site request refused")
    elif origin == "null":
        abort(403, "cross-site request refused")
    sent = request.form.get("csrf_token") or request.headers.get("X-CSRF-Token") or ""
    want = session.get("csrf") or ""
    if not want or not hmac.compare_digest(sent.encode(), want.encode()):
        abort(403, "missing or wrong CSRF token: reload the page and try again")


def password_required() -> bool:
    return bool(current_app.config["PASSWORD_HASH"])


def require_login():
    """before_request: with a password configured, only /login and static files are public."""
    if not password_required() or request.endpoint in ("auth.login", "static"):
        return None
    if session.get("user") == "owner" and current_app.extensions["deskpulse_sessions"].valid(session.get("sid")):
        g.user = "owner"
        return None
    if "user" in session:
        session.clear()  # logged out elsewhere, expired, or from before sessions were kept: drop the cookie
    if request.path.startswith("/api/"):
        return {"error": "login required"}, 401
    # the path as it came (still %-encoded), so _safe_next sees plain ASCII
    here = quote(request.path, safe="/:@!$&'()*+,;=-._~")
    if request.query_string:
        here += "?" + request.query_string.decode("latin-1")
    return redirect(url_for("auth.login", next=here))


def login_required(view):
    @functools.wraps(view)
    def wrapped(*a, **kw):
        r = require_login()
        return r if r is not None else view(*a, **kw)
    return wrapped


def _safe_next(target: str | None) -> str:
    """``target`` if it is a path on this site, else Today.

    Only printable ASCII without spaces or backslashes is kept: browsers drop tabs and
    newlines inside a URL (``/<TAB>/evil.example`` is ``//evil.example``, another site),
    read ``\\`` as ``/``, and a newline cannot go in a Location header at all.
    """
    if (not target or len(target) > 2000 or not target.isascii() or not target.isprintable()
            or " " in target or "\\" in target or not target.startswith("/") or target.startswith("//")):
        return url_for("pages.today")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return url_for("pages.today")
    return target


@bp.route("/login", methods=["GET", "POST"])
def login():
    if not password_required():
        return redirect(url_for("pages.today"))
    limiter: AttemptLimiter = current_app.extensions["deskpulse_limiter"]
    client = client_key(request.remote_addr)
    status = 200
    if request.method == "POST":
        wait = limiter.retry_after(client)
        if wait:
            flash(f"Too many failed attempts. Try again in {max(1, round(wait / 60))} min.", "error")
            status = 429
        elif check_password_hash(current_app.config["PASSWORD_HASH"], request.form.get("password", "")):
            limiter.succeeded(client)
            session.clear()
            session.permanent = True
            session["user"] = "owner"
            session["sid"] = current_app.extensions["deskpulse_sessions"].new()
            csrf_token()
            return redirect(_safe_next(request.form.get("next")))
        else:
            limiter.failed(client)
            flash("Wrong password.", "error")
            status = 401
    return render_template("login.html", next=_safe_next(request.values.get("next"))), status


@bp.route("/logout", methods=["POST"])
def logout():
    current_app.extensions["deskpulse_sessions"].revoke(session.get("sid"))
    session.clear()
    return redirect(url_for("auth.login") if password_required() else url_for("pages.today"))
