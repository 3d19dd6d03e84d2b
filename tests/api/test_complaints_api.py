"""Every complaint endpoint from every status: allowed → 200/201, otherwise 409 with nothing changed."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.factories import complaint_input
from tracker.extensions import db
from tracker.models import AuditEvent
from tracker.models.complaints import Complaint, ComplaintEvent
from tracker.services import complaints

STATUSES = ("submitted", "accepted", "rejected", "duplicate", "dispatched", "replied", "closed")
ENDPOINTS = {  # name → (body, who, the statuses it is allowed from, the status after)
    "accept": ({}, "office", {"submitted"}, "accepted"),
    "reject": ({"reason": "不属于受理范围"}, "office", {"submitted", "accepted"}, "rejected"),
    "duplicate": (None, "office", {"submitted", "accepted"}, "duplicate"),
    "dispatch": (None, "office", {"accepted"}, "dispatched"),
    "reply": ({"text": "已答复"}, "head", {"dispatched"}, "replied"),
    "return": ({"reason": "答复不充分"}, "office", {"replied"}, "dispatched"),
    "close": ({"resolved": True}, "office", {"replied"}, "closed"),
    "satisfaction": ({"rating": "satisfied"}, None, {"closed"}, "closed"),
}


@pytest.fixture
def world(make):
    school = make.unit(name="第一小学")
    return {"school": school, "office": make.user("office"), "head": make.user("unit_head", unit=school)}


def walk(make, world, status) -> Complaint:
    office, head = make.actor(world["office"]), make.actor(world["head"])
    c = complaints.submit(make.actor(), complaint_input(category="other", description="投诉的具体内容"))
    if status == "rejected":
        complaints.reject(office, c, "理由")
    elif status == "duplicate":
        other = complaints.submit(make.actor(), complaint_input(category="other", description="原投诉内容"))
        complaints.mark_duplicate(office, c, other.id)
    elif status != "submitted":
        complaints.accept(office, c)
        if status in ("dispatched", "replied", "closed"):
            complaints.dispatch(office, c, world["school"].id)
        if status in ("replied", "closed"):
            complaints.reply(head, c, complaints.ReplyInput("答复"))
        if status == "closed":
            complaints.close(office, c, True)
    db.session.commit()
    return c


def state(c: Complaint) -> tuple:
    db.session.expire_all()
    c = db.session.get(Complaint, c.id)
    return (c.status, c.dispatched_unit_id, c.reply_due_on, c.first_replied_on, c.rating, c.resolved,
            db.session.scalar(select(func.count()).select_from(ComplaintEvent).where(
                ComplaintEvent.complaint_id == c.id)),
            db.session.scalar(select(func.count()).select_from(AuditEvent)))


@pytest.mark.parametrize("name", sorted(ENDPOINTS))
@pytest.mark.parametrize("status", STATUSES)
def test_endpoint_from_status(client, make, token, world, name, status):
    c = walk(make, world, status)
    body, who, allowed, after = ENDPOINTS[name]
    if name == "duplicate":
        body = {"of_id": walk(make, world, "submitted").id}
    if name == "dispatch":
        body = {"unit_id": world["school"].id}
    if name == "reply" and status in ("submitted", "accepted", "rejected", "duplicate"):
        who = "office"  # never dispatched: the unit does not even see it (404)
    headers = token(world[who]) if who else {}
    before = state(c)
    if name == "satisfaction":
        response = client.post(f"/api/v1/public/complaints/{c.tracking_code}/satisfaction", json=body)
    else:
        response = client.post(f"/api/v1/complaints/{c.id}/{name}", json=body, headers=headers)
    if status in allowed:
        assert response.status_code in (200, 201), response.json
        assert response.json["status"] == after
    else:
        assert response.status_code == 409, response.json
        assert response.json["error"]["code"] == "conflict"
        assert state(c) == before


def test_list_filters_and_scope(client, make, token, world):
    other = make.unit(name="第二小学")
    mine = walk(make, world, "dispatched")
    theirs = walk(make, world, "accepted")
    complaints.dispatch(make.actor(world["office"]), theirs, other.id)
    walk(make, world, "submitted")
    db.session.commit()
    office = client.get("/api/v1/complaints", headers=token(world["office"])).json
    assert office["total"] == 3
    assert client.get(f"/api/v1/complaints?status=dispatched&unit_id={other.id}",
                      headers=token(world["office"])).json["total"] == 1
    unit = client.get("/api/v1/complaints", headers=token(world["head"])).json
    assert [item["id"] for item in unit["items"]] == [mine.id]
    assert "tracking_code" not in unit["items"][0] and "contact" not in unit["items"][0]
    assert client.get(f"/api/v1/complaints/{theirs.id}", headers=token(world["head"])).status_code == 404
    bad = client.get("/api/v1/complaints?status=nope&per_page=500", headers=token(world["office"]))
    assert bad.status_code == 400 and {"status", "per_page"} <= set(bad.json["error"]["fields"])
