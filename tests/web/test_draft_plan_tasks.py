"""A draft plan's tasks count nowhere — ledgers, counts, my tasks, the API, rounds — until the
plan is activated; the plan's own page shows them."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from tracker.extensions import db
from tracker.models import Finding
from tracker.services import supervision


@pytest.fixture
def tasks(make):
    school = make.unit(name="城关小学")
    live = make.task(make.measure(make.plan()), school, title="已启动方案的任务",
                     starts_on="2026-10-01", due_on="2026-10-20")
    draft_plan = make.plan("draft", title="尚在起草的方案")
    waiting = make.task(make.measure(draft_plan), school, title="草稿方案的任务",
                        starts_on="2026-10-01", due_on="2026-10-20")
    return {"school": school, "live": live, "waiting": waiting, "draft_plan": draft_plan}


def test_the_office_sees_a_draft_plans_tasks_on_its_page_only(client, login, token, make, tasks):
    office = make.user("office")
    live, waiting = tasks["live"], tasks["waiting"]
    login(office)
    ledger = client.get("/ledger").get_data(as_text=True)
    assert live.title in ledger and waiting.title not in ledger
    assert waiting.title in client.get(f"/plans/{tasks['draft_plan'].id}").get_data(as_text=True)
    listing = client.get("/api/v1/tasks", headers=token(office)).get_json()
    assert [item["id"] for item in listing["items"]] == [live.id] and listing["total"] == 1
    rnd, _created = supervision.start_round(make.actor(office), date(2026, 10, 19))
    db.session.commit()
    assert set(db.session.scalars(select(Finding.task_id).where(Finding.round_id == rnd.id))) == {live.id}


def test_a_unit_meets_a_draft_plans_tasks_once_it_is_activated(client, login, make, tasks):
    login(make.user("unit_head", unit=tasks["school"]))
    mine, home = client.get("/my-tasks"), client.get("/")
    assert (mine.status_code, home.status_code) == (200, 200)
    assert tasks["live"].title in mine.get_data(as_text=True)
    assert tasks["waiting"].title not in mine.get_data(as_text=True) + home.get_data(as_text=True)
    tasks["draft_plan"].status = "active"
    db.session.commit()
    assert tasks["waiting"].title in client.get("/my-tasks").get_data(as_text=True)
