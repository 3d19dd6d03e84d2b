"""A unit member drafts a complaint's reply, the unit head submits or returns it (services, no HTTP)."""

import io
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from tests.factories import complaint_input
from tracker.extensions import db
from tracker.models import (
    AuditEvent,
    Complaint,
    ComplaintEvent,
    ComplaintFile,
    ComplaintReplyDraft,
    ComplaintReplyDraftFile,
    Notification,
)
from tracker.services import complaint_reply_drafts as drafts
from tracker.services import complaints, integrity
from tracker.services.audit import Actor
from tracker.services.errors import Conflict, InvalidInput
from tracker.services.permissions import can

NOW = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)  # Monday 2026-11-02 10:00 in Shanghai
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 100


def act(user, now=NOW) -> Actor:
    return Actor(user, "127.0.0.1", now)


@pytest.fixture
def make_member(make):
    """Another member of the complaint's unit."""
    return lambda complaint: make.user("unit_member", unit=complaint.dispatched_unit)


@pytest.fixture
def case(make):
    """A complaint dispatched to a school with a head and two members."""
    school = make.unit(name="第二小学")
    office = make.user("office")
    head = make.user("unit_head", unit=school)
    member = make.user("unit_member", unit=school)
    other_member = make.user("unit_member", unit=school)
    complaint = complaints.submit(act(None), complaint_input(
        category="buck_passing", description="窗口工作人员推诿扯皮", name="钱七", contact="13700001111"))
    complaints.accept(act(office), complaint)
    complaints.dispatch(act(office), complaint, school.id)
    db.session.commit()
    return complaint, head, member, other_member


def state(complaint: Complaint) -> tuple:
    db.session.expire_all()
    complaint = db.session.get(Complaint, complaint.id)
    events = db.session.scalar(select(func.count()).select_from(ComplaintEvent)
                               .where(ComplaintEvent.complaint_id == complaint.id))
    return (complaint.status, complaint.reply_due_on, complaint.reply_text, complaint.replied_at,
            complaint.first_replied_on, events)


def draft_of(complaint, member, tmp_path, text="经核实，已责令整改", files=()):
    return drafts.create(act(member), complaint, text=text, files=files, upload_folder=tmp_path)


def test_a_draft_changes_nothing_of_the_complaint(case, tmp_path):
    complaint, head, member, _other = case
    before = state(complaint)
    draft = draft_of(complaint, member, tmp_path)
    db.session.commit()
    drafts.edit(act(member), draft, text="经核实，已整改到位", upload_folder=tmp_path)
    drafts.return_draft(act(head), draft, comment="请写明整改措施")
    db.session.commit()
    assert state(complaint) == before
    assert (draft.status, draft.is_open) == ("returned", True)


def test_submit_replies_exactly_once_by_the_member_submitted_by_the_head(case, tmp_path):
    complaint, head, member, _other = case
    draft = draft_of(complaint, member, tmp_path, files=[complaints.Upload(io.BytesIO(PNG), "整改照片.png")])
    db.session.commit()
    later = NOW + timedelta(hours=3)
    drafts.submit(act(head, later), draft)
    db.session.commit()
    status, _due, text, replied_at, _first, _events = state(complaint)
    assert (status, text, replied_at) == ("replied", "经核实，已责令整改", later)
    reply = db.session.scalars(select(ComplaintEvent).where(
        ComplaintEvent.complaint_id == complaint.id, ComplaintEvent.action == "reply")).all()
    assert len(reply) == 1 and reply[0].user_id == member.id
    draft = db.session.get(ComplaintReplyDraft, draft.id)
    assert (draft.status, draft.is_open, draft.submitted_by_id, draft.event_id) == (
        "submitted", None, head.id, reply[0].id)
    files = db.session.scalars(select(ComplaintFile).where(ComplaintFile.event_id == reply[0].id)).all()
    assert [f.original_name for f in files] == ["整改照片.png"]
    assert files[0].stored_name == draft.files[0].stored_name
    audited = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "complaint.reply"))
    assert audited.user_id == head.id
    assert audited.changes["reply_draft_id"] == [None, draft.id]
    assert audited.changes["author_id"] == [None, member.id]
    with pytest.raises(Conflict):  # once
        drafts.submit(act(head, later), draft)
    assert len(reply) == 1


