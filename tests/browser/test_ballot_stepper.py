"""The public ballot on a phone, a unit at a time: answer, clear, skip, go back, review,
submit once; the code is then spent and the round counts exactly the answers given."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from tests.browser.conftest import PHONE
from tests.browser.test_phone_lists import phone_problems
from tracker.extensions import db
from tracker.models import Ballot, BallotAnswer, Invitation, RatingRound
from tracker.services import ratings
from tracker.services.codes import group

pytestmark = pytest.mark.browser


def test_ballot_stepper_on_a_phone(new_page, make, problems):
    office = make.user("office")
    units = [make.unit(name=name) for name in ("城关小学", "东风小学", "实验中学", "教育股")]
    rnd = ratings.create_round(make.actor(office), ratings.RoundInput(
        title="2026年下半年作风评议", period="2026-H2", unit_ids=[u.id for u in units]))
    ratings.open_round(make.actor(office), rnd)
    _batch, codes = ratings.generate_invitations(make.actor(office), rnd, "public", 1)
    db.session.commit()
    round_id, code = rnd.id, codes[0]
    a, b, c, d = (u.id for u in units)

    phone = new_page(viewport=PHONE)
    phone.goto("/public/vote")
    phone.locator("input[name=code]").fill(group(code))
    with phone.expect_navigation():
        phone.locator("main button[type=submit]").click()

    def step_shows(text: str, unit_id: int) -> None:
        expect(phone.get_by_test_id("ballot-step")).to_have_text(text)
        expect(phone.get_by_test_id("ballot-unit")).to_have_attribute("data-unit-id", str(unit_id))
        assert phone_problems(phone) == ""

    def go(testid: str) -> None:
        with phone.expect_navigation():
            phone.get_by_test_id(testid).click()

    # unit 1: three answers, then one of them cleared again
    step_shows("第 1/4 个单位", a)
    for key, value in (("spirit", "satisfied"), ("conduct", "dissatisfied"), ("delivery", "fairly_satisfied")):
        phone.locator(f"label[for=u{a}_{key}_{value}]").click()
    phone.get_by_test_id(f"clear-u{a}_conduct").click()
    expect(phone.locator(f"input[name=u{a}_conduct]:checked")).to_have_count(0)
    go("ballot-next")
    # unit 2: one answer, then back to unit 1, whose answers were kept, and on again
    step_shows("第 2/4 个单位", b)
    expect(phone.get_by_test_id("ballot-rated")).to_contain_text("已评 1/4 个单位")
    phone.locator(f"label[for=u{b}_spirit_basically_satisfied]").click()
    go("ballot-back")
    step_shows("第 1/4 个单位", a)
    expect(phone.locator(f"#u{a}_spirit_satisfied")).to_be_checked()
    expect(phone.locator(f"input[name=u{a}_conduct]:checked")).to_have_count(0)
    go("ballot-next")
    expect(phone.locator(f"#u{b}_spirit_basically_satisfied")).to_be_checked()
    go("ballot-next")
    # unit 3 is skipped even though an answer was begun; unit 4 answered once
    step_shows("第 3/4 个单位", c)
    phone.locator(f"label[for=u{c}_spirit_satisfied]").click()
    go("ballot-skip")
    step_shows("第 4/4 个单位", d)
    phone.locator(f"label[for=u{d}_delivery_dissatisfied]").click()
    go("ballot-next")

    # the review lists every unit, the skipped one as not rated; nothing is recorded yet
    expect(phone.get_by_test_id("review-unit")).to_have_count(4)
    expect(phone.get_by_test_id("review-skipped")).to_have_count(1)
    expect(phone.locator(f"[data-testid=review-unit][data-unit-id='{c}']")).to_contain_text("未评价")
    expect(phone.locator(f"[data-testid=review-unit][data-unit-id='{a}']")).to_contain_text("满意")
    assert phone_problems(phone) == ""
    db.session.expire_all()
    assert db.session.scalar(select(Invitation.used_at).where(Invitation.code == code)) is None
    assert db.session.scalar(select(func.count()).select_from(Ballot)) == 0
    # change a unit from the review, come back to the review, submit
    with phone.expect_navigation():
        phone.locator(f"[data-testid=review-unit][data-unit-id='{b}'] [data-testid=review-edit]").click()
    step_shows("第 2/4 个单位", b)
    phone.locator(f"label[for=u{b}_conduct_satisfied]").click()
    go("ballot-review")
    go("ballot-submit")
    expect(phone.get_by_test_id("vote-done")).to_contain_text("5")
    assert phone_problems(phone) == ""

    # the code is spent: the same code is refused, and the answers are exactly those given
    db.session.expire_all()
    assert db.session.scalar(select(Invitation.used_at).where(Invitation.code == code)) is not None
    phone.goto(f"/public/vote/{code}")
    expect(phone.get_by_test_id("vote-error")).to_be_visible()
    per_unit = dict(db.session.execute(select(BallotAnswer.unit_id, func.count())
                                       .group_by(BallotAnswer.unit_id)).all())
    assert per_unit == {a: 2, b: 2, d: 1}
    lines = {line.unit_id: line for line in ratings.compute(db.session.get(RatingRound, round_id))}
    assert lines[a].detail["ballots"] == lines[b].detail["ballots"] == lines[d].detail["ballots"] == 1
    assert lines[c].detail["ballots"] == 0
    assert lines[a].score == 90.0 and lines[d].score == 0.0
    # the refused code's page answers 409 on purpose: nothing else may go wrong
    assert [item for item in problems.items if "status of 409" not in item] == []
