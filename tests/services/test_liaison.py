"""Monthly liaison checks 一月一查一反馈 and their place in the bulletin."""

from datetime import UTC, datetime

import pytest

from tracker.models import LiaisonDimension
from tracker.services import bulletins, liaison
from tracker.services.audit import Actor
from tracker.services.errors import Conflict, InvalidInput

GOOD = {key: liaison.RatingInput("good", "") for key in LiaisonDimension.codes()}


def act():
    return Actor(None, "127.0.0.1", datetime(2026, 10, 28, tzinfo=UTC))


def test_record_once_per_month_and_missing_checks(make):
    department = make.unit(kind="department", peer_group="departments", name="基础教育股")
    checked = make.unit(name="城关小学", liaison_unit_id=department.id)
    make.unit(name="东风小学", liaison_unit_id=department.id)
    make.unit(name="无联系学校")
    check = liaison.record(act(), checked, month="2026-10", ratings=GOOD, feedback="整体良好")
    assert check.liaison_unit_id == department.id
    with pytest.raises(Conflict):
        liaison.record(act(), checked, month="2026-10", ratings=GOOD, feedback="再查")
    missing = liaison.missing(["2026-10"])
    assert [(m["unit"], m["liaison"]) for m in missing] == [("东风小学", "基础教育股")]
    bulletin, _ = bulletins.generate(Actor(None, "127.0.0.1", datetime(2026, 11, 1, tzinfo=UTC)),
                                     "monthly", "2026-10")
    assert [m["unit"] for m in bulletin.content["liaison_missing"]] == ["东风小学"]


@pytest.mark.parametrize(("month", "ratings", "feedback", "field"), [
    ("2026-13", GOOD, "x", "month"),
    ("2026-10", {**GOOD, "spirit": liaison.RatingInput("excellent")}, "x", "spirit"),
    ("2026-10", {}, "x", "law_administration"),
    ("2026-10", GOOD, "", "feedback"),
])
def test_bad_checks_name_the_field(make, month, ratings, feedback, field):
    department = make.unit(kind="department", peer_group="departments")
    school = make.unit(liaison_unit_id=department.id)
    with pytest.raises(InvalidInput) as caught:
        liaison.record(act(), school, month=month, ratings=ratings, feedback=feedback)
    assert field in caught.value.fields


def test_only_the_liaison_department_or_the_office_records(client, make, login):
    from sqlalchemy import select

    from tracker.extensions import db
    from tracker.models import LiaisonCheck

    department = make.unit(kind="department", peer_group="departments")
    school = make.unit(liaison_unit_id=department.id)
    form = {"month": "2026-10", "feedback": "已反馈",
            **{f"{k}_rating": "fair" for k in LiaisonDimension.codes()}}
    login(make.user("unit_head", unit=school))
    assert client.post(f"/supervision/liaison/{school.id}", data=form).status_code == 403
    client.post("/logout")
    login(make.user("unit_member", unit=department))
    page = client.get("/supervision/liaison?month=2026-10").get_data(as_text=True)
    assert school.name in page
    assert client.post(f"/supervision/liaison/{school.id}", data=form).status_code == 302
    assert db.session.scalar(select(LiaisonCheck.feedback)) == "已反馈"