def test_return_edit_and_resubmit_with_notifications(case, tmp_path):
    complaint, head, member, other = case

    def kinds(user):
        return sorted(db.session.scalars(select(Notification.kind).where(
            Notification.user_id == user.id, Notification.kind.like("reply_draft%"))))

    draft = draft_of(complaint, member, tmp_path)
    db.session.commit()
    with pytest.raises(InvalidInput) as caught:
        drafts.return_draft(act(head), draft, comment="  ")
    assert "comment" in caught.value.fields
    drafts.return_draft(act(head), draft, comment="请补充整改照片")
    db.session.commit()
    with pytest.raises(Conflict):  # back with its author: not the head's to submit
        drafts.submit(act(head), draft)
    assert drafts.open_drafts(member) == [draft]
    drafts.edit(act(member, NOW + timedelta(minutes=5)), draft, text="已补充",
                files=[complaints.Upload(io.BytesIO(PNG), "补充.png")], upload_folder=tmp_path)
    assert draft.status == "pending" and len(draft.files) == 1
    drafts.submit(act(head, NOW + timedelta(hours=1)), draft)
    db.session.commit()
    assert kinds(head) == ["reply_draft_ready", "reply_draft_ready"]
    assert kinds(member) == ["reply_draft_returned", "reply_draft_submitted"]
    assert kinds(other) == []
    actions = db.session.scalars(select(AuditEvent.action).where(
        AuditEvent.object_type == "complaint_reply_drafts").order_by(AuditEvent.id)).all()
    assert actions == ["complaint_reply_draft.create", "complaint_reply_draft.return",
                       "complaint_reply_draft.edit", "complaint_reply_draft.submit"]


def test_one_open_draft_per_author_discard_and_refusals(case, make_member, tmp_path):
    complaint, head, member, other = case
    draft = draft_of(complaint, member, tmp_path)
    with pytest.raises(Conflict):
        draft_of(complaint, member, tmp_path)
    draft_of(complaint, other, tmp_path)  # another member drafts on the same complaint
    with pytest.raises(InvalidInput) as caught:  # a blank reply, as the reply itself refuses it
        drafts.create(act(make_member(complaint)), complaint, text=" ", upload_folder=tmp_path)
    assert "text" in caught.value.fields
    drafts.discard(act(member), draft)
    db.session.commit()
    assert draft.status == "discarded" and draft.is_open is None
    with pytest.raises(Conflict):
        drafts.submit(act(head), draft)
    with pytest.raises(Conflict):
        drafts.edit(act(member), draft, text="x", upload_folder=tmp_path)
    again = draft_of(complaint, member, tmp_path)
    assert again.id != draft.id


def test_a_draft_of_a_complaint_already_answered_cannot_be_submitted(case, tmp_path):
    complaint, head, member, _other = case
    draft = draft_of(complaint, member, tmp_path)
    complaints.reply(act(head), complaint, complaints.ReplyInput("负责人直接答复"))
    db.session.commit()
    with pytest.raises(Conflict):
        drafts.submit(act(head, NOW + timedelta(hours=1)), draft)
    assert state(complaint)[2] == "负责人直接答复"


def test_policy_member_drafts_head_submits_other_units_see_nothing(case, make, tmp_path):
    complaint, head, member, other = case
    draft = draft_of(complaint, member, tmp_path)
    db.session.commit()
    assert can(member, "complaint.reply_draft", complaint) and not can(member, "complaint.reply", complaint)
    assert can(head, "complaint.reply", complaint) and not can(head, "complaint.reply_draft", complaint)
    assert can(member, "complaint.reply_draft_edit", draft) and not can(member, "complaint.reply_submit", draft)
    assert can(head, "complaint.reply_submit", draft) and not can(head, "complaint.reply_draft_edit", draft)
    assert not can(other, "complaint.reply_draft_read", draft)  # a colleague's draft
    stranger = make.unit()
    outsiders = [make.user("unit_head", unit=stranger), make.user("unit_member", unit=stranger),
                 make.user("office"), make.user("leader")]
    for user in outsiders:
        assert not can(user, "complaint.reply_draft_read", draft)
        assert not can(user, "complaint.reply_submit", draft)
        assert drafts.open_drafts(user) == []
    assert drafts.open_drafts(head) == [draft]


def test_a_draft_holds_nothing_of_the_complainant(case, tmp_path):
    complaint, _head, member, _other = case
    draft = draft_of(complaint, member, tmp_path)
    db.session.commit()
    row = {c.name: getattr(draft, c.name) for c in ComplaintReplyDraft.__table__.columns}
    assert not any(isinstance(v, str) and ("钱七" in v or "13700001111" in v) for v in row.values())
    audited = db.session.scalars(select(AuditEvent.changes).where(
        AuditEvent.object_type == "complaint_reply_drafts")).all()
    assert "钱七" not in repr(audited) and "13700001111" not in repr(audited)


def test_tracker_check_names_a_changed_draft_file(case, tmp_path):
    complaint, _head, member, _other = case
    draft = draft_of(complaint, member, tmp_path, files=[complaints.Upload(io.BytesIO(PNG), "照片.png")])
    db.session.commit()
    assert ComplaintReplyDraftFile in integrity.FILE_MODELS
    (tmp_path / draft.files[0].stored_name).write_bytes(PNG + b"changed")
    report = integrity.check(tmp_path, NOW.date())
    assert any(p.startswith(f"complaint_reply_draft_files row {draft.files[0].id}") for p in report.problems)
