"""A unit member drafts a ledger report, the unit head submits it (docs/domain.md "Drafts").

A draft is not a ledger entry: it changes neither the ledger nor the task's
kept state. The head submits it — the ledger entry is then the member's,
submitted by the head, dated the day of submission — or returns it with a
comment; the member edits it (which sends it to the head again) or discards
it. Each step moves the draft's status by compare-and-set, so of two heads
submitting one draft at once exactly one succeeds and the other gets 409.
Who may take which step is the policy's (``ledger.draft``, ``ledger.submit``,
``ledger.draft_edit``); lists are scoped here in SQL by the same rules.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from flask_babel import gettext as _
from sqlalchemy import func, select, update
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.attributes import set_committed_value

from tracker.extensions import db
from tracker.models import LedgerDraft, LedgerDraftFile, LedgerEntry, Task, User
from tracker.services import audit, ledger, notifications, settings, uploads, validation, workflow
from tracker.services.errors import Conflict
from tracker.services.uploads import Upload

OPEN = ("pending", "returned")


def open_draft(task: Task, author: User) -> LedgerDraft | None:
    """The author's open (pending or returned) draft of the task, if any."""
    return db.session.scalar(select(LedgerDraft).where(
        LedgerDraft.task_id == task.id, LedgerDraft.author_id == author.id,
        LedgerDraft.is_open.is_(True)))


def create(actor: audit.Actor, task: Task, *, percent: int, narrative: str,
           files: Sequence[Upload] = (), upload_folder: str | os.PathLike) -> LedgerDraft:
    """Save a member's report as a draft for the head; one open draft per task and author."""
    text, _day = ledger.check_report(actor, task, percent=percent, narrative=narrative,
                                     file_count=len(files))
    if open_draft(task, actor.user) is not None:
        raise Conflict(_("You already have a draft of this task: edit it, or discard it first."))
    stored = _store(files, upload_folder)
    draft = LedgerDraft(task_id=task.id, author_id=actor.user.id, percent=percent, narrative=text,
                        status="pending", is_open=True, created_at=actor.now, updated_at=actor.now)
    db.session.add(draft)
    db.session.flush()
    _add_files(actor, draft, stored)
    audit.record(actor, "ledger_draft.create", draft, {
        "task_id": [None, task.id], "percent": [None, percent],
        "files": [None, [f.original_name for f in stored]]})
    notifications.draft_ready(draft, actor.now)
    return draft


def edit(actor: audit.Actor, draft: LedgerDraft, *, percent: int, narrative: str,
         files: Sequence[Upload] = (), upload_folder: str | os.PathLike) -> LedgerDraft:
    """Change an open draft (adding files); a returned draft goes back to the head."""
    text, _day = ledger.check_report(actor, draft.task, percent=percent, narrative=narrative,
                                     file_count=len(draft.files) + len(files))
    _require_open(draft)
    changes = audit.diff(draft, {"percent": percent, "narrative": text})
    if draft.status == "returned":
        _move(draft, ("returned",), "pending")
        changes["status"] = ["returned", "pending"]
    stored = _store(files, upload_folder)
    draft.percent, draft.narrative, draft.updated_at = percent, text, actor.now
    _add_files(actor, draft, stored)
    if stored:
        changes["files"] = [None, [f.original_name for f in stored]]
    audit.record(actor, "ledger_draft.edit", draft, changes)
    notifications.draft_ready(draft, actor.now)
    return draft


def discard(actor: audit.Actor, draft: LedgerDraft) -> LedgerDraft:
    """The author withdraws an open draft; it is kept, closed, and never becomes an entry."""
    _require_open(draft)
    before = draft.status
    _move(draft, OPEN, "discarded")
    audit.record(actor, "ledger_draft.discard", draft, {"status": [before, "discarded"]})
    return draft


def return_draft(actor: audit.Actor, draft: LedgerDraft, *, comment: str | None) -> LedgerDraft:
    """The head sends a pending draft back to its author with a comment."""
    errors: dict[str, str] = {}
    text = validation.text(errors, "comment", comment, max_length=2000, required=True, multiline=True)
    validation.raise_if(errors)
    _require_pending(draft)
    _move(draft, ("pending",), "returned")
    draft.return_comment, draft.returned_at = text, actor.now
    draft.returned_by_id = actor.user.id if actor.user else None
    audit.record(actor, "ledger_draft.return", draft, {"status": ["pending", "returned"],
                                                       "comment": [None, text]})
    notifications.draft_returned(draft, actor.now)
    return draft


