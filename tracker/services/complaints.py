"""Public complaints 作风问题投诉: intake, triage, dispatch 下派, replies, closing, satisfaction.

The functions take typed values (``ComplaintInput``, ``ReplyInput``, ids, dates, enums): the
adapters — the HTML forms, the API's models, Open311 — turn what they receive into these, and
the functions here check the domain's rules only (what exists, in which state, dates against
today and the previous step, who may do what).

Lifecycle (docs/domain.md "Complaints and rectification notices"):
``submitted`` → ``accepted`` | ``rejected`` | ``duplicate``; ``accepted`` → ``dispatched``
→ ``replied`` → ``closed``; a reply the office returns, or one reopening after
不满意, goes back to ``dispatched``. Every transition appends a ``ComplaintEvent``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

from flask_babel import gettext as _
from sqlalchemy import Select, and_, or_, select
from sqlalchemy.orm import joinedload, selectinload

from tracker import clock
from tracker.extensions import db
from tracker.models import Unit, User
from tracker.models.complaints import (
    SATISFACTION_RATINGS,
    Complaint,
    ComplaintCategory,
    ComplaintChannel,
    ComplaintEvent,
    ComplaintFile,
    ComplaintStatus,
    ReplyTemplate,
    SatisfactionRating,
)
from tracker.services import (
    audit,
    codes,
    notifications,
    permissions,
    settings,
    uploads,
    validation,
    workflow,
    working_days,
)
from tracker.services.errors import Conflict, InvalidInput
from tracker.services.uploads import Upload

TRACKING_LENGTH = 16
MAX_FILES = 3
OPEN = ("submitted", "accepted", "dispatched", "replied")


# Typed input ---------------------------------------------------------------------


@dataclass(frozen=True)
class ComplaintInput:
    """A complaint as filed: by the public, through a hotline, or recorded by the office.

    ``on`` is the day a complaint received on paper came in (else it came in now).
    """

    category: ComplaintCategory
    description: str
    channel: ComplaintChannel = ComplaintChannel.WEB
    unit_id: int | None = None
    subject: str | None = None
    happened_on: date | None = None
    name: str | None = None
    contact: str | None = None
    external_id: str | None = None
    on: date | None = None


@dataclass(frozen=True)
class ReplyInput:
    """A unit's reply; ``on`` the day a reply received on paper came in (the office only)."""

    text: str
    on: date | None = None


# Deadlines -----------------------------------------------------------------------


def default_due(dispatched_on: date) -> date:
    return working_days.add_working_days(dispatched_on, int(settings.get("complaints.reply_working_days")))


def light(complaint: Complaint, today: date) -> str | None:
    """Reply deadline light of a dispatched complaint: red overdue, yellow today/tomorrow, else green."""
    if complaint.status != "dispatched" or complaint.reply_due_on is None:
        return None
    if today > complaint.reply_due_on:
        return "red"
    if complaint.reply_due_on - today <= timedelta(days=1):
        return "yellow"
    return "green"


# Helpers -------------------------------------------------------------------------


def new_tracking_code() -> str:
    while True:
        code = codes.new(TRACKING_LENGTH)
        if db.session.scalar(select(Complaint.id).where(Complaint.tracking_code == code)) is None:
            return code


def by_tracking_code(raw: str | None) -> Complaint | None:
    code = codes.normalise(raw, TRACKING_LENGTH)
    if code is None:
        return None
    return db.session.scalar(select(Complaint).where(Complaint.tracking_code == code))


def _when(actor: audit.Actor, on: date | None, errors: dict[str, str], field: str = "on",
          not_before: datetime | None = None) -> datetime:
    """Return when a step happened: ``on`` (a paper step, noon of that day) or now."""
    if on is None:
        return actor.now
    if on > actor.today:
        errors[field] = _("The date cannot be in the future.")
        return actor.now
    at = datetime.combine(on, time(12, 0), tzinfo=clock.zone())
    if not_before is not None and on < clock.local(not_before).date():
        errors[field] = _("The date cannot be before the previous step.")
        return actor.now
    if not_before is not None and at < not_before:
        at = not_before
    return at


