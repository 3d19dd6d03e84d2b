"""Each rule lives in the policy or a service: the pages and the API answer alike."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import quote

from sqlalchemy import func, select

from tests.factories import complaint_input, inspection_input, notice_input
from tracker import clock
from tracker.extensions import db
from tracker.models import ComplaintFile, Innovation
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
    inspection = notices.create_inspection(make.actor(office), inspection_input(
        unit_id=school.id, inspected_on=today, place="校门口", inspectors="督查组", findings="迟到",
        is_unannounced=True))
    late = notices.issue(make.actor(office), notice_input(
        unit_id=school.id, source_type="inspection", source_id=inspection.id, problems="问题",
        requirements="要求", due_on=today + timedelta(days=3)))
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


def _dispatched(make, unit):
    from tracker.services import complaints

    office = make.actor(make.user("office"))
    complaint = complaints.submit(make.actor(), complaint_input(
        category="other", description="推诿扯皮不作为，办事拖拉", name="赵六", contact="13800000000"))
    complaints.accept(office, complaint)
    complaints.dispatch(office, complaint, unit.id)
    db.session.commit()
    return complaint


def test_a_back_dated_reply_from_a_unit_is_refused_by_page_and_api(client, make, login, token):
    school = make.unit(kind="school")
    head = make.user("unit_head", unit=school)
    first, second = _dispatched(make, school), _dispatched(make, school)
    login(head)
    day = clock.today().isoformat()
    page = client.post(f"/complaints/{first.id}/reply", data={"text": "已处理", "on": day})
    api = client.post(f"/api/v1/complaints/{second.id}/reply", json={"text": "已处理", "on": day},
                      headers=token(head))
    assert page.status_code == 400 and "只有作风整顿办公室可以登记纸质答复的日期" in page.get_data(as_text=True)
    assert api.status_code == 400 and "on" in api.json["error"]["fields"]
    db.session.expire_all()
    assert first.status == second.status == "dispatched"


def test_the_complainants_file_name_reaches_only_office_and_leaders(client, make, login):
    import io

    from flask import current_app

    from tracker.services import complaints

    school = make.unit(kind="school")
    office = make.user("office")
    complaint = complaints.submit(
        make.actor(), complaint_input(category="other", description="附件中是老师办班补课的收费单据",
                                      name="钱七", contact="13900000000"),
        files=[complaints.Upload(io.BytesIO(b"%PDF-1.4\n%%EOF\n"), "钱七的举报.pdf")],
        upload_folder=current_app.config["UPLOAD_FOLDER"])
    complaints.accept(make.actor(office), complaint)
    complaints.dispatch(make.actor(office), complaint, school.id)
    db.session.commit()
    file_id = db.session.scalar(select(ComplaintFile.id).where(ComplaintFile.complaint_id == complaint.id))
    login(office)
    with client.get(f"/complaints/files/{file_id}") as response:
        assert quote("钱七") in response.headers["Content-Disposition"]
    client.post("/logout")
    login(make.user("unit_head", unit=school))
    with client.get(f"/complaints/files/{file_id}") as response:
        name = response.headers["Content-Disposition"]
    assert quote("钱七") not in name and f"attachment-{file_id}.pdf" in name
