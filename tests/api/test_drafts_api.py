"""A unit member drafts through the API, the unit head submits or returns (docs/api.md "Drafts")."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from tests.races import race
from tracker.extensions import db
from tracker.models import LedgerEntry


def _school(make):
    school = make.unit()
    head, member = make.user("unit_head", unit=school), make.user("unit_member", unit=school)
    task = make.task(unit=school, starts_on=date.today().replace(day=1).isoformat(),
                     due_on=date(date.today().year + 1, 1, 31).isoformat())
    return school, head, member, task


def _entries(task_id) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(LedgerEntry)
                             .where(LedgerEntry.task_id == task_id))


def test_member_drafts_head_returns_member_edits_head_submits(client, make, token):
    _school_unit, head, member, task = _school(make)
    task_id, member_id = task.id, member.id
    as_member, as_head = token(member), token(head)
    # a member reports no more straight into the ledger
    refused = client.post(f"/api/v1/tasks/{task_id}/entries", headers=as_member,
                          json={"percent": 30, "narrative": "直接交账"})
    assert refused.status_code == 403
    created = client.post(f"/api/v1/tasks/{task_id}/drafts", headers=as_member,
                          json={"percent": 30, "narrative": "完成摸底"})
    assert created.status_code == 201 and created.json["status"] == "pending"
    draft_id = created.json["id"]
    again = client.post(f"/api/v1/tasks/{task_id}/drafts", headers=as_member,
                        json={"percent": 35, "narrative": "再交一份"})
    assert again.status_code == 409
    assert _entries(task_id) == 0
    assert [d["id"] for d in client.get("/api/v1/drafts", headers=as_head).json] == [draft_id]
    # the member may not submit or return their own draft; the head may not edit it
    assert client.post(f"/api/v1/drafts/{draft_id}/submit", headers=as_member).status_code == 403
    assert client.patch(f"/api/v1/drafts/{draft_id}", headers=as_head,
                        json={"percent": 90, "narrative": "改"}).status_code == 403
    bad = client.post(f"/api/v1/drafts/{draft_id}/return", headers=as_head, json={"comment": ""})
    assert bad.status_code == 400
    returned = client.post(f"/api/v1/drafts/{draft_id}/return", headers=as_head,
                           json={"comment": "请补充佐证"})
    assert returned.status_code == 200 and returned.json["return_comment"] == "请补充佐证"
    assert client.post(f"/api/v1/drafts/{draft_id}/submit", headers=as_head).status_code == 409
    mine = client.get("/api/v1/drafts", headers=as_member).json
    assert [(d["status"], d["return_comment"]) for d in mine] == [("returned", "请补充佐证")]
    edited = client.patch(f"/api/v1/drafts/{draft_id}", headers=as_member,
                          json={"percent": 40, "narrative": "已补充佐证"})
    assert edited.status_code == 200 and edited.json["status"] == "pending"
    entry = client.post(f"/api/v1/drafts/{draft_id}/submit", headers=as_head)
    assert entry.status_code == 201
    assert (entry.json["percent"], entry.json["user_id"]) == (40, member_id)
    assert _entries(task_id) == 1
    done = client.get(f"/api/v1/drafts/{draft_id}", headers=as_member).json
    assert done["status"] == "submitted" and done["submitted_by_id"] == head.id
    assert done["entry_id"] == entry.json["id"]
    assert client.get("/api/v1/drafts", headers=as_head).json == []
    assert client.post(f"/api/v1/drafts/{draft_id}/discard", headers=as_member).status_code == 409


def test_other_units_and_central_roles_do_not_see_a_units_drafts(client, make, token):
    _unit, head, member, task = _school(make)
    draft = client.post(f"/api/v1/tasks/{task.id}/drafts", headers=token(member),
                        json={"percent": 10, "narrative": "起步"}).json
    stranger_unit = make.unit()
    for outsider in (make.user("unit_head", unit=stranger_unit),
                     make.user("unit_member", unit=stranger_unit), make.user("office")):
        headers = token(outsider)
        assert client.get(f"/api/v1/drafts/{draft['id']}", headers=headers).status_code == 404
        assert client.post(f"/api/v1/drafts/{draft['id']}/submit", headers=headers).status_code == 404
        listed = client.get("/api/v1/drafts", headers=headers)
        assert listed.status_code == 403 or listed.json == []


def test_two_heads_submitting_one_draft_exactly_one_wins(app, client, make, token):
    school, head, member, task = _school(make)
    second_head = make.user("unit_head", unit=school)
    draft_id = client.post(f"/api/v1/tasks/{task.id}/drafts", headers=token(member),
                           json={"percent": 60, "narrative": "过半"}).json["id"]
    heads = [token(head), token(second_head)]
    task_id, url = task.id, f"/api/v1/drafts/{draft_id}/submit"
    statuses = race(app, 2, lambda c, index: c.post(url, headers=heads[index]).status_code)
    assert sorted(statuses) == [201, 409], statuses
    assert _entries(task_id) == 1
