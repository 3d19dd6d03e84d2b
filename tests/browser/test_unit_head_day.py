"""A school head's day on a 390×844 phone, from the home page's numbers: report progress on a
task with a photo, answer a complaint dispatched to the school, acknowledge a rectification
notice. No page scrolls sideways; each number goes down once its work is done."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PHONE
from tests.browser.test_login_flow import submit_login
from tests.factories import PASSWORD, complaint_input, notice_input
from tracker import clock
from tracker.extensions import db
from tracker.services import complaints, notices

pytestmark = pytest.mark.browser

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def fits(phone) -> None:
    width = phone.evaluate("document.scrollingElement.scrollWidth")
    assert width <= PHONE["width"], f"{phone.url} scrolls sideways: {width} px"


def home(phone) -> None:
    with phone.expect_navigation():
        phone.locator("a.navbar-brand").click()
    expect(phone.get_by_test_id("home")).to_be_visible()
    fits(phone)


def test_a_school_head_works_through_the_day_on_a_phone(new_page, make, tmp_path, problems):
    today = clock.today()
    school = make.unit(name="城关小学")
    head = make.user("unit_head", unit=school)
    office = make.user("office")
    task = make.task(
        make.measure(make.plan()),
        school,
        title="开展“四个意识”专题学习",
        starts_on=today - timedelta(days=10),
        due_on=today + timedelta(days=5),
    )
    complaint = complaints.submit(
        make.actor(None),
        complaint_input(
            category="buck_passing",
            unit_id=school.id,
            description="学校办理转学手续一再推诿，往返五次未办结。",
            name="张家长",
            contact="13800001111",
        ),
    )
    complaints.accept(make.actor(office), complaint)
    complaints.dispatch(make.actor(office), complaint, school.id)
    notice = notices.issue(
        make.actor(office),
        notice_input(
            unit_id=school.id,
            source_type="inspection",
            problems="课间教师办公室无人值守",
            requirements="建立值班制度并报送整改报告",
            due_on=today + timedelta(days=10),
        ),
    )
    db.session.commit()
    task_id, complaint_id, number = task.id, complaint.id, notice.doc_number
    photo = tmp_path / "学习现场.png"
    photo.write_bytes(PNG)

    phone = new_page(viewport=PHONE)
    phone.goto("/login")
    submit_login(phone, head.username, PASSWORD)
    fits(phone)
    expect(phone.get_by_test_id("home-tasks-due_soon")).to_have_attribute("data-count", "1")
    expect(phone.get_by_test_id("home-complaints-replies")).to_have_attribute("data-count", "1")
    expect(phone.get_by_test_id("home-notices-issued")).to_have_attribute("data-count", "1")

    # 1. progress on a task, with a photo as evidence
    with phone.expect_navigation():
        phone.get_by_test_id("home-tasks-mine").click()
    fits(phone)
    card = phone.locator(f"[data-task-id='{task_id}']")
    card.locator("input[name=percent]").fill("60")
    card.locator("textarea[name=narrative]").fill("已完成三个专题学习，附现场照片")
    card.locator("input[type=file]").set_input_files(str(photo))
    with phone.expect_navigation():
        card.locator("button[type=submit]").click()
    expect(phone.locator(".alert-success")).to_contain_text("60%")
    expect(phone.locator(f"[data-task-id='{task_id}']")).to_contain_text("实际60%")
    fits(phone)
    with phone.expect_navigation():
        phone.locator(f"[data-task-id='{task_id}'] h2 a").click()
    expect(phone.get_by_role("link", name="学习现场.png")).to_be_visible()
    fits(phone)

    # 2. the complaint dispatched to the school: answered from the phone, the complainant unseen
    home(phone)
    with phone.expect_navigation():
        phone.get_by_test_id("home-complaints-replies").click()
    fits(phone)
    with phone.expect_navigation():
        phone.locator(f"main a[href$='/complaints/{complaint_id}']").first.click()
    assert "13800001111" not in phone.content() and "张家长" not in phone.content()
    phone.locator("textarea[name=text]").fill("经核实，已当日为学生办结转学手续，并对经办人批评教育。")
    with phone.expect_navigation():
        phone.get_by_test_id("reply-submit").click()
    expect(phone.get_by_test_id("reply")).to_contain_text("已当日为学生办结转学手续")
    fits(phone)

    # 3. the rectification notice: acknowledged on its page
    home(phone)
    expect(phone.get_by_test_id("home-complaints-replies")).to_have_attribute("data-count", "0")
    with phone.expect_navigation():
        phone.get_by_test_id("home-notices-issued").click()
    row = phone.get_by_test_id("notice-row").filter(has_text=number)
    with phone.expect_navigation():
        row.first.click()
    fits(phone)
    with phone.expect_navigation():
        phone.get_by_test_id("notice-acknowledge").click()
    expect(phone.locator("[data-status=acknowledged]")).to_be_visible()
    expect(phone.get_by_test_id("notice-report-form")).to_be_visible()
    fits(phone)
    home(phone)
    expect(phone.get_by_test_id("home-notices-issued")).to_have_attribute("data-count", "0")
    assert problems.items == []
