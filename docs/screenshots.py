"""Take the README screenshots and the user guide's pictures from a throw-away demo instance.

Run from the repository root:

    .venv/bin/python docs/screenshots.py            # both sets
    .venv/bin/python docs/screenshots.py readme     # only the README's, in docs/screenshots/
    .venv/bin/python docs/screenshots.py guide      # only the guide's, in docs/guide/img/

It makes a temporary instance folder with its own SQLite database, migrates
it, loads the demo bureau, serves it on 127.0.0.1 and a free port, and drives
Debian's Chromium (/usr/bin/chromium) through Playwright, in Chinese. The
guide's pictures walk each role's day through the demo as the guide tells it
(a complaint is filed, a report drafted…, all in the temporary database) and
are saved with a palette of 256 colours to keep them small. Nothing outside
the temporary folder and the two picture folders is touched.
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

from tracker import clock, create_app, demo
from tracker.extensions import db

OUT = Path(__file__).resolve().parent / "screenshots"
GUIDE_OUT = Path(__file__).resolve().parent / "guide" / "img"
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


def shoot_small(page, name: str, full_page: bool = False) -> None:
    """A guide picture: the page as shown, its colours reduced to a palette of 256."""
    from PIL import Image

    page.evaluate("document.fonts.ready.then(() => true)")
    path = GUIDE_OUT / name
    page.screenshot(path=str(path), full_page=full_page)
    with Image.open(path) as image:
        small = image.convert("RGB").quantize(colors=256, dither=Image.Dither.NONE)
    small.save(path, optimize=True)
    print(f"wrote {path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path}")


def follow(page, testid: str) -> None:
    """Open the home page and follow one of its numbers."""
    page.goto("/")
    with page.expect_navigation():
        page.get_by_test_id(testid).click()


def open_first(page, selector: str) -> None:
    with page.expect_navigation():
        page.locator(selector).first.click()


def take(base_url: str, *, readme: bool, invitation: str | None) -> None:
    """The README's pictures if ``readme``; the guide's if given a public invitation code."""
    OUT.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:

            def context(viewport=DESKTOP):
                return browser.new_context(
                    base_url=base_url, locale="zh-CN", viewport=viewport, device_scale_factor=1
                )

            if readme:
                take_readme(context)
            if invitation is not None:
                take_guide(context, invitation)
        finally:
            browser.close()


def take_readme(context) -> None:
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


def take_guide(context, invitation: str) -> None:
    """The guide's pictures, each role's day in the order docs/guide/ tells it."""
    GUIDE_OUT.mkdir(parents=True, exist_ok=True)

    # the public, on a phone: file a complaint, follow it, vote with a code
    parent = context(PHONE)
    page = parent.new_page()
    page.goto("/")
    shoot_small(page, "public-home-phone.png")
    page.goto("/public/complaints/new")
    page.locator("select[name=category]").select_option("buck_passing")
    page.locator("[data-filter-select=unit_id]").fill("城关")
    page.locator("select[name=unit_id]").select_option(label="城关小学")
    page.locator("textarea[name=description]").fill("学校办理转学手续一再推诿，往返五次未办结。")
    shoot_small(page, "public-complaint-form-phone.png")
    with page.expect_navigation():
        page.get_by_test_id("complaint-submit").click()
    shoot_small(page, "public-receipt-phone.png")
    code = page.get_by_test_id("tracking-code").inner_text().replace(" ", "")
    page.goto("/public/complaints/track")
    page.locator("input[name=code]").fill(code)
    with page.expect_navigation():
        page.get_by_test_id("track-submit").click()
    shoot_small(page, "public-track-phone.png")
    page.goto("/public/vote")
    page.locator("input[name=code]").fill(invitation)
    with page.expect_navigation():
        page.locator("main button[type=submit]").click()
    unit_id = page.get_by_test_id("ballot-unit").first.get_attribute("data-unit-id")
    for key in ("spirit", "conduct", "delivery"):
        page.locator(f"label[for=u{unit_id}_{key}_satisfied]").click()
    shoot_small(page, "public-ballot-phone.png")
    with page.expect_navigation():
        page.get_by_test_id("ballot-review").click()
    shoot_small(page, "public-ballot-review-phone.png")
    parent.close()

    # the office, at a desk
    office = context()
    page = log_in(office, "office")
    shoot_small(page, "office-home.png")
    follow(page, "home-complaints-triage")
    shoot_small(page, "office-complaints-triage.png")
    open_first(page, "[data-testid=complaint-table] tbody a[href*='/complaints/']")
    with page.expect_navigation():
        page.get_by_test_id("accept").click()
    shoot_small(page, "office-complaint-dispatch.png")
    follow(page, "home-ledger-verify")
    shoot_small(page, "office-verification.png")
    follow(page, "home-supervision-round")
    shoot_small(page, "office-round.png")
    page.goto("/bulletins")
    shoot_small(page, "office-bulletins.png")
    follow(page, "home-bulletins-drafts")
    open_first(page, "main a.list-group-item[href*='/bulletins/']")
    shoot_small(page, "office-bulletin-draft.png")
    follow(page, "home-notices-reported")
    shoot_small(page, "office-notices.png")
    page.goto("/ledger?sort=urgency")
    shoot_small(page, "office-ledger.png")
    office.close()

    # a leader, at a desk
    leader = context()
    page = log_in(leader, "wangdongshu")
    shoot_small(page, "leader-home.png")
    follow(page, "home-approvals-approve")
    open_first(page, "main a.list-group-item[href*='/bulletins/']")
    with page.expect_navigation():
        page.get_by_test_id("bulletin-approve").click()
    shoot_small(page, "leader-bulletin-approve.png")
    follow(page, "home-approvals-decide")
    open_first(page, "table.flag-register tbody a")
    shoot_small(page, "leader-flag.png", full_page=True)
    leader.close()

    # a school head, on a phone
    head = context(PHONE)
    page = log_in(head, "yz.head")
    shoot_small(page, "head-home-phone.png")
    follow(page, "home-tasks-mine")
    shoot_small(page, "head-my-tasks-phone.png")
    follow(page, "home-complaints-replies")
    open_first(page, "main a[href*='/complaints/']")
    page.get_by_test_id("reply-form").scroll_into_view_if_needed()
    shoot_small(page, "head-complaint-reply-phone.png")
    follow(page, "home-notices-issued")
    open_first(page, "[data-testid=notice-row]")
    shoot_small(page, "head-notice-phone.png")
    head.close()

    # a staff member drafts a report; the head finds it waiting
    member = context()
    page = log_in(member, "yz.staff")
    shoot_small(page, "member-home.png")
    follow(page, "home-tasks-mine")
    card = page.locator("[data-task-id]").first
    card.locator("input[name=percent]").fill("70")
    card.locator("textarea[name=narrative]").fill("第四个专题学习已完成，研讨记录已整理")
    with page.expect_navigation():
        card.locator("button[type=submit]").click()
    shoot_small(page, "member-draft-saved.png")
    member.close()
    head = context(PHONE)
    page = log_in(head, "yz.head")
    follow(page, "home-drafts-drafts")
    page.evaluate("window.scrollTo(0, 0)")  # the link's anchor scrolls the drafts under the top bar
    shoot_small(page, "head-drafts-phone.png")
    head.close()

    # the administrator
    admin = context()
    page = log_in(admin, "admin")
    shoot_small(page, "admin-home.png")
    page.goto("/admin/users")
    shoot_small(page, "admin-users.png")
    follow(page, "home-jobs-jobs")
    shoot_small(page, "admin-jobs.png")
    admin.close()


def invitation_code(app) -> str:
    """A fresh public invitation code of the demo's open rating round."""
    from sqlalchemy import select

    from tracker.models import RatingRound
    from tracker.services import ratings
    from tracker.services.audit import Actor
    from tracker.services.codes import group

    with app.app_context():
        rnd = db.session.scalar(select(RatingRound).where(RatingRound.status == "open"))
        _batch, codes = ratings.generate_invitations(Actor(None, "cli", clock.now()), rnd, "public", 1)
        db.session.commit()
        return group(codes[0])


def main(which: str = "all") -> int:
    if which not in ("all", "readme", "guide"):
        print("usage: docs/screenshots.py [readme|guide]", file=sys.stderr)
        return 2
    if not Path(CHROMIUM).exists():
        print(f"Chromium not found at {CHROMIUM}", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory(prefix="tracker-screenshots-") as tmp:
        app = demo_app(Path(tmp))
        server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_QuietHandler)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            base_url = f"http://127.0.0.1:{server.server_port}"
            invitation = invitation_code(app) if which in ("all", "guide") else None
            take(base_url, readme=which in ("all", "readme"), invitation=invitation)
        finally:
            server.shutdown()
            thread.join(timeout=10)
            server.server_close()
            with app.app_context():
                db.engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:2]))
