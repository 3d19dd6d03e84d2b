"""Rectification notices 整改通知书 and inspection records 明查暗访 (docs/domain.md "Complaints and
rectification notices").

Lifecycle: ``issued`` → ``acknowledged`` 签收 → ``reported`` 已报告 → ``verified`` 已验收, or
returned 退回 with a reason (back to ``acknowledged``); until the unit acknowledges it the
office may withdraw 撤回 it with a reason (``withdrawn``: its number stays used, and it
leaves the colours, the bulletins and the accountability rules). ``overdue`` is a display
status, never stored: an issued or acknowledged notice whose deadline has passed.

Issuing is two steps in the pages: :func:`preview` checks the notice and shows it as it
will read with the number it will likely take, consuming nothing; :func:`issue` numbers it.

Colours 三色督办 as of a date D, for a notice awaiting the unit (issued or
acknowledged): red when overdue (``due_on`` < D), orange when due within
``notices.orange_days`` days (0 ≤ ``due_on`` − D ≤ that), else blue. A notice
the unit has reported on, or that is verified, is blue: nothing is pressing on
the unit (the API's colour is always one of blue, orange, red).

The functions take typed values (``NoticeInput``, ``InspectionInput``, str, bool): the
adapters — the HTML forms and the API's models — turn what they receive into these, and the
functions here check the domain's rules only (what exists, which unit a source concerns,
dates against today, the notice's state).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, func, literal, not_, or_, select
from sqlalchemy.exc import IntegrityError

from tracker.extensions import db
from tracker.models import (
    Complaint,
    ComplaintCategory,
    Finding,
    Inspection,
    Notice,
    NoticeColour,
    NoticeEvent,
    NoticeFile,
    NoticeSource,
    Unit,
    User,
)
from tracker.services import (
    audit,
    documents,
    notifications,
    official_docx,
    permissions,
    progress,
    settings,
    uploads,
    validation,
    workflow,
)
from tracker.services.errors import Conflict
from tracker.services.uploads import Upload

OPEN = ("issued", "acknowledged")
# notices that count (colours, bulletins): every one but those withdrawn
COUNTED = ("issued", "acknowledged", "reported", "verified")
MAX_FILES = 10


# Typed input --------------------------------------------------------------------------


@dataclass(frozen=True)
class InspectionInput:
    """An open or unannounced inspection 明查暗访 and what it found."""

    unit_id: int
    inspected_on: date
    place: str
    inspectors: str
    findings: str
    is_unannounced: bool = True


@dataclass(frozen=True)
class NoticeInput:
    """A notice to issue: to a unit, from a source (a complaint, finding or inspection, or none)."""

    unit_id: int
    source_type: NoticeSource
    problems: str
    requirements: str
    due_on: date
    source_id: int | None = None


# Display status and colour ------------------------------------------------------------


def display_status(notice: Notice, as_of: date) -> str:
    if notice.status in OPEN and notice.due_on < as_of:
        return "overdue"
    return notice.status


def colour(notice: Notice, as_of: date, orange_days: int | None = None) -> str:
    if orange_days is None:
        orange_days = settings.get("notices.orange_days")
    if notice.status not in OPEN:
        return "blue"
    if notice.due_on < as_of:
        return "red"
    if notice.due_on <= as_of + timedelta(days=orange_days):
        return "orange"
    return "blue"


def _sql_conditions(as_of: date, orange_days: int) -> dict[str, Any]:
    open_ = Notice.status.in_(OPEN)
    red = and_(open_, Notice.due_on < as_of)
    orange = and_(open_, Notice.due_on >= as_of, Notice.due_on <= as_of + timedelta(days=orange_days))
    return {"red": red, "orange": orange, "blue": not_(or_(red, orange)), "overdue": red}


def list_query(user: User, *, as_of: date, unit_id: int | None = None, status: str | None = None,
               colour_: str | None = None):
    """Notices ``user`` may read, newest first, filtered by unit, display status and colour."""
    cond = _sql_conditions(as_of, settings.get("notices.orange_days"))
    stmt = (select(Notice).join(Unit, Unit.id == Notice.unit_id)
            .where(permissions.unit_scope(user, Notice.unit_id))
            .order_by(Notice.issued_on.desc(), Notice.id.desc()))
    if unit_id is not None:
        stmt = stmt.where(Notice.unit_id == unit_id)
    if status == "overdue":
        stmt = stmt.where(cond["overdue"])
    elif status in OPEN:
        stmt = stmt.where(Notice.status == status, not_(cond["overdue"]))
    elif status in ("reported", "verified", "withdrawn"):
        stmt = stmt.where(Notice.status == status)
    if colour_ in NoticeColour.codes():
        stmt = stmt.where(cond[colour_], Notice.status != "withdrawn")
    return stmt


def colour_counts(user: User, as_of: date, unit_id: int | None = None) -> dict[str, int]:
    """How many notices ``user`` reads are blue, orange and red as of the day (one query)."""
    cond = _sql_conditions(as_of, settings.get("notices.orange_days"))
    expr = case((cond["red"], literal("red")), (cond["orange"], literal("orange")), else_=literal("blue"))
    stmt = (select(expr, func.count()).where(permissions.unit_scope(user, Notice.unit_id),
                                              Notice.status.in_(("issued", "acknowledged",
                                                                 "reported"))).group_by(expr))
    if unit_id is not None:
        stmt = stmt.where(Notice.unit_id == unit_id)
    found = dict(db.session.execute(stmt).all())
    return {name: found.get(name, 0) for name in NoticeColour.codes()}


# Inspections ------------------------------------------------------------------------


def _unit(errors: dict[str, str], field: str, unit_id: int) -> Unit | None:
    """The unit of ``unit_id``, if it exists and is not archived."""
    unit = db.session.get(Unit, unit_id)
    if unit is None or unit.is_archived:
        errors[field] = _("Choose a unit.")
        return None
    return unit


def create_inspection(actor: audit.Actor, values: InspectionInput) -> Inspection:
    """Record an open or unannounced inspection 明查暗访 and what it found."""
    errors: dict[str, str] = {}
    _unit(errors, "unit_id", values.unit_id)
    day = values.inspected_on
    today = actor.today
    if day > today:
        errors["inspected_on"] = _("The date cannot be in the future.")
    elif day < today - timedelta(days=3 * 366):
        errors["inspected_on"] = _("The date is too far in the past.")
    place_text = validation.text(errors, "place", values.place, max_length=200)
    who = validation.text(errors, "inspectors", values.inspectors, max_length=200)
    found = validation.text(errors, "findings", values.findings, max_length=4000, multiline=True)
    validation.raise_if(errors)
    inspection = Inspection(unit_id=values.unit_id, inspected_on=day, place=place_text, inspectors=who,
                            findings=found, is_unannounced=values.is_unannounced, created_at=actor.now,
                            created_by_id=actor.user.id if actor.user else None)
    db.session.add(inspection)
    audit.record(actor, "inspection.create", inspection, {
        "unit_id": [None, values.unit_id], "inspected_on": [None, day.isoformat()],
        "is_unannounced": [None, values.is_unannounced]})
    return inspection


def inspections_query(unit_id: int | None = None):
    stmt = (select(Inspection).join(Unit, Unit.id == Inspection.unit_id)
            .order_by(Inspection.inspected_on.desc(), Inspection.id.desc()))
    if unit_id is not None:
        stmt = stmt.where(Inspection.unit_id == unit_id)
    return stmt


# Issue -------------------------------------------------------------------------------


def _check_source(errors: dict[str, str], source_type: str, source_id: int | None, unit_id: int) -> None:
    """The source must exist and concern the notice's unit."""
    if source_id is None:
        return
    model = {"complaint": Complaint, "finding": Finding, "inspection": Inspection}[source_type]
    source = db.session.get(model, source_id)
    if source is None:
        errors["source_id"] = _("No such record.")
    elif source_type == "complaint":
        if source.status in ("submitted", "rejected", "duplicate"):
            errors["source_id"] = _("Only an accepted complaint can lead to a notice.")
        elif unit_id not in (source.dispatched_unit_id, source.unit_id):
            errors["source_id"] = _("The record concerns another unit.")
    elif source.unit_id != unit_id:
        errors["source_id"] = _("The record concerns another unit.")


