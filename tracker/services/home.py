"""The home page: what waits on a user today, as plain data (docs/guide.md "What each role sees first").

(And, for the public front door, when a complainant may expect a reply.)

``for_user(user, today)`` answers sections of items; each item is a label, a
count and the filtered list behind it (an endpoint and its query args). Every
count is the total of that list, taken from the list's own query
(``complaints.list_query``, ``notices.list_query``, ``accountability.flags_query``,
``bulletins.list_query``, ``supervision.findings_query``, the ledger's
``ledger_view.summary``) — no rule is defined a second time here. The simple
counts of a page are asked for in one statement, so the page costs a fixed
number of statements whatever the data.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Select, case, func, select

from tracker import clock
from tracker.extensions import db
from tracker.models import (
    Complaint,
    ComplaintStatus,
    JobRun,
    Notice,
    ReplyDraftStatus,
    SupervisionRound,
    TaskStatus,
    User,
)
from tracker.services import (
    accountability,
    bulletins,
    charts,
    complaint_reply_drafts,
    complaints,
    ledger_drafts,
    ledger_view,
    notices,
    organisation,
    permissions,
    supervision,
)
from tracker.services.ledger_view import LedgerFilter

DUE_SOON_DAYS = 7
LINES = 3  # the nearest deadlines shown under an item

# how pressing a non-zero count is: "high" (late), "medium" (to act on), "low" (to know)
HIGH, MEDIUM, LOW = "high", "medium", "low"


@dataclass(frozen=True)
class Line:
    """One record under an item: its deadline, for instance."""

    text: str
    detail: str
    endpoint: str
    args: Mapping[str, Any] = field(default_factory=dict)
    urgency: str = LOW


@dataclass(frozen=True)
class Item:
    """One thing waiting: ``count`` rows of the list at ``endpoint`` with ``args`` (None: a plain link)."""

    key: str
    label: str
    count: int | None
    endpoint: str
    args: Mapping[str, Any] = field(default_factory=dict)
    urgency: str = MEDIUM
    lines: tuple[Line, ...] = ()

    @property
    def pressing(self) -> bool:
        return bool(self.count)


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    items: tuple[Item, ...]
    chart: charts.BarChart | None = None
    chart_label: str = ""

    @property
    def waiting(self) -> int:
        return sum(item.count or 0 for item in self.items)


def _count_all(stmts: Mapping[str, Select]) -> dict[str, int]:
    """Count the rows of each list query, all in one statement."""
    if not stmts:
        return {}
    columns = [select(func.count()).select_from(stmt.order_by(None).subquery()).scalar_subquery().label(key)
               for key, stmt in stmts.items()]
    row = db.session.execute(select(*columns)).one()
    return {key: int(value or 0) for key, value in zip(stmts, row, strict=True)}


def _status_chart(counts: Mapping[str, int], labels) -> charts.BarChart | None:
    shown = [(code, n) for code, n in counts.items() if n]
    if not shown:
        return None
    peak = max(n for _code, n in shown)
    return charts.bar_chart(((labels.label_of(code), n, str(n), "") for code, n in shown), maximum=peak)


# The office ---------------------------------------------------------------------------


def _office(user: User, today: date) -> list[Section]:
    week = supervision.last_full_week(today)
    rnd = db.session.scalar(select(SupervisionRound).where(SupervisionRound.week_start == week))
    stmts: dict[str, Select] = {
        "submitted": complaints.list_query(user, status="submitted"),
        "accepted": complaints.list_query(user, status="accepted"),
        "replied": complaints.list_query(user, status="replied"),
        "overdue": complaints.list_query(user, overdue=True, today=today),
        "notices_reported": notices.list_query(user, as_of=today, status="reported"),
        "notices_red": notices.list_query(user, as_of=today, colour_="red"),
        "bulletin_draft": bulletins.list_query(user, status="draft"),
        "bulletin_approved": bulletins.list_query(user, status="approved"),
        "bulletin_returned": bulletins.list_query(user, status="returned"),
        "flags_raised": accountability.flags_query(user, status="raised"),
        "flags_no_exemption": accountability.flags_query(user, status="under_review", exemption="none"),
    }
    if rnd is not None:
        stmts["findings"] = supervision.findings_query(user, round_id=rnd.id)
    n = _count_all(stmts)
    awaiting = ledger_view.summary(user, LedgerFilter(status="awaiting_verification"), today)[1]
    by_status = dict(db.session.execute(
        select(Complaint.status, func.count()).where(complaints.list_query(user).whereclause)
        .group_by(Complaint.status)).all())
    open_by_status = {code: by_status.get(code, 0) for code in complaints.OPEN}

    if rnd is not None:
        round_item = Item("round", _("Findings of the round of the week of %(date)s", date=week.isoformat()),
                          n["findings"], "supervision.round_page", {"round_id": rnd.id}, MEDIUM)
    else:
        round_item = Item("round", _("The round of the week of %(date)s has not run yet",
                                     date=week.isoformat()), None, "supervision.rounds")
    return [
        Section("complaints", _("Complaints"), (
            Item("triage", _("To triage (submitted)"), n["submitted"], "complaints.complaint_list",
                 {"status": "submitted"}, MEDIUM),
            Item("dispatch", _("Accepted, to dispatch"), n["accepted"], "complaints.complaint_list",
                 {"status": "accepted"}, MEDIUM),
            Item("close", _("Replied, to close"), n["replied"], "complaints.complaint_list",
                 {"status": "replied"}, MEDIUM),
            Item("overdue", _("Replies overdue"), n["overdue"], "complaints.complaint_list",
                 {"overdue": 1}, HIGH),
        ), _status_chart(open_by_status, ComplaintStatus), _("Open complaints by state")),
        Section("ledger", _("Ledger"), (
            Item("verify", _("Tasks awaiting verification"), awaiting, "plans.verification_queue", {},
                 MEDIUM),
        )),
        Section("notices", _("Rectification notices"), (
            Item("reported", _("Reports to check"), n["notices_reported"], "notices.notice_list",
                 {"status": "reported"}, MEDIUM),
            Item("red", _("Red: past their deadline"), n["notices_red"], "notices.notice_list",
                 {"colour": "red"}, HIGH),
        )),
        Section("supervision", _("Weekly supervision"), (round_item,)),
        Section("bulletins", _("Bulletins"), (
            Item("drafts", _("Drafts to finish"), n["bulletin_draft"], "bulletins.bulletin_list",
                 {"status": "draft"}, MEDIUM),
            Item("publish", _("Approved, to publish"), n["bulletin_approved"], "bulletins.bulletin_list",
                 {"status": "approved"}, MEDIUM),
            Item("returned", _("Returned by a leader, to revise"), n["bulletin_returned"],
                 "bulletins.bulletin_list", {"status": "returned"}, HIGH),
        )),
        Section("flags", _("Accountability"), (
            Item("review", _("Flags to review"), n["flags_raised"], "accountability.register",
                 {"status": "raised"}, MEDIUM),
            Item("propose", _("Under review, no exemption proposed"), n["flags_no_exemption"],
                 "accountability.register", {"status": "under_review", "exemption": "none"}, LOW),
        )),
    ]


# Leaders ------------------------------------------------------------------------------


def _leader(user: User, today: date) -> list[Section]:
    n = _count_all({
        "bulletin_draft": bulletins.list_query(user, status="draft"),
        "flags_review": accountability.flags_query(user, status="under_review"),
        "exemptions": accountability.flags_query(user, status="under_review", exemption="proposed"),
    })
    tasks = ledger_view.status_counts(user, LedgerFilter(), today)
    return [
        Section("approvals", _("Waiting on you"), (
            Item("approve", _("Bulletins to approve"), n["bulletin_draft"], "bulletins.bulletin_list",
                 {"status": "draft"}, MEDIUM),
            Item("decide", _("Flags to decide"), n["flags_review"], "accountability.register",
                 {"status": "under_review"}, MEDIUM),
            Item("exempt", _("Exemptions to approve"), n["exemptions"], "accountability.register",
                 {"status": "under_review", "exemption": "proposed"}, MEDIUM),
        )),
        Section("tasks", _("Tasks today"), tuple(
            Item(f"tasks_{code}", TaskStatus.label_of(code), tasks.get(code, 0), "plans.master_ledger",
                 {"status": code}, HIGH)
            for code in ("overdue", "lagging", "stale")
        ), _status_chart(tasks, TaskStatus), _("Tasks by status")),
        Section("rankings", _("Rankings"), (
            Item("ratings", _("Rating rounds"), None, "ratings.rounds"),
            Item("assessments", _("Special assessments"), None, "assessments.assessment_list"),
            Item("innovations", _("Innovation ranking"), None, "innovations.innovation_ranking"),
            Item("complaint_rates", _("Complaint rates"), None, "complaints.stats_page"),
        )),
    ]


# A unit's people ----------------------------------------------------------------------


def _unit_tasks(user: User, unit_id: int, today: date) -> Section:
    counts, _total = ledger_view.summary(user, LedgerFilter(unit_id=unit_id), today)
    soon = LedgerFilter(unit_id=unit_id, due_from=today, due_to=today + timedelta(days=DUE_SOON_DAYS),
                        open_only=True)
    due_soon = ledger_view.summary(user, soon, today)[1]
    projected_late = ledger_view.summary(user, LedgerFilter(unit_id=unit_id, projected_late=True), today)[1]
    return Section("tasks", _("Our tasks"), (
        Item("overdue", TaskStatus.label_of("overdue"), counts["overdue"], "plans.master_ledger",
             {"unit_id": unit_id, "status": "overdue"}, HIGH),
        Item("lagging", TaskStatus.label_of("lagging"), counts["lagging"], "plans.master_ledger",
             {"unit_id": unit_id, "status": "lagging"}, HIGH),
        Item("stale", TaskStatus.label_of("stale"), counts["stale"], "plans.master_ledger",
             {"unit_id": unit_id, "status": "stale"}, MEDIUM),
        Item("projected_late", _("Projected late"), projected_late, "plans.master_ledger",
             {"unit_id": unit_id, "projected": "late"}, MEDIUM),
        Item("due_soon", _("Due within %(n)d days", n=DUE_SOON_DAYS), due_soon, "plans.master_ledger",
             {"unit_id": unit_id, "due_from": today.isoformat(),
              "due_to": (today + timedelta(days=DUE_SOON_DAYS)).isoformat(), "open": 1}, MEDIUM),
        Item("mine", _("All our open tasks"), None, "plans.my_tasks"),
    ), _status_chart(counts, TaskStatus), _("Our tasks by status"))


def _drafts(user: User) -> Section | None:
    if not permissions.can(user, "ledger.drafts"):
        return None
    drafts = ledger_drafts.open_drafts(user)
    if user.role == "unit_head":
        waiting = [d for d in drafts if d.status == "pending"]
        label = _("Drafts from staff to submit")
    else:
        waiting = drafts
        label = _("My drafts (waiting or returned)")
    lines = tuple(Line(d.task.title, f"{d.percent}%", "plans.draft_page", {"draft_id": d.id},
                       HIGH if d.status == "returned" else LOW) for d in waiting[:LINES])
    return Section("drafts", _("Drafts"), (
        Item("drafts", label, len(waiting), "plans.my_tasks", {"_anchor": "drafts"}, MEDIUM, lines),))


def _unit(user: User, today: date) -> list[Section]:
    unit_id = user.unit_id
    if unit_id is None:
        return []
    replies = complaints.list_query(user, status="dispatched", unit_id=unit_id)
    open_notices = notices.list_query(user, as_of=today, unit_id=unit_id).where(
        Notice.status.in_(notices.OPEN))
    drafting = permissions.can(user, "complaint.reply_drafts")
    n = _count_all({
        "replies": replies,
        "replies_overdue": complaints.list_query(user, unit_id=unit_id, overdue=True, today=today),
        **({"reply_drafts": complaint_reply_drafts.only_with_drafts(user, complaints.list_query(user))}
           if drafting else {}),
        "notices_overdue": notices.list_query(user, as_of=today, unit_id=unit_id, status="overdue"),
        "notices_orange": notices.list_query(user, as_of=today, unit_id=unit_id, colour_="orange"),
        "notices_issued": notices.list_query(user, as_of=today, unit_id=unit_id, status="issued"),
        "findings": supervision.findings_query(user),
    })
    nearest_replies = db.session.scalars(
        replies.order_by(None).order_by(Complaint.reply_due_on, Complaint.id).limit(LINES)).unique().all()
    nearest_notices = db.session.scalars(
        open_notices.order_by(None).order_by(Notice.due_on, Notice.id).limit(LINES)).all()
    light_urgency = {"red": HIGH, "yellow": MEDIUM, "orange": MEDIUM}
    reply_lines = tuple(
        Line(c.subject or ComplaintStatus.label_of(c.status), _("reply due %(date)s", date=c.reply_due_on),
             "complaints.complaint_detail", {"complaint_id": c.id},
             light_urgency.get(complaints.light(c, today) or "", LOW))
        for c in nearest_replies)
    notice_lines = tuple(
        Line(f"{x.doc_number} {x.problems[:30]}", _("due %(date)s", date=x.due_on), "notices.notice_page",
             {"notice_id": x.id}, light_urgency.get(notices.colour(x, today), LOW))
        for x in nearest_notices)
    reply_draft_items = ()
    if drafting:  # a head's drafts from staff to submit; a member's own, waiting or returned
        draft_lines = tuple(
            Line(subject or f"#{complaint_id}", ReplyDraftStatus.label_of(status),
                 "complaints.reply_draft_page", {"draft_id": draft_id},
                 HIGH if status == "returned" else LOW)
            for draft_id, status, complaint_id, subject in complaint_reply_drafts.waiting(user, LINES))
        reply_draft_items = (Item(
            "reply_drafts", _("Draft replies from staff to submit") if user.role == "unit_head"
            else _("My draft replies (waiting or returned)"), n["reply_drafts"],
            "complaints.complaint_list", {"drafts": 1}, MEDIUM, draft_lines),)
    sections = [_unit_tasks(user, unit_id, today)]
    drafts = _drafts(user)
    if drafts is not None:
        sections.append(drafts)
    sections += [
        Section("complaints", _("Complaints to answer"), (
            Item("replies", _("Awaiting our reply"), n["replies"], "complaints.complaint_list",
                 {"status": "dispatched", "unit_id": unit_id}, MEDIUM, reply_lines),
            Item("replies_overdue", _("Replies overdue"), n["replies_overdue"], "complaints.complaint_list",
                 {"unit_id": unit_id, "overdue": 1}, HIGH),
            *reply_draft_items,
        )),
        Section("notices", _("Rectification notices"), (
            Item("issued", _("To acknowledge"), n["notices_issued"], "notices.notice_list",
                 {"unit_id": unit_id, "status": "issued"}, MEDIUM, notice_lines),
            Item("orange", _("Deadline close (orange)"), n["notices_orange"], "notices.notice_list",
                 {"unit_id": unit_id, "colour": "orange"}, MEDIUM),
            Item("overdue", _("Overdue"), n["notices_overdue"], "notices.notice_list",
                 {"unit_id": unit_id, "status": "overdue"}, HIGH),
        )),
        Section("record", _("Supervision and ranks"), (
            Item("findings", _("Findings of the weekly rounds"), n["findings"], "supervision.my_findings",
                 {}, LOW),
            Item("record", _("Our record and ranks"), None, "records.unit_record_page", {"unit_id": unit_id}),
        )),
    ]
    return sections


# The administrator --------------------------------------------------------------------


def _admin(user: User, today: date) -> list[Section]:
    n = _count_all({"users": organisation.users_query()})
    failed_first = case((JobRun.outcome == "failed", 0), else_=1)
    runs = db.session.scalars(select(JobRun).order_by(failed_first, JobRun.started_at.desc(),
                                                      JobRun.id.desc()).limit(5)).all()
    lines = tuple(Line(run.name, f"{run.outcome} · {clock.local(run.started_at):%Y-%m-%d %H:%M}",
                       "supervision.job_runs", {}, HIGH if run.outcome == "failed" else LOW) for run in runs)
    return [
        Section("accounts", _("Accounts and settings"), (
            Item("users", _("Users"), n["users"], "admin.users", {}, LOW),
            Item("settings", _("Settings"), None, "admin.settings_page"),
            Item("audit", _("Audit log"), None, "admin.audit_log"),
        )),
        Section("jobs", _("Scheduled jobs"), (
            Item("jobs", _("Recent runs, failed first"), None, "supervision.job_runs", {}, LOW, lines),
        )),
    ]


# The public front door -----------------------------------------------------------------


def expected_reply_on(complaint: Complaint, today: date) -> date | None:
    """The day a complainant may expect the unit's reply, as the tracking page tells them.

    A dispatched complaint's reply deadline; for one still being triaged or waiting for
    dispatch, the default deadline were it dispatched today (``complaints.default_due``);
    none once it is answered, closed or turned down.
    """
    if complaint.status == "dispatched":
        return complaint.reply_due_on
    if complaint.status in ("submitted", "accepted"):
        return complaints.default_due(today)
    return None


ROLE_SECTIONS = {
    "office": _office,
    "leader": _leader,
    "unit_head": _unit,
    "unit_member": _unit,
    "admin": _admin,
}


def for_user(user: User, today: date) -> list[Section]:
    """The sections of ``user``'s home page as of ``today``, in the order shown."""
    build = ROLE_SECTIONS.get(user.role)
    return build(user, today) if build else []
