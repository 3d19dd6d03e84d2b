"""Reminders and notices: the in-app inbox, e-mail when SMTP is configured, and the work chat.

Every notification carries an event key holding the event and its state
(e.g. the due date of a task due soon): the same key is never sent twice to a
user, so a daily sweep does not repeat itself unless something changed.
"""

from __future__ import annotations

import functools
import smtplib
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from email.message import EmailMessage

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, select, update

from tracker.extensions import db
from tracker.models import (
    Bulletin,
    Finding,
    FlagRule,
    LedgerDraft,
    Notification,
    SupervisionRound,
    Task,
    User,
)
from tracker.services import documents, forecast, progress, task_states, work_chat


def notify(
    user_ids: Iterable[int],
    *,
    kind: str,
    event_key: str,
    title: str,
    body: str = "",
    link: str | None = None,
    now: datetime,
    chat_unit: int | None = None,
    chat_office: bool = False,
    chat_text: str = "",
) -> int:
    """Add one notification per user who has not had this event yet; return how many.

    With ``chat_unit`` the event also goes to that unit's work-chat group, with
    ``chat_office`` to the office's: the title, ``chat_text`` (never ``body``, which
    may hold what a group should not read) and the link (services/work_chat.py).
    """
    if chat_unit is not None:
        work_chat.enqueue(chat_unit, event_key, title, text=chat_text, link=link, now=now)
    if chat_office:
        work_chat.enqueue_office(event_key, title, text=chat_text, link=link, now=now)
    user_ids = set(user_ids)
    if not user_ids:
        return 0
    had = set(
        db.session.scalars(
            select(Notification.user_id).where(
                Notification.event_key == event_key, Notification.user_id.in_(user_ids)
            )
        )
    )
    fresh = sorted(user_ids - had)
    db.session.add_all(
        Notification(
            user_id=uid,
            kind=kind,
            event_key=event_key,
            title=title[:200],
            body=body,
            link=link,
            created_at=now,
        )
        for uid in fresh
    )
    return len(fresh)


def _unit_people(unit_ids: set[int]) -> dict[int, list[int]]:
    rows = db.session.execute(
        select(User.unit_id, User.id).where(
            User.unit_id.in_(unit_ids),
            User.is_active.is_(True),
            User.role.in_(("unit_head", "unit_member")),
        )
    ).all()
    people: dict[int, list[int]] = {}
    for unit_id, user_id in rows:
        people.setdefault(unit_id, []).append(user_id)
    return people


def _unit_heads(unit_id: int) -> list[int]:
    return list(
        db.session.scalars(
            select(User.id).where(User.unit_id == unit_id, User.is_active.is_(True), User.role == "unit_head")
        )
    )


def draft_ready(draft: LedgerDraft, now: datetime) -> int:
    """Tell the heads of the task's unit that a member's ledger draft waits for them."""
    return notify(
        _unit_heads(draft.task.owner_unit_id),
        kind="draft_ready",
        event_key=f"draft-ready:{draft.id}:{draft.updated_at:%Y%m%d%H%M%S%f}",
        title=f"台账草稿待提交：{draft.task.title}",
        body=f"{draft.author.display_name}：{draft.percent}%",
        link=f"/drafts/{draft.id}",
        now=now,
        chat_unit=draft.task.owner_unit_id,
    )


def draft_returned(draft: LedgerDraft, now: datetime) -> int:
    """Tell the author that the head returned the draft, with the head's comment."""
    return notify(
        [draft.author_id],
        kind="draft_returned",
        event_key=f"draft-returned:{draft.id}:{draft.returned_at:%Y%m%d%H%M%S%f}",
        title=f"台账草稿被退回：{draft.task.title}",
        body=draft.return_comment or "",
        link=f"/drafts/{draft.id}",
        now=now,
    )


def draft_submitted(draft: LedgerDraft, now: datetime) -> int:
    """Tell the author that the head submitted the draft to the ledger."""
    return notify(
        [draft.author_id],
        kind="draft_submitted",
        event_key=f"draft-submitted:{draft.id}",
        title=f"台账草稿已提交：{draft.task.title}",
        link=f"/tasks/{draft.task_id}",
        now=now,
    )


def reply_draft_ready(draft, now: datetime) -> int:
    """Tell the heads of the complaint's unit that a member's reply draft waits for them."""
    complaint = draft.complaint
    return notify(
        _unit_heads(complaint.dispatched_unit_id),
        kind="reply_draft_ready",
        event_key=f"reply-draft-ready:{draft.id}:{draft.updated_at:%Y%m%d%H%M%S%f}",
        title=f"投诉答复草稿待提交：#{complaint.id} {complaint.subject}",
        body=draft.author.display_name,
        link=f"/complaints/reply-drafts/{draft.id}",
        now=now,
    )


