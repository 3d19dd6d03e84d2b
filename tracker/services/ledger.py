"""The task ledger: reports 交账, evidence, and the office's verification 兑账."""

from __future__ import annotations

import calendar
import os
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from tracker.extensions import db
from tracker.models import EvidenceFile, LedgerDraft, LedgerEntry, Milestone, Task, Verification
from tracker.services import audit, progress, settings, uploads, validation
from tracker.services.errors import Conflict
from tracker.services.uploads import Upload


def task_progress(task: Task, as_of: date, thresholds: progress.Thresholds | None = None
                  ) -> progress.Progress:
    """Return the task's planned, actual, status and light as of D (one task, in Python)."""
    entries = db.session.execute(
        select(LedgerEntry.reported_on, LedgerEntry.id, LedgerEntry.percent)
        .where(LedgerEntry.task_id == task.id)).all()
    return progress.task_progress(
        starts_on=task.starts_on, due_on=task.due_on,
        milestones=[(m.on, m.percent) for m in task.milestones],
        entries=[tuple(e) for e in entries], verified_on=task.verified_on, as_of=as_of,
        thresholds=thresholds or progress.Thresholds.from_settings())


def add_entry(actor: audit.Actor, task: Task, *, percent: int, narrative: str,
              reported_on: date | None = None, files: Sequence[Upload] = (),
              upload_folder: str | os.PathLike, may_backdate: bool = False) -> LedgerEntry:
    """Append a progress report; the office alone may date it in the past (paper ledgers)."""
    text, reported_on = check_report(actor, task, percent=percent, narrative=narrative,
                                     reported_on=reported_on, file_count=len(files),
                                     may_backdate=may_backdate)
    max_bytes = settings.get("ledger.upload_max_mb") * 2**20
    stored = uploads.store_all(upload_folder, files, max_bytes)
    return append_entry(actor, task, percent=percent, text=text, reported_on=reported_on,
                        author_id=actor.user.id if actor.user else None, stored=stored)


def check_report(actor: audit.Actor, task: Task, *, percent: int, narrative: str,
                 reported_on: date | None = None, file_count: int = 0,
                 may_backdate: bool = False) -> tuple[str, date]:
    """Check a report (or a draft of one) against the ledger's rules; return its text and day."""
    errors: dict[str, str] = {}
    if not 0 <= percent <= 100:
        errors["percent"] = _("Enter a whole number from 0 to 100.")
    text = validation.text(errors, "narrative", narrative, max_length=4000, multiline=True)
    today = actor.today
    if reported_on is None:
        reported_on = today
    elif reported_on != today and not may_backdate:
        errors["reported_on"] = _("Only the rectification office may record an earlier date.")
    elif reported_on > today:
        errors["reported_on"] = _("The date cannot be in the future.")
    elif reported_on < task.starts_on - timedelta(days=365):
        errors["reported_on"] = _("The date is too far before the task's start.")
    if file_count > 10:
        errors["files"] = _("At most 10 files per report.")
    validation.raise_if(errors)
    if task.plan.status == "closed":
        raise Conflict(_("The plan is closed: its tasks take no more reports."))
    if task.verified_on is not None:
        raise Conflict(_("This task has been verified; it takes no more reports."))
    return text, reported_on


def append_entry(actor: audit.Actor, task: Task, *, percent: int, text: str, reported_on: date,
                 author_id: int | None, stored: Sequence[Any] = (),
                 audit_extra: dict[str, Any] | None = None) -> LedgerEntry:
    """Append a checked report by ``author_id`` with its stored files, and audit it as ``actor``'s."""
    entry = LedgerEntry(task_id=task.id, percent=percent, narrative=text, reported_on=reported_on,
                        user_id=author_id, created_at=actor.now)
    db.session.add(entry)
    db.session.flush()
    for item in stored:
        db.session.add(EvidenceFile(
            entry_id=entry.id, task_id=task.id, original_name=item.original_name,
            stored_name=item.stored_name, content_type=item.content_type, size=item.size,
            sha256=item.sha256, uploaded_by_id=entry.user_id, uploaded_at=actor.now))
    audit.record(actor, "ledger.report", entry, {
        "task_id": [None, task.id], "percent": [None, percent],
        "reported_on": [None, reported_on.isoformat()],
        "files": [None, [f.original_name for f in stored]], **(audit_extra or {})})
    return entry


