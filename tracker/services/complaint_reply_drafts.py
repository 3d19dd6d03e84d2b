"""A unit member drafts a complaint's reply, the unit head submits it (docs/domain.md "Reply drafts").

A draft is not the reply: it changes nothing of the complaint — neither its
status, its deadlines nor its events. The head submits it — the complaint's
reply is then ``complaints.reply`` with the draft's text and files, the event
the member's, the audit record the head's — or returns it with a comment; the
member edits it (which sends it to the head again) or discards it. The steps
every draft shares (compare-and-set moves, return, discard, files) are
``services/drafts.py``'s. Who may take which
step is the policy's (``complaint.reply_draft``, ``complaint.reply_submit``,
``complaint.reply_draft_edit``); lists are scoped here in SQL by the same rules.
A draft carries nothing of the complainant: what the member reads of the
complaint is what the unit reads (no name, no contact).
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from flask_babel import gettext as _
from sqlalchemy import Select, select
from sqlalchemy.orm import selectinload

from tracker.extensions import db
from tracker.models import Complaint, ComplaintReplyDraft, ComplaintReplyDraftFile, User
from tracker.services import audit, complaints, notifications, uploads, validation
from tracker.services.drafts import DraftKind
from tracker.services.errors import Conflict
from tracker.services.uploads import Upload

KIND = DraftKind(ComplaintReplyDraft, ComplaintReplyDraftFile, "complaint_reply_draft",
                 notifications.reply_draft_returned, notifications.reply_draft_submitted)
discard, return_draft = KIND.discard, KIND.return_draft


def open_draft(complaint: Complaint, author: User) -> ComplaintReplyDraft | None:
    """The author's open (pending or returned) reply draft of the complaint, if any."""
    return db.session.scalar(select(ComplaintReplyDraft).where(
        ComplaintReplyDraft.complaint_id == complaint.id, ComplaintReplyDraft.author_id == author.id,
        ComplaintReplyDraft.is_open.is_(True)))


def _check(complaint: Complaint, text: str | None, file_count: int) -> str:
    """The reply's rules, as ``complaints.reply`` will apply them when the head submits."""
    complaints.WORKFLOW.require(complaint, "reply")
    errors: dict[str, str] = {}
    body = complaints.check_reply_text(text, errors)
    if file_count > complaints.MAX_FILES:
        errors["files"] = _("At most %(n)d files.", n=complaints.MAX_FILES)
    validation.raise_if(errors)
    return body


def create(actor: audit.Actor, complaint: Complaint, *, text: str | None, files: Sequence[Upload] = (),
           upload_folder: str | os.PathLike | None) -> ComplaintReplyDraft:
    """Save a member's reply as a draft for the head; one open draft per complaint and author."""
    body = _check(complaint, text, len([f for f in files if f.filename]))
    if open_draft(complaint, actor.user) is not None:
        raise Conflict(_("You already have a draft reply to this complaint: edit it, or discard it first."))
    stored = _store(files, upload_folder, complaints.MAX_FILES)
    draft = ComplaintReplyDraft(complaint_id=complaint.id, author_id=actor.user.id, text=body,
                                status="pending", is_open=True, created_at=actor.now, updated_at=actor.now)
    db.session.add(draft)
    db.session.flush()
    KIND.add_files(actor, draft, stored)
    audit.record(actor, "complaint_reply_draft.create", draft, {
        "complaint_id": [None, complaint.id], "files": [None, [f.original_name for f in stored]]})
    notifications.reply_draft_ready(draft, actor.now)
    return draft


def edit(actor: audit.Actor, draft: ComplaintReplyDraft, *, text: str | None, files: Sequence[Upload] = (),
         upload_folder: str | os.PathLike | None) -> ComplaintReplyDraft:
    """Change an open draft (adding files); a returned draft goes back to the head."""
    KIND.require_open(draft)
    new_files = [f for f in files if f.filename]
    body = _check(draft.complaint, text, len(draft.files) + len(new_files))
    changes = audit.diff(draft, {"text": body})
    KIND.reopen(draft, changes)
    stored = _store(new_files, upload_folder, complaints.MAX_FILES - len(draft.files))
    draft.text, draft.updated_at = body, actor.now
    KIND.add_files(actor, draft, stored)
    if stored:
        changes["files"] = [None, [f.original_name for f in stored]]
    audit.record(actor, "complaint_reply_draft.edit", draft, changes)
    notifications.reply_draft_ready(draft, actor.now)
    return draft


