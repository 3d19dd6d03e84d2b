"""A school head reports 100 % with a file on a phone; the office verifies; the ledger agrees."""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.browser.conftest import PHONE
from tests.browser.test_login_flow import submit_login
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_head_reports_on_a_phone_office_verifies_and_exports(new_page, make, tmp_path, problems):
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date()
    school = make.unit(name="城关小学")
    head = make.user("unit_head", unit=school)
    office = make.user("office")
    plan = make.plan()
    task = make.task(make.measure(plan), school, title="开展“四个意识”专题学习",
                     starts_on=(today - timedelta(days=10)).isoformat(),
                     due_on=(today + timedelta(days=10)).isoformat())
    task_id, plan_id = task.id, plan.id
    photo = tmp_path / "学习现场.png"
    photo.write_bytes(PNG)

    phone = new_page(viewport=PHONE)
    phone.goto("/login")
    submit_login(phone, head.username, PASSWORD)
    phone.goto("/my-tasks")
    card = phone.locator(f"[data-task-id='{task_id}']")
    expect(card).to_contain_text("开展“四个意识”专题学习")
    card.locator("input[name=percent]").fill("100")
    card.locator("textarea[name=narrative]").fill("四个专题全部学习完毕，附现场照片")
    card.locator("input[type=file]").set_input_files(str(photo))
    with phone.expect_navigation():
        card.locator("button[type=submit]").click()
    expect(phone.locator(".alert-success")).to_contain_text("100%")
    expect(phone.locator(f"[data-task-id='{task_id}']")).to_contain_text("待兑账")

    desk = new_page()
    desk.goto("/login")
    submit_login(desk, office.username, PASSWORD)
    desk.goto("/verification")
    claim = desk.locator(f"[data-task-id='{task_id}']")
    expect(claim).to_contain_text("开展“四个意识”专题学习")
    claim.locator("input[name=decision][value=accept]").check()  # nothing is chosen beforehand
    with desk.expect_navigation():
        claim.locator("button[type=submit]").click()
    expect(desk.locator(".alert-success")).to_be_visible()

    desk.goto(f"/ledger?plan_id={plan_id}")
    row = desk.locator(f"tr[data-task-id='{task_id}']")
    expect(row).to_contain_text("已兑账")
    with desk.expect_download() as download_info:
        desk.get_by_test_id("export").click()
    with open(download_info.value.path(), "rb") as handle:
        sheet = load_workbook(io.BytesIO(handle.read()))["工作总台账"]
    assert sheet["A2"].value.startswith("筛选条件：计划：")  # the filters that made the sheet
    rows = list(sheet.iter_rows(min_row=4, values_only=True))
    assert len(rows) == 1
    assert rows[0][3] == "开展“四个意识”专题学习" and rows[0][5] == "城关小学"
    assert rows[0][11] == 100 and rows[0][12] == "已兑账"

    desk.goto(f"/tasks/{task_id}")
    expect(desk.get_by_role("link", name="学习现场.png")).to_be_visible()
    assert problems.items == []