def submit(actor: audit.Actor, draft: LedgerDraft, *, reason: str | None = None) -> LedgerEntry:
    """The head submits a pending draft: exactly one ledger entry, the member's, dated today.

    A draft whose percent is below the latest report's needs the head's ``reason``.
    """
    _require_pending(draft)
    task = draft.task
    text, reported_on = ledger.check_report(actor, task, percent=draft.percent,
                                            narrative=draft.narrative, file_count=len(draft.files))
    reason_text = ledger.check_lowering(task, percent=draft.percent, reason=reason, on=reported_on)
    _move(draft, ("pending",), "submitted")
    submitter = actor.user.id if actor.user else None
    entry = ledger.append_entry(
        actor, task, percent=draft.percent, text=text, reported_on=reported_on,
        author_id=draft.author_id, stored=draft.files, reason=reason_text,
        audit_extra={"draft_id": [None, draft.id], "submitted_by_id": [None, submitter]})
    draft.entry_id, draft.submitted_at, draft.submitted_by_id = entry.id, actor.now, submitter
    audit.record(actor, "ledger_draft.submit", draft, {"status": ["pending", "submitted"],
                                                       "entry_id": [None, entry.id]})
    notifications.draft_submitted(draft, actor.now)
    return entry


# Reading ------------------------------------------------------------------------


def _visible(user: User):
    """The drafts ``user`` reads (``ledger.draft_read`` as SQL): their own, or their unit's as head."""
    if user.role == "unit_member":
        return LedgerDraft.author_id == user.id
    if user.role == "unit_head" and user.unit_id is not None:
        return LedgerDraft.task_id.in_(select(Task.id).where(Task.owner_unit_id == user.unit_id))
    return None


def open_drafts(user: User, task: Task | None = None) -> list[LedgerDraft]:
    """The open drafts ``user`` reads (of one task or all), oldest first.

    For a head: the unit's drafts waiting for them, and those they returned; for a
    member: their own, pending or returned.
    """
    where = _visible(user)
    if where is None:
        return []
    stmt = (select(LedgerDraft).where(where, LedgerDraft.is_open.is_(True))
            .options(selectinload(LedgerDraft.files), selectinload(LedgerDraft.task),
                     selectinload(LedgerDraft.author))
            .order_by(LedgerDraft.updated_at, LedgerDraft.id))
    if task is not None:
        stmt = stmt.where(LedgerDraft.task_id == task.id)
    return list(db.session.scalars(stmt))


def waiting_count(user: User) -> int:
    """How many drafts wait for ``user`` (a head): the badge of "My tasks"."""
    where = _visible(user) if user.role == "unit_head" else None
    if where is None:
        return 0
    return db.session.scalar(select(func.count()).select_from(LedgerDraft).where(
        where, LedgerDraft.status == "pending"))


# Steps --------------------------------------------------------------------------


def _require_open(draft: LedgerDraft) -> None:
    if draft.status not in OPEN:
        raise Conflict(_("This draft has already been submitted or discarded."))


def _require_pending(draft: LedgerDraft) -> None:
    _require_open(draft)
    if draft.status != "pending":
        raise Conflict(_("This draft is back with its author: it can be submitted once they send it again."))


def _move(draft: LedgerDraft, before: tuple[str, ...], after: str) -> None:
    """Move the draft's status by compare-and-set; another transaction's step first: 409."""
    db.session.flush()
    is_open = True if after in OPEN else None
    result = db.session.execute(
        update(LedgerDraft).where(LedgerDraft.id == draft.id, LedgerDraft.status.in_(before))
        .values(status=after, is_open=is_open).execution_options(synchronize_session=False))
    if result.rowcount != 1:
        raise Conflict(str(workflow.RACE_LOST))
    set_committed_value(draft, "status", after)
    set_committed_value(draft, "is_open", is_open)


def _store(files: Sequence[Upload], upload_folder: str | os.PathLike):
    return uploads.store_all(upload_folder, files, settings.get("ledger.upload_max_mb") * 2**20)


def _add_files(actor: audit.Actor, draft: LedgerDraft, stored) -> None:
    for item in stored:
        draft.files.append(LedgerDraftFile(
            draft_id=draft.id, original_name=item.original_name, stored_name=item.stored_name,
            content_type=item.content_type, size=item.size, sha256=item.sha256,
            uploaded_by_id=actor.user.id if actor.user else None, uploaded_at=actor.now))
    db.session.flush()
