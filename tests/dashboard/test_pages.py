"""The HTML pages with data, empty and missing histories; actions; security headers; no inline code."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from dash_seed import NOW, write_status

from dashboard.commands import commands_dir, read_pending_commands
from device.core.exercises import SEATED, WALK

PAGES = ["/", "/history", "/history?range=week", "/history?range=year", "/exercises",
         f"/day/{(NOW - timedelta(days=1)).date()}", "/partials/timeline"]


def csrf(client, path="/"):
    html = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def test_today_shows_the_live_state_the_numbers_and_the_timeline(client, seeded):
    html = client.get("/").get_data(as_text=True)
    assert 'class="card status state-' in html
    assert ("Seated" if seeded[1]["seated"] else "Away") in html
    assert 'class="timeline"' in html and 'class="tl-sit"' in html and "tl-prompt" in html
    assert "of 6 h 00 min budget" in html
    assert re.search(r'id="breaks">\d+<', html)
    assert "Detected by" in html
    assert 'src="/static/today.js' in html


def test_today_says_when_the_daemon_is_not_running(make_app, empty_db):
    write_status(empty_db, {"seated": True, "bout_s": 10, "updated_ts": (NOW - timedelta(hours=1)).isoformat()})
    html = make_app(empty_db).test_client().get("/").get_data(as_text=True)
    assert "Daemon not running" in html and "Last heard from at" in html


def test_history_draws_every_chart(client):
    for rng in ("week", "month", "year"):
        html = client.get(f"/history?range={rng}").get_data(as_text=True)
        assert html.count('<svg class="chart"') == 5, rng
        assert 'class="s-seated"' in html and "budget 6 h 00 min" in html
        assert "This week vs the week before" in html and "Desk days under budget" in html
    year = client.get("/history?range=year").get_data(as_text=True)
    assert "week of" in year  # a year is drawn one bar per week


def test_history_bad_parameters_are_400(client):
    assert client.get("/history?range=decade").status_code == 400
    assert client.get("/history?end=2026-99-01").status_code == 400


@pytest.mark.parametrize("which", ["empty_client", "missing_client"])
def test_every_page_renders_without_history(request, which):
    c = request.getfixturevalue(which)
    for url in PAGES:
        r = c.get(url)
        assert r.status_code == 200, url
    assert "No desk days recorded" in c.get("/history").get_data(as_text=True)
    assert "No prompts yet today" in c.get("/").get_data(as_text=True)


def test_every_page_renders_with_data_and_carries_the_note(client):
    for url in PAGES[:-1]:
        html = client.get(url).get_data(as_text=True)
        assert "not medical advice" in html and "ask a clinician" in html, url


def test_exercises_page_lists_each_exercise_with_its_evidence(client):
    html = client.get("/exercises").get_data(as_text=True)
    for e in [*SEATED.values(), WALK]:  # the same text coaching puts in its prompts
        assert e.name in html and e.instructions in html and e.evidence in html
    assert "doi 10.1249/MSS.0000000000000479" in html and 'id="not-medical-advice"' in html
    assert "After 30 minutes of continuous sitting" in html and "2 minutes away" in html


def test_exercises_page_follows_the_configured_ladder(make_app, seeded, cfg):
    c = cfg.replace(coaching={"first_prompt_min": 20, "walk_prompt_min": 45, "exercises": ["heel_raises", "ankle_pumps"]})
    html = make_app(seeded[0], config=c).test_client().get("/exercises").get_data(as_text=True)
    assert "After 20 minutes" in html and "After 45 minutes" in html and "seated routine (20 min)" in html
    assert html.index('id="heel_raises"') < html.index('id="ankle_pumps"') and 'id="ankle_circles"' not in html


def test_security_headers_and_no_inline_code(client):
    for url in PAGES + ["/api/status"]:
        r = client.get(url)
        csp = r.headers["Content-Security-Policy"]
        assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
        assert r.headers["X-Frame-Options"] == "DENY"
        assert r.headers["X-Content-Type-Options"] == "nosniff"
        assert r.headers["Referrer-Policy"] == "same-origin"
        assert r.headers["Cache-Control"] == "no-store"
        html = r.get_data(as_text=True)
        assert not re.search(r"\sstyle\s*=", html), url           # inline style attributes
        assert not re.search(r"<style", html), url
        assert not re.search(r"<script(?![^>]*\bsrc=)", html), url  # inline scripts
        assert not re.search(r"\son[a-z]+\s*=", html), url          # inline event handlers
        assert "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "") or url.startswith("/api")


def test_static_files_are_served_with_the_same_headers(client):
    r = client.get("/static/style.css")
    assert r.status_code == 200 and "prefers-color-scheme: dark" in r.get_data(as_text=True)
    assert "default-src 'self'" in r.headers["Content-Security-Policy"]
    r.close()


def test_an_action_queues_a_command_for_the_daemon(client, app):
    token = csrf(client)
    r = client.post("/action", data={"action": "pause30", "csrf_token": token})
    assert r.status_code == 303
    cmds = read_pending_commands(commands_dir(app.config["DB_PATH"]))
    assert [(c["name"], c["args"], c["source"]) for c in cmds] == [("pause", {"minutes": 30}, "dashboard")]
    assert read_pending_commands(commands_dir(app.config["DB_PATH"])) == []
    assert "Paused for 30 minutes" in client.get("/").get_data(as_text=True)


def test_an_action_without_the_csrf_token_is_refused(client, app):
    csrf(client)
    assert client.post("/action", data={"action": "done"}).status_code == 403
    assert client.post("/action", data={"action": "done", "csrf_token": "forged"}).status_code == 403
    assert read_pending_commands(commands_dir(app.config["DB_PATH"])) == []


def test_a_cross_site_post_is_refused_even_with_a_token(client, app):
    token = csrf(client)
    r = client.post("/action", data={"action": "done", "csrf_token": token},
                    headers={"Origin": "http://evil.example"})
    assert r.status_code == 403
    assert read_pending_commands(commands_dir(app.config["DB_PATH"])) == []


def test_an_unknown_action_is_400(client):
    assert client.post("/action", data={"action": "selfdestruct", "csrf_token": csrf(client)}).status_code == 400


def test_an_unwritable_inbox_is_a_message_not_a_crash(make_app, tmp_path, cfg, clock):
    base = tmp_path / "ro"
    base.mkdir()
    (base / "commands").write_text("a file where the folder should be")
    c = make_app(base / "history.db").test_client()
    r = c.post("/action", data={"action": "done", "csrf_token": csrf(c)}, follow_redirects=True)
    assert r.status_code == 200 and "Could not reach the daemon" in r.get_data(as_text=True)


def test_chart_axes_have_round_ticks():
    from dashboard.charts import Bar, bar_chart
    svg = bar_chart([Bar(str(i), [v], "t") for i, v in enumerate([5.0, 7.2, 3.1] * 10)],
                    refs=[(6.0, "budget")], yfmt=lambda v: f"{v:g} h")
    assert re.findall(r'class="ylab"[^>]*>([^<]*)<', svg) == ["0 h", "2 h", "4 h", "6 h", "8 h"]
    counts = bar_chart([Bar("a", [3, 1], "t")], integer=True, series=("a", "b"))
    assert re.findall(r'class="ylab"[^>]*>([^<]*)<', counts) == ["0", "1", "2", "3", "4"]


def test_a_reference_label_moves_left_when_todays_bar_reaches_it():
    from dashboard.charts import Bar, bar_chart

    def label_x(values):
        svg = bar_chart([Bar(str(i), [v], "t") for i, v in enumerate(values)], refs=[(60.0, "60 min")])
        ((cls, x),) = re.findall(r'<text class="(reflab[^"]*)" x="([\d.]+)"[^>]*>60 min<', svg)
        return float(x), float(x) < 260

    quiet_month = [20.0] * 29
    assert label_x(quiet_month + [20.0]) == (520 - 8 - 2, False)        # right end, clear of the bars
    x, from_start = label_x(quiet_month + [68.0])                         # today's long bout crosses the line
    assert from_start and x < 110                                         # its end: 40 + "60 min" + padding
    x, from_start = label_x([75.0] + quiet_month[1:] + [68.0])           # both ends taken: a free stretch between
    assert 110 < x < 500 and not from_start                              # ... not over the last bar (500-510)


@pytest.mark.parametrize("day", ["2199-12-31", "2100-01-01", str((NOW + timedelta(days=1)).date())])
def test_a_day_still_to_come_is_a_404(client, day):
    r = client.get(f"/day/{day}")
    assert r.status_code == 404 and "not yet" in r.get_data(as_text=True)
    r = client.get(f"/api/day/{day}")
    assert r.status_code == 404 and r.is_json
    assert client.get(f"/day/{NOW.date()}").status_code == 200  # today is today


def test_the_nav_marks_today_only_on_today(client):
    nav = lambda html: re.findall(r'<a href="[^"]*" aria-current="page">([^<]+)<',  # noqa: E731
                                  html.split("<nav>", 1)[1].split("</nav>", 1)[0])
    assert nav(client.get("/").get_data(as_text=True)) == ["Today"]
    assert nav(client.get(f"/day/{NOW.date()}").get_data(as_text=True)) == ["Today"]
    assert nav(client.get(f"/day/{(NOW - timedelta(days=1)).date()}").get_data(as_text=True)) == []
    assert nav(client.get("/history").get_data(as_text=True)) == ["History"]


def test_today_says_what_pir_only_cannot_tell(make_app, seeded, cfg):
    note = "a still\n  reader and an empty chair look alike"
    assert note not in make_app(seeded[0]).test_client().get("/").get_data(as_text=True)
    pir = make_app(seeded[0], config=cfg.replace(sensing={"sensors": "pir"})).test_client()
    for path in ("/", f"/day/{(NOW.date() - timedelta(days=1)).isoformat()}"):
        html = pir.get(path).get_data(as_text=True)
        assert 'id="sensor-note"' in html and note in html, path
        assert "over- or under-counted" in html and "late or not at all" in html
