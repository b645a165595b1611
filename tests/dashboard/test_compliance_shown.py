"""The Today page's compliance figure reads the same before and after its live updates (real Chromium).

The page rendered it with Python's '%.0f' (12.5 -> '12%'), today.js with Math.round
(12.5 -> '13%'): one figure, two values a few seconds apart. Both now show the
server's text.
"""
from __future__ import annotations

import os
import re
from datetime import timedelta

from dash_seed import CHROMIUM, CHROMIUM_ARGS, NOW, Served

from device.core.events import EventFactory, IdFactory
from device.adapters.store import Store

MORNING = NOW.replace(hour=8, minute=0, second=0, microsecond=0)


def one_in_eight_answered(db) -> None:
    """Eight asks today, the first done in time, the others snoozed: compliance 12.5 %."""
    make = EventFactory(lambda t: MORNING + timedelta(seconds=t), IdFactory(node=5)).make
    events = [make("sit_start", 0.0, sensor="seat", new_bout=True)]
    for i in range(8):
        t = 1800.0 * (i + 1)
        events.append(make("prompt", t, level=1, kind="seated", exercise={"key": "x", "name": "x"},
                           bout_s=t, beep=False, repeat=1))
        if i == 0:
            events.append(make("exercise_done", t + 60, how="pir", level=1, exercise="x", latency_s=60.0,
                               in_time=True))
        else:
            events.append(make("snooze", t + 60))
    with Store(db) as s:
        s.add(events)
        s.flush()


def test_the_compliance_figure_is_the_same_on_the_page_and_after_its_live_updates(make_app, tmp_path):
    assert os.path.exists(CHROMIUM), f"{CHROMIUM} is missing: apt-get install chromium"
    from playwright.sync_api import sync_playwright

    db = tmp_path / "history.db"
    one_in_eight_answered(db)
    app = make_app(db)
    app.config["POLL_MS"] = 250
    with Served(app) as srv, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            api = page.request.get(srv.url + "/api/status").json()
            assert api["today"]["compliance"] == 12.5
            html = page.request.get(srv.url + "/").text()
            rendered = re.search(r'id="compliance">([^<]*)<', html).group(1)
            page.goto(srv.url + "/")
            for _ in range(2):  # two polls of /api/status, each rewriting the figure
                with page.expect_response(lambda r: "/api/status" in r.url):
                    pass
            page.wait_for_function("document.getElementById('compliance').textContent !== ''")
            assert page.locator("#compliance").inner_text() == rendered == "12%"
        finally:
            browser.close()