def _last_at(complaint: Complaint) -> datetime | None:
    return complaint.events[-1].at if complaint.events else complaint.submitted_at


# The complaint workflow: which step may start from which state, and where it leads.
WORKFLOW = workflow.Workflow(
    "complaint", ComplaintEvent, {
        "accept": workflow.Step(("submitted",), "accepted"),
        "reject": workflow.Step(("submitted", "accepted"), "rejected"),
        "duplicate": workflow.Step(("submitted", "accepted"), "duplicate"),
        "dispatch": workflow.Step(("accepted",), "dispatched"),
        "reply": workflow.Step(("dispatched",), "replied"),
        "return": workflow.Step(("replied",), "dispatched"),
        "close": workflow.Step(("replied",), "closed"),
        "reopen": workflow.Step(("closed",), "dispatched"),
    },
    lambda complaint: _("This is not possible while the complaint is %(status)s.",
                        status=ComplaintStatus.label_of(complaint.status)))


def _event(actor: audit.Actor, complaint: Complaint, action: str, at: datetime, *,
           unit_id: int | None = None, due_on: date | None = None, text: str | None = None,
           changes: dict | None = None) -> ComplaintEvent:
    return WORKFLOW.move(actor, complaint, action, at=at, changes=changes, recorded_at=actor.now,
                         unit_id=unit_id, due_on=due_on, text=text)


def _unit(unit_id: int, errors: dict[str, str], field: str) -> Unit | None:
    """The unit of ``unit_id``, if it exists and is not archived."""
    unit = db.session.get(Unit, unit_id)
    if unit is None or unit.is_archived:
        errors[field] = _("Choose a unit from the list.")
        return None
    return unit


def _attach(actor: audit.Actor, complaint: Complaint, stored: list[uploads.StoredFile],
            event: ComplaintEvent | None) -> None:
    for item in stored:
        db.session.add(ComplaintFile(
            complaint_id=complaint.id, event_id=event.id if event is not None else None,
            original_name=item.original_name, stored_name=item.stored_name,
            content_type=item.content_type, size=item.size, sha256=item.sha256,
            uploaded_by_id=actor.user.id if actor.user else None, uploaded_at=actor.now))


def _unit_users(unit_id: int | None) -> list[int]:
    if unit_id is None:
        return []
    return list(db.session.scalars(select(User.id).where(
        User.unit_id == unit_id, User.role.in_(("unit_head", "unit_member")), User.is_active.is_(True))))


def _notify_unit(complaint: Complaint, key: str, title: str, now: datetime) -> None:
    # the group reads the step and the link, never the complaint's words (they may name someone)
    notifications.notify(_unit_users(complaint.dispatched_unit_id), kind="complaint",
                         event_key=f"complaint:{complaint.id}:{key}", title=title,
                         body=complaint.subject or "", link=f"/complaints/{complaint.id}", now=now,
                         chat_unit=complaint.dispatched_unit_id)


def _subject(description: str) -> str:
    first = description.strip().splitlines()[0] if description.strip() else ""
    return first[:60]


# Intake --------------------------------------------------------------------------


