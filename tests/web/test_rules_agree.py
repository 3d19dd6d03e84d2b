"""Each rule lives in the policy or a service: the pages and the API answer alike."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from tracker import clock
from tracker.extensions import db
from tracker.models import Innovation
from tracker.services import notices, permissions


def _innovations() -> int:
    return db.session.scalar(select(func.count()).select_from(Innovation))


def _register(client, unit_id, headers=None):
    return client.post("/api/v1/innovations", headers=headers, json={
        "unit_id": unit_id, "title": "一招鲜", "description": "做法", "year": clock.today().year})


def test_innovations_are_registered_for_the_same_units_by_page_and_api(client, make, login, token):
    school = make.unit(kind="school")
    other = make.unit(kind="school")
    group = make.unit(kind="working_group", peer_group="departments")
    office = make.user("office")
    head = make.user("unit_head", unit=school)
    db.session.commit()

    # the office: any assessed unit, never a working group
    login(office)
    form = client.get("/innovations/new").get_data(as_text=True)
    assert school.name in form and group.name not in form
    page = client.post("/innovations/new", data={"unit_id": group.id, "title": "x", "description": "d",
                                                 "year": str(clock.today().year)})
    assert page.status_code == 400
    assert _register(client, group.id, token(office)).status_code == 403
    assert _innovations() == 0
    assert _register(client, other.id, token(office)).status_code == 201

    # a unit's head: its own unit only, whatever the form or the body names
    client.post("/logout")
    login(head)
    assert client.post("/innovations/new", data={"unit_id": other.id, "title": "x", "description": "d",
                                                 "year": str(clock.today().year)}).status_code == 302
    assert _register(client, other.id, token(head)).status_code == 403
    assert _register(client, None, token(head)).status_code == 201
    assert sorted(db.session.scalars(select(Innovation.unit_id))) == sorted([other.id, school.id, school.id])


def test_the_overdue_notice_rule_is_the_services(client, make, login, token):
    school = make.unit(kind="school")
    office = make.user("office")
    today = clock.today()
    inspection = notices.create_inspection(make.actor(office), unit_id=school.id, inspected_on=today,
                                           place="校门口", inspectors="督查组", findings="迟到",
                                           is_unannounced=True)
    late = notices.issue(make.actor(office), unit_id=school.id, source_type="inspection",
                         source_id=inspection.id, problems="问题", requirements="要求",
                         due_on=today + timedelta(days=3))
    db.session.flush()
    late.due_on = today - timedelta(days=1)  # the deadline passed yesterday
    db.session.commit()
    login(office)
    record = client.get(f"/units/{school.id}/record").get_data(as_text=True)
    api = client.get(f"/api/v1/notices/{late.id}", headers=token(office)).json
    assert notices.display_status(late, today) == "overdue"
    assert api["status"] == "overdue"
    assert "逾期" in record


def test_navigation_and_lists_follow_the_policy(client, make, login):
    admin = make.user("admin")
    leader = make.user("leader")
    db.session.commit()
    login(admin)
    nav = client.get("/").get_data(as_text=True)
    assert permissions.can(admin, "liaison.view") and "/supervision/liaison" in nav
    assert not permissions.can(admin, "complaint.list") and 'href="/complaints/"' not in nav
    client.post("/logout")
    login(leader)
    nav = client.get("/").get_data(as_text=True)
    assert permissions.can(leader, "complaint.list") and 'href="/complaints/"' in nav
