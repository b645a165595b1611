"""The JSON API on a seeded history, an empty one and a missing file: shapes, paging, every error path."""
from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

import pytest
from dash_seed import NOW, write_status
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

TODAY = NOW.date().isoformat()


def fetch(c, url, **kw):
    """GET and close: exports stream, and an unclosed streamed response leaks its request context."""
    r = c.get(url, **kw)
    r.get_data()
    r.close()
    return r


def test_status_reports_the_live_daemon(client, seeded):
    body = client.get("/api/status").get_json()
    assert body["day"] == TODAY
    assert body["daemon"]["running"] is True
    assert body["daemon"]["seated"] == seeded[1]["seated"]
    assert body["today"]["seated_s"] > 0
    assert body["today"]["breaks"] >= 1
    assert body["last_event_id"]


def test_status_stale_means_daemon_not_running(app, seeded, tmp_path):
    import shutil
    db = tmp_path / "copy.db"
    shutil.copy(seeded[0], db)
    old = dict(seeded[1], updated_ts=(NOW - timedelta(minutes=10)).isoformat())
    write_status(db, old)
    from dashboard import create_app
    c = create_app(app.config["DESKPULSE"], db_path=db, clock=app.config["CLOCK"]).test_client()
    d = c.get("/api/status").get_json()["daemon"]
    assert d["running"] is False and d["state"] == "stopped"
    assert d["next_prompt_in_s"] is None


@pytest.mark.parametrize("raw", ["not json", "[1,2]", '{"seated": "yes", "bout_s": "x", "updated_ts": "garbage"}'])
def test_status_survives_a_garbled_kv_row(make_app, empty_db, raw):
    import sqlite3
    with sqlite3.connect(empty_db) as conn:
        conn.execute("INSERT OR REPLACE INTO kv VALUES ('status', ?)", (raw,))
    r = make_app(empty_db).test_client().get("/api/status")
    assert r.status_code == 200
    assert r.get_json()["daemon"]["running"] is False


def test_status_extrapolates_the_bout_to_now(make_app, empty_db, clock):
    write_status(empty_db, {"seated": True, "bout_s": 100.0, "level": 0, "alert": "none",
                            "next_prompt_in_s": 200.0, "paused_until_ts": None, "snoozed_until_ts": None,
                            "updated_ts": (NOW - timedelta(seconds=30)).isoformat()})
    d = make_app(empty_db).test_client().get("/api/status").get_json()["daemon"]
    assert d["bout_s"] == pytest.approx(130.0)
    assert d["next_prompt_in_s"] == pytest.approx(170.0)


def test_day_has_stats_bouts_and_events(client):
    day = (NOW - timedelta(days=1)).date().isoformat()
    body = client.get(f"/api/day/{day}").get_json()
    assert body["stats"]["day"] == day and body["stats"]["bouts"] == len(body["bouts"])
    assert body["events"] and all(e["type"] for e in body["events"])
    assert abs(body["summary"]["seated_s"] - body["stats"]["seated_s"]) < 120


def test_days_range_and_default(client):
    body = client.get("/api/days?from=2026-03-01&to=2026-03-31").get_json()
    days = [d["day"] for d in body["days"]]
    assert days == sorted(days) and days[0] >= "2026-03-01" and days[-1] <= TODAY
    assert len(days) >= 15  # weekdays of a typical worker
    default = client.get("/api/days").get_json()
    assert default["to"] == TODAY and default["from"] == (NOW.date() - timedelta(days=29)).isoformat()


def test_events_paging_walks_every_event_once(client):
    day = (NOW - timedelta(days=2)).date().isoformat()
    everything = client.get(f"/api/day/{day}").get_json()["events"]
    seen, after = [], None
    while True:
        q = f"/api/events?day={day}&limit=17" + (f"&after={after}" if after else "")
        body = client.get(q).get_json()
        seen += body["events"]
        after = body["next_after"]
        if after is None:
            break
    assert [e["id"] for e in seen] == [e["id"] for e in everything]
    assert len({e["id"] for e in seen}) == len(seen)