def submit(actor: audit.Actor, values: ComplaintInput, *, files: Sequence[Upload] = (),
           upload_folder: str | Path | None = None) -> Complaint:
    """File a complaint (the public, a hotline, or the office recording one on paper)."""
    errors: dict[str, str] = {}
    category, channel = str(values.category), str(values.channel)  # the codes, as stored
    unit = _unit(values.unit_id, errors, "unit_id") if values.unit_id is not None else None
    subject_text = validation.text(errors, "subject", values.subject, max_length=200, required=False)
    text = validation.text(errors, "description", values.description, max_length=5000, multiline=True)
    if text is not None and "description" not in errors and len(text) < 5:
        errors["description"] = _("Describe what happened in a few words at least.")
    name_text = validation.text(errors, "name", values.name, max_length=100, required=False)
    contact_text = validation.text(errors, "contact", values.contact, max_length=200, required=False)
    external = validation.text(errors, "external_id", values.external_id, max_length=100,
                               required=False)
    happened_on = values.happened_on
    if happened_on is not None and happened_on > actor.today:
        errors["happened_on"] = _("The date cannot be in the future.")
    at = _when(actor, values.on, errors)
    validation.raise_if(errors)
    stored = uploads.store_photos_or_pdfs(upload_folder, files, errors, max_files=MAX_FILES)
    validation.raise_if(errors)
    complaint = Complaint(
        tracking_code=new_tracking_code(), channel=channel, category=category,
        unit_id=unit.id if unit else None, subject=subject_text or _subject(text), description=text,
        happened_on=happened_on, name=name_text, contact=contact_text,
        source_ip=actor.ip if channel == "web" else None, external_id=external,
        status="submitted", submitted_at=at)
    db.session.add(complaint)
    db.session.flush()
    event = ComplaintEvent(action="submit", from_status=None, to_status="submitted", at=at,
                           recorded_at=actor.now, user_id=actor.user.id if actor.user else None,
                           unit_id=complaint.unit_id)
    complaint.events.append(event)
    db.session.flush()
    _attach(actor, complaint, stored, event)
    # never the complainant's name or contact in the audit trail
    audit.record(actor, "complaint.submit", complaint, {
        "status": [None, "submitted"], "category": [None, category], "channel": [None, channel],
        "unit_id": [None, complaint.unit_id], "files": [None, len(stored)]})
    return complaint


# Triage --------------------------------------------------------------------------


def accept(actor: audit.Actor, complaint: Complaint, on: date | None = None) -> Complaint:
    WORKFLOW.require(complaint, "accept")
    errors: dict[str, str] = {}
    at = _when(actor, on, errors, not_before=_last_at(complaint))
    validation.raise_if(errors)
    _event(actor, complaint, "accept", at)
    return complaint


def reject(actor: audit.Actor, complaint: Complaint, reason: str, on: date | None = None) -> Complaint:
    WORKFLOW.require(complaint, "reject")
    errors: dict[str, str] = {}
    text = validation.text(errors, "reason", reason, max_length=2000, multiline=True)
    at = _when(actor, on, errors, not_before=_last_at(complaint))
    validation.raise_if(errors)
    complaint.reject_reason = text
    _event(actor, complaint, "reject", at, text=text)
    return complaint


def mark_duplicate(actor: audit.Actor, complaint: Complaint, of_id: int,
                   on: date | None = None) -> Complaint:
    WORKFLOW.require(complaint, "duplicate")
    errors: dict[str, str] = {}
    original = None
    if of_id == complaint.id:
        errors["of_id"] = _("Choose another complaint.")
    else:
        original = db.session.get(Complaint, of_id)
        if original is None:
            errors["of_id"] = _("No such complaint.")
        elif original.status == "duplicate":
            errors["of_id"] = _("That complaint is itself a duplicate: choose the original.")
    at = _when(actor, on, errors, not_before=_last_at(complaint))
    validation.raise_if(errors)
    complaint.duplicate_of_id = original.id
    _event(actor, complaint, "duplicate", at, text=f"#{original.id}",
           changes={"duplicate_of_id": [None, original.id]})
    return complaint


# Dispatch and replies ----------------------------------------------------------


def dispatch(actor: audit.Actor, complaint: Complaint, unit_id: int, reply_due_on: date | None = None,
             on: date | None = None) -> Complaint:
    """下派: send an accepted complaint to a unit with a reply deadline (default: working days)."""
    WORKFLOW.require(complaint, "dispatch")
    errors: dict[str, str] = {}
    unit = _unit(unit_id, errors, "unit_id")
    at = _when(actor, on, errors, not_before=_last_at(complaint))
    day = clock.local(at).date()
    if reply_due_on is None:
        due = default_due(day)
    elif reply_due_on < day:
        errors["reply_due_on"] = _("The deadline cannot be before the dispatch.")
        due = None
    else:
        due = reply_due_on
    validation.raise_if(errors)
    complaint.dispatched_unit_id = unit.id
    complaint.reply_due_on = due
    if complaint.first_dispatched_on is None:
        complaint.first_dispatched_at = at
        complaint.first_dispatched_on = day
        complaint.first_reply_due_on = due
    _event(actor, complaint, "dispatch", at, unit_id=unit.id, due_on=due,
           changes={"dispatched_unit_id": [None, unit.id], "reply_due_on": [None, due.isoformat()]})
    _notify_unit(complaint, f"dispatch:{len(complaint.events)}",
                 _("A complaint was dispatched to your unit: reply by %(day)s.", day=due.isoformat()),
                 actor.now)
    return complaint


