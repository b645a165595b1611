"""Login, attempt limits, session cookie flags, the secret key file."""
from __future__ import annotations

import logging
import os
import re
import stat

import pytest

from dashboard import create_app, load_secret_key
from dashboard.auth import hash_password

PASSWORD = "correct horse battery"


@pytest.fixture(scope="module")
def pw_hash():
    return hash_password(PASSWORD)


@pytest.fixture
def locked(make_app, seeded, cfg, pw_hash):
    return make_app(seeded[0], config=cfg.replace(dashboard={"password_hash": pw_hash}))


def token(c, path="/login"):
    return re.search(r'name="csrf_token" value="([^"]+)"', c.get(path).get_data(as_text=True)).group(1)


def login(c, password=PASSWORD, addr="10.0.0.5"):
    return c.post("/login", data={"password": password, "csrf_token": token(c), "next": "/history"},
                  environ_base={"REMOTE_ADDR": addr})


def test_the_hash_is_scrypt():
    h = hash_password("x" * 10)
    assert h.startswith("scrypt:") and "x" * 10 not in h


def test_everything_needs_a_login(locked):
    c = locked.test_client()
    r = c.get("/history")
    assert r.status_code == 302 and "/login" in r.headers["Location"]
    r = c.get("/api/status")
    assert r.status_code == 401 and r.get_json() == {"error": "login required"}
    r = c.get("/static/style.css")
    assert r.status_code == 200
    r.close()


def test_login_then_in_then_out(locked):
    c = locked.test_client()
    r = login(c)
    assert r.status_code == 302 and r.headers["Location"].endswith("/history")
    cookie = r.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert c.get("/api/status").status_code == 200
    html = c.get("/").get_data(as_text=True)
    assert "Log out" in html
    t = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    assert c.post("/logout", data={"csrf_token": t}).status_code == 302
    assert c.get("/api/status").status_code == 401


def test_wrong_password(locked):
    c = locked.test_client()
    r = login(c, "nope")
    assert r.status_code == 401 and "Wrong password" in r.get_data(as_text=True)
    assert c.get("/api/status").status_code == 401


def test_login_needs_the_csrf_token(locked):
    c = locked.test_client()
    c.get("/login")
    assert c.post("/login", data={"password": PASSWORD}).status_code == 403
    assert c.get("/api/status").status_code == 401


def test_an_open_redirect_is_not_followed(locked):
    c = locked.test_client()
    r = c.post("/login", data={"password": PASSWORD, "csrf_token": token(c), "next": "//evil.example/x"})
    assert r.status_code == 302 and r.headers["Location"] == "/"


def test_failed_attempts_are_limited_per_client(locked, clock):
    c = locked.test_client()
    for _ in range(5):
        assert login(c, "guess").status_code == 401
    r = login(c)  # even the right password waits out the lock
    assert r.status_code == 429 and "Too many failed attempts" in r.get_data(as_text=True)
    assert login(locked.test_client(), addr="10.0.0.6").status_code == 302  # another client is not locked
    clock.advance(15 * 60 + 1)
    assert login(c).status_code == 302


def test_without_a_password_there_is_no_login(client):
    assert client.get("/login").status_code == 302
    assert client.get("/api/status").status_code == 200


def test_secret_key_is_kept_beside_the_database_0600(tmp_path):
    db = tmp_path / "state" / "history.db"
    k1 = load_secret_key(db)
    path = db.parent / "dashboard-secret"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert load_secret_key(db) == k1 and len(k1) >= 32


def test_secret_key_falls_back_to_a_process_key(tmp_path, caplog):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("")
    with caplog.at_level(logging.WARNING, "deskpulse.dashboard"):
        k = load_secret_key(blocker / "history.db")
    assert len(k) >= 32 and "per-process session key" in caplog.text


def test_the_configured_secret_wins(cfg, seeded, clock, tmp_path):
    app = create_app(cfg, db_path=tmp_path / "h.db", clock=clock)
    assert app.config["SECRET_KEY"] == cfg.dashboard.secret_key
    assert not (tmp_path / "dashboard-secret").exists()