def _next_number(year: int) -> int:
    """The next number of the year: one above the highest ever taken (a withdrawn one included)."""
    return (db.session.scalar(select(func.max(Notice.number)).where(Notice.number_year == year)) or 0) + 1


def preview(actor: audit.Actor, values: NoticeInput) -> Notice:
    """The notice as :func:`issue` would issue it now, with the number it would take — checked
    like it, but never added to the session: nothing is numbered, stored or audited.

    The number is the next free one at this moment; another notice issued meanwhile takes
    it first, and this one the next.
    """
    unit, source_type, source_id, problem_text, requirement_text, due = _checked(actor, values)
    today = actor.today
    notice = Notice(
        number_year=today.year, number=_next_number(today.year), unit_id=unit.id,
        source_type=source_type, complaint_id=source_id if source_type == "complaint" else None,
        finding_id=source_id if source_type == "finding" else None,
        inspection_id=source_id if source_type == "inspection" else None,
        problems=problem_text, requirements=requirement_text, issued_on=today, due_on=due,
        status="issued", issued_at=actor.now)
    notice.unit = unit
    return notice


def _checked(actor: audit.Actor, values: NoticeInput):
    """The notice's values as checked against the domain's rules (or :class:`InvalidInput`)."""
    errors: dict[str, str] = {}
    unit = _unit(errors, "unit_id", values.unit_id)
    source_type, source_id = str(values.source_type), values.source_id  # the code, as stored
    if unit is not None:
        _check_source(errors, source_type, source_id, unit.id)
    problem_text = validation.text(errors, "problems", values.problems, max_length=4000, multiline=True)
    requirement_text = validation.text(errors, "requirements", values.requirements, max_length=4000,
                                       multiline=True)
    today = actor.today
    due = values.due_on
    if due < today:
        errors["due_on"] = _("The deadline cannot be before the date of issue.")
    elif due > today + timedelta(days=366):
        errors["due_on"] = _("The deadline is more than a year away.")
    validation.raise_if(errors)
    return unit, source_type, source_id, problem_text, requirement_text, due