def dispatch_many(actor: audit.Actor, assignments: Sequence[tuple[Complaint, int]],
                  reply_due_on: date | None = None, on: date | None = None) -> list[Complaint]:
    """Dispatch several complaints at once: all of them or none (the caller commits or rolls back)."""
    if not assignments:
        raise InvalidInput(_("Please correct the marked fields."), {"ids": _("Choose complaints.")})
    for complaint, _unit_id in assignments:
        WORKFLOW.require(complaint, "dispatch")
    done = []
    for complaint, unit_id in assignments:
        try:
            done.append(dispatch(actor, complaint, unit_id, reply_due_on, on))
        except InvalidInput as error:
            raise InvalidInput(error.message, {
                k: f"#{complaint.id}: {v}" for k, v in error.fields.items()}) from None
    return done


def check_reply_text(text: str | None, errors: dict[str, str]) -> str:
    """A reply's text as the rules take it (a unit member's draft is held to the same)."""
    return validation.text(errors, "text", text, max_length=5000, multiline=True)


def reply(actor: audit.Actor, complaint: Complaint, values: ReplyInput, *,
          files: Sequence[Upload] = (), upload_folder: str | Path | None = None,
          stored: Sequence[uploads.StoredFile] = (), author_id: int | None = None,
          audit_extra: dict | None = None) -> Complaint:
    """答复: the dispatched unit answers (or the office records a reply received on paper).

    A unit member's draft the head submits (services/complaint_reply_drafts.py) comes
    with its files already ``stored`` and its ``author_id``: the reply event is the
    member's, the audit record the head's with ``audit_extra``.
    """
    WORKFLOW.require(complaint, "reply")
    errors: dict[str, str] = {}
    body = check_reply_text(values.text, errors)
    on = values.on
    if on is not None and actor.user is not None and not permissions.can(actor.user, "complaint.manage"):
        errors["on"] = _("Only the office records the date of a reply received on paper.")
        on = None
    at = _when(actor, on, errors, not_before=_last_at(complaint))
    validation.raise_if(errors)
    if len(stored) + len([f for f in files if f.filename]) > MAX_FILES:
        errors["files"] = _("At most %(n)d files.", n=MAX_FILES)
    validation.raise_if(errors)
    stored = [*stored, *uploads.store_photos_or_pdfs(upload_folder, files, errors, max_files=MAX_FILES)]
    validation.raise_if(errors)
    day = clock.local(at).date()
    complaint.reply_text, complaint.replied_at = body, at
    if complaint.first_replied_on is None:
        complaint.first_replied_on = day
    event = _event(actor, complaint, "reply", at, unit_id=complaint.dispatched_unit_id,
                   text=body, changes={"files": [None, len(stored)], **(audit_extra or {})})
    if author_id is not None:
        event.user_id = author_id
    db.session.flush()
    _attach(actor, complaint, stored, event)
    return complaint


def return_reply(actor: audit.Actor, complaint: Complaint, reason: str, reply_due_on: date | None = None,
                 on: date | None = None) -> Complaint:
    """退回: the office finds the reply inadequate; back to the unit with a new deadline."""
    WORKFLOW.require(complaint, "return")
    errors: dict[str, str] = {}
    text = validation.text(errors, "reason", reason, max_length=2000, multiline=True)
    at = _when(actor, on, errors, not_before=_last_at(complaint))
    due = _new_due(at, reply_due_on, errors)
    validation.raise_if(errors)
    complaint.reply_due_on = due
    _event(actor, complaint, "return", at, unit_id=complaint.dispatched_unit_id,
           due_on=due, text=text, changes={"reply_due_on": [None, due.isoformat()]})
    _notify_unit(complaint, f"return:{len(complaint.events)}",
                 _("A complaint reply was returned: reply again by %(day)s.", day=due.isoformat()),
                 actor.now)
    return complaint


