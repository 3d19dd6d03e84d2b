"""The office issues a notice from a complaint; the school acknowledges and reports on a phone;
the office verifies."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PHONE
from tests.browser.test_login_flow import submit_login
from tests.factories import PASSWORD
from tests.notices_data import CONTACT, NAME, PDF, complaint

pytestmark = pytest.mark.browser


def test_notice_from_a_complaint_to_verified(new_page, make, tmp_path, problems):
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date()
    school = make.unit(name="城关小学")
    head = make.user("unit_head", unit=school)
    office = make.user("office")
    source = complaint(school, today - timedelta(days=3), today + timedelta(days=4), today - timedelta(days=1),
                       subject="老师课后办班有偿补课")
    source_id = source.id
    evidence = tmp_path / "整改报告.pdf"
    evidence.write_bytes(PDF)

    desk = new_page()
    desk.goto("/login")
    submit_login(desk, office.username, PASSWORD)
    desk.goto(f"/complaints/{source_id}")
    button = desk.get_by_test_id("complaint-issue-notice")
    if button.count():  # the complaint page links to the issue form
        with desk.expect_navigation():
            button.click()
    else:
        desk.goto(f"/notices/new?complaint_id={source_id}")
    expect(desk.get_by_test_id("notice-source")).to_be_visible()
    expect(desk.locator("textarea[name=problems]")).to_have_value("老师课后办班有偿补课")
    desk.locator("textarea[name=problems]").fill("四年级数学老师周末在校外办班有偿补课。")
    desk.locator("textarea[name=requirements]").fill("立即停止有偿补课，开展师德专题教育。")
    desk.locator("input[name=due_on]").fill((today + timedelta(days=10)).isoformat())
    with desk.expect_navigation():
        desk.locator("form input[type=submit], form button[type=submit]").last.click()
    # the preview: the notice as it will read, with the number it will take; nothing issued yet
    expect(desk.get_by_test_id("notice-preview-mark")).to_be_visible()
    expect(desk.get_by_test_id("official-document")).to_contain_text("四年级数学老师周末在校外办班有偿补课。")
    expect(desk.get_by_test_id("official-number")).to_contain_text(f"〔{today.year}〕")
    with desk.expect_navigation():
        desk.get_by_test_id("notice-confirm").click()
    expect(desk.locator(".alert-success")).to_be_visible()
    number = desk.get_by_test_id("notice-number").inner_text()
    assert f"〔{today.year}〕" in number  # after the organ's prefix (documents.prefix.notice)
    notice_path = desk.url.split("://", 1)[1].split("/", 1)[1]

    phone = new_page(viewport=PHONE)
    phone.goto("/login")
    submit_login(phone, head.username, PASSWORD)
    phone.goto("/notices/")
    row = phone.get_by_test_id("notice-row").first
    expect(row).to_contain_text(number)
    expect(row.locator("[data-colour=blue]")).to_be_visible()
    with phone.expect_navigation():
        row.click()
    body = phone.content()
    assert NAME not in body and CONTACT not in body
    with phone.expect_navigation():
        phone.get_by_test_id("notice-acknowledge").click()
    expect(phone.locator("[data-status=acknowledged]")).to_be_visible()
    form = phone.get_by_test_id("notice-report-form")
    form.locator("textarea[name=text]").fill("已停止补课，召开师德专题会议，附会议记录。")
    form.locator("input[type=file]").set_input_files(str(evidence))
    with phone.expect_navigation():
        form.locator("input[type=submit], button[type=submit]").click()
    expect(phone.locator("[data-status=reported]")).to_be_visible()
    expect(phone.get_by_test_id("notice-files")).to_contain_text("整改报告.pdf")

    desk.goto("/" + notice_path)
    verify = desk.get_by_test_id("notice-verify-form")
    verify.locator("input[value=accept]").check()
    with desk.expect_navigation():
        verify.locator("input[type=submit], button[type=submit]").click()
    expect(desk.locator("[data-status=verified]")).to_be_visible()
    expect(desk.get_by_test_id("notice-history").locator("li")).to_have_count(4)
    assert problems.items == []
