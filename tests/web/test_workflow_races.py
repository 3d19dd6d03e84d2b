"""Workflow steps taken by many requests at once: exactly one wins, the rest get 409."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests import accountability_data as data
from tests.factories import complaint_input, notice_input
from tests.races import race
from tracker import clock
from tracker.extensions import db
from tracker.models import ComplaintEvent, Flag, FlagEvent, NoticeEvent
from tracker.services import complaints, notices

RACERS = 6


def _complaint(make, office, school, status):
    complaint = complaints.submit(make.actor(), complaint_input(category="other", description="推诿扯皮不作为，办事拖拉"))
    if status != "submitted":
        complaints.accept(make.actor(office), complaint)
    if status == "dispatched":
        complaints.dispatch(make.actor(office), complaint, school.id)
    db.session.commit()
    return complaint


def _events(model, column, ident, action) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(
        column == ident, model.action == action))


@pytest.mark.parametrize(("status", "step", "body"), [
    ("submitted", "accept", {}),
    ("accepted", "dispatch", None),  # each racer names another unit
    ("dispatched", "reply", {"text": "已整改完毕"}),
])
def test_one_complaint_step_at_a_time(app, make, token, status, step, body):
    office = make.user("office")
    schools = [make.unit(kind="school") for _ in range(RACERS)]
    head = make.user("unit_head", unit=schools[0])
    complaint = _complaint(make, office, schools[0], status)
    headers = token(head if step == "reply" else office)
    # plain values only: the racers must not touch this thread's session
    url, unit_ids = f"/api/v1/complaints/{complaint.id}/{step}", [school.id for school in schools]

    def post(client, index):
        payload = body if body is not None else {"unit_id": unit_ids[index]}
        return client.post(url, json=payload, headers=headers).status_code

    statuses = race(app, RACERS, post)
    assert sorted(statuses) == [200] + [409] * (RACERS - 1), statuses
    assert _events(ComplaintEvent, ComplaintEvent.complaint_id, complaint.id, step) == 1


def test_one_notice_acknowledgement(app, make, token):
    office, school = make.user("office"), make.unit(kind="school")
    head = make.user("unit_head", unit=school)
    complaint = _complaint(make, office, school, "dispatched")
    notice = notices.issue(make.actor(office), notice_input(
        unit_id=school.id, source_type="complaint", source_id=complaint.id, problems="问题", requirements="要求",
        due_on=clock.today() + timedelta(days=7)))
    db.session.commit()
    headers, url = token(head), f"/api/v1/notices/{notice.id}/acknowledge"
    statuses = race(app, RACERS, lambda client, _: client.post(url, headers=headers).status_code)
    assert sorted(statuses) == [200] + [409] * (RACERS - 1), statuses
    assert _events(NoticeEvent, NoticeEvent.notice_id, notice.id, "acknowledge") == 1


def test_one_flag_review(app, make, token):
    office = make.user("office")
    flag = Flag(rule="long_overdue", unit_id=make.unit().id, period="2026-06", evidence={},
                proposed_action="accountability", status="raised", raised_at=data.NOW)
    db.session.add(flag)
    db.session.commit()
    headers, url = token(office), f"/api/v1/flags/{flag.id}/review"
    statuses = race(app, RACERS, lambda client, _: client.post(
        url, json={"opinion": "核实属实"}, headers=headers).status_code)
    assert sorted(statuses) == [200] + [409] * (RACERS - 1), statuses
    assert _events(FlagEvent, FlagEvent.flag_id, flag.id, "review") == 1
    db.session.expire_all()
    assert db.session.get(Flag, flag.id).status == "under_review"


def test_one_bulletin_approval_and_one_plan_activation(app, make, token):
    from tracker.services import bulletins

    office, leader = make.user("office"), make.user("leader")
    bulletin, _created = bulletins.generate(make.actor(office), "monthly", "2026-06")
    plan = make.plan(status="draft")
    make.task(measure=make.measure(plan=plan))
    db.session.commit()
    leader_headers, office_headers = token(leader), token(office)
    approve, activate = f"/api/v1/bulletins/{bulletin.id}/approve", f"/api/v1/plans/{plan.id}/activate"
    statuses = race(app, RACERS, lambda client, index: client.post(
        approve if index % 2 == 0 else activate,
        headers=leader_headers if index % 2 == 0 else office_headers).status_code)
    assert sorted(statuses[0::2]) == [200] + [409] * (RACERS // 2 - 1), statuses
    assert sorted(statuses[1::2]) == [200] + [409] * (RACERS // 2 - 1), statuses