def reply_draft_returned(draft, now: datetime) -> int:
    """Tell the author that the head returned the reply draft, with the head's comment."""
    complaint = draft.complaint
    return notify(
        [draft.author_id],
        kind="reply_draft_returned",
        event_key=f"reply-draft-returned:{draft.id}:{draft.returned_at:%Y%m%d%H%M%S%f}",
        title=f"投诉答复草稿被退回：#{complaint.id} {complaint.subject}",
        body=draft.return_comment or "",
        link=f"/complaints/reply-drafts/{draft.id}",
        now=now,
    )


def reply_draft_submitted(draft, now: datetime) -> int:
    """Tell the author that the head submitted the reply draft as the unit's reply."""
    complaint = draft.complaint
    return notify(
        [draft.author_id],
        kind="reply_draft_submitted",
        event_key=f"reply-draft-submitted:{draft.id}",
        title=f"投诉答复草稿已提交：#{complaint.id} {complaint.subject}",
        link=f"/complaints/{complaint.id}",
        now=now,
    )


def notice_issued(notice, now: datetime) -> int:
    """Tell the unit's people that a rectification notice was issued to them, and by when to report."""
    people = _unit_people({notice.unit_id}).get(notice.unit_id, [])
    return notify(
        people,
        kind="notice_issued",
        event_key=f"notice-issued:{notice.id}",
        title=f"收到整改通知书：{documents.number('notice', notice.doc_number)}",
        body=f"请于 {notice.due_on} 前报送整改情况",
        link=f"/notices/{notice.id}",
        now=now,
        chat_unit=notice.unit_id,
        chat_text=f"整改时限 {notice.due_on}",
    )


def notice_withdrawn(notice, reason: str, now: datetime) -> int:
    """Tell the unit's people that the office withdrew a notice it had issued to them, and why."""
    people = _unit_people({notice.unit_id}).get(notice.unit_id, [])
    return notify(
        people,
        kind="notice_withdrawn",
        event_key=f"notice-withdrawn:{notice.id}",
        title=f"整改通知书已撤回：{documents.number('notice', notice.doc_number)}",
        body=reason,
        link=f"/notices/{notice.id}",
        now=now,
        chat_unit=notice.unit_id,
    )


# What waits on a person: each message the moment its step is taken -----------------------
#
# Written in the language of whoever took the step (Chinese unless they chose English); only the
# title and the link go to a work-chat group. The flag and bulletin keys are those of the daily
# reminders (accountability.remind, sweep), so a step told at once is not told again the next
# morning.


def _in_working_language(tell):
    """Write a message in the bureau's working language (the default locale), whoever took the
    step: an inbox or a group is read by many, and the older messages are in it too."""

    @functools.wraps(tell)
    def written(*args, **kwargs):
        with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
            return tell(*args, **kwargs)

    return written


def _active(role: str) -> list[int]:
    return list(db.session.scalars(select(User.id).where(User.role == role, User.is_active.is_(True))))


def _deciding_leaders(unit) -> list[int]:
    """The leader in charge of ``unit`` if an active leader, else every active leader."""
    leaders = _active("leader")
    return [unit.leader_user_id] if unit.leader_user_id in leaders else leaders


def _flag_what(flag) -> dict[str, str]:
    return {"unit": flag.unit.name, "rule": str(FlagRule.label_of(flag.rule)), "period": flag.period}


@_in_working_language
def flag_raised(flag, now: datetime) -> int:
    """Tell the flagged unit's people that a flag was raised on their unit, and the office that it
    awaits their review."""
    what, link = _flag_what(flag), f"/accountability/{flag.id}"
    people = _unit_people({flag.unit_id}).get(flag.unit_id, [])
    sent = notify(
        people,
        kind="flag_raised",
        event_key=f"flag-raised:{flag.id}",
        title=_("An accountability flag was raised on your unit: %(rule)s, %(period)s.", **what),
        link=link,
        now=now,
        chat_unit=flag.unit_id,
    )
    return sent + notify(
        _active("office"),
        kind="flag",
        event_key=f"flag:{flag.id}:raised",
        title=_("A flag awaits your review: %(unit)s, %(rule)s, %(period)s.", **what),
        link=link,
        now=now,
        chat_office=True,
    )


def _to_deciding_leaders(flag, step: str, title: str, body: str | None, now: datetime) -> int:
    """Tell the deciding leaders of ``flag`` that ``step`` of it awaits them."""
    return notify(_deciding_leaders(flag.unit), kind="flag", event_key=f"flag:{flag.id}:{step}",
                  title=title, body=body or "", link=f"/accountability/{flag.id}", now=now,
                  chat_office=True)