def issue(actor: audit.Actor, values: NoticeInput) -> Notice:
    """Issue a numbered notice (〔year〕N号) to a unit from a complaint, finding or inspection."""
    unit, source_type, source_id, problem_text, requirement_text, due = _checked(actor, values)
    today = actor.today
    for _attempt in range(5):  # another notice may take the number first: try the next one
        number = _next_number(today.year)
        try:
            with db.session.begin_nested():
                notice = Notice(
                    number_year=today.year, number=number, unit_id=unit.id, source_type=source_type,
                    complaint_id=source_id if source_type == "complaint" else None,
                    finding_id=source_id if source_type == "finding" else None,
                    inspection_id=source_id if source_type == "inspection" else None,
                    problems=problem_text, requirements=requirement_text, issued_on=today, due_on=due,
                    status="issued", issued_at=actor.now,
                    issued_by_id=actor.user.id if actor.user else None)
                db.session.add(notice)
                db.session.flush()
        except IntegrityError:
            continue
        break
    else:
        raise Conflict(_("The notice could not be numbered; please try again."))
    notice.events.append(NoticeEvent(action="issue", from_status=None, to_status="issued", at=actor.now,
                                     user_id=actor.user.id if actor.user else None))
    audit.record(actor, "notice.issue", notice, {
        "number": [None, notice.doc_number], "unit_id": [None, unit.id],
        "source": [None, f"{source_type}:{source_id}" if source_id else source_type],
        "due_on": [None, due.isoformat()]})
    notifications.notice_issued(notice, actor.now)
    return notice


