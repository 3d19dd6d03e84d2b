"""The office prints slips; a parent votes on a phone; the code is refused the second time;
the office closes the round and reads the ranking."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.browser.conftest import PHONE
from tests.browser.test_login_flow import submit_login
from tests.factories import PASSWORD
from tracker.extensions import db
from tracker.models import Invitation
from tracker.services import ratings
from tracker.services.codes import group

pytestmark = pytest.mark.browser


def test_slips_vote_on_a_phone_close_and_rank(new_page, make, problems):
    office = make.user("office")
    school = make.unit(name="城关小学")
    other = make.unit(name="东风小学")
    rnd = ratings.create_round(make.actor(office), ratings.RoundInput(
        title="2026年下半年作风评议", period="2026-H2", unit_ids=[school.id, other.id]))
    db.session.commit()
    round_id, school_id = rnd.id, school.id

    desk = new_page()
    desk.goto("/login")
    submit_login(desk, office.username, PASSWORD)
    desk.goto(f"/ratings/{round_id}")
    desk.locator("select[name=group]").select_option("service_recipients")
    desk.locator("input[name=count]").fill("4")
    with desk.expect_navigation():
        desk.locator("form[action$='/invitations'] button[type=submit]").click()
    expect(desk.get_by_test_id("batch-row")).to_have_count(1)
    with desk.expect_navigation():
        desk.locator(f"form[action='/ratings/{round_id}/open'] button").click()
    expect(desk.get_by_test_id("close-round")).to_be_visible()
    desk.get_by_test_id("slips-link").click()
    expect(desk.get_by_test_id("slip")).to_have_count(4)
    expect(desk.locator("[data-testid=slip] svg.qr").first).to_be_visible()
    codes = db.session.scalars(select(Invitation.code).where(Invitation.round_id == round_id)
                               .order_by(Invitation.id)).all()
    expect(desk.get_by_test_id("slip-code").first).to_have_text(group(codes[0]))

    phone = new_page(viewport=PHONE)
    phone.goto("/public/vote")
    phone.locator("input[name=code]").fill(group(codes[0]).lower())
    with phone.expect_navigation():
        phone.locator("main button[type=submit]").click()
    # the stepper: the first unit, then the second (left unrated), then the review
    expect(phone.get_by_test_id("ballot-unit")).to_have_count(1)
    expect(phone.get_by_test_id("ballot-step")).to_have_text("第 1/2 个单位")
    for key in ("spirit", "conduct", "delivery"):
        phone.locator(f"label[for=u{school_id}_{key}_fairly_satisfied]").click()
    with phone.expect_navigation():
        phone.get_by_test_id("ballot-next").click()
    with phone.expect_navigation():
        phone.get_by_test_id("ballot-next").click()
    expect(phone.get_by_test_id("review-unit")).to_have_count(2)
    with phone.expect_navigation():
        phone.get_by_test_id("ballot-submit").click()
    expect(phone.get_by_test_id("vote-done")).to_be_visible()

    phone.goto("/public/vote")
    phone.locator("input[name=code]").fill(codes[0])
    with phone.expect_navigation():
        phone.locator("main button[type=submit]").click()
    expect(phone.get_by_test_id("vote-error")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    desk.goto(f"/ratings/{round_id}")
    with desk.expect_navigation():
        desk.get_by_test_id("close-round").click()
    desk.goto(f"/ratings/{round_id}/results")
    expect(desk.get_by_test_id("ranking-chart").first).to_be_visible()
    rows = desk.get_by_test_id("ranking-row")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("城关小学")
    expect(rows.first).to_contain_text("80.00")
    # the refused code's page answers 409 on purpose: nothing else may go wrong
    assert [item for item in problems.items if "status of 409" not in item] == []
