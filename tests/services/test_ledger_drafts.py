"""A unit member drafts a ledger report, the unit head submits or returns it (services, no HTTP)."""

import io
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from tracker.extensions import db
from tracker.models import (
    AuditEvent,
    EvidenceFile,
    LedgerDraft,
    LedgerEntry,
    Notification,
    TaskState,
)
from tracker.services import ledger, ledger_drafts
from tracker.services.audit import Actor
from tracker.services.errors import Conflict, InvalidInput
from tracker.services.permissions import can

NOW = datetime(2026, 10, 20, 2, 0, tzinfo=UTC)  # 2026-10-20 10:00 in Shanghai
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def act(user, now=NOW) -> Actor:
    return Actor(user, "127.0.0.1", now)


@pytest.fixture
def unit_of_three(make):
    """A school with a head and two members, and a task of it."""
    school = make.unit()
    head = make.user("unit_head", unit=school)
    member = make.user("unit_member", unit=school)
    other_member = make.user("unit_member", unit=school)
    task = make.task(unit=school)
    return task, head, member, other_member


def entries(task) -> int:
    return db.session.scalar(select(func.count()).select_from(LedgerEntry)
                             .where(LedgerEntry.task_id == task.id))


def kept(task) -> tuple:
    db.session.expire_all()
    row = db.session.get(TaskState, task.id)
    return (row.status, row.actual_percent, row.last_reported_on, row.valid_from)


def draft_of(task, member, tmp_path, percent=40, files=()):
    return ledger_drafts.create(act(member), task, percent=percent, narrative="完成摸底排查",
                                files=files, upload_folder=tmp_path)


def test_a_draft_is_not_an_entry_and_leaves_the_kept_state_alone(unit_of_three, tmp_path):
    task, head, member, _other = unit_of_three
    before = kept(task)
    draft = draft_of(task, member, tmp_path)
    db.session.commit()
    ledger_drafts.edit(act(member), draft, percent=60, narrative="推进中", upload_folder=tmp_path)
    db.session.commit()
    assert entries(task) == 0
    assert kept(task) == before
    assert (draft.status, draft.percent, draft.is_open) == ("pending", 60, True)


def test_submit_creates_exactly_one_entry_by_the_member_submitted_by_the_head(unit_of_three, tmp_path):
    task, head, member, _other = unit_of_three
    draft = draft_of(task, member, tmp_path, files=[ledger.Upload(io.BytesIO(PDF), "佐证.pdf")])
    db.session.commit()
    later = NOW + timedelta(days=1)
    entry = ledger_drafts.submit(act(head, later), draft)
    db.session.commit()
    assert entries(task) == 1
    assert (entry.user_id, entry.percent, entry.reported_on) == (member.id, 40, date(2026, 10, 21))
    assert (draft.status, draft.is_open, draft.entry_id, draft.submitted_by_id) == (
        "submitted", None, entry.id, head.id)
    assert entry.draft.submitted_by_id == head.id
    files = db.session.scalars(select(EvidenceFile).where(EvidenceFile.entry_id == entry.id)).all()
    assert [f.original_name for f in files] == ["佐证.pdf"]
    assert files[0].stored_name == draft.files[0].stored_name
    report = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "ledger.report"))
    assert report.user_id == head.id and report.changes["draft_id"] == [None, draft.id]
    assert kept(task)[1] == 40  # now the kept state counts it
    with pytest.raises(Conflict):  # once
        ledger_drafts.submit(act(head, later), draft)
    assert entries(task) == 1


def test_return_edit_and_resubmit(unit_of_three, tmp_path):
    task, head, member, _other = unit_of_three
    draft = draft_of(task, member, tmp_path)
    db.session.commit()
    with pytest.raises(InvalidInput) as caught:
        ledger_drafts.return_draft(act(head), draft, comment="  ")
    assert "comment" in caught.value.fields
    ledger_drafts.return_draft(act(head), draft, comment="请补充佐证材料")
    db.session.commit()
    assert (draft.status, draft.return_comment, draft.returned_by_id) == ("returned", "请补充佐证材料", head.id)
    with pytest.raises(Conflict):  # back with its author: not the head's to submit
        ledger_drafts.submit(act(head), draft)
    assert ledger_drafts.open_drafts(member) == [draft]  # the member sees what was returned
    ledger_drafts.edit(act(member, NOW + timedelta(hours=1)), draft, percent=50, narrative="已补充",
                       files=[ledger.Upload(io.BytesIO(PDF), "补充.pdf")], upload_folder=tmp_path)
    db.session.commit()
    assert draft.status == "pending" and len(draft.files) == 1
    entry = ledger_drafts.submit(act(head), draft)
    assert entry.percent == 50 and entries(task) == 1
    actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.object_type == "ledger_drafts")
                                 .order_by(AuditEvent.id)).all()
    assert actions == ["ledger_draft.create", "ledger_draft.return", "ledger_draft.edit",
                       "ledger_draft.submit"]


