"""The task ledger: reports 交账, evidence, and the office's verification 兑账."""

from __future__ import annotations

import calendar
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from tracker.extensions import db
from tracker.models import EvidenceFile, LedgerDraft, LedgerEntry, Milestone, Task, Verification
from tracker.services import audit, notifications, progress, settings, uploads, validation
from tracker.services.errors import Conflict
from tracker.services.uploads import Upload


def task_progress(task: Task, as_of: date, thresholds: progress.Thresholds | None = None
                  ) -> progress.Progress:
    """Return the task's planned, actual, status and light as of D (one task, in Python)."""
    entries = db.session.execute(
        select(LedgerEntry.reported_on, LedgerEntry.id, LedgerEntry.percent, LedgerEntry.supersedes_id)
        .where(LedgerEntry.task_id == task.id)).all()
    return progress.task_progress(
        starts_on=task.starts_on, due_on=task.due_on,
        milestones=[(m.on, m.percent) for m in task.milestones],
        entries=progress.counting(tuple(e) for e in entries), verified_on=task.verified_on, as_of=as_of,
        thresholds=thresholds or progress.Thresholds.from_settings())


def add_entry(actor: audit.Actor, task: Task, *, percent: int, narrative: str,
              reported_on: date | None = None, files: Sequence[Upload] = (),
              upload_folder: str | os.PathLike, may_backdate: bool = False,
              reason: str | None = None) -> LedgerEntry:
    """Append a progress report; the office alone may date it in the past (paper ledgers).

    A percent below the latest report's needs a ``reason`` (:func:`check_lowering`).
    """
    text, reported_on = check_report(actor, task, percent=percent, narrative=narrative,
                                     reported_on=reported_on, file_count=len(files),
                                     may_backdate=may_backdate)
    reason_text = check_lowering(task, percent=percent, reason=reason, on=reported_on)
    max_bytes = settings.get("ledger.upload_max_mb") * 2**20
    stored = uploads.store_all(upload_folder, files, max_bytes)
    return append_entry(actor, task, percent=percent, text=text, reported_on=reported_on,
                        author_id=actor.user.id if actor.user else None, stored=stored,
                        reason=reason_text)


def latest_entry(task: Task, on: date | None = None, *, excluding: int | None = None
                 ) -> LedgerEntry | None:
    """The task's latest entry that counts (no correction supersedes it), on or before ``on``."""
    stmt = (select(LedgerEntry).where(LedgerEntry.task_id == task.id, progress.not_superseded())
            .order_by(LedgerEntry.reported_on.desc(), LedgerEntry.id.desc()).limit(1))
    if on is not None:
        stmt = stmt.where(LedgerEntry.reported_on <= on)
    if excluding is not None:
        stmt = stmt.where(LedgerEntry.id != excluding)
    return db.session.scalar(stmt)


def check_lowering(task: Task, *, percent: int, reason: str | None, on: date,
                   excluding: int | None = None) -> str | None:
    """A report below the latest one's percent must say why: return the reason, or refuse it.

    ``excluding``: the entry a correction replaces, which the new percent is not compared with.
    """
    errors: dict[str, str] = {}
    latest = latest_entry(task, on, excluding=excluding)
    lowers = latest is not None and percent < latest.percent
    text = validation.text(errors, "reason", reason, max_length=2000, required=False, multiline=True)
    if lowers and not text:
        errors["reason"] = _("The progress is below the latest report's %(n)d%%: give the reason.",
                             n=latest.percent)
    validation.raise_if(errors)
    return text or None


def correctable(task: Task, entry: LedgerEntry) -> bool:
    """Whether the unit may still correct ``entry``: the task's latest report that counts, not
    the office's return, and the office has not acted on it (no verification since it)."""
    if entry.is_return or entry.task_id != task.id or task.verified_on is not None:
        return False
    if task.plan.status == "closed":
        return False
    latest = latest_entry(task)
    if latest is None or latest.id != entry.id:
        return False
    acted = db.session.scalar(select(Verification.id).where(
        Verification.task_id == task.id,
        (Verification.entry_id == entry.id) | (Verification.created_at >= entry.created_at)).limit(1))
    return acted is None