def _new_due(at: datetime, reply_due_on: date | None, errors: dict[str, str]) -> date | None:
    day = clock.local(at).date()
    if reply_due_on is None:
        return default_due(day)
    if reply_due_on < day:
        errors["reply_due_on"] = _("The deadline cannot be in the past.")
        return None
    return reply_due_on


def close(actor: audit.Actor, complaint: Complaint, resolved: bool, on: date | None = None) -> Complaint:
    """办结: close a replied complaint as resolved or not."""
    WORKFLOW.require(complaint, "close")
    errors: dict[str, str] = {}
    at = _when(actor, on, errors, not_before=_last_at(complaint))
    validation.raise_if(errors)
    complaint.closed_at, complaint.resolved = at, resolved
    _event(actor, complaint, "close", at, text=None,
           changes={"resolved": [None, resolved]})
    return complaint


# Satisfaction ------------------------------------------------------------------


def rating_open(complaint: Complaint, now: datetime) -> bool:
    """Whether the complainant may rate now: closed, not yet rated since, within the window."""
    if complaint.status != "closed" or complaint.closed_at is None:
        return False
    if complaint.rated_at is not None and complaint.rated_at >= complaint.closed_at:
        return False
    window = int(settings.get("complaints.rating_window_days"))
    closed_day = clock.local(complaint.closed_at).date()
    return clock.local(now).date() <= closed_day + timedelta(days=window)


def may_reopen(complaint: Complaint) -> bool:
    return complaint.reopened_at is None


def rate(actor: audit.Actor, complaint: Complaint, rating: SatisfactionRating, comment: str | None = None,
         reopen: bool = False) -> Complaint:
    """满意度: the complainant rates a closed case once per closing; 不满意 may reopen it, once."""
    errors: dict[str, str] = {}
    rating = str(rating)  # the code, as stored
    text = validation.text(errors, "comment", comment, max_length=1000, required=False, multiline=True)
    if reopen and rating != SatisfactionRating.DISSATISFIED:
        errors["reopen"] = _("A case can be reopened only with the rating 不满意.")
    validation.raise_if(errors)
    if complaint.status != "closed":
        raise Conflict(_("Only a closed case can be rated."))
    if complaint.rated_at is not None and complaint.rated_at >= complaint.closed_at:
        raise Conflict(_("This case has been rated already."))
    if not rating_open(complaint, actor.now):
        raise Conflict(_("The rating period of this case has ended."))
    if reopen and not may_reopen(complaint):
        raise Conflict(_("This case has been reopened once already."))
    old = complaint.rating
    complaint.rating, complaint.rating_comment, complaint.rated_at = rating, text, actor.now
    event = ComplaintEvent(action="rate", from_status="closed", to_status="closed", at=actor.now,
                           recorded_at=actor.now, user_id=None, text=rating)
    complaint.events.append(event)
    audit.record(actor, "complaint.rate", complaint, {"rating": [old, rating]})
    if reopen:
        due = default_due(actor.today)
        complaint.reopened_at = actor.now
        complaint.reply_due_on = due
        _event(actor, complaint, "reopen", actor.now,
               unit_id=complaint.dispatched_unit_id, due_on=due,
               changes={"reply_due_on": [None, due.isoformat()]})
        _notify_unit(complaint, "reopen", _("A complainant reopened a case: reply by %(day)s.",
                                            day=due.isoformat()), actor.now)
    return complaint


# Publication and templates -----------------------------------------------------


