"""Log-in, language switch, log-out, lockout and the phone menu in a real Chromium."""

from __future__ import annotations

import re

import pytest
from flask_babel import force_locale, gettext
from playwright.sync_api import expect
from sqlalchemy import func, select

from tests.browser.conftest import PHONE
from tests.factories import PASSWORD
from tracker.extensions import db
from tracker.models import Unit

pytestmark = pytest.mark.browser

LOGIN_URL = re.compile(r"/login(\?.*)?$")
DASHBOARD_URL = re.compile(r"://[^/]+/$")
OVERVIEW_URL = re.compile(r"://[^/]+/overview$")


def submit_login(page, username: str, password: str) -> None:
    page.locator("#username").fill(username)
    page.locator("#password").fill(password)
    with page.expect_navigation():
        page.locator("form.form input[type=submit]").click()


def wrong_credentials_message(app) -> str:
    with app.test_request_context(), force_locale("zh_CN"):
        return gettext("Wrong username or password.")


def test_office_user_logs_in_in_chinese_switches_to_english_and_logs_out(page, make, problems):
    for _ in range(3):
        make.unit()
    units = db.session.scalar(select(func.count(Unit.id)).where(Unit.is_archived.is_(False)))
    assert units == 3
    user = make.user("office")

    page.goto("/login")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.get_by_role("heading", name="登录")).to_be_visible()
    expect(page.get_by_role("button", name="登录", exact=True)).to_be_visible()
    submit_login(page, user.username, PASSWORD)

    expect(page).to_have_url(DASHBOARD_URL)
    expect(page.get_by_role("heading", name="待办事项")).to_be_visible()
    with page.expect_navigation():
        page.get_by_test_id("overview-link").click()
    expect(page.get_by_test_id("units-total")).to_have_text(str(units))

    with page.expect_navigation():
        page.get_by_test_id("language-switch").click()
    expect(page).to_have_url(OVERVIEW_URL)
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", name="The organisation at a glance")).to_be_visible()
    expect(page.get_by_test_id("units-total")).to_have_text(str(units))

    page.get_by_test_id("account-menu").click()
    logout = page.get_by_test_id("logout")
    expect(logout).to_be_visible()  # Bootstrap's dropdown opened it
    with page.expect_navigation():
        logout.click()
    expect(page).to_have_url(LOGIN_URL)
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()

    # the session is gone: a signed-in page sends us back to the log-in page
    page.goto("/inbox")
    expect(page).to_have_url(LOGIN_URL)
    with page.expect_navigation():
        page.get_by_test_id("language-switch").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.get_by_role("heading", name="登录")).to_be_visible()
    assert problems.items == []


def test_five_wrong_passwords_lock_the_account_even_for_the_right_one(app, page, make, problems):
    user = make.user("office")
    message = wrong_credentials_message(app)
    locked = re.compile(r"^该账号登录失败次数过多，请 15 分钟后（\d\d:\d\d 以后）再试。$")
    error = page.locator(".invalid-feedback")

    page.goto("/login")
    for _ in range(4):
        submit_login(page, user.username, "not-the-password")
        expect(page).to_have_url(LOGIN_URL)
        expect(error).to_have_text(message)
    submit_login(page, user.username, "not-the-password")  # the fifth locks, and says until when
    expect(error).to_have_text(locked)

    for _ in range(2):  # the right password, sixth and seventh time: still refused from here
        submit_login(page, user.username, PASSWORD)
        expect(page).to_have_url(LOGIN_URL)
        expect(page.get_by_role("heading", name="登录")).to_be_visible()
        expect(error).to_have_text(locked)
        expect(page.get_by_test_id("account-menu")).to_have_count(0)

    page.goto("/inbox")
    expect(page).to_have_url(LOGIN_URL)
    db.session.refresh(user)
    assert user.last_login_at is None
    # a refused log-in answers 400, a locked one 429, which Chromium logs; nothing else may complain
    assert problems.items and all(
        ("status of 400" in item or "status of 429" in item) and item.endswith("/login)")
        for item in problems.items
    ), problems.items


def test_phone_navbar_collapses_and_the_toggler_opens_it(new_page, live_server, make, problems):
    page = new_page(viewport=PHONE)
    scripts: list[str] = []
    page.on(
        "request",
        lambda request: scripts.append(request.url) if request.resource_type == "script" else None,
    )
    user = make.user("office")
    page.goto("/login")
    submit_login(page, user.username, PASSWORD)
    expect(page.get_by_role("heading", name="待办事项")).to_be_visible()

    toggler = page.locator(".navbar-toggler")
    menu = page.locator("#nav")
    expect(toggler).to_be_visible()
    expect(menu).to_be_hidden()
    expect(page.get_by_test_id("account-menu")).to_be_hidden()

    toggler.click()
    expect(menu).to_be_visible()
    expect(toggler).to_have_attribute("aria-expanded", "true")
    expect(menu).to_have_class(re.compile(r"\bcollapse show\b"))  # the opening animation is over
    expect(page.get_by_test_id("account-menu")).to_be_visible()
    expect(menu.get_by_role("link", name="首页")).to_be_visible()

    page.get_by_test_id("account-menu").click()
    expect(page.get_by_test_id("logout")).to_be_visible()
    assert any("bootstrap" in url for url in scripts), scripts
    assert all(url.startswith(live_server.url + "/") for url in scripts), scripts
    assert problems.items == []


def test_no_console_errors_or_csp_violations(new_page, make, problems):
    """The pages of these flows load their scripts and styles without complaint."""
    make.unit()
    admin = make.user("admin")
    page = new_page()
    for path in ("/public/", "/login"):
        response = page.goto(path)
        assert response is not None and response.ok, path
    submit_login(page, admin.username, PASSWORD)
    expect(page.get_by_role("heading", name="待办事项")).to_be_visible()
    for path in (
        "/admin/units",
        "/admin/units/new",
        "/admin/users",
        "/admin/import",
        "/admin/settings",
        "/admin/audit",
        "/account/password",
        "/",
    ):
        response = page.goto(path)
        assert response is not None and response.ok, (path, response and response.status)
    with page.expect_navigation():
        page.get_by_test_id("language-switch").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")

    phone = new_page(viewport=PHONE)
    phone.goto("/login")
    expect(phone.locator(".navbar-toggler")).to_be_visible()
    assert problems.items == []