@_in_working_language
def flag_awaits_decision(flag, now: datetime) -> int:
    """Tell the deciding leaders that the office has reviewed a flag: it awaits their decision."""
    return _to_deciding_leaders(flag, "under_review", _(
        "A flag awaits your decision: %(unit)s, %(rule)s, %(period)s.", **_flag_what(flag)),
        flag.review_opinion, now)


@_in_working_language
def exemption_proposed(flag, now: datetime) -> int:
    """Tell the deciding leaders that the office proposes to exempt a flag (容错免责)."""
    return _to_deciding_leaders(flag, "exemption", _(
        "An exemption awaits your approval: %(unit)s, %(rule)s, %(period)s.", **_flag_what(flag)),
        flag.exemption_justification, now)


@_in_working_language
def bulletin_awaits_approval(bulletin: Bulletin, now: datetime) -> int:
    """Tell the leaders that a bulletin awaits their approval (drafted, or submitted again after
    a return: then a new event)."""
    again = f":{bulletin.returned_at:%Y%m%d%H%M%S%f}" if bulletin.returned_at else ""
    return notify(
        _active("leader"),
        kind="bulletin_approval",
        event_key=f"bulletin-approval:{bulletin.id}{again}",
        title=_("A bulletin awaits your approval: %(title)s", title=bulletin.title),
        link=f"/bulletins/{bulletin.id}",
        now=now,
        chat_office=True,
    )


@_in_working_language
def bulletin_returned(bulletin: Bulletin, now: datetime) -> int:
    """Tell the office that a leader returned a bulletin, with the leader's comments."""
    return notify(
        _active("office"),
        kind="bulletin_returned",
        event_key=f"bulletin-returned:{bulletin.id}:{bulletin.returned_at:%Y%m%d%H%M%S%f}",
        title=_("A bulletin was returned with comments: %(title)s", title=bulletin.title),
        body=bulletin.return_comment or "",
        link=f"/bulletins/{bulletin.id}",
        now=now,
        chat_office=True,
    )


@_in_working_language
def notice_reported(notice, event_id: int, now: datetime) -> int:
    """Tell the office that a unit reported a notice rectified: the report awaits their check."""
    return notify(
        _active("office"),
        kind="notice_reported",
        event_key=f"notice-reported:{notice.id}:{event_id}",
        title=_(
            "A unit reported a notice rectified: %(number)s, %(unit)s.",
            number=documents.number("notice", notice.doc_number),
            unit=notice.unit.name,
        ),
        link=f"/notices/{notice.id}",
        now=now,
        chat_office=True,
    )


@_in_working_language
def claim_awaits_verification(task: Task, entry_id: int, now: datetime) -> int:
    """Tell the office that a task of an active plan is reported done: the claim awaits 兑账."""
    if task.plan.status != "active":
        return 0
    return notify(
        _active("office"),
        kind="claim",
        event_key=f"claim:{task.id}:{entry_id}",
        title=_(
            "A task awaits verification: %(title)s, %(unit)s.", title=task.title, unit=task.owner_unit.name
        ),
        link="/verification",
        now=now,
        chat_office=True,
    )


def _projected_late(today: date, now: datetime, view) -> int:
    """预计逾期: once a week, tell a unit which of its tasks will miss their due date at their pace."""
    rows = db.session.execute(
        select(Task.id, Task.title, Task.owner_unit_id, Task.due_on)
        .join(view, view.c.task_id == Task.id)
        .where(
            view.c.status.in_(("on_track", "lagging", "stale")),
            forecast.late_condition(view, today, **forecast.parameters()),
        )
    ).all()
    people = _unit_people({row.owner_unit_id for row in rows})
    week = today.isocalendar()
    return sum(
        notify(
            people.get(row.owner_unit_id, []),
            kind="task_projected_late",
            event_key=f"projected-late:{row.id}:{week.year}-W{week.week:02d}",
            title=f"任务预计逾期：{row.title}",
            body=f"按近期进度将晚于完成时限 {row.due_on}",
            link=f"/tasks/{row.id}",
            now=now,
            chat_unit=row.owner_unit_id,
            chat_text=f"完成时限 {row.due_on}",
        )
        for row in rows
    )