def test_exports(client):
    r = fetch(client, "/api/export.csv?what=days&from=2026-03-01&to=2026-03-31")
    assert r.status_code == 200 and r.mimetype == "text/csv"
    assert "attachment" in r.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(r.get_data(as_text=True))))
    assert rows and float(rows[0]["seated_s"]) > 0
    j = fetch(client, "/api/export.json?what=bouts&from=2026-03-01&to=2026-03-31").get_json()
    assert isinstance(j, list) and j and j[0]["bout_s"] > 0  # one array, as `deskpulse export --format json`
    ev = fetch(client, f"/api/export.csv?what=events&from={TODAY}&to={TODAY}").get_data(as_text=True)
    assert ev.splitlines()[0] == "id,type,ts,t,day,v,data" and len(ev.splitlines()) > 5
    everything = fetch(client, "/api/export.csv").get_data(as_text=True)
    assert len(everything.splitlines()) - 1 == len(client.get("/api/days?from=2026-03-01&to=" + TODAY).get_json()["days"])


BAD = [
    "/api/day/2026-13-01", "/api/day/2026-02-30", "/api/day/yesterday", "/api/day/99999-01-01",
    "/api/day/1900-01-01", "/api/day/" + "9" * 500,
    "/api/days?from=2020-01-01&to=2026-01-01", "/api/days?from=2026-03-10&to=2026-03-01",
    "/api/days?from=", "/api/days?to=2026-3-1", "/api/days?from=%00", "/api/days?from=2026-03-01T00:00",
    "/api/events?limit=0", "/api/events?limit=100000", "/api/events?limit=-1", "/api/events?limit=abc",
    "/api/events?day=tomorrow", "/api/events?after=%27%20OR%201=1--", "/api/events?after=",
    "/api/export.csv?what=secrets", "/api/export.json?from=2026-01-01&to=2025-01-01",
    "/api/export.csv?what=events&from=2020-01-01&to=2026-01-01",
]


@pytest.mark.parametrize("url", BAD)
def test_bad_parameters_are_400_json(client, url):
    r = fetch(client, url)
    assert r.status_code == 400, r.data
    assert r.is_json and r.get_json()["error"]


def test_routing_errors_are_json_under_api(client):
    r = client.get("/api/nothing")
    assert r.status_code == 404 and r.get_json() == {"error": "not found"}
    r = client.post("/api/status")
    assert r.status_code == 405 and r.get_json()["error"]
    r = client.get("/no-such-page")
    assert r.status_code == 404 and b"<html" in r.data


@pytest.mark.parametrize("which", ["empty_client", "missing_client"])
def test_every_endpoint_answers_without_history(request, which):
    c = request.getfixturevalue(which)
    for url in ["/api/status", f"/api/day/{TODAY}", "/api/days", "/api/events", "/api/export.csv",
                "/api/export.json?what=events"]:
        r = fetch(c, url)
        assert r.status_code == 200, (url, r.data)
    assert c.get("/api/days").get_json()["days"] == []
    assert c.get("/api/status").get_json()["daemon"]["state"] == "unknown"


def test_a_corrupt_file_is_503_not_500(make_app, tmp_path):
    db = tmp_path / "history.db"
    db.write_bytes(b"this is not a database at all" * 100)
    r = make_app(db).test_client().get("/api/days")
    assert r.status_code == 503 and r.get_json()["error"]


def test_the_database_is_opened_read_only(app, seeded):
    from dashboard import queries
    import sqlite3
    with app.test_request_context("/"):
        db = queries.get_db()
        with pytest.raises(sqlite3.OperationalError, match="readonly|read-only|query_only"):
            db.execute("DELETE FROM kv")


text = st.one_of(st.none(), st.text(max_size=30), st.dates().map(str),
                 st.from_regex(r"\A\d{4}-\d{2}-\d{2}\Z", fullmatch=True), st.integers(-10**12, 10**12).map(str))


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(path=st.sampled_from(["/api/days", "/api/events", "/api/export.csv", "/api/export.json", "/history"]),
       a=text, b=text, c=text, d=text)
