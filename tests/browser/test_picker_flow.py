"""The type-ahead pickers in a real Chromium: suggestions as one types, the id submitted, no CSP breach."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.test_login_flow import submit_login
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser


def test_the_ledger_filters_by_a_unit_and_an_owner_picked_as_one_types(page, make, problems):
    school = make.unit(name="城关第一小学")
    make.unit(name="城关第二小学")
    other = make.unit(name="实验中学")
    head = make.user("unit_head", unit=school, display_name="刘校长")
    member = make.user("unit_member", unit=school, display_name="刘老师")
    measure = make.measure(make.plan())
    make.task(measure, unit=school, title="一小的任务", owner_user_id=head.id)
    make.task(measure, unit=school, title="一小老师的任务", owner_user_id=member.id)
    make.task(measure, unit=other, title="实验中学的任务")
    office = make.user("office")
    school_id, head_id = school.id, head.id

    page.goto("/login")
    submit_login(page, office.username, PASSWORD)
    page.goto("/ledger")
    box = page.locator("input[name=unit]")
    box.fill("城关")
    options = page.locator("[role=option]:visible")
    expect(options).to_have_count(2)
    expect(options.first).to_contain_text("城关第二小学")  # by pinyin: 第二 (di er) before 第一 (di yi)
    box.press("ArrowDown")
    box.press("ArrowDown")
    box.press("Enter")  # chooses the suggestion, does not submit yet
    expect(box).to_have_value("城关第一小学")
    expect(page.locator("input[name=unit_id]")).to_have_value(str(school_id))

    owner = page.locator("input[name=owner]")
    owner.fill("刘")  # narrowed to the chosen unit's people
    expect(page.locator("[role=option]:visible")).to_have_count(2)
    page.locator("[role=option]:visible", has_text="刘校长").click()
    expect(page.locator("input[name=owner_user_id]")).to_have_value(str(head_id))
    with page.expect_navigation():
        page.get_by_role("button", name=re.compile("筛选")).click()
    table = page.get_by_test_id("ledger-table")
    expect(table).to_contain_text("一小的任务")
    expect(table).not_to_contain_text("一小老师的任务")
    expect(table).not_to_contain_text("实验中学的任务")
    assert f"unit_id={school_id}" in page.url and f"owner_user_id={head_id}" in page.url

    # typing over a chosen name clears the id: the typed name is what counts
    box = page.locator("input[name=unit]")
    box.fill("实验中学")
    expect(page.locator("input[name=unit_id]")).to_have_value("")
    page.locator("input[name=owner]").fill("")
    box.press("Escape")
    with page.expect_navigation():
        page.get_by_role("button", name=re.compile("筛选")).click()
    expect(page.get_by_test_id("ledger-table")).to_contain_text("实验中学的任务")
    assert problems.items == []
