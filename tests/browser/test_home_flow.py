"""A unit head's home on a phone: the unit's work first, no sideways scrolling, links big enough to tap."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PHONE
from tests.browser.test_login_flow import submit_login
from tests.factories import PASSWORD
from tracker import clock

pytestmark = pytest.mark.browser


def test_the_unit_heads_home_fits_a_phone(new_page, make, problems):
    today = clock.today()
    school = make.unit(name="城关第一实验小学（东校区）")
    head = make.user("unit_head", unit=school)
    measure = make.measure(make.plan())
    make.task(measure, school, title="开展“四个意识”专题学习并形成整改台账",
              starts_on=today - timedelta(days=30), due_on=today - timedelta(days=3))
    make.task(measure, school, title="完善家校沟通机制", starts_on=today - timedelta(days=5),
              due_on=today + timedelta(days=4))

    phone = new_page(viewport=PHONE)
    phone.goto("/login")
    submit_login(phone, head.username, PASSWORD)
    expect(phone.get_by_role("heading", name="待办事项")).to_be_visible()
    overdue = phone.get_by_test_id("home-tasks-overdue")
    expect(overdue).to_be_visible()  # without opening the menu
    expect(overdue).to_have_attribute("data-count", "1")
    expect(phone.get_by_test_id("home-tasks-due_soon")).to_have_attribute("data-count", "1")
    expect(phone.get_by_test_id("chart-tasks")).to_be_hidden()  # its tiny labels: the counts above say it

    assert phone.evaluate("document.scrollingElement.scrollWidth") <= PHONE["width"]
    links = phone.locator("[data-testid^='home-']")
    assert links.count() >= 8
    for index in range(links.count()):
        box = links.nth(index).bounding_box()
        assert box is not None and box["height"] >= 44, (index, box)
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], (index, box)

    with phone.expect_navigation():
        overdue.click()
    expect(phone.get_by_text("开展“四个意识”专题学习并形成整改台账")).to_be_visible()
    assert problems.items == []