def correct(actor: audit.Actor, task: Task, entry: LedgerEntry, *, percent: int, narrative: str,
            reason: str | None = None, files: Sequence[Upload] = (),
            upload_folder: str | os.PathLike) -> LedgerEntry:
    """Correct the latest report: a NEW entry, dated like the one it supersedes, which is kept
    (shown struck through) but no longer counts. Possible until the office acts on it."""
    text, _today = check_report(actor, task, percent=percent, narrative=narrative,
                                file_count=len(files))
    if not correctable(task, entry):
        raise Conflict(_("Only the latest report can be corrected, and only until the office acts on it."))
    # below the report it corrects (the progress shown until now): the reason is asked too
    reason_text = check_lowering(task, percent=percent, reason=reason, on=entry.reported_on)
    max_bytes = settings.get("ledger.upload_max_mb") * 2**20
    stored = uploads.store_all(upload_folder, files, max_bytes)
    return append_entry(actor, task, percent=percent, text=text, reported_on=entry.reported_on,
                        author_id=actor.user.id if actor.user else None, stored=stored,
                        reason=reason_text, supersedes=entry)


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
                 audit_extra: dict[str, Any] | None = None, reason: str | None = None,
                 supersedes: LedgerEntry | None = None) -> LedgerEntry:
    """Append a checked report by ``author_id`` with its stored files, and audit it as ``actor``'s
    (``ledger.report``, or ``ledger.correct`` for a correction superseding an entry)."""
    entry = LedgerEntry(task_id=task.id, percent=percent, narrative=text, reported_on=reported_on,
                        user_id=author_id, created_at=actor.now, reason=reason,
                        supersedes_id=supersedes.id if supersedes is not None else None)
    db.session.add(entry)
    db.session.flush()
    for item in stored:
        db.session.add(EvidenceFile(
            entry_id=entry.id, task_id=task.id, original_name=item.original_name,
            stored_name=item.stored_name, content_type=item.content_type, size=item.size,
            sha256=item.sha256, uploaded_by_id=entry.user_id, uploaded_at=actor.now))
    extra = dict(audit_extra or {})
    if reason:
        extra["reason"] = [None, reason]
    if supersedes is not None:
        extra["supersedes_id"] = [None, supersedes.id]
        extra["percent_before"] = [None, supersedes.percent]
    audit.record(actor, "ledger.correct" if supersedes is not None else "ledger.report", entry, {
        "task_id": [None, task.id], "percent": [None, percent],
        "reported_on": [None, reported_on.isoformat()],
        "files": [None, [f.original_name for f in stored]], **extra})
    if percent == 100 and not (actor.user and actor.user.role == "office"):
        # a unit's completion claim awaits the office's verification (not a paper ledger it brings in)
        notifications.claim_awaits_verification(task, entry.id, actor.now)
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
    claim = latest_entry(task, on)
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
                                              LedgerEntry.percent < 100, progress.not_superseded())
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


@dataclass
class ClaimContext:
    """What the office reads before deciding a completion claim: the claim, its evidence, the history."""

    claim: LedgerEntry | None = None
    files: list[EvidenceFile] = field(default_factory=list)  # the claim's, and those of entries it corrects
    entries: list[LedgerEntry] = field(default_factory=list)  # the latest 3, newest first
    verifications: list[Verification] = field(default_factory=list)  # the latest 3, newest first
    superseded: set[int] = field(default_factory=set)


def claim_contexts(task_ids: Sequence[int]) -> dict[int, ClaimContext]:
    """The context of each task's claim, in a fixed number of statements (the verification queue)."""
    from sqlalchemy.orm import selectinload

    contexts = {task_id: ClaimContext() for task_id in task_ids}
    if not task_ids:
        return contexts
    entries = db.session.scalars(
        select(LedgerEntry).where(LedgerEntry.task_id.in_(task_ids))
        .options(selectinload(LedgerEntry.files), selectinload(LedgerEntry.user))
        .order_by(LedgerEntry.task_id, LedgerEntry.reported_on.desc(), LedgerEntry.id.desc())).all()
    by_id = {entry.id: entry for entry in entries}
    for entry in entries:
        context = contexts[entry.task_id]
        if len(context.entries) < 3:
            context.entries.append(entry)
        if entry.supersedes_id:
            context.superseded.add(entry.supersedes_id)
    for context in contexts.values():
        context.claim = next((e for e in context.entries if e.id not in context.superseded), None)
        entry = context.claim
        while entry is not None:  # the claim's files, then those of the reports it corrects
            context.files.extend(entry.files)
            entry = by_id.get(entry.supersedes_id) if entry.supersedes_id else None
    for verification in db.session.scalars(
            select(Verification).where(Verification.task_id.in_(task_ids))
            .options(selectinload(Verification.user))
            .order_by(Verification.task_id, Verification.on.desc(), Verification.id.desc())):
        if len(contexts[verification.task_id].verifications) < 3:
            contexts[verification.task_id].verifications.append(verification)
    return contexts


def verifications_of(task: Task) -> list[Verification]:
    return list(db.session.scalars(
        select(Verification).where(Verification.task_id == task.id)
        .order_by(Verification.on.desc(), Verification.id.desc())))