def test_no_query_parameters_make_a_500(client, path, a, b, c, d):
    params = {k: v for k, v in (("from", a), ("to", b), ("limit", c), ("after", d), ("day", a), ("what", c),
                                ("range", d), ("end", b)) if v is not None}
    r = fetch(client, path, query_string=params)
    assert r.status_code in (200, 400), (path, params, r.data[:200])
    if path.startswith("/api/") and r.status_code == 400:
        assert json.loads(r.data)["error"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(day=st.text(min_size=1, max_size=40).filter(lambda s: "/" not in s and s not in (".", "..")))
def test_no_day_path_makes_a_500(client, day):
    r = client.get("/api/day/" + day)
    assert r.status_code in (200, 400, 404)
    assert r.is_json


def test_cached_ranges_follow_a_new_flush(make_app, seeded, tmp_path):
    import shutil
    import sqlite3
    db = tmp_path / "h.db"
    shutil.copy(seeded[0], db)
    c = make_app(db).test_client()
    url = f"/api/days?from=2026-03-01&to={TODAY}"
    before = c.get(url).get_json()["days"]
    assert c.get(url).get_json()["days"] == before  # served from the cache
    with sqlite3.connect(db) as conn:  # what a store flush does: rebuild today's row
        conn.execute("INSERT OR REPLACE INTO days (day, seated_s, bouts) VALUES (?, 12345.0, 99)", (TODAY,))
    after = c.get(url).get_json()["days"]
    assert after[-1]["day"] == TODAY and after[-1]["bouts"] == 99


ODD_NUMBERS = ["²", "١٠", "５", "1e3", "-1", "+5", " 5", "5 ", "0x10", "1_0", "9" * 30, "\x00", "", "5.0"]
ODD_DATES = ["２０２６-０３-０１", "٢٠٢٦-٠٣-٠١", "2026-03-01T00:00", "2026-3-1", "20260301", "2026-02-30",
             "0001-01-01", "9999-12-31", " 2026-03-01", "2026-03-01\n", "", "²０２６-03-01"]


@pytest.mark.parametrize("path,name,values", [
    ("/api/events?limit={}", "limit", ODD_NUMBERS),
    ("/api/events?day={}", "day", ODD_DATES),
    ("/api/days?from={}", "from", ODD_DATES),
    ("/api/days?to={}", "to", ODD_DATES),
    ("/api/export.csv?what=days&from={}", "from", ODD_DATES),
    ("/api/export.json?what=bouts&to={}", "to", ODD_DATES),
])
def test_every_number_and_date_parameter_is_a_400_when_odd(client, path, name, values):
    from urllib.parse import quote
    for v in values:
        r = client.get(path.format(quote(v)))
        assert r.status_code == 400, (name, v, r.status_code)
        assert r.get_json()["error"].startswith(name + ":"), (name, v, r.get_json())


@pytest.mark.parametrize("value", ["²", "٢٠٢٦-٠٣-٠١", "２０２６-０３-０１", "2026-03-01\n"])
def test_an_odd_day_in_the_path_is_a_400(client, value):
    from urllib.parse import quote
    for prefix in ("/api/day/", "/day/", "/history?end="):
        r = client.get(prefix + quote(value))
        assert r.status_code == 400, (prefix, value, r.status_code)


@pytest.mark.parametrize("folder", ["a#b", "x?mode=rwc", "p%41th", "sp ace", "q?#&=%"])
def test_the_dashboard_opens_exactly_the_configured_file_read_only(make_app, seeded, tmp_path, folder):
    """``file:{path}?mode=ro`` unescaped: a ``#`` or ``?`` in the path opened another file, writable."""
    import shutil
    import sqlite3
    from dashboard import queries
    (tmp_path / folder).mkdir()
    db = tmp_path / folder / "history.db"
    shutil.copy(seeded[0], db)
    app = make_app(db)
    days = app.test_client().get(f"/api/days?from=2026-03-01&to={TODAY}").get_json()["days"]
    assert len(days) >= 15
    with app.test_request_context("/"):
        conn = queries.get_db()
        assert [r[2] for r in conn.execute("PRAGMA database_list")] == [str(db)]
        conn.execute("PRAGMA query_only = OFF")
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            conn.execute("CREATE TABLE intruder (x)")
    assert sorted(p.name for p in tmp_path.iterdir()) == [folder]
    assert [p.name for p in (tmp_path / folder).iterdir() if not p.name.startswith("history.db")] == []


@pytest.mark.parametrize("what", ["days", "bouts", "events"])
@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_the_page_exports_exactly_what_the_cli_exports(client, seeded, capsys, what, fmt):
    """One shape for an export, wherever it is made: ``deskpulse export`` and the History page's links."""
    from device.cli import main
    first, last = "2026-03-16", TODAY
    page = fetch(client, f"/api/export.{fmt}?what={what}&from={first}&to={last}").get_data(as_text=True)
    assert main(["export", "--db", str(seeded[0]), "--what", what, "--format", fmt,
                 "--from", first, "--to", last]) == 0
    cli = capsys.readouterr().out
    if fmt == "json":
        assert json.loads(page) == json.loads(cli) and len(json.loads(cli)) > 5
    else:
        assert page == cli and cli.count("\n") > 5
