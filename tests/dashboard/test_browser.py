"""A real headless Chromium against the dashboard served by waitress: Today, History, live updates.

Fails (never skips) when Debian's chromium is missing: the dashboard's CSP and
its polling script are only really tested by a browser.
"""
from __future__ import annotations

import os
import shutil
from datetime import timedelta

import pytest
from dash_seed import CHROMIUM, CHROMIUM_ARGS, NOW, Served, write_status


@pytest.fixture
def live_db(seeded, tmp_path):
    db = tmp_path / "history.db"
    shutil.copy(seeded[0], db)
    return db


def test_today_and_history_in_chromium(make_app, live_db, seeded, tmp_path):
    assert os.path.exists(CHROMIUM), f"{CHROMIUM} is missing: apt-get install chromium"
    from playwright.sync_api import expect, sync_playwright

    app = make_app(live_db)
    app.config["POLL_MS"] = 250
    problems: list[str] = []
    with Served(app) as srv, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1366, "height": 900})
            page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type in ("error", "warning") else None)
            page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
            # a poll still in flight when the page navigates away is aborted by design
            page.on("requestfailed", lambda r: None if "ERR_ABORTED" in (r.failure or "")
                    else problems.append(f"request failed: {r.url} {r.failure}"))

            page.goto(srv.url + "/")
            timeline = page.locator("svg.timeline")
            expect(timeline).to_be_visible()
            assert timeline.locator("rect.tl-sit").count() > 3
            # in one evaluate: the page swaps in a new timeline every poll, so a locator's box may be gone
            assert page.evaluate("document.querySelector('svg.timeline').getBoundingClientRect().width") > 600
            assert_readable_labels(page, "svg.timeline text.tlab", at_least=6)
            expect(page.locator("#state")).to_have_text("Seated" if seeded[1]["seated"] else "Away")

            # the daemon writes a new status: the page follows without a reload
            page.evaluate("window.__marker = 1")
            write_status(live_db, dict(seeded[1], seated=False, bout_s=0.0, alert="none", level=0,
                                       next_prompt_in_s=None, updated_ts=NOW.isoformat()))
            expect(page.locator("#state")).to_have_text("Away", timeout=10_000)
            write_status(live_db, dict(seeded[1], seated=True, bout_s=1500.0, alert="none", level=0,
                                       next_prompt_in_s=300.0, updated_ts=NOW.isoformat()))
            expect(page.locator("#state")).to_have_text("Seated", timeout=10_000)
            expect(page.locator("#bout")).to_have_text("25 min", timeout=10_000)
            expect(page.locator("#next-prompt")).to_have_text("5 min", timeout=10_000)
            # seated: the timeline is fetched again and swapped in whole, prompts and all
            page.evaluate("document.querySelector('#timeline svg.timeline').dataset.old = '1'")
            expect(page.locator("#timeline svg.timeline:not([data-old])")).to_have_count(1, timeout=10_000)
            assert page.locator("#timeline > svg").count() == 1
            assert page.locator("#timeline svg.timeline path.tl-prompt").count() > 0
            write_status(live_db, dict(seeded[1], updated_ts=(NOW - timedelta(minutes=30)).isoformat()))
            expect(page.locator("#state")).to_have_text("Daemon not running", timeout=10_000)
            assert page.evaluate("window.__marker") == 1, "the page reloaded instead of updating"
            page.screenshot(path=str(tmp_path / "today.png"), full_page=True)

            page.goto(srv.url + "/history?range=month")
            charts = page.locator("svg.chart")
            expect(charts.first).to_be_visible()
            assert charts.count() == 5
            assert page.locator("svg.chart rect.s-seated").count() >= 15
            assert_readable_labels(page, "svg.chart text.xlab", at_least=5, per_chart=True)
            page.screenshot(path=str(tmp_path / "history.png"), full_page=True)

            # on a phone the same timeline keeps readable, fewer hour labels; the charts' labels grow
            phone = browser.new_page(viewport={"width": 390, "height": 844})
            phone.on("console", lambda m: problems.append(f"phone console {m.type}: {m.text}") if m.type == "error" else None)
            phone.goto(srv.url + "/")
            expect(phone.locator("svg.timeline")).to_be_visible()
            assert_readable_labels(phone, "svg.timeline text.tlab", at_least=3)
            assert phone.evaluate("document.documentElement.scrollWidth") <= 390, "horizontal scroll on a phone"
            phone.goto(srv.url + "/history?range=month")
            assert_readable_labels(phone, "svg.chart text.xlab", at_least=4, per_chart=True)
            assert phone.evaluate("document.documentElement.scrollWidth") <= 390, "horizontal scroll on a phone"
        finally:
            browser.close()
    assert (tmp_path / "today.png").stat().st_size > 10_000
    assert (tmp_path / "history.png").stat().st_size > 10_000
    assert problems == []


def test_a_post_from_the_page_reaches_the_inbox(make_app, live_db, seeded):
    assert os.path.exists(CHROMIUM), f"{CHROMIUM} is missing: apt-get install chromium"
    from playwright.sync_api import expect, sync_playwright

    from dashboard.commands import commands_dir, read_pending_commands
    app = make_app(live_db)
    app.config["POLL_MS"] = 250
    write_status(live_db, dict(seeded[1], seated=True, bout_s=600.0, alert="none", level=0,
                               next_prompt_in_s=1200.0, updated_ts=NOW.isoformat()))
    with Served(app) as srv, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.goto(srv.url + "/")
            done, resume = page.get_by_role("button", name="Done"), page.get_by_role("button", name="Resume")
            expect(done).to_be_hidden()      # no prompt stands: nothing to be done
            expect(resume).to_be_hidden()    # not paused
            # a prompt arrives: the live page offers Done without a reload
            write_status(live_db, dict(seeded[1], seated=True, bout_s=1800.0, alert="routine", level=1,
                                       next_prompt_in_s=300.0, updated_ts=NOW.isoformat()))
            expect(done).to_be_visible(timeout=10_000)
            page.get_by_role("button", name="Snooze").click()
            expect(page.locator(".flash.ok")).to_contain_text("Snoozed")
        finally:
            browser.close()
    assert [c["name"] for c in read_pending_commands(commands_dir(live_db))] == ["snooze"]


