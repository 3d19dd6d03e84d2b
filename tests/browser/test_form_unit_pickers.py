"""The forms' unit and person pickers in a real Chromium: on each form a unit is picked by typing
part of its Chinese name, the suggestions come grouped by kind and in pinyin order (城关第二小学,
chéng guān dì èr, before 城关第一小学, dì yī), and the record is saved with the unit chosen."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.test_login_flow import submit_login
from tests.factories import PASSWORD, complaint_input
from tracker.extensions import db
from tracker.models import Complaint, Inspection, Plan, Unit, User
from tracker.services import complaints

pytestmark = pytest.mark.browser


@pytest.fixture
def org(make):
    first = make.unit(name="城关第一小学", kind="school")
    second = make.unit(name="城关第二小学", kind="school")
    dept = make.unit(name="城关股", kind="department", peer_group="departments")
    make.unit(name="安全股", kind="department", peer_group="departments")
    people = {role: make.user(role) for role in ("admin", "office")}
    head = make.user("unit_head", unit=dept, display_name="城股长")
    db.session.commit()
    return {"first": first.id, "second": second.id, "dept": dept.id, "head": head.id, **people}


def _sign_in(page, user) -> None:
    page.goto("/login")
    submit_login(page, user.username, PASSWORD)


def _pick(page, field: str, typed: str, shown: list[str], choice: str) -> None:
    """Type ``typed`` into the picker of the select ``field``, see ``shown`` suggested in that
    order, choose ``choice``."""
    expect(page.locator(f"select[name={field}]")).to_be_hidden()
    box = page.locator(f"#{field}-search")
    box.fill(typed)
    options = page.locator(f"#{field}-search ~ ul [role=option]")
    expect(options).to_have_text(shown)
    options.filter(has_text=choice).click()
    expect(box).to_have_value(choice)


def _save(page, field: str) -> None:
    with page.expect_navigation():
        page.locator(f"form:has([name={field}]) [type=submit]").first.click()


def test_the_plans_issuing_unit(page, org, problems):
    _sign_in(page, org["office"])
    page.goto("/plans/new")
    page.fill("#title", "作风整顿实施方案")
    _pick(page, "issuing_unit_id", "城关", ["城关股", "城关第二小学", "城关第一小学"], "城关股")
    _save(page, "issuing_unit_id")
    db.session.expire_all()
    assert db.session.query(Plan).filter_by(title="作风整顿实施方案").one().issuing_unit_id == org["dept"]
    assert problems.items == []


def test_the_notices_unit(page, org, problems):
    _sign_in(page, org["office"])
    page.goto("/notices/new")
    _pick(page, "unit_id", "城关第", ["城关第二小学", "城关第一小学"], "城关第一小学")
    expect(page.locator("select[name=unit_id]")).to_have_value(str(org["first"]))
    page.fill("#problems", "上课迟到")
    page.fill("#requirements", "立即整改")
    page.fill("#due_on", "2026-12-31")
    _save(page, "unit_id")
    expect(page.locator("main")).to_contain_text("城关第一小学")  # the preview names the unit
    assert problems.items == []


def test_the_inspections_unit(page, org, problems):
    _sign_in(page, org["office"])
    page.goto("/notices/inspections/new")
    _pick(page, "unit_id", "小学", ["城关第二小学", "城关第一小学"], "城关第二小学")
    page.fill("#place", "教学楼")
    page.fill("#inspectors", "王、李")
    page.fill("#findings", "值班人员脱岗")
    _save(page, "unit_id")
    db.session.expire_all()
    assert db.session.query(Inspection).one().unit_id == org["second"]
    assert problems.items == []


def test_the_users_unit(page, org, problems):
    _sign_in(page, org["admin"])
    page.goto("/admin/users/new")
    page.fill("#username", "liu.xiaozhang")
    page.fill("#display_name", "刘校长")
    page.select_option("#role", "unit_head")
    _pick(page, "unit_id", "城关", ["城关股", "城关第二小学", "城关第一小学"], "城关第一小学")
    page.fill("#password", "a-long-password")
    _save(page, "unit_id")
    db.session.expire_all()
    assert db.session.query(User).filter_by(username="liu.xiaozhang").one().unit_id == org["first"]
    assert problems.items == []


def test_the_units_liaison_department_and_head(page, org, problems):
    _sign_in(page, org["admin"])
    page.goto("/admin/units/new")
    page.fill("#name", "城关第三小学")
    page.select_option("#kind", "school")
    _pick(page, "liaison_unit_id", "股", ["安全股", "城关股"], "城关股")  # departments only
    box = page.locator("#head_user_id-search")
    box.fill("城股")
    page.locator("#head_user_id-search ~ ul [role=option]", has_text="城股长").click()
    expect(page.locator("select[name=head_user_id]")).to_have_value(str(org["head"]))
    _save(page, "liaison_unit_id")
    db.session.expire_all()
    unit = db.session.query(Unit).filter_by(name="城关第三小学").one()
    assert unit.liaison_unit_id == org["dept"] and unit.head_user_id == org["head"]
    assert problems.items == []


def test_the_office_records_a_complaint_about_a_unit(page, org, problems):
    _sign_in(page, org["office"])
    page.goto("/complaints/new")
    page.select_option("#channel", "hotline")
    page.select_option("#category", "business_tutoring")
    _pick(page, "unit_id", "城关第", ["城关第二小学", "城关第一小学"], "城关第二小学")
    page.fill("#description", "有老师在校外办班有偿补课")
    _save(page, "unit_id")
    db.session.expire_all()
    assert db.session.query(Complaint).one().unit_id == org["second"]
    assert problems.items == []


def test_the_dispatch_of_a_complaint(page, make, org, problems):
    office = org["office"]
    complaint = complaints.submit(
        make.actor(office),
        complaint_input(
            category="business_tutoring", description="有老师在校外办班有偿补课", channel="hotline"
        ),
    )
    complaints.accept(make.actor(office), complaint)
    db.session.commit()
    complaint_id = complaint.id
    _sign_in(page, office)
    page.goto(f"/complaints/{complaint_id}")
    _pick(page, "unit_id", "城关第", ["城关第二小学", "城关第一小学"], "城关第一小学")
    with page.expect_navigation():
        page.get_by_test_id("dispatch").click()
    db.session.expire_all()
    assert db.session.get(Complaint, complaint_id).dispatched_unit_id == org["first"]
    assert problems.items == []


def test_the_innovations_unit(page, org, problems):
    from tracker.models import Innovation

    _sign_in(page, org["office"])
    page.goto("/innovations/new")
    _pick(page, "unit_id", "城关", ["城关股", "城关第二小学", "城关第一小学"], "城关第二小学")
    page.fill("#title", "课后服务一招鲜")
    page.fill("#description", "错峰放学，家长满意")
    with page.expect_navigation():
        page.get_by_role("button", name="登记").click()
    db.session.expire_all()
    assert db.session.query(Innovation).one().unit_id == org["second"]
    assert problems.items == []
