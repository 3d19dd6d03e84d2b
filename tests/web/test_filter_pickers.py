"""The lists' unit filters are type-ahead pickers too: a name typed (no script) or an id chosen."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.factories import inspection_input, notice_input
from tracker import clock
from tracker.extensions import db
from tracker.models import SupervisionRound
from tracker.services import notices


@pytest.fixture
def listed(make):
    east, west = make.unit(name="东风小学"), make.unit(name="西湖小学")
    office = make.user("office")
    for unit, problem in ((east, "东风问题"), (west, "西湖问题")):
        notices.issue(make.actor(office), notice_input(
            unit_id=unit.id, source_type="inspection", problems=problem, requirements="整改",
            due_on=clock.today() + timedelta(days=7)))
        notices.create_inspection(make.actor(office), inspection_input(
            unit_id=unit.id, inspected_on=clock.today(), place=f"{problem}地点", inspectors="张三",
            findings="无"))
        make.user("unit_member", unit=unit, display_name=f"{unit.name}成员")
    db.session.commit()
    return {"east": east, "west": west, "office": office, "admin": make.user("admin")}


@pytest.mark.parametrize(("path", "role", "east_text", "west_text"), [
    ("/notices/", "office", "东风问题", "西湖问题"),
    ("/notices/inspections", "office", "东风问题地点", "西湖问题地点"),
    ("/admin/users", "admin", "东风小学成员", "西湖小学成员"),
])
def test_a_list_filters_by_a_unit_named_or_chosen(client, login, listed, path, role, east_text, west_text):
    login(listed[role])
    page = client.get(path).get_data(as_text=True)
    assert 'data-picker="/pickers/units"' in page and east_text in page and west_text in page
    for query in ("unit=东风小学", "unit=东风", f"unit_id={listed['east'].id}"):  # typed, part, chosen
        page = client.get(f"{path}?{query}").get_data(as_text=True)
        assert east_text in page and west_text not in page, query
    page = client.get(f"{path}?unit=小学").get_data(as_text=True)  # names two units: nothing listed
    assert east_text not in page and west_text not in page and "is-invalid" in page


def test_the_round_page_filters_by_a_unit_named(client, login, make):
    east, west = make.unit(name="东风小学"), make.unit(name="西湖小学")
    measure = make.measure(make.plan())
    for unit, title in ((east, "东风任务"), (west, "西湖任务")):
        make.task(measure, unit, title=title, starts_on="2026-10-01", due_on="2026-10-15")
    login(make.user("office"))
    client.post("/supervision/start", data={"week_start": "2026-10-12"})
    rnd = db.session.scalar(select(SupervisionRound))
    page = client.get(f"/supervision/{rnd.id}?unit=东风").get_data(as_text=True)
    assert "东风任务" in page and "西湖任务" not in page
