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
    with page.expect_navigation():
        page.get_by_test_id("confirm-approve").click()
    log_out(page)

    log_in(page, office)
    page.goto(bulletin_url)
    with page.expect_navigation():
        page.get_by_test_id("bulletin-publish").click()
    expect(page.get_by_test_id("confirm-consequences")).to_contain_text(re.compile(r"〔\d{4}〕1号"))
    with page.expect_navigation():
        page.get_by_test_id("confirm-publish").click()
    expect(page.get_by_test_id("bulletin-number")).to_have_text(re.compile(r"〔\d{4}〕1号"))
    log_out(page)

    page.goto("/public/bulletins")
    with page.expect_navigation():
        page.get_by_role("link", name=re.compile("2026-10")).click()
    expect(page.locator("article")).to_contain_text("十月份作风整顿工作总体推进有序。")
    expect(page.get_by_test_id("unit-table")).to_contain_text("城关小学")
    assert problems.items == []


def test_a_leader_returns_a_bulletin_with_a_comment_and_the_office_submits_it_again(page, make, problems):
    from tracker.extensions import db
    from tracker.services import bulletins

    office, leader = make.user("office"), make.user("leader")
    bulletin, _created = bulletins.generate(make.actor(office), "monthly", "2026-10")
    db.session.commit()
    bulletin_url = f"/bulletins/{bulletin.id}"

    log_in(page, leader)
    page.goto(bulletin_url)
    with page.expect_navigation():
        page.get_by_test_id("bulletin-return").click()
    with page.expect_navigation():
        page.get_by_test_id("bulletin-return-submit").click()  # no comment: refused, the form again
    expect(page.locator(".invalid-feedback")).to_be_visible()
    page.locator("#comment").fill("请补充十月份投诉办理情况的分析。")
    with page.expect_navigation():
        page.get_by_test_id("bulletin-return-submit").click()
    expect(page.get_by_test_id("bulletin-return")).to_contain_text("请补充十月份投诉办理情况的分析。")
    log_out(page)

    log_in(page, office)
    page.goto(bulletin_url)
    expect(page.get_by_test_id("bulletin-return")).to_contain_text("请补充十月份投诉办理情况的分析。")
    page.locator("#narrative").fill("已补充投诉办理情况分析。")
    with page.expect_navigation():
        page.locator("form:has(#narrative) button[type=submit]").click()
    with page.expect_navigation():
        page.get_by_test_id("bulletin-resubmit").click()
    log_out(page)

    log_in(page, leader)
    page.goto(bulletin_url)
    with page.expect_navigation():
        page.get_by_test_id("bulletin-approve").click()
    with page.expect_navigation():
        page.get_by_test_id("confirm-approve").click()
    expect(page.get_by_test_id("bulletin-number")).to_contain_text("已审核，待发布")
