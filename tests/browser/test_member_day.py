"""A school's staff member drafts a progress report from the home page; the head finds it
waiting on the home page and submits it to the ledger; the member then sees the figure counted
and no draft left."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from tests.browser.test_login_flow import submit_login
from tests.factories import PASSWORD
from tracker import clock

pytestmark = pytest.mark.browser


def log_out(page) -> None:
    page.get_by_test_id("account-menu").click()
    with page.expect_navigation():
        page.get_by_test_id("logout").click()


def test_a_member_drafts_and_the_head_submits(new_page, make, problems):
    today = clock.today()
    school = make.unit(name="城关小学")
    member = make.user("unit_member", unit=school)
    head = make.user("unit_head", unit=school)
    task = make.task(
        make.measure(make.plan()),
        school,
        title="完善家校沟通机制",
        starts_on=today - timedelta(days=10),
        due_on=today + timedelta(days=30),
    )
    make.entry(task, 20, today - timedelta(days=3))
    task_id = task.id

    page = new_page()
    page.goto("/login")
    submit_login(page, member.username, PASSWORD)
    expect(page.get_by_test_id("home-drafts-drafts")).to_have_attribute("data-count", "0")
    with page.expect_navigation():
        page.get_by_test_id("home-tasks-mine").click()
    card = page.locator(f"[data-task-id='{task_id}']")
    expect(card).to_contain_text("实际20%")
    card.locator("input[name=percent]").fill("45")
    card.locator("textarea[name=narrative]").fill("召开家长委员会两次，家校联系册已发放")
    with page.expect_navigation():
        card.locator("button[type=submit]").click()
    expect(page.locator(".alert-success")).to_contain_text("单位负责人")
    card = page.locator(f"[data-task-id='{task_id}']")
    expect(card).to_contain_text("实际20%")  # a draft is not in the ledger yet
    expect(card).to_contain_text("45%")
    expect(page.locator("#drafts")).to_contain_text("召开家长委员会两次")
    with page.expect_navigation():
        page.locator("a.navbar-brand").click()
    expect(page.get_by_test_id("home-drafts-drafts")).to_have_attribute("data-count", "1")
    log_out(page)

    submit_login(page, head.username, PASSWORD)  # logging out leads back to the log-in form
    waiting = page.get_by_test_id("home-drafts-drafts")
    expect(waiting).to_have_attribute("data-count", "1")
    with page.expect_navigation():
        waiting.click()
    draft = page.locator("#drafts .draft-item").filter(has_text="召开家长委员会两次")
    expect(draft).to_contain_text("45%")
    with page.expect_navigation():
        draft.get_by_role("button", name="提交至台账").click()
    expect(page.locator(".alert-success")).to_contain_text("45%")
    expect(page.locator("#drafts")).to_have_count(0)
    expect(page.locator(f"[data-task-id='{task_id}']")).to_contain_text("实际45%")
    log_out(page)

    submit_login(page, member.username, PASSWORD)
    expect(page.get_by_test_id("home-drafts-drafts")).to_have_attribute("data-count", "0")
    with page.expect_navigation():
        page.get_by_test_id("home-tasks-mine").click()
    expect(page.locator(f"[data-task-id='{task_id}']")).to_contain_text("实际45%")
    assert problems.items == []
