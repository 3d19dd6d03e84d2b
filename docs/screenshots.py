"""Take the README screenshots from a throw-away demo instance.

Run from the repository root:

    .venv/bin/python docs/screenshots.py

It makes a temporary instance folder with its own SQLite database, migrates
it, loads the demo bureau, serves it on 127.0.0.1 and a free port, and drives
Debian's Chromium (/usr/bin/chromium) through Playwright. The PNG files land
in docs/screenshots/. Nothing outside the temporary folder is touched.
"""

from __future__ import annotations

import os
import sys
import tempfile
import threading
from datetime import date
from pathlib import Path

from flask_migrate import upgrade
from playwright.sync_api import expect, sync_playwright
from werkzeug.serving import WSGIRequestHandler, make_server

from tracker import create_app, demo
from tracker.extensions import db

OUT = Path(__file__).resolve().parent / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, code="-", size="-"):
        pass


def demo_app(instance: Path):
    """Create the app on a fresh SQLite database in ``instance`` with the demo data."""
    os.environ["TRACKER_INSTANCE_PATH"] = str(instance)
    app = create_app(
        {
            "DATABASE_URL": f"sqlite:///{instance / 'tracker.db'}",
            "UPLOAD_FOLDER": str(instance / "uploads"),
            "RATELIMIT_ENABLED": False,
        }
    )
    with app.app_context():
        upgrade()
    result = app.test_cli_runner().invoke(args=["demo"])  # every demo loader, as `tracker demo`
    assert result.exit_code == 0, result.output
    return app


def log_in(context, username: str):
    page = context.new_page()
    page.goto("/login")
    page.locator("#username").fill(username)
    page.locator("#password").fill(demo.PASSWORD)
    with page.expect_navigation():
        page.locator("form.form input[type=submit]").click()
    expect(page.get_by_test_id("account-menu")).to_have_count(1)
    return page


def shoot(page, name: str, full_page: bool = True) -> None:
    page.evaluate("document.fonts.ready.then(() => true)")
    path = OUT / name
    page.screenshot(path=str(path), full_page=full_page)
    print(f"wrote {path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path}")


def take(base_url: str) -> None:
    OUT.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        try:

            def context(viewport=DESKTOP):
                return browser.new_context(
                    base_url=base_url, locale="zh-CN", viewport=viewport, device_scale_factor=1
                )

            anonymous = context()
            page = anonymous.new_page()
            page.goto("/login")
            shoot(page, "login.png")
            anonymous.close()

            office = context()
            page = log_in(office, "office")
            shoot(page, "dashboard.png")
            page.goto("/plans/1")
            shoot(page, "plan.png", full_page=False)
            page.goto("/ledger?plan_id=1&sort=urgency")
            shoot(page, "ledger.png", full_page=False)
            page.goto("/tasks/1")
            shoot(page, "task.png", full_page=False)
            page.goto("/bulletins/1")
            shoot(page, "bulletin.png", full_page=False)
            page.goto("/complaints")
            shoot(page, "complaints.png", full_page=False)
            page.goto(f"/complaints/stats?period={date.today().year}")
            shoot(page, "complaint-rates.png", full_page=False)
            page.goto("/notices")
            shoot(page, "notices.png", full_page=False)
            page.goto("/ratings/2/results")  # the demo's later closed round
            shoot(page, "rating-results.png", full_page=False)
            page.goto("/accountability")
            shoot(page, "flags.png", full_page=False)
            office.close()

            admin = context()
            page = log_in(admin, "admin")
            page.goto("/admin/units")
            shoot(page, "units.png", full_page=False)
            page.goto("/admin/settings")
            shoot(page, "settings.png")
            admin.close()

            phone = context(PHONE)
            shoot(log_in(phone, "office"), "dashboard-phone.png", full_page=False)
            phone.close()
            head = context(PHONE)
            page = log_in(head, "yz.head")
            shoot(page, "head-home-phone.png", full_page=False)
            page.goto("/my-tasks")
            shoot(page, "my-tasks-phone.png", full_page=False)
            head.close()
            parent = context(PHONE)
            page = parent.new_page()
            page.goto("/")
            shoot(page, "public-home-phone.png", full_page=False)
            page.goto("/public/complaints/new")
            shoot(page, "complaint-phone.png", full_page=False)
            page.goto("/public/vote")
            shoot(page, "ballot-phone.png", full_page=False)
            parent.close()
        finally:
            browser.close()


def main() -> int:
    if not Path(CHROMIUM).exists():
        print(f"Chromium not found at {CHROMIUM}", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory(prefix="tracker-screenshots-") as tmp:
        app = demo_app(Path(tmp))
        server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_QuietHandler)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            take(f"http://127.0.0.1:{server.server_port}")
        finally:
            server.shutdown()
            thread.join(timeout=10)
            server.server_close()
            with app.app_context():
                db.engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
