"""A unit member's report is a draft; the unit head submits or returns it on the pages."""

import io
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from tracker.extensions import db
from tracker.models import LedgerDraft, LedgerEntry

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
TODAY = datetime.now(ZoneInfo("Asia/Shanghai")).date()  # the app's "today"


@pytest.fixture
def school(make):
    unit = make.unit()
    head = make.user("unit_head", unit=unit, display_name="王校长")
    member = make.user("unit_member", unit=unit, display_name="李干事")
    task = make.task(make.measure(make.plan()), unit, title="建立作风整顿台账",
                     starts_on=(TODAY - timedelta(days=10)).isoformat(),
                     due_on=(TODAY + timedelta(days=20)).isoformat())
    return task, head, member


@pytest.fixture
def switch(client, login):
    """Log out whoever is in, and log ``user`` in."""

    def do(user):
        client.post("/logout")
        return login(user)

    return do


def entries() -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(LedgerEntry))


def test_member_drafts_head_returns_member_resends_head_submits(client, switch, school):
    task, head, member = school
    switch(member)
    response = client.post(f"/tasks/{task.id}/report", data={
        "percent": "40", "narrative": "完成摸底排查", "files": (io.BytesIO(PDF), "摸底表.pdf")},
        content_type="multipart/form-data")
    assert response.status_code == 302 and entries() == 0
    draft = db.session.scalar(select(LedgerDraft))
    assert (draft.status, draft.author_id, len(draft.files)) == ("pending", member.id, 1)
    page = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert "完成摸底排查" in page and f"/drafts/{draft.id}" in page
    assert "摸底表.pdf" in page
    # a second report of the same task is refused while the draft is open
    client.post(f"/tasks/{task.id}/report", data={"percent": "50", "narrative": "再报"})
    assert db.session.scalar(select(func.count()).select_from(LedgerDraft)) == 1
    # the head finds it waiting on "my tasks" and on the task, and returns it
    switch(head)
    mine = client.get("/my-tasks").get_data(as_text=True)
    assert "完成摸底排查" in mine and f"/drafts/{draft.id}/submit" in mine
    assert f"/drafts/{draft.id}/submit" in client.get(f"/tasks/{task.id}").get_data(as_text=True)
    evidence = client.get(f"/drafts/files/{draft.files[0].id}")
    assert evidence.status_code == 200 and evidence.get_data() == PDF
    evidence.close()  # a file sent from disk stays open until then
    client.post(f"/drafts/{draft.id}/return", data={"comment": "请补充整改佐证", "back": "mine"})
    db.session.expire_all()
    assert draft.status == "returned"
    # the member sees the comment, edits, and sends it to the head again
    switch(member)
    mine = client.get("/my-tasks").get_data(as_text=True)
    assert "请补充整改佐证" in mine
    assert client.post(f"/drafts/{draft.id}", data={"percent": "130", "narrative": "x"}).status_code == 400
    response = client.post(f"/drafts/{draft.id}", data={"percent": "45", "narrative": "已补充佐证"})
    assert response.status_code == 302
    db.session.expire_all()
    assert (draft.status, draft.percent) == ("pending", 45)
    assert client.post(f"/drafts/{draft.id}/submit").status_code == 403
    switch(head)
    response = client.post(f"/drafts/{draft.id}/submit")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/tasks/{task.id}")
    assert entries() == 1
    entry = db.session.scalar(select(LedgerEntry))
    assert (entry.user_id, entry.percent) == (member.id, 45)
    page = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert "王校长" in page and "李干事" in page  # by the member, submitted by the head
    assert client.post(f"/drafts/{draft.id}/submit").status_code == 409
    assert entries() == 1


def test_member_discards_and_other_units_see_nothing(client, switch, make, school):
    task, head, member = school
    switch(member)
    client.post(f"/tasks/{task.id}/report", data={"percent": "20", "narrative": "起步"})
    draft = db.session.scalar(select(LedgerDraft))
    stranger = make.user("unit_head", unit=make.unit())
    switch(stranger)
    assert client.get(f"/drafts/{draft.id}").status_code == 404
    assert client.post(f"/drafts/{draft.id}/submit").status_code == 404
    assert "起步" not in client.get("/my-tasks").get_data(as_text=True)
    switch(head)
    assert client.post(f"/drafts/{draft.id}/discard").status_code == 403
    switch(member)
    assert client.post(f"/drafts/{draft.id}/discard").status_code == 302
    db.session.expire_all()
    assert draft.status == "discarded" and entries() == 0
    # the form is offered again
    assert f"/tasks/{task.id}/report" in client.get(f"/tasks/{task.id}").get_data(as_text=True)


def test_the_head_reports_straight_into_the_ledger(client, switch, school):
    task, head, _member = school
    switch(head)
    client.post(f"/tasks/{task.id}/report", data={"percent": "30", "narrative": "推进中"})
    assert entries() == 1
    assert db.session.scalar(select(func.count()).select_from(LedgerDraft)) == 0
