"""The rectification office's day at a desk, each errand opened from a number of the home page:
triage and dispatch a new complaint, verify a claimed task, run last week's round and note a
finding, draft the month's bulletin. Each home number follows the work: the queues empty, the
round's line leads to the round run, the new draft counts as waiting for a leader."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from tests.browser.test_login_flow import submit_login
from tests.factories import PASSWORD, complaint_input
from tracker import clock
from tracker.extensions import db
from tracker.services import complaints, supervision

pytestmark = pytest.mark.browser


def count_of(page, testid: str):
    return expect(page.get_by_test_id(testid))


def home(page) -> None:
    with page.expect_navigation():
        page.locator("a.navbar-brand").click()
    expect(page.get_by_test_id("home")).to_be_visible()


def test_the_office_works_through_its_home(new_page, make, problems):
    today = clock.today()
    week = supervision.last_full_week(today)
    school = make.unit(name="城关小学")
    office = make.user("office")
    measure = make.measure(make.plan())
    claimed = make.task(
        measure,
        school,
        title="建立师德师风档案",
        starts_on=today - timedelta(days=40),
        due_on=today + timedelta(days=20),
    )
    make.entry(claimed, 100, today - timedelta(days=1), narrative="全校教师师德档案已建立")
    make.task(
        measure,
        school,
        title="开展家访活动",
        starts_on=week - timedelta(days=30),
        due_on=week + timedelta(days=3),
    )  # no report: a finding of last week's round
    complaints.submit(
        make.actor(None),
        complaint_input(
            category="business_tutoring",
            unit_id=school.id,
            description="四年级数学老师周末办班补课，每月收费800元。",
            name="李家长",
            contact="13912345678",
        ),
    )
    db.session.commit()
    claimed_id = claimed.id
    page = new_page()
    page.on("dialog", lambda dialog: dialog.accept())  # the confirmations asked before closing a round

    page.goto("/login")
    submit_login(page, office.username, PASSWORD)
    count_of(page, "home-complaints-triage").to_have_attribute("data-count", "1")
    count_of(page, "home-ledger-verify").to_have_attribute("data-count", "1")
    count_of(page, "home-bulletins-drafts").to_have_attribute("data-count", "0")

    # 1. triage: accept the new complaint and dispatch it to the school it names
    with page.expect_navigation():
        page.get_by_test_id("home-complaints-triage").click()
    with page.expect_navigation():
        page.get_by_test_id("complaint-table").get_by_role("link").filter(
            has_text="四年级数学老师"
        ).first.click()
    expect(page.get_by_test_id("personal")).to_contain_text("13912345678")
    with page.expect_navigation():
        page.get_by_test_id("accept").click()
    expect(page.locator("select[name=unit_id]")).to_have_value(str(school.id))
    with page.expect_navigation():
        page.get_by_test_id("dispatch").click()
    expect(page.get_by_test_id("history")).to_contain_text("城关小学")
    home(page)
    count_of(page, "home-complaints-triage").to_have_attribute("data-count", "0")
    count_of(page, "home-complaints-dispatch").to_have_attribute("data-count", "0")

    # 2. verify the task whose unit reported 100 %
    with page.expect_navigation():
        page.get_by_test_id("home-ledger-verify").click()
    claim = page.locator(f"[data-task-id='{claimed_id}']")
    expect(claim.get_by_test_id("claim-narrative")).to_contain_text("全校教师师德档案已建立")
    claim.locator("input[name=decision][value=accept]").check()
    with page.expect_navigation():
        claim.locator("button[type=submit]").click()
    expect(page.locator(".alert-success")).to_be_visible()
    expect(page.locator(f"[data-task-id='{claimed_id}']")).to_have_count(0)
    home(page)
    count_of(page, "home-ledger-verify").to_have_attribute("data-count", "0")

    # 3. last week's round has not run: run it, note the finding for the school, close it
    round_link = page.get_by_test_id("home-supervision-round")
    expect(round_link).to_contain_text(week.isoformat())
    with page.expect_navigation():
        round_link.click()
    expect(page.locator("#week_start")).to_have_value(week.isoformat())
    with page.expect_navigation():
        page.get_by_role("button", name="开展督导").click()
    expect(page.locator(".alert-success")).to_be_visible()
    finding = page.locator("li[id^=f]").filter(has_text="开展家访活动")
    expect(finding).to_have_count(1)
    finding.locator("input[name=unit_note]").fill("请本周内完成首轮家访并报告进度")
    with page.expect_navigation():
        finding.get_by_role("button", name="保存").click()
    expect(page.locator("li[id^=f]").filter(has_text="开展家访活动")).to_contain_text(
        "请本周内完成首轮家访并报告进度"
    )
    round_path = page.url.split("://", 1)[1].split("/", 1)[1].split("#")[0]
    with page.expect_navigation():
        page.get_by_role("button", name="结束本轮督导").click()
    expect(page.get_by_role("button", name="结束本轮督导")).to_have_count(0)
    home(page)  # the home now links to the round's findings
    count_of(page, "home-supervision-round").to_have_attribute("href", "/" + round_path)

    # 4. the month just ended: generate its bulletin, write the narrative; it waits for a leader
    with page.expect_navigation():
        page.get_by_test_id("home-bulletins-drafts").click()
    last_month = (today.replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    page.locator("select[name=kind]").select_option("monthly")
    page.locator("input[name=period]").fill(last_month)
    with page.expect_navigation():
        page.locator("form[action$='/bulletins/generate'] button").click()
    expect(page.get_by_test_id("bulletin-number")).to_contain_text("草稿")
    page.locator("#narrative").fill("本月作风整顿工作总体推进有序。")
    with page.expect_navigation():
        page.locator("form:has(#narrative) button[type=submit]").click()
    expect(page.locator("#narrative")).to_have_value("本月作风整顿工作总体推进有序。")
    home(page)
    count_of(page, "home-bulletins-drafts").to_have_attribute("data-count", "1")
    assert problems.items == []
