"""A unit member's reply to a complaint is a draft; the unit head submits or returns it on the pages."""

import io

import pytest
from sqlalchemy import func, select

from tests.factories import complaint_input
from tracker import clock
from tracker.extensions import db
from tracker.models import Complaint, ComplaintEvent, ComplaintReplyDraft
from tracker.services import complaints
from tracker.services.audit import Actor

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
NAME, CONTACT = "周九", "13911112222"


@pytest.fixture
def case(make):
    school = make.unit()
    office = make.user("office")
    head = make.user("unit_head", unit=school, display_name="王校长")
    member = make.user("unit_member", unit=school, display_name="李干事")
    act = Actor(office, "127.0.0.1", clock.now())
    complaint = complaints.submit(Actor(None, "127.0.0.1", clock.now()), complaint_input(
        category="teaching_materials", description="班主任要求统一购买教辅", name=NAME, contact=CONTACT))
    complaints.accept(act, complaint)
    complaints.dispatch(act, complaint, school.id)
    db.session.commit()
    return complaint, head, member


@pytest.fixture
def switch(client, login):
    def do(user):
        client.post("/logout")
        return login(user)

    return do


def replies(complaint_id) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(ComplaintEvent).where(
        ComplaintEvent.complaint_id == complaint_id, ComplaintEvent.action == "reply"))


def test_member_drafts_head_returns_member_resends_head_submits(client, switch, case):
    complaint, head, member = case
    cid = complaint.id
    switch(member)
    page = client.get(f"/complaints/{cid}").get_data(as_text=True)
    assert "Draft a reply for the unit head" in page or "起草答复" in page
    response = client.post(f"/complaints/{cid}/reply", data={
        "text": "经核实，已责令停止", "files": (io.BytesIO(PNG), "整改.png")},
        content_type="multipart/form-data")
    assert response.status_code == 302 and replies(cid) == 0
    assert db.session.get(Complaint, cid).status == "dispatched"
    draft = db.session.scalar(select(ComplaintReplyDraft))
    assert (draft.status, draft.author_id, len(draft.files)) == ("pending", member.id, 1)
    draft_id = draft.id
    page = client.get(f"/complaints/{cid}").get_data(as_text=True)
    assert "经核实，已责令停止" in page and f"/complaints/reply-drafts/{draft_id}" in page
    assert 'data-testid="reply-form"' not in page  # one open draft: edit it instead
    # a second reply is refused while the draft is open
    again = client.post(f"/complaints/{cid}/reply", data={"text": "再答一次"})
    assert again.status_code == 409
    assert db.session.scalar(select(func.count()).select_from(ComplaintReplyDraft)) == 1
    # the head finds it on the complaint and on the home page, and returns it
    switch(head)
    home = client.get("/").get_data(as_text=True)
    assert "/complaints/?drafts=1" in home
    listed = client.get("/complaints/?drafts=1").get_data(as_text=True)
    assert f'href="/complaints/{cid}"' in listed
    page = client.get(f"/complaints/{cid}").get_data(as_text=True)
    assert "经核实，已责令停止" in page and f"/complaints/reply-drafts/{draft_id}/submit" in page
    assert client.post(f"/complaints/reply-drafts/{draft_id}/return", data={"comment": ""}).status_code == 302
    db.session.rollback()
    assert db.session.get(ComplaintReplyDraft, draft_id).status == "pending"  # a comment is required
    client.post(f"/complaints/reply-drafts/{draft_id}/return", data={"comment": "请写明整改措施"})
    db.session.rollback()
    assert db.session.get(ComplaintReplyDraft, draft_id).status == "returned"
    # the member sees the comment, edits and sends it again
    switch(member)
    page = client.get(f"/complaints/reply-drafts/{draft_id}").get_data(as_text=True)
    assert "请写明整改措施" in page
    bad = client.post(f"/complaints/reply-drafts/{draft_id}", data={"text": ""})
    assert bad.status_code == 400
    client.post(f"/complaints/reply-drafts/{draft_id}", data={"text": "已责令停止，退还费用"})
    db.session.rollback()
    assert db.session.get(ComplaintReplyDraft, draft_id).status == "pending"
    assert client.post(f"/complaints/reply-drafts/{draft_id}/submit").status_code == 403
    # the head submits: the complaint is replied to, once, by the member
    switch(head)
    response = client.post(f"/complaints/reply-drafts/{draft_id}/submit")
    assert response.status_code == 302
    db.session.rollback()
    complaint = db.session.get(Complaint, cid)
    assert (complaint.status, complaint.reply_text) == ("replied", "已责令停止，退还费用")
    assert replies(cid) == 1
    event = db.session.scalar(select(ComplaintEvent).where(ComplaintEvent.action == "reply"))
    assert event.user_id == member.id
    assert client.post(f"/complaints/reply-drafts/{draft_id}/submit").status_code == 409
    assert replies(cid) == 1


def test_member_discards_and_the_head_still_replies_directly(client, switch, case):
    complaint, head, member = case
    cid = complaint.id
    switch(member)
    client.post(f"/complaints/{cid}/reply", data={"text": "草稿"})
    draft_id = db.session.scalar(select(ComplaintReplyDraft.id))
    assert client.post(f"/complaints/reply-drafts/{draft_id}/discard").status_code == 302
    db.session.rollback()
    assert db.session.get(ComplaintReplyDraft, draft_id).status == "discarded"
    switch(head)
    assert client.post(f"/complaints/{cid}/reply", data={"text": "负责人直接答复"}).status_code == 302
    assert replies(cid) == 1


def test_draft_pages_never_show_the_complainant(client, switch, case, make):
    complaint, head, member = case
    cid = complaint.id
    switch(member)
    client.post(f"/complaints/{cid}/reply", data={"text": "经核实"})
    draft_id = db.session.scalar(select(ComplaintReplyDraft.id))
    for user in (member, head):
        switch(user)
        for path in (f"/complaints/{cid}", f"/complaints/reply-drafts/{draft_id}", "/"):
            body = client.get(path).get_data(as_text=True)
            assert NAME not in body and CONTACT not in body, (user.role, path)
    # another unit's people do not learn of the draft
    stranger = make.user("unit_head", unit=make.unit())
    switch(stranger)
    assert client.get(f"/complaints/reply-drafts/{draft_id}").status_code == 404
    assert client.post(f"/complaints/reply-drafts/{draft_id}/submit").status_code == 404