@pytest.mark.parametrize("target", ["/\t/evil.example", "/\n/x", "/\r\n/evil.example", "/ /evil.example",
                                    "/\\evil.example", "/\x00/evil.example", "/\u2028/evil.example",
                                    "http://evil.example/", "https:evil.example", "//x"])
def test_no_redirect_leaves_the_site_and_none_is_a_500(locked, target):
    """Browsers drop tabs and newlines from a URL: ``/<TAB>/evil.example`` is ``//evil.example``."""
    c = locked.test_client()
    r = c.get("/login", query_string={"next": target})
    assert r.status_code == 200
    assert 'name="next" value="/"' in r.get_data(as_text=True)
    r = c.post("/login", data={"password": PASSWORD, "csrf_token": token(c), "next": target})
    assert r.status_code == 302 and r.headers["Location"] == "/"


def test_a_redirect_inside_the_site_is_kept(locked):
    c = locked.test_client()
    r = c.get("/history?range=year&end=2026-03-20")
    assert r.status_code == 302
    r = c.get(r.headers["Location"])
    assert 'name="next" value="/history?range=year&amp;end=2026-03-20"' in r.get_data(as_text=True)
    r = c.post("/login", data={"password": PASSWORD, "csrf_token": token(c),
                               "next": "/history?range=year&end=2026-03-20"})
    assert r.headers["Location"] == "/history?range=year&end=2026-03-20"


def test_logout_ends_the_session_on_the_server(locked):
    """A copied cookie must not outlive the logout (a client-side session alone would)."""
    c = locked.test_client()
    assert login(c).status_code == 302
    stolen = c.get_cookie("deskpulse_session").value
    thief = locked.test_client()
    thief.set_cookie("deskpulse_session", stolen)
    assert thief.get("/api/status").status_code == 200
    html = c.get("/").get_data(as_text=True)
    t = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    assert c.post("/logout", data={"csrf_token": t}).status_code == 302
    assert thief.get("/api/status").status_code == 401
    assert thief.get("/history").status_code == 302


def test_logins_survive_a_restart_but_not_a_logout(make_app, seeded, cfg, pw_hash, tmp_path):
    import shutil
    db = tmp_path / "history.db"
    shutil.copy(seeded[0], db)
    config = cfg.replace(dashboard={"password_hash": pw_hash})
    c = make_app(db, config=config).test_client()
    assert login(c).status_code == 302
    cookie = c.get_cookie("deskpulse_session").value
    again = make_app(db, config=config).test_client()  # the dashboard restarted
    again.set_cookie("deskpulse_session", cookie)
    assert again.get("/api/status").status_code == 200
    assert stat.S_IMODE(os.stat(tmp_path / "dashboard-sessions").st_mode) == 0o600
    assert cookie not in (tmp_path / "dashboard-sessions").read_text()


def test_four_lan_hosts_cannot_lock_the_owner_out(locked, clock):
    for host in range(4):
        for _ in range(6):
            assert login(locked.test_client(), "guess", addr=f"192.168.1.{10 + host}").status_code in (401, 429)
    assert login(locked.test_client(), addr="192.168.1.2").status_code == 302


def test_an_ipv6_client_is_its_64_prefix(locked):
    """One host has a whole /64 to hop through: it counts as one client."""
    for i in range(5):
        assert login(locked.test_client(), "guess", addr=f"2001:db8:1:2::{i + 1:x}").status_code == 401
    assert login(locked.test_client(), addr="2001:db8:1:2::99").status_code == 429
    assert login(locked.test_client(), addr="2001:db8:1:3::1").status_code == 302


def test_the_way_back_after_login_keeps_an_odd_path(locked):
    c = locked.test_client()
    r = c.get("/day/2026-03-2%0a")
    nxt = re.search(r'name="next" value="([^"]+)"', c.get(r.headers["Location"]).get_data(as_text=True)).group(1)
    assert nxt == "/day/2026-03-2%0A"
    r = c.post("/login", data={"password": PASSWORD, "csrf_token": token(c), "next": nxt})
    assert r.headers["Location"] == "/day/2026-03-2%0A"
    assert c.get(r.headers["Location"]).status_code == 400