def _shift(day: date, recurrence: str) -> date:
    if recurrence == "weekly":
        return day + timedelta(days=7)
    months = {"monthly": 1, "quarterly": 3}[recurrence]
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def verify(actor: audit.Actor, task: Task, *, accept: bool, reason: str | None = None,
           on: date | None = None) -> Task:
    """兑账: accept the completion claim (task verified) or return it with a reason.

    A return appends an entry by the office that puts the task back to its
    last progress below 100 %, so the claim no longer awaits verification.
    """
    errors: dict[str, str] = {}
    reason_text = validation.text(errors, "reason", reason, max_length=2000,
                                  required=not accept, multiline=True)
    today = actor.today
    on = on or today
    if on > today:
        errors["on"] = _("The date cannot be in the future.")
    validation.raise_if(errors)
    if task.plan.status == "closed":
        raise Conflict(_("The plan is closed: its tasks can no longer be verified."))
    state = task_progress(task, on)
    if state.status != "awaiting_verification":
        raise Conflict(_("Only a task whose latest report claims completion can be verified or returned."))
    claim = db.session.scalar(
        select(LedgerEntry).where(LedgerEntry.task_id == task.id, LedgerEntry.reported_on <= on)
        .order_by(LedgerEntry.reported_on.desc(), LedgerEntry.id.desc()).limit(1))
    db.session.add(Verification(task_id=task.id, entry_id=claim.id, accepted=accept,
                                reason=reason_text, on=on, created_at=actor.now,
                                user_id=actor.user.id if actor.user else None))
    if accept:
        task.verified_on = on
        audit.record(actor, "task.verify", task, {"verified_on": [None, on.isoformat()]})
        if task.recurrence != "none":
            next_occurrence(actor, task)
    else:
        before = db.session.scalar(
            select(LedgerEntry.percent).where(LedgerEntry.task_id == task.id,
                                              LedgerEntry.percent < 100)
            .order_by(LedgerEntry.reported_on.desc(), LedgerEntry.id.desc()).limit(1)) or 0
        entry = LedgerEntry(
            task_id=task.id, percent=before, reported_on=max(on, claim.reported_on),
            narrative=_("Returned by the rectification office: %(reason)s", reason=reason_text),
            user_id=actor.user.id if actor.user else None, created_at=actor.now, is_return=True)
        db.session.add(entry)
        db.session.flush()
        # the entry's id: `tracker check` finds every entry the audit log names
        audit.record(actor, "task.return", task, {"reason": [None, reason_text],
                                                  "entry_id": [None, entry.id]})
    return task


def next_occurrence(actor: audit.Actor, task: Task) -> Task:
    """Create the next occurrence of a recurring task, its dates shifted by one period."""
    following = Task(
        plan_id=task.plan_id, measure_id=task.measure_id, title=task.title, standard=task.standard,
        owner_unit_id=task.owner_unit_id, owner_user_id=task.owner_user_id,
        leader_user_id=task.leader_user_id, starts_on=_shift(task.starts_on, task.recurrence),
        due_on=_shift(task.due_on, task.recurrence), weight=task.weight, category=task.category,
        tags=task.tags, recurrence=task.recurrence, previous_id=task.id, created_at=actor.now)
    following.co_units = list(task.co_units)
    following.milestones = [Milestone(on=_shift(m.on, task.recurrence), percent=m.percent,
                                      title=m.title) for m in task.milestones]
    db.session.add(following)
    db.session.flush()
    audit.record(actor, "task.recur", following, {"previous_id": [None, task.id]})
    return following


def entries_of(task: Task) -> list[LedgerEntry]:
    """Return the task's entries, newest first, with their files."""
    from sqlalchemy.orm import selectinload

    return list(db.session.scalars(
        select(LedgerEntry).where(LedgerEntry.task_id == task.id)
        .options(selectinload(LedgerEntry.files),
                 selectinload(LedgerEntry.draft).selectinload(LedgerDraft.submitted_by))
        .order_by(LedgerEntry.reported_on.desc(), LedgerEntry.id.desc())))


def verifications_of(task: Task) -> list[Verification]:
    return list(db.session.scalars(
        select(Verification).where(Verification.task_id == task.id)
        .order_by(Verification.on.desc(), Verification.id.desc())))
