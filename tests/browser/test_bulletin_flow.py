"""The office generates the month's bulletin, a leader approves, the office publishes, the public reads."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.test_login_flow import submit_login
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser


def log_in(page, user):
    page.goto("/login")
    submit_login(page, user.username, PASSWORD)


def log_out(page):
    page.get_by_test_id("account-menu").click()
    with page.expect_navigation():
        page.get_by_test_id("logout").click()


def test_generate_approve_publish_and_read_publicly(page, make, problems):
    school = make.unit(name="城关小学")
    task = make.task(make.measure(make.plan()), school, starts_on="2026-10-01", due_on="2026-10-10",
                     milestones=[{"on": "2026-10-10", "percent": 100}])
    make.entry(task, 100, "2026-10-09")
    office, leader = make.user("office"), make.user("leader")

    log_in(page, office)
    page.goto("/bulletins")
    page.locator("select[name=kind]").select_option("monthly")
    page.locator("input[name=period]").fill("2026-10")
    with page.expect_navigation():
        page.locator("form[action$='/bulletins/generate'] button").click()
    expect(page.get_by_test_id("unit-table")).to_contain_text("城关小学")
    page.locator("#narrative").fill("十月份作风整顿工作总体推进有序。")
    with page.expect_navigation():
        page.locator("form:has(#narrative) button[type=submit]").click()
    bulletin_url = page.url
    log_out(page)

    log_in(page, leader)
    page.goto(bulletin_url)
    with page.expect_navigation():
        page.get_by_test_id("bulletin-approve").click()
    log_out(page)

    log_in(page, office)
    page.goto(bulletin_url)
    with page.expect_navigation():
        page.get_by_test_id("bulletin-publish").click()
    expect(page.get_by_test_id("bulletin-number")).to_have_text(re.compile(r"〔\d{4}〕1号"))
    log_out(page)

    page.goto("/public/bulletins")
    with page.expect_navigation():
        page.get_by_role("link", name=re.compile("2026-10")).click()
    expect(page.locator("article")).to_contain_text("十月份作风整顿工作总体推进有序。")
    expect(page.get_by_test_id("unit-table")).to_contain_text("城关小学")
    assert problems.items == []