def test_notifications_go_to_the_head_when_ready_and_to_the_member_when_returned(unit_of_three, tmp_path):
    task, head, member, other = unit_of_three

    def kinds(user):
        return sorted(db.session.scalars(select(Notification.kind).where(Notification.user_id == user.id)))

    draft = draft_of(task, member, tmp_path)
    ledger_drafts.return_draft(act(head), draft, comment="数据有误")
    ledger_drafts.edit(act(member, NOW + timedelta(minutes=5)), draft, percent=45, narrative="已更正",
                       upload_folder=tmp_path)
    ledger_drafts.submit(act(head), draft)
    db.session.commit()
    assert kinds(head) == ["draft_ready", "draft_ready"]
    assert kinds(member) == ["draft_returned", "draft_submitted"]
    assert kinds(other) == []


def test_discard_and_one_open_draft_per_task_and_author(unit_of_three, tmp_path):
    task, head, member, other = unit_of_three
    draft = draft_of(task, member, tmp_path)
    with pytest.raises(Conflict):
        draft_of(task, member, tmp_path)
    draft_of(task, other, tmp_path)  # another member drafts on the same task
    ledger_drafts.discard(act(member), draft)
    db.session.commit()
    assert draft.status == "discarded" and draft.is_open is None
    with pytest.raises(Conflict):
        ledger_drafts.submit(act(head), draft)
    with pytest.raises(Conflict):
        ledger_drafts.edit(act(member), draft, percent=1, narrative="x", upload_folder=tmp_path)
    again = draft_of(task, member, tmp_path)  # a new one, once the old one is closed
    db.session.commit()
    assert again.id != draft.id and entries(task) == 0


def test_drafts_follow_the_ledger_rules(unit_of_three, tmp_path):
    task, head, member, _other = unit_of_three
    with pytest.raises(InvalidInput) as caught:
        draft_of(task, member, tmp_path, percent=101)
    assert "percent" in caught.value.fields
    draft = draft_of(task, member, tmp_path)
    task.verified_on = date(2026, 10, 19)
    with pytest.raises(Conflict):
        ledger_drafts.submit(act(head), draft)
    assert db.session.scalar(select(func.count()).select_from(LedgerDraft)) == 1


def test_the_policy_member_drafts_head_submits_other_units_see_nothing(make, unit_of_three, tmp_path):
    task, head, member, other = unit_of_three
    draft = draft_of(task, member, tmp_path)
    db.session.commit()
    office, leader, admin = make.user("office"), make.user("leader"), make.user("admin")
    stranger_unit = make.unit()
    stranger_head = make.user("unit_head", unit=stranger_unit)
    stranger_member = make.user("unit_member", unit=stranger_unit)
    liaison = make.unit(kind="department", peer_group="departments")
    task.owner_unit.liaison_unit_id = liaison.id
    liaison_head = make.user("unit_head", unit=liaison)
    db.session.commit()
    # who reports straight into the ledger, who drafts
    assert can(head, "task.report", task) and can(office, "task.report", task)
    assert not can(member, "task.report", task)
    assert can(member, "ledger.draft", task) and not can(head, "ledger.draft", task)
    assert not can(stranger_member, "ledger.draft", task)
    # the member cannot submit or return; only the head of the task's unit can
    assert not can(member, "ledger.submit", draft)
    assert can(head, "ledger.submit", draft)
    for outsider in (office, leader, admin, stranger_head, stranger_member, liaison_head, other):
        assert not can(outsider, "ledger.submit", draft)
        assert not can(outsider, "ledger.draft_edit", draft)
    # reading: the author and the head; never another unit, the liaison or the central roles
    assert can(member, "ledger.draft_read", draft) and can(head, "ledger.draft_read", draft)
    for outsider in (office, leader, admin, stranger_head, stranger_member, liaison_head, other):
        assert not can(outsider, "ledger.draft_read", draft), outsider.role
    assert ledger_drafts.open_drafts(head) == [draft]
    assert ledger_drafts.open_drafts(member) == [draft]
    for outsider in (office, stranger_head, stranger_member, liaison_head, other):
        assert ledger_drafts.open_drafts(outsider) == []
    assert ledger_drafts.waiting_count(head) == 1


def test_the_demo_member_has_a_draft_waiting_and_one_returned(app):
    from tracker import demo
    from tracker.models import User

    actor = Actor(None, "cli", datetime.now(UTC))
    assert demo.load(actor)
    db.session.commit()
    member = db.session.scalar(select(User).where(User.username == "jjg.staff"))
    drafts = ledger_drafts.open_drafts(member)
    assert sorted(d.status for d in drafts) == ["pending", "returned"]
    assert all(d.return_comment for d in drafts if d.status == "returned")
    head = db.session.scalar(select(User).where(User.username == "jjg.head"))
    assert ledger_drafts.waiting_count(head) == 1
    staff = db.session.scalar(select(User).where(User.username == "cgxx.staff"))
    assert [d.status for d in ledger_drafts.open_drafts(staff)] == ["pending"]
    assert db.session.scalar(select(func.count()).select_from(LedgerEntry)
                             .where(LedgerEntry.user_id == member.id)) == 0
