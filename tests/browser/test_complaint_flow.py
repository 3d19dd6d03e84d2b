"""A parent files a complaint on a phone; the office dispatches; the school head replies;
the office closes; the parent rates 不满意 and reopens the case."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PHONE
from tests.browser.test_login_flow import submit_login
from tests.factories import PASSWORD
from tracker.extensions import db
from tracker.models.complaints import Complaint
from tracker.services import complaints

pytestmark = pytest.mark.browser

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_parent_files_office_dispatches_school_replies_parent_reopens(new_page, make, tmp_path,
                                                                       problems):
    school = make.unit(name="城关小学")
    make.unit(name="东风小学")
    head = make.user("unit_head", unit=school)
    office = make.user("office")
    photo = tmp_path / "收费单.png"
    photo.write_bytes(PNG)

    phone = new_page(viewport=PHONE)
    phone.goto("/public/")
    with phone.expect_navigation():
        phone.get_by_test_id("complain-link").click()
    phone.locator("select[name=category]").select_option("business_tutoring")
    phone.locator("[data-filter-select=unit_id]").fill("城关")
    phone.locator("select[name=unit_id]").select_option(str(school.id))
    phone.locator("textarea[name=description]").fill("四年级数学老师周末办班补课，每月收费800元。")
    phone.locator("input[name=files]").set_input_files(str(photo))
    phone.locator("input[name=name]").fill("李家长")
    phone.locator("input[name=contact]").fill("parent-13912345678")
    expect(phone.get_by_test_id("privacy-note")).to_be_visible()
    with phone.expect_navigation():
        phone.get_by_test_id("complaint-submit").click()
    code = phone.get_by_test_id("tracking-code").inner_text().replace(" ", "")
    assert len(code) == 16
    complaint = complaints.by_tracking_code(code)
    assert complaint is not None and complaint.contact == "parent-13912345678"
    complaint_id = complaint.id

    desk = new_page()
    desk.goto("/login")
    submit_login(desk, office.username, PASSWORD)
    desk.goto(f"/complaints/{complaint_id}")
    expect(desk.get_by_test_id("personal")).to_contain_text("parent-13912345678")
    with desk.expect_navigation():
        desk.get_by_test_id("accept").click()
    expect(desk.locator("select[name=unit_id]")).to_have_value(str(school.id))
    with desk.expect_navigation():
        desk.get_by_test_id("dispatch").click()
    expect(desk.get_by_test_id("history")).to_contain_text(school.name)

    unit_page = new_page(viewport=PHONE)
    unit_page.goto("/login")
    submit_login(unit_page, head.username, PASSWORD)
    unit_page.goto("/complaints/")
    expect(unit_page.get_by_test_id("complaint-table")).to_contain_text("四年级数学老师")
    unit_page.goto(f"/complaints/{complaint_id}")
    assert "parent-13912345678" not in unit_page.content() and "李家长" not in unit_page.content()
    unit_page.locator("textarea[name=text]").fill("经核实，该教师已停止办班并退还费用，学校已通报批评。")
    with unit_page.expect_navigation():
        unit_page.get_by_test_id("reply-submit").click()
    expect(unit_page.get_by_test_id("reply")).to_contain_text("已停止办班")

    desk.reload()
    desk.locator("input[name=resolved][value=yes]").check()
    with desk.expect_navigation():
        desk.get_by_test_id("close").click()
    expect(desk.get_by_test_id("history")).to_contain_text("已停止办班")

    phone.goto("/public/complaints/track")
    phone.locator("input[name=code]").fill(code)
    with phone.expect_navigation():
        phone.get_by_test_id("track-submit").click()
    expect(phone.get_by_test_id("reply")).to_contain_text("已停止办班")
    phone.locator("input[name=rating][value=dissatisfied]").check()
    phone.locator("textarea[name=comment]").fill("仍有其他老师在办班")
    phone.locator("input[name=reopen]").check()
    with phone.expect_navigation():
        phone.get_by_test_id("rate-submit").click()
    expect(phone.locator(".alert-success")).to_be_visible()
    expect(phone.get_by_test_id("rate-form")).to_have_count(0)

    db.session.expire_all()
    complaint = db.session.get(Complaint, complaint_id)
    assert complaint.status == "dispatched" and complaint.rating == "dissatisfied"
    assert complaint.reopened_at is not None
    assert [e.action for e in complaint.events] == [
        "submit", "accept", "dispatch", "reply", "close", "rate", "reopen"]
    assert problems.items == []