# The notice workflow: which step may start from which state, and where it leads.
WORKFLOW = workflow.Workflow(
    "notice", NoticeEvent, {
        "acknowledge": workflow.Step(("issued",), "acknowledged",
                                     _l("Only an issued notice can be acknowledged.")),
        "report": workflow.Step(("acknowledged",), "reported",
                                _l("Only an acknowledged notice can be reported on.")),
        "verify": workflow.Step(("reported",), "verified"),
        "return": workflow.Step(("reported",), "acknowledged"),
        "withdraw": workflow.Step(("issued",), "withdrawn",
                                  _l("Only a notice the unit has not acknowledged can be withdrawn.")),
    },
    _l("Only a reported notice can be verified or returned."))


# Lifecycle ---------------------------------------------------------------------------


def acknowledge(actor: audit.Actor, notice: Notice) -> Notice:
    """签收: the unit acknowledges an issued notice."""
    WORKFLOW.move(actor, notice, "acknowledge")
    notice.acknowledged_at = actor.now
    return notice


def report(actor: audit.Actor, notice: Notice, *, text: str, files: Sequence[Upload] = (),
           upload_folder: str | None = None) -> Notice:
    """The unit's rectification report 整改报告, with evidence files."""
    errors: dict[str, str] = {}
    clean = validation.text(errors, "text", text, max_length=8000, multiline=True)
    if len(files) > MAX_FILES:
        errors["files"] = _("At most %(n)d files per report.", n=MAX_FILES)
    validation.raise_if(errors)
    WORKFLOW.require(notice, "report")
    stored = []
    if files:
        max_bytes = settings.get("ledger.upload_max_mb") * 2**20
        stored = uploads.store_all(upload_folder, files, max_bytes)
    event = WORKFLOW.move(actor, notice, "report", text=clean,
                          changes={"files": [None, [f.original_name for f in stored]]})
    notice.report_text, notice.reported_at = clean, actor.now
    notifications.notice_reported(notice, event.id, actor.now)
    for item in stored:
        db.session.add(NoticeFile(
            notice_id=notice.id, event_id=event.id, original_name=item.original_name,
            stored_name=item.stored_name, content_type=item.content_type, size=item.size,
            sha256=item.sha256, uploaded_by_id=actor.user.id if actor.user else None,
            uploaded_at=actor.now))
    return notice


def withdraw(actor: audit.Actor, notice: Notice, *, reason: str | None) -> Notice:
    """撤回: the office withdraws a notice the unit has not acknowledged, with a reason.

    The number stays used (never issued again); the unit's people are told.
    """
    WORKFLOW.require(notice, "withdraw")
    errors: dict[str, str] = {}
    reason_text = validation.text(errors, "reason", reason, max_length=2000, multiline=True)
    validation.raise_if(errors)
    WORKFLOW.move(actor, notice, "withdraw", text=reason_text, changes={"reason": [None, reason_text]})
    notifications.notice_withdrawn(notice, reason_text, actor.now)
    return notice


def verify(actor: audit.Actor, notice: Notice, *, accept: bool, reason: str | None = None) -> Notice:
    """验收: the office accepts the report (verified) or returns it with a reason (acknowledged)."""
    errors: dict[str, str] = {}
    reason_text = validation.text(errors, "reason", reason, max_length=2000,
                                  required=not accept, multiline=True)
    validation.raise_if(errors)
    if accept:
        WORKFLOW.move(actor, notice, "verify", text=reason_text)
        notice.verified_at = actor.now
    else:
        WORKFLOW.move(actor, notice, "return", text=reason_text, changes={"reason": [None, reason_text]})
    return notice


