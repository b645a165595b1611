"""Regenerate the dashboard screenshots in this folder: a simulated month (the person answering
prompts as in the demo) served by waitress, photographed by Debian's headless Chromium at phone (390x844) and desktop (1366x900) sizes.

    .venv/bin/python docs/screenshots/make_screenshots.py
"""
from __future__ import annotations

import sys
import tempfile
from datetime import datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "dashboard")]

from dash_seed import CHROMIUM, CHROMIUM_ARGS, Served, seed_history, write_status  # noqa: E402

from dashboard import create_app  # noqa: E402
from device.adapters.clock import FakeClock  # noqa: E402
from device.config import Config  # noqa: E402

START = datetime.fromisoformat("2026-01-05T00:00:00+01:00")
DAYS = 80
NOW = START + timedelta(days=DAYS - 1, hours=15, minutes=40)
SIZES = {"phone": (390, 844), "desktop": (1366, 900)}


def main() -> None:
    from playwright.sync_api import sync_playwright
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "history.db"
        cfg = Config().replace(device={"name": "Study desk"}, dashboard={"secret_key": "x" * 40})
        status = seed_history(db, cfg, START, DAYS, seed=11, until=NOW, answers=True)
        write_status(db, status)
        app = create_app(cfg, db_path=db, clock=FakeClock(NOW))
        with Served(app) as srv, sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for scheme in ("light", "dark"):
                for size, (w, h) in SIZES.items():
                    ctx = browser.new_context(viewport={"width": w, "height": h}, color_scheme=scheme,
                                              device_scale_factor=2 if size == "phone" else 1)
                    page = ctx.new_page()
                    suffix = "" if scheme == "light" else "-dark"
                    for name, path in (("today", "/"), ("history", "/history?range=month")):
                        if scheme == "dark" and (size == "phone" or name == "history"):
                            continue
                        page.goto(srv.url + path)
                        page.screenshot(path=str(HERE / f"{name}-{size}{suffix}.png"), full_page=True)
                    if scheme == "light" and size == "desktop":
                        page.goto(srv.url + "/history?range=year")
                        page.screenshot(path=str(HERE / "history-year-desktop.png"), full_page=True)
                    ctx.close()
            browser.close()


if __name__ == "__main__":
    main()