def assert_readable_labels(page, selector: str, at_least: int, per_chart: bool = False) -> None:
    """The visible labels are 10-22 px tall on screen and none overlaps its neighbour."""
    groups = page.evaluate("""sel => {
        const out = {};
        for (const e of document.querySelectorAll(sel)) {
            if (getComputedStyle(e).display === 'none') continue;
            const b = e.getBoundingClientRect(), svg = e.closest('svg.chart, svg.timeline');
            const key = Array.prototype.indexOf.call(document.querySelectorAll('svg'), svg);
            (out[key] = out[key] || []).push([b.left, b.right, b.height]);
        }
        return Object.values(out);
    }""", selector)
    assert groups, f"no visible {selector}"
    for boxes in (groups if per_chart else [sum(groups, [])]):
        assert len(boxes) >= at_least, (selector, boxes)
        boxes.sort()
        for left, right, height in boxes:
            assert 10 <= height <= 22, f"{selector}: a label {height:.1f} px tall"
        for (_, right, _), (left, _, _) in zip(boxes, boxes[1:]):
            assert right <= left + 0.5, f"{selector}: labels overlap ({right:.1f} > {left:.1f})"


def test_chart_labels_stay_off_the_bars_and_inside_the_chart(make_app, live_db, tmp_path):
    """Reference labels ("30 min", "budget ...") never sit on a bar; tick labels stay inside the card."""
    assert os.path.exists(CHROMIUM), f"{CHROMIUM} is missing: apt-get install chromium"
    from playwright.sync_api import sync_playwright

    app = make_app(live_db)
    found = []
    with Served(app) as srv, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for width, height in ((1366, 900), (390, 844)):
                page = browser.new_page(viewport={"width": width, "height": height})
                for rng in ("week", "month", "year"):
                    page.goto(srv.url + f"/history?range={rng}")
                    problems = page.evaluate("""() => {
                        const out = [], hit = (a, b) => a.left < b.right - 0.5 && b.left < a.right - 0.5 &&
                                                        a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5;
                        for (const svg of document.querySelectorAll('svg.chart')) {
                            const card = svg.parentElement.getBoundingClientRect();
                            const bars = [...svg.querySelectorAll('rect[class^="s-"]')].map(r => r.getBoundingClientRect());
                            for (const t of svg.querySelectorAll('text.reflab')) {
                                const b = t.getBoundingClientRect();
                                if (bars.some(r => hit(b, r))) out.push(`${svg.getAttribute('aria-label')}: "${t.textContent}" on a bar`);
                            }
                            for (const t of svg.querySelectorAll('text')) {
                                const b = t.getBoundingClientRect();
                                if (b.left < card.left - 0.5 || b.right > card.right + 0.5)
                                    out.push(`${svg.getAttribute('aria-label')}: "${t.textContent}" outside its card`);
                            }
                        }
                        return [out, [...document.querySelectorAll('svg.chart text.reflab')].map(t => t.textContent),
                                [...document.querySelectorAll('svg.chart text.ylab.refy')].map(t => t.textContent)];
                    }""")
                    found.append((width, rng, problems[1], problems[2]))
                    assert problems[0] == [], (width, rng, problems[0])
                    page.screenshot(path=str(tmp_path / f"history-{rng}-{width}.png"), full_page=True)
                page.close()
        finally:
            browser.close()
    # the budget has its own label; 30 and 60 min, when grid lines of the minute axis, are named by their ticks
    assert all(any(t.startswith("budget") for t in labels) and {"30 min", "60 min"} <= set(labels + ticks)
               for _, _, labels, ticks in found), found


def test_pir_only_note_in_chromium(make_app, live_db, cfg, tmp_path):
    """A PIR-only user sees what the sensor cannot tell at the top of Today, on a desk and on a phone."""
    assert os.path.exists(CHROMIUM), f"{CHROMIUM} is missing: apt-get install chromium"
    from playwright.sync_api import expect, sync_playwright

    app = make_app(live_db, config=cfg.replace(sensing={"sensors": "pir"}))
    shots = os.environ.get("DESKPULSE_SHOTS") or str(tmp_path)
    with Served(app) as srv, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for name, width in (("desk", 1366), ("phone", 390)):
                page = browser.new_page(viewport={"width": width, "height": 900})
                page.goto(srv.url + "/")
                note = page.locator("#sensor-note")
                expect(note).to_be_visible()
                expect(note).to_contain_text("still reader and an empty chair look alike")
                box, status = note.bounding_box(), page.locator("#status").bounding_box()
                assert box["y"] + box["height"] <= status["y"], "the note comes before the live status"
                assert page.evaluate("document.documentElement.scrollWidth") <= width
                page.screenshot(path=os.path.join(shots, f"today-pir-{name}.png"))
        finally:
            browser.close()
    assert os.path.getsize(os.path.join(shots, "today-pir-desk.png")) > 10_000