def events_of(notice: Notice) -> list[NoticeEvent]:
    return db.session.scalars(select(NoticeEvent).where(NoticeEvent.notice_id == notice.id)
                              .order_by(NoticeEvent.id)).all()


def files_of(notice: Notice) -> list[NoticeFile]:
    return db.session.scalars(select(NoticeFile).where(NoticeFile.notice_id == notice.id)
                              .order_by(NoticeFile.id)).all()


def source_summary(notice: Notice) -> str:
    """Cite the source without a person: a complaint by its number and subject, never its complainant."""
    if notice.source_type == "complaint" and notice.complaint_id:
        complaint = db.session.get(Complaint, notice.complaint_id)
        subject = (complaint.subject or "").strip() or ComplaintCategory.zh_of(complaint.category)
        return f"群众投诉（第{complaint.id}号投诉件：{subject}）"
    if notice.source_type == "finding" and notice.finding_id:
        finding = db.session.get(Finding, notice.finding_id)
        return f"周督导发现问题（第{finding.round_id}轮督导：{finding.task.title}）"
    if notice.source_type == "inspection" and notice.inspection_id:
        inspection = db.session.get(Inspection, notice.inspection_id)
        kind = "暗访" if inspection.is_unannounced else "明查"
        day = inspection.inspected_on
        return f"{day.year}年{day.month}月{day.day}日{kind}（{inspection.place}）"
    plain = {"complaint": "群众投诉", "finding": "周督导发现问题", "inspection": "明查暗访"}
    return plain[notice.source_type]


# Reminders ---------------------------------------------------------------------------


def remind(today: date, now: datetime) -> int:
    """Orange and red reminders to the unit's people, red ones to the office: once per notice and state."""
    orange_days = settings.get("notices.orange_days")
    rows = db.session.execute(
        select(Notice).where(Notice.status.in_(OPEN),
                             Notice.due_on <= today + timedelta(days=orange_days))
    ).scalars().all()
    if not rows:
        return 0
    people = notifications._unit_people({n.unit_id for n in rows})
    office = db.session.scalars(select(User.id).where(User.role == "office", User.is_active.is_(True))).all()
    sent = 0
    for notice in rows:
        link = f"/notices/{notice.id}"
        users = people.get(notice.unit_id, [])
        number = documents.number("notice", notice.doc_number)
        if notice.due_on < today:
            sent += notifications.notify(
                users, kind="notice_red", event_key=f"notice-red:{notice.id}:{notice.due_on}",
                title=f"整改通知书已逾期：{number}", body=f"整改时限 {notice.due_on}",
                link=link, now=now, chat_unit=notice.unit_id, chat_text=f"整改时限 {notice.due_on}")
            sent += notifications.notify(
                office, kind="notice_red", event_key=f"notice-red-office:{notice.id}:{notice.due_on}",
                title=f"整改通知书逾期未报告：{number} {notice.unit.name}",
                body=f"整改时限 {notice.due_on}", link=link, now=now,
                chat_office=True, chat_text=f"整改时限 {notice.due_on}")
        else:
            sent += notifications.notify(
                users, kind="notice_orange", event_key=f"notice-orange:{notice.id}:{notice.due_on}",
                title=f"整改通知书即将到期：{number}", body=f"整改时限 {notice.due_on}",
                link=link, now=now, chat_unit=notice.unit_id, chat_text=f"整改时限 {notice.due_on}")
    return sent


# Bulletin section -----------------------------------------------------------------------