def publish(actor: audit.Actor, complaint: Complaint, published: bool = True) -> Complaint:
    """Show (or hide) a handled case in the public list; never the complainant's identity."""
    if published:
        if complaint.status != "closed":
            raise Conflict(WORKFLOW.refusal(complaint))
        if complaint.is_published:
            raise Conflict(_("This case is published already."))
    elif not complaint.is_published:
        raise Conflict(_("This case is not published."))
    complaint.is_published = published
    action = "publish" if published else "unpublish"
    complaint.events.append(ComplaintEvent(
        action=action, from_status=complaint.status, to_status=complaint.status, at=actor.now,
        recorded_at=actor.now, user_id=actor.user.id if actor.user else None))
    audit.record(actor, f"complaint.{action}", complaint, {"is_published": [not published, published]})
    return complaint


def save_template(actor: audit.Actor, template: ReplyTemplate | None, title: str,
                  body: str) -> ReplyTemplate:
    errors: dict[str, str] = {}
    title_text = validation.text(errors, "title", title, max_length=100)
    body_text = validation.text(errors, "body", body, max_length=5000, multiline=True)
    if title_text and "title" not in errors:
        clash = db.session.scalar(select(ReplyTemplate.id).where(ReplyTemplate.title == title_text))
        if clash is not None and (template is None or clash != template.id):
            errors["title"] = _("A template with this title exists already.")
    validation.raise_if(errors)
    if template is None:
        template = ReplyTemplate(title=title_text, body=body_text, created_at=actor.now)
        db.session.add(template)
        audit.record(actor, "reply_template.create", template, {"title": [None, title_text]})
    else:
        changes = audit.diff(template, {"title": title_text, "body": body_text})
        template.title, template.body = title_text, body_text
        if changes:
            audit.record(actor, "reply_template.update", template, changes)
    return template


def delete_template(actor: audit.Actor, template: ReplyTemplate) -> None:
    audit.record(actor, "reply_template.delete", template, {"title": [template.title, None]})
    db.session.delete(template)


def templates() -> list[ReplyTemplate]:
    return list(db.session.scalars(select(ReplyTemplate).order_by(ReplyTemplate.title)))


# Lists -------------------------------------------------------------------------


def download_name(user, item: ComplaintFile) -> str:
    """The name a file is downloaded under: a complainant's own file name may name them,
    so whoever may not see the complainant gets a neutral one."""
    complaint = db.session.get(Complaint, item.complaint_id)
    from_complainant = item.event_id is None or item.event_id == complaint.events[0].id
    if from_complainant and not permissions.can(user, "complaint.personal"):
        return f"attachment-{item.id}.{item.stored_name.rsplit('.', 1)[-1]}"
    return item.original_name


def list_query(user, *, status: str | None = None, unit_id: int | None = None,
               category: str | None = None, channel: str | None = None, overdue: bool = False,
               today: date | None = None) -> Select:
    """The complaints ``user`` may see, newest first: everything for the office and leaders, else the unit's.

    Every filter is in the WHERE clause (keyset pages and capped counts rely on it).
    """
    stmt = select(Complaint).options(joinedload(Complaint.unit), joinedload(Complaint.dispatched_unit))
    if not permissions.can(user, "complaint.list"):
        return stmt.where(Complaint.id.is_(None))
    if permissions.visible_unit_ids(user) is not None:
        stmt = stmt.where(Complaint.dispatched_unit_id.is_not(None),
                          permissions.unit_scope(user, Complaint.dispatched_unit_id))
    if validation.holds_nul(status, category, channel):
        return stmt.where(Complaint.id.is_(None))
    if status:
        stmt = stmt.where(Complaint.status == status)
    if channel:
        stmt = stmt.where(Complaint.channel == channel)
    if unit_id:
        stmt = stmt.where(or_(Complaint.dispatched_unit_id == unit_id,
                              and_(Complaint.dispatched_unit_id.is_(None), Complaint.unit_id == unit_id)))
    if category:
        stmt = stmt.where(Complaint.category == category)
    if overdue and today is not None:
        stmt = stmt.where(Complaint.status == "dispatched", Complaint.reply_due_on < today)
    return stmt.order_by(Complaint.submitted_at.desc(), Complaint.id.desc())


def published_query() -> Select:
    return (select(Complaint).where(Complaint.is_published.is_(True))
            .options(joinedload(Complaint.dispatched_unit), joinedload(Complaint.unit),
                     selectinload(Complaint.events))
            .order_by(Complaint.closed_at.desc(), Complaint.id.desc()))


