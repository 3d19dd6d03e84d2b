"""A unit member drafts a complaint's reply through the API, the unit head submits or returns it
(docs/api.md "Complaints")."""

from __future__ import annotations

from sqlalchemy import func, select

from tests.factories import complaint_input
from tests.races import race
from tracker import clock
from tracker.extensions import db
from tracker.models import ComplaintEvent
from tracker.services import complaints
from tracker.services.audit import Actor

NAME, CONTACT = "吴十", "13622223333"


def _case(make):
    school = make.unit()
    office = make.user("office")
    head, member = make.user("unit_head", unit=school), make.user("unit_member", unit=school)
    act = Actor(office, "127.0.0.1", clock.now())
    complaint = complaints.submit(Actor(None, "127.0.0.1", clock.now()), complaint_input(
        category="idle_at_work", description="上班时间玩手机", name=NAME, contact=CONTACT))
    complaints.accept(act, complaint)
    complaints.dispatch(act, complaint, school.id)
    db.session.commit()
    return school, head, member, complaint.id


def _replies(complaint_id) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(ComplaintEvent).where(
        ComplaintEvent.complaint_id == complaint_id, ComplaintEvent.action == "reply"))


def test_member_drafts_head_returns_member_edits_head_submits(client, make, token):
    _school, head, member, cid = _case(make)
    as_member, as_head = token(member), token(head)
    # a member replies no more straight to the complaint
    assert client.post(f"/api/v1/complaints/{cid}/reply", headers=as_member,
                       json={"text": "直接答复"}).status_code == 403
    created = client.post(f"/api/v1/complaints/{cid}/reply-drafts", headers=as_member,
                          json={"text": "经核实，已批评教育"})
    assert created.status_code == 201 and created.json["status"] == "pending"
    draft_id = created.json["id"]
    assert NAME not in created.get_data(as_text=True) and CONTACT not in created.get_data(as_text=True)
    assert client.post(f"/api/v1/complaints/{cid}/reply-drafts", headers=as_member,
                       json={"text": "再来一份"}).status_code == 409
    assert client.post(f"/api/v1/complaints/{cid}/reply-drafts", headers=as_member,
                       json={"text": ""}).status_code == 400
    assert _replies(cid) == 0
    assert client.get(f"/api/v1/complaints/{cid}", headers=as_member).json["status"] == "dispatched"
    assert [d["id"] for d in client.get("/api/v1/complaints/reply-drafts", headers=as_head).json] == [draft_id]
    assert client.post(f"/api/v1/complaints/reply-drafts/{draft_id}/submit", headers=as_member).status_code == 403
    assert client.patch(f"/api/v1/complaints/reply-drafts/{draft_id}", headers=as_head,
                        json={"text": "改"}).status_code == 403
    assert client.post(f"/api/v1/complaints/reply-drafts/{draft_id}/return", headers=as_head,
                       json={"comment": ""}).status_code == 400
    returned = client.post(f"/api/v1/complaints/reply-drafts/{draft_id}/return", headers=as_head,
                           json={"comment": "请写明处理结果"})
    assert returned.status_code == 200 and returned.json["return_comment"] == "请写明处理结果"
    assert client.post(f"/api/v1/complaints/reply-drafts/{draft_id}/submit", headers=as_head).status_code == 409
    edited = client.patch(f"/api/v1/complaints/reply-drafts/{draft_id}", headers=as_member,
                          json={"text": "已批评教育并通报"})
    assert edited.status_code == 200 and edited.json["status"] == "pending"
    answered = client.post(f"/api/v1/complaints/reply-drafts/{draft_id}/submit", headers=as_head)
    assert answered.status_code == 200
    assert (answered.json["status"], answered.json["reply_text"]) == ("replied", "已批评教育并通报")
    assert "name" not in answered.json and "contact" not in answered.json
    assert _replies(cid) == 1
    done = client.get(f"/api/v1/complaints/reply-drafts/{draft_id}", headers=as_member).json
    assert done["status"] == "submitted" and done["submitted_by_id"] == head.id and done["event_id"]
    assert client.get("/api/v1/complaints/reply-drafts", headers=as_head).json == []
    assert client.post(f"/api/v1/complaints/reply-drafts/{draft_id}/discard",
                       headers=as_member).status_code == 409


def test_other_units_and_central_roles_do_not_see_a_units_reply_drafts(client, make, token):
    _school, _head, member, cid = _case(make)
    draft = client.post(f"/api/v1/complaints/{cid}/reply-drafts", headers=token(member),
                        json={"text": "起草"}).json
    stranger_unit = make.unit()
    for outsider in (make.user("unit_head", unit=stranger_unit),
                     make.user("unit_member", unit=stranger_unit), make.user("office"), make.user("leader")):
        headers = token(outsider)
        assert client.get(f"/api/v1/complaints/reply-drafts/{draft['id']}", headers=headers).status_code == 404
        assert client.post(f"/api/v1/complaints/reply-drafts/{draft['id']}/submit",
                           headers=headers).status_code == 404
        listed = client.get("/api/v1/complaints/reply-drafts", headers=headers)
        assert listed.status_code == 403 or listed.json == []
    # another unit's member cannot draft on the complaint either
    other_member = make.user("unit_member", unit=stranger_unit)
    assert client.post(f"/api/v1/complaints/{cid}/reply-drafts", headers=token(other_member),
                       json={"text": "越权"}).status_code == 404


def test_two_heads_submitting_one_reply_draft_exactly_one_wins(app, client, make, token):
    school, head, member, cid = _case(make)
    second_head = make.user("unit_head", unit=school)
    draft_id = client.post(f"/api/v1/complaints/{cid}/reply-drafts", headers=token(member),
                           json={"text": "经核实"}).json["id"]
    heads = [token(head), token(second_head)]
    url = f"/api/v1/complaints/reply-drafts/{draft_id}/submit"
    statuses = race(app, 2, lambda c, index: c.post(url, headers=heads[index]).status_code)
    assert sorted(statuses) == [200, 409], statuses
    assert _replies(cid) == 1