def bulletin_section(period) -> dict:
    """Notices issued, verified and open in the period, and the red ones as of its last day.

    The status at the period's end is rebuilt from the notices' events (what was
    true then), so a later report does not rewrite the bulletin's list. A withdrawn
    notice was issued by mistake: it is left out altogether.
    """
    from tracker import clock

    end = period.ends_on
    orange_days = settings.get("notices.orange_days")
    notices = db.session.execute(
        select(Notice, Unit.name).join(Unit, Unit.id == Notice.unit_id)
        .where(Notice.issued_on <= end, Notice.status.in_(COUNTED))  # a withdrawn one: never counted
        .order_by(Notice.number_year, Notice.number)).all()
    status_then: dict[int, str] = {}
    verified_in: set[int] = set()
    ids = [n.id for n, _name in notices]
    if ids:
        for notice_id, to_status, at in db.session.execute(
                select(NoticeEvent.notice_id, NoticeEvent.to_status, NoticeEvent.at)
                .where(NoticeEvent.notice_id.in_(ids)).order_by(NoticeEvent.at, NoticeEvent.id)):
            day = clock.local(at).date()
            if day <= end:
                status_then[notice_id] = to_status
                if to_status == "verified" and day >= period.starts_on:
                    verified_in.add(notice_id)
    counts = dict.fromkeys(NoticeColour.codes(), 0)
    red = []
    issued = 0
    for notice, unit_name in notices:
        if notice.issued_on >= period.starts_on:
            issued += 1
        state = status_then.get(notice.id, "issued")
        if state == "verified":
            continue
        probe = Notice(status=state, due_on=notice.due_on)
        shade = colour(probe, end, orange_days)
        counts[shade] += 1
        if shade == "red":
            red.append({"id": notice.id, "number": notice.doc_number, "unit_id": notice.unit_id,
                        "unit": unit_name, "issued_on": notice.issued_on.isoformat(),
                        "due_on": notice.due_on.isoformat(), "status": "overdue",
                        "days_overdue": progress.days_overdue(notice.due_on, end)})
    return {"as_of": end.isoformat(), "issued": issued, "verified": len(verified_in),
            "open": sum(counts.values()), "by_colour": counts, "red": red}


def docx_section(data: dict, heading: str) -> list[official_docx.Block]:
    """The notices' figures and the red notices, as blocks of a bulletin's .docx."""
    counts = data.get("by_colour", {})
    return [official_docx.Heading(heading), official_docx.Paragraph(
        f"本期下发整改通知书{data.get('issued', 0)}份，验收办结{data.get('verified', 0)}份；"
        f"截至期末未办结{data.get('open', 0)}份，其中蓝色{counts.get('blue', 0)}份、"
        f"橙色{counts.get('orange', 0)}份、红色（逾期）{counts.get('red', 0)}份。"),
        *(official_docx.Paragraph(f"{row['unit']}：{documents.number('notice', row['number'])}，"
                                  f"整改时限{row['due_on']}，"
                                  f"逾期{row['days_overdue']}天未报告整改情况。")
          for row in data.get("red", []))]


# The document -----------------------------------------------------------------------------


def issuer_name() -> str:
    """The issuing organ (the settings page): it signs the notice and receives the unit's report."""
    return documents.organ()


def to_docx(notice: Notice) -> bytes:
    """The notice as an official document (services/official_docx.py); it never names a complainant."""
    return official_docx.render(document(notice))


def document(notice: Notice) -> official_docx.OfficialDocument:
    """The notice's content in the official layout: the .docx, and the preview's HTML."""
    Heading, Paragraph = official_docx.Heading, official_docx.Paragraph
    issuer = issuer_name()
    body = [Paragraph(f"根据{source_summary(notice)}，经核实，你单位存在以下问题，现通知如下："),
            Heading("一、存在问题"), *official_docx.lines(notice.problems),
            Heading("二、整改要求"), *official_docx.lines(notice.requirements),
            Heading("三、整改时限"),
            Paragraph(f"请于{official_docx.chinese_date(notice.due_on)}前完成整改，并将整改情况书面报告"
                      f"（附佐证材料）报送{issuer}。逾期未报告的，将在月通报中点名。")]
    return official_docx.OfficialDocument(
        title="整改通知书", number=documents.number("notice", notice.doc_number), addressee=notice.unit.name,
        issuer=issuer, organ=issuer, copies_to=documents.copies_to(),
        dated=notice.issued_on, body=body)
