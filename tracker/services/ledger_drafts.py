"""A unit member drafts a ledger report, the unit head submits it (docs/domain.md "Drafts").

A draft is not a ledger entry: it changes neither the ledger nor the task's
kept state. The head submits it — the ledger entry is then the member's,
submitted by the head, dated the day of submission — or returns it with a
comment; the member edits it (which sends it to the head again) or discards
it. The steps every draft shares (compare-and-set moves: of two heads
submitting one draft at once exactly one succeeds, the other gets 409; return,
discard, files) are ``services/drafts.py``'s; this module says what a ledger
draft is and what submitting it does.
Who may take which step is the policy's (``ledger.draft``, ``ledger.submit``,
``ledger.draft_edit``); lists are scoped here in SQL by the same rules.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from tracker.extensions import db
from tracker.models import LedgerDraft, LedgerDraftFile, LedgerEntry, Task, User
from tracker.services import audit, ledger, notifications, settings, uploads
from tracker.services.drafts import DraftKind
from tracker.services.errors import Conflict
from tracker.services.uploads import Upload

KIND = DraftKind(LedgerDraft, LedgerDraftFile, "ledger_draft", notifications.draft_returned,
                 notifications.draft_submitted)
discard, return_draft = KIND.discard, KIND.return_draft


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
    KIND.add_files(actor, draft, stored)
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
    KIND.require_open(draft)
    changes = audit.diff(draft, {"percent": percent, "narrative": text})
    KIND.reopen(draft, changes)
    stored = _store(files, upload_folder)
    draft.percent, draft.narrative, draft.updated_at = percent, text, actor.now
    KIND.add_files(actor, draft, stored)
    if stored:
        changes["files"] = [None, [f.original_name for f in stored]]
    audit.record(actor, "ledger_draft.edit", draft, changes)
    notifications.draft_ready(draft, actor.now)
    return draft


def submit(actor: audit.Actor, draft: LedgerDraft, *, reason: str | None = None) -> LedgerEntry:
    """The head submits a pending draft: exactly one ledger entry, the member's, dated today.

    A draft whose percent is below the latest report's needs the head's ``reason``.
    """
    KIND.require_pending(draft)
    task = draft.task
    text, reported_on = ledger.check_report(actor, task, percent=draft.percent,
                                            narrative=draft.narrative, file_count=len(draft.files))
    reason_text = ledger.check_lowering(task, percent=draft.percent, reason=reason, on=reported_on)
    KIND.move(draft, ("pending",), "submitted")
    submitter = actor.user.id if actor.user else None
    entry = ledger.append_entry(
        actor, task, percent=draft.percent, text=text, reported_on=reported_on,
        author_id=draft.author_id, stored=draft.files, reason=reason_text,
        audit_extra={"draft_id": [None, draft.id], "submitted_by_id": [None, submitter]})
    draft.entry_id = entry.id
    KIND.submitted_as(actor, draft, "entry_id", entry.id)
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


def _store(files: Sequence[Upload], upload_folder: str | os.PathLike):
    return uploads.store_all(upload_folder, files, settings.get("ledger.upload_max_mb") * 2**20)