def by_tracking_codes(raw_codes: Sequence[str]) -> list[Complaint]:
    """The complaints of these tracking codes, newest first; a code no complaint has is left out."""
    wanted = {code for code in (codes.normalise(raw, TRACKING_LENGTH) for raw in raw_codes) if code}
    if not wanted:
        return []
    return list(db.session.scalars(
        select(Complaint).where(Complaint.tracking_code.in_(wanted))
        .options(joinedload(Complaint.dispatched_unit), joinedload(Complaint.unit),
                 selectinload(Complaint.events))
        .order_by(Complaint.submitted_at.desc(), Complaint.id.desc())))


def listed_publicly(*, now: datetime, start: datetime, end: datetime, categories: Sequence[str] = (),
                    statuses: Sequence[str] = (), limit: int = 1000) -> list[Complaint]:
    """The cases a public list may show, submitted from ``start`` to ``end``, newest first, at most ``limit``.

    Those the office published, and only once their tracking code opens
    nothing: a list shows each case's code, and the code of a closed case
    lets whoever holds it rate the answer (and reopen the case) until it is
    rated or its rating window has passed (``rating_open``).
    """
    window = int(settings.get("complaints.rating_window_days"))
    last_rateable_day = clock.local(now).date() - timedelta(days=window)
    closed_before = datetime.combine(last_rateable_day, time.min, tzinfo=clock.zone())
    rating_over = or_(Complaint.status != ComplaintStatus.CLOSED.value, Complaint.closed_at.is_(None),
                      Complaint.rated_at >= Complaint.closed_at, Complaint.closed_at < closed_before)
    stmt = (select(Complaint)
            .where(Complaint.is_published.is_(True), rating_over,
                   Complaint.submitted_at >= start, Complaint.submitted_at <= end)
            .options(joinedload(Complaint.dispatched_unit), joinedload(Complaint.unit),
                     selectinload(Complaint.events))
            .order_by(Complaint.submitted_at.desc(), Complaint.id.desc()).limit(limit))
    if categories:
        stmt = stmt.where(Complaint.category.in_(categories))
    if statuses:
        stmt = stmt.where(Complaint.status.in_(statuses))
    return list(db.session.scalars(stmt))


def rating_counts(complaint: Complaint) -> dict[str, int]:
    """How often the complainant chose each rating (every closing may be rated once)."""
    counts = dict.fromkeys(SATISFACTION_RATINGS, 0)
    for event in complaint.events:
        if event.action == "rate" and event.text in counts:
            counts[event.text] += 1
    return counts


def files_of(complaint: Complaint) -> list[ComplaintFile]:
    return list(db.session.scalars(select(ComplaintFile).where(
        ComplaintFile.complaint_id == complaint.id).order_by(ComplaintFile.id)))


def public_timeline(complaint: Complaint) -> list[dict]:
    """The steps the complainant sees: status changes with their time, no names of staff."""
    return [{"status": e.to_status, "action": e.action, "at": e.at}
            for e in complaint.events if e.action not in ("publish", "unpublish")]


def remind(today: date, now: datetime) -> int:
    """Remind units of complaints due today or tomorrow, and of overdue ones (once per day)."""
    sent = 0
    rows = db.session.scalars(select(Complaint).where(
        Complaint.status == "dispatched", Complaint.reply_due_on <= today + timedelta(days=1)))
    for complaint in rows:
        overdue = complaint.reply_due_on < today
        title = (_("A complaint reply is overdue (deadline %(day)s).", day=complaint.reply_due_on.isoformat())
                 if overdue else
                 _("A complaint reply is due on %(day)s.", day=complaint.reply_due_on.isoformat()))
        sent += notifications.notify(
            _unit_users(complaint.dispatched_unit_id), kind="complaint",
            event_key=f"complaint:{complaint.id}:due:{today.isoformat()}", title=title,
            body=complaint.subject or "", link=f"/complaints/{complaint.id}", now=now,
            chat_unit=complaint.dispatched_unit_id)
    return sent
