"""The task form's pickers in a real Chromium: the owner unit typed ahead, the owner person
filtered by it, the co-units added as chips and removed again; the task saved with them."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.test_login_flow import submit_login
from tests.factories import PASSWORD
from tracker.extensions import db
from tracker.models import Task

pytestmark = pytest.mark.browser


def test_units_typed_ahead_owner_filtered_and_co_units_as_chips(page, make, problems):
    school = make.unit(name="城关第一小学", kind="school")
    make.unit(name="城关第二小学", kind="school")
    helper = make.unit(name="安全股", kind="department")
    other = make.unit(name="教研室", kind="department")
    head = make.user("unit_head", unit=school, display_name="刘校长")
    make.user("unit_head", unit=other, display_name="陈主任")
    plan = make.plan()
    make.measure(plan)
    office = make.user("office")
    plan_id, school_id, head_id, helper_id = plan.id, school.id, head.id, helper.id

    page.goto("/login")
    submit_login(page, office.username, PASSWORD)
    page.goto(f"/plans/{plan_id}/tasks/new")
    page.fill("#title", "校园安全排查")
    page.fill("#standard", "形成排查台账")
    page.fill("#starts_on", "2026-10-01")
    page.fill("#due_on", "2026-12-31")

    unit_box = page.locator("#owner_unit_id-search")
    expect(page.locator("select[name=owner_unit_id]")).to_be_hidden()
    unit_box.fill("城关")
    options = page.locator("[role=option]:visible")
    expect(options).to_have_count(2)
    options.filter(has_text="城关第一小学").click()
    expect(unit_box).to_have_value("城关第一小学")
    expect(page.locator("select[name=owner_unit_id]")).to_have_value(str(school_id))

    owner = page.locator("select[name=owner_user_id]")
    expect(owner.locator("option")).to_have_count(2)  # the empty choice and 刘校长 only
    expect(owner).to_contain_text("刘校长")
    expect(owner).not_to_contain_text("陈主任")
    owner.select_option(str(head_id))

    co_box = page.locator("#co_unit_ids-search")
    co_box.fill("安全")
    page.locator("[role=option]:visible", has_text="安全股").click()
    co_box.fill("教研")
    page.locator("[role=option]:visible", has_text="教研室").click()
    chips = page.locator(".unit-chip")
    expect(chips).to_have_count(2)
    chips.filter(has_text="教研室").get_by_role("button").click()
    expect(chips).to_have_count(1)
    expect(chips.first).to_contain_text("安全股")

    with page.expect_navigation():
        page.get_by_role("button", name="保存").click()
    expect(page.locator("h1")).to_contain_text("校园安全排查")
    db.session.expire_all()
    task = db.session.query(Task).filter_by(title="校园安全排查").one()
    assert task.owner_unit_id == school_id and task.owner_user_id == head_id
    assert [unit.id for unit in task.co_units] == [helper_id]
    assert problems.items == []
