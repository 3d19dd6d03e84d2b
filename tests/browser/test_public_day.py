"""A parent on a 390×844 phone, everything from the public front door: file a complaint, follow
it with the code given (what was filed and when a reply is due), then vote with an invitation
code through the stepper to its review and submission. No page scrolls sideways."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PHONE
from tracker.extensions import db
from tracker.services import complaints, ratings
from tracker.services.codes import group

pytestmark = pytest.mark.browser


def fits(phone) -> None:
    width = phone.evaluate("document.scrollingElement.scrollWidth")
    assert width <= PHONE["width"], f"{phone.url} scrolls sideways: {width} px"


def front_door(phone) -> None:
    phone.goto("/")
    expect(phone.get_by_test_id("public-home")).to_be_visible()
    fits(phone)


def test_a_parent_files_follows_and_votes_on_a_phone(new_page, make, problems):
    school = make.unit(name="城关小学")
    other = make.unit(name="东风小学")
    office = make.user("office")
    rnd = ratings.create_round(
        make.actor(office),
        ratings.RoundInput(title="2026年下半年作风评议", period="2026-H2", unit_ids=[school.id, other.id]),
    )
    ratings.open_round(make.actor(office), rnd)
    _batch, codes = ratings.generate_invitations(make.actor(office), rnd, "public", 1)
    db.session.commit()
    invitation = codes[0]

    phone = new_page(viewport=PHONE)
    front_door(phone)
    expect(phone.get_by_test_id("staff-login")).to_be_visible()

    # file: the school picked by typing part of its name, anonymously
    with phone.expect_navigation():
        phone.get_by_test_id("complain-link").click()
    fits(phone)
    phone.locator("select[name=category]").select_option("buck_passing")
    phone.locator("[data-filter-select=unit_id]").fill("城关")
    phone.locator("select[name=unit_id]").select_option(str(school.id))
    phone.locator("textarea[name=description]").fill("学校办理转学手续一再推诿，往返五次未办结。")
    with phone.expect_navigation():
        phone.get_by_test_id("complaint-submit").click()
    code = phone.get_by_test_id("tracking-code").inner_text().replace(" ", "")
    assert complaints.by_tracking_code(code) is not None
    fits(phone)

    # follow: the complaint as filed and the date a reply is expected
    front_door(phone)
    with phone.expect_navigation():
        phone.get_by_test_id("track-link").click()
    phone.locator("input[name=code]").fill(code)
    with phone.expect_navigation():
        phone.get_by_test_id("track-submit").click()
    expect(phone.get_by_test_id("your-description")).to_contain_text("往返五次未办结")
    expect(phone.get_by_test_id("expected-reply")).to_have_text(
        complaints.default_due(complaints.by_tracking_code(code).submitted_at.date()).isoformat()
    )
    fits(phone)

    # vote: one unit rated, the other skipped, the review, one submission
    front_door(phone)
    with phone.expect_navigation():
        phone.get_by_role("link", name="我有评议邀请码").click()
    phone.locator("input[name=code]").fill(group(invitation))
    with phone.expect_navigation():
        phone.locator("main button[type=submit]").click()
    expect(phone.get_by_test_id("ballot-step")).to_contain_text("1/2")
    fits(phone)
    first = phone.get_by_test_id("ballot-unit").get_attribute("data-unit-id")
    for key in ("spirit", "conduct", "delivery"):
        phone.locator(f"label[for=u{first}_{key}_satisfied]").click()
    with phone.expect_navigation():
        phone.get_by_test_id("ballot-next").click()
    expect(phone.get_by_test_id("ballot-rated")).to_contain_text("1/2")
    with phone.expect_navigation():
        phone.get_by_test_id("ballot-skip").click()
    expect(phone.get_by_test_id("review-unit")).to_have_count(2)
    expect(phone.get_by_test_id("review-skipped")).to_have_count(1)
    fits(phone)
    with phone.expect_navigation():
        phone.get_by_test_id("ballot-submit").click()
    expect(phone.get_by_test_id("vote-done")).to_contain_text("3")
    fits(phone)
    assert problems.items == []