def sweep(today: date, now: datetime) -> int:
    """Send the day's reminders: tasks due soon, overdue or stale; new findings; bulletins."""
    thresholds = progress.Thresholds.from_settings()
    view = task_states.view(today, thresholds, [Task.in_force()])
    rows = db.session.execute(
        select(
            Task.id,
            Task.title,
            Task.owner_unit_id,
            Task.due_on,
            view.c.status,
            view.c.last_reported_on,
        )
        .join(view, view.c.task_id == Task.id)
        .where(view.c.status.in_(("overdue", "stale", "on_track", "lagging", "not_started")))
    ).all()
    soon = today + timedelta(days=thresholds.due_soon_days)
    sent = 0
    people = _unit_people({row.owner_unit_id for row in rows})
    for row in rows:
        users = people.get(row.owner_unit_id, [])
        link = f"/tasks/{row.id}"
        if row.status == "overdue":
            sent += notify(
                users,
                kind="task_overdue",
                event_key=f"overdue:{row.id}:{row.due_on}",
                title=f"任务已逾期：{row.title}",
                body=f"完成时限 {row.due_on}",
                link=link,
                now=now,
                chat_unit=row.owner_unit_id,
                chat_text=f"完成时限 {row.due_on}",
            )
        elif row.status == "stale":
            sent += notify(
                users,
                kind="task_stale",
                event_key=f"stale:{row.id}:{row.last_reported_on or 'none'}",
                title=f"请及时交账：{row.title}",
                link=link,
                now=now,
                chat_unit=row.owner_unit_id,
            )
        if today <= row.due_on <= soon and row.status != "overdue":
            sent += notify(
                users,
                kind="task_due_soon",
                event_key=f"due:{row.id}:{row.due_on}",
                title=f"任务即将到期：{row.title}",
                body=f"完成时限 {row.due_on}",
                link=link,
                now=now,
                chat_unit=row.owner_unit_id,
                chat_text=f"完成时限 {row.due_on}",
            )
    sent += _projected_late(today, now, view)
    recent = select(SupervisionRound.id).where(SupervisionRound.week_start >= today - timedelta(days=21))
    findings = db.session.execute(
        select(Finding.id, Finding.unit_id, Finding.kind, Task.title)
        .join(Task, Task.id == Finding.task_id)
        .where(Finding.round_id.in_(recent))
    ).all()
    people = _unit_people({f.unit_id for f in findings})
    for finding in findings:
        sent += notify(
            people.get(finding.unit_id, []),
            kind="finding",
            event_key=f"finding:{finding.id}",
            title=f"周督导发现问题：{finding.title}",
            link="/supervision/mine",
            now=now,
            chat_unit=finding.unit_id,
        )
    leaders = db.session.scalars(select(User.id).where(User.role == "leader", User.is_active.is_(True))).all()
    for bulletin_id, title in db.session.execute(
        select(Bulletin.id, Bulletin.title).where(Bulletin.status == "draft")
    ):
        sent += notify(
            leaders,
            kind="bulletin_approval",
            event_key=f"bulletin-approval:{bulletin_id}",
            title=f"待审批：{title}",
            link=f"/bulletins/{bulletin_id}",
            now=now,
            chat_office=True,
        )
    everyone = db.session.scalars(select(User.id).where(User.is_active.is_(True))).all()
    for bulletin_id, title in db.session.execute(
        select(Bulletin.id, Bulletin.title).where(
            Bulletin.status == "published", Bulletin.published_at >= now - timedelta(days=30)
        )
    ):
        sent += notify(
            everyone,
            kind="bulletin_published",
            event_key=f"bulletin-published:{bulletin_id}",
            title=f"已发布：{title}",
            link=f"/bulletins/{bulletin_id}",
            now=now,
            chat_office=True,
        )
    return sent


def unread_count(user: User) -> int:
    return (
        db.session.scalar(
            select(func.count())
            .select_from(Notification)
            .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        )
        or 0
    )


def inbox(user: User, limit: int = 100) -> list[Notification]:
    return list(
        db.session.scalars(
            select(Notification)
            .where(Notification.user_id == user.id)
            .order_by(Notification.created_at.desc(), Notification.id.desc())
            .limit(limit)
        )
    )


def mark_all_read(user: User, now: datetime) -> None:
    db.session.execute(
        update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=now)
    )


def send_email(config: dict, now: datetime) -> int:
    """E-mail the notifications not yet sent to users with an address (after the commit of their own)."""
    if not config.get("MAIL_SERVER"):
        return 0
    pending = db.session.execute(
        select(Notification, User.email)
        .join(User, User.id == Notification.user_id)
        .where(Notification.emailed_at.is_(None), User.email.is_not(None))
        .order_by(Notification.id)
        .limit(500)
    ).all()
    if not pending:
        return 0
    with smtplib.SMTP(config["MAIL_SERVER"], int(config.get("MAIL_PORT") or 25), timeout=30) as smtp:
        if config.get("MAIL_USE_TLS"):
            smtp.starttls()
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
        for notification, address in pending:
            message = EmailMessage()
            message["From"] = config.get("MAIL_SENDER") or "tracker@localhost"
            message["To"] = address
            message["Subject"] = notification.title
            base = (config.get("BASE_URL") or "").rstrip("/")
            message.set_content(f"{notification.body}\n\n{base}{notification.link or ''}".strip())
            smtp.send_message(message)
            notification.emailed_at = now
    db.session.flush()
    return len(pending)