def submit(actor: audit.Actor, draft: ComplaintReplyDraft) -> Complaint:
    """The head submits a pending draft: the complaint is replied to exactly once, by the member."""
    KIND.require_pending(draft)
    complaint = draft.complaint
    _check(complaint, draft.text, len(draft.files))
    KIND.move(draft, ("pending",), "submitted")
    submitter = actor.user.id if actor.user else None
    complaints.reply(actor, complaint, complaints.ReplyInput(text=draft.text), stored=draft.files,
                     author_id=draft.author_id,
                     audit_extra={"reply_draft_id": [None, draft.id], "author_id": [None, draft.author_id],
                                  "submitted_by_id": [None, submitter]})
    event = complaint.events[-1]
    draft.event_id = event.id
    KIND.submitted_as(actor, draft, "event_id", event.id)
    return complaint


# Reading ------------------------------------------------------------------------


def _visible(user: User):
    """The drafts ``user`` reads (``complaint.reply_draft_read`` in SQL): their own, their unit's as head."""
    if user.unit_id is None:
        return None
    own_unit = ComplaintReplyDraft.complaint_id.in_(
        select(Complaint.id).where(Complaint.dispatched_unit_id == user.unit_id))
    if user.role == "unit_member":
        return (ComplaintReplyDraft.author_id == user.id) & own_unit
    if user.role == "unit_head":
        return own_unit
    return None


def _waiting(user: User):
    """The drafts that wait on ``user``: a head's unit's pending ones, a member's own open ones."""
    where = _visible(user)
    if where is None:
        return None
    if user.role == "unit_head":
        return where & (ComplaintReplyDraft.status == "pending")
    return where & ComplaintReplyDraft.is_open.is_(True)


def open_drafts(user: User, complaint: Complaint | None = None) -> list[ComplaintReplyDraft]:
    """The open reply drafts ``user`` reads (of one complaint or all), oldest first.

    For a head: the unit's drafts waiting for them, and those they returned; for a
    member: their own, pending or returned.
    """
    where = _visible(user)
    if where is None:
        return []
    stmt = (select(ComplaintReplyDraft).where(where, ComplaintReplyDraft.is_open.is_(True))
            .options(selectinload(ComplaintReplyDraft.files), selectinload(ComplaintReplyDraft.complaint),
                     selectinload(ComplaintReplyDraft.author))
            .order_by(ComplaintReplyDraft.updated_at, ComplaintReplyDraft.id))
    if complaint is not None:
        stmt = stmt.where(ComplaintReplyDraft.complaint_id == complaint.id)
    return list(db.session.scalars(stmt))


def waiting(user: User, limit: int) -> list:
    """The first ``limit`` drafts waiting on ``user`` (a head's to submit, a member's own open ones),
    oldest first, as rows of (draft id, status, complaint id, complaint subject): one statement."""
    where = _waiting(user)
    if where is None:
        return []
    return db.session.execute(
        select(ComplaintReplyDraft.id, ComplaintReplyDraft.status, Complaint.id, Complaint.subject)
        .join(Complaint, Complaint.id == ComplaintReplyDraft.complaint_id).where(where)
        .order_by(ComplaintReplyDraft.updated_at, ComplaintReplyDraft.id).limit(limit)).all()


def only_with_drafts(user: User, stmt: Select) -> Select:
    """Narrow a complaint list to the complaints with a draft waiting on ``user`` (the home's link)."""
    where = _waiting(user)
    if where is None:
        return stmt.where(Complaint.id.is_(None))
    return stmt.where(Complaint.id.in_(select(ComplaintReplyDraft.complaint_id).where(where)))


# Steps --------------------------------------------------------------------------


def _store(files: Sequence[Upload], upload_folder: str | os.PathLike | None, max_files: int):
    errors: dict[str, str] = {}
    stored = uploads.store_photos_or_pdfs(upload_folder, files, errors, max_files=max(max_files, 0))
    validation.raise_if(errors)
    return stored
