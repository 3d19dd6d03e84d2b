"""Weekly supervision rounds 周督导 (docs/domain.md "Supervision cadence")."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Select, bindparam, case, func, insert, literal, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from tracker import clock
from tracker.extensions import db
from tracker.models import Finding, RoundSnapshot, SupervisionRound, Task, Unit
from tracker.services import audit, forecast, permissions, progress, task_states, validation
from tracker.services.errors import Conflict, InvalidInput


def week_of(day: date) -> date:
    """Return the Monday of the week holding ``day``."""
    return day - timedelta(days=day.weekday())


def last_full_week(today: date) -> date:
    """Return the Monday of the week before the one holding ``today``."""
    return week_of(today) - timedelta(days=7)


def round_scope(week_start: date) -> list:
    """Tasks a round judges: of an active plan, started by W+6, not verified before W."""
    return [
        Task.in_force(),
        Task.starts_on <= week_start + timedelta(days=6),
        or_(Task.verified_on.is_(None), Task.verified_on >= week_start),
    ]


def start_round(actor: audit.Actor, week_start: Any) -> tuple[SupervisionRound, bool]:
    """Return the round of the week starting Monday ``week_start`` and whether it is new.

    One round per week, ever: a second call, from any process, returns the first
    round unchanged (the unique week plus a savepoint make the race safe).
    """
    if not isinstance(week_start, date) or week_start.weekday() != 0:
        raise InvalidInput(_("Please correct the marked fields."),
                           {"week_start": _("Give the Monday that starts the week.")})
    existing = db.session.scalar(select(SupervisionRound).where(
        SupervisionRound.week_start == week_start))
    if existing is not None:
        return existing, False
    as_of = week_start + timedelta(days=6)
    if as_of >= clock.local(actor.now).date():  # a week is judged once it is over, never before
        raise InvalidInput(_("Please correct the marked fields."), {"week_start": _(
            "This week has not ended yet: its round can be started from %(day)s.",
            day=(as_of + timedelta(days=1)).isoformat())})
    try:
        with db.session.begin_nested():
            rnd = SupervisionRound(week_start=week_start, as_of=as_of, status="open",
                                   created_at=actor.now,
                                   created_by_id=actor.user.id if actor.user else None)
            db.session.add(rnd)
            db.session.flush()
    except IntegrityError:
        return db.session.scalar(select(SupervisionRound).where(
            SupervisionRound.week_start == week_start)), False
    view = task_states.view(as_of, progress.Thresholds.from_settings(),
                                      round_scope(week_start))
    snapshot_rows = (
        select(literal(rnd.id), view.c.task_id, Task.owner_unit_id, view.c.planned_percent,
               view.c.actual_percent, view.c.status, view.c.light)
        .join(Task, Task.id == view.c.task_id)
    )
    db.session.execute(insert(RoundSnapshot).from_select(
        ["round_id", "task_id", "unit_id", "planned_percent", "actual_percent", "status", "light"],
        snapshot_rows))
    _mark_risk(rnd, view)
    finding_rows = select(RoundSnapshot.round_id, RoundSnapshot.task_id, RoundSnapshot.unit_id,
                          RoundSnapshot.status, RoundSnapshot.planned_percent,
                          RoundSnapshot.actual_percent).where(
        RoundSnapshot.round_id == rnd.id, RoundSnapshot.status.in_(("lagging", "overdue", "stale")))
    db.session.execute(insert(Finding).from_select(
        ["round_id", "task_id", "unit_id", "kind", "planned_percent", "actual_percent"], finding_rows))
    counts = round_counts([rnd.id]).get(rnd.id, {})
    audit.record(actor, "round.create", rnd, {"week_start": [None, week_start.isoformat()],
                                              "snapshots": [None, counts.get("tasks", 0)],
                                              "findings": [None, counts.get("findings", 0)]})
    return rnd, True


def _mark_risk(rnd: SupervisionRound, view) -> None:
    """风险预警: mark the snapshot rows of the tasks projected, as of the round's day, to finish
    late, with the projected day (frozen with the round)."""
    late = forecast.late_tasks(view, rnd.as_of)
    if late:
        snapshots = RoundSnapshot.__table__
        db.session.execute(
            update(snapshots).where(snapshots.c.round_id == rnd.id,
                                    snapshots.c.task_id == bindparam("late_task_id"))
            .values(projected_late=True, projected_on=bindparam("late_on")),
            [{"late_task_id": task.id, "late_on": outlook.projected_on} for task, outlook in late])


def risk_query(user, rnd: SupervisionRound, unit_id: int | None = None) -> Select:
    """The round's 风险预警 rows the user may see — (snapshot, task, unit) — by unit, then due date."""
    stmt = (select(RoundSnapshot, Task, Unit).join(Task, Task.id == RoundSnapshot.task_id)
            .join(Unit, Unit.id == RoundSnapshot.unit_id)
            .where(RoundSnapshot.round_id == rnd.id, RoundSnapshot.projected_late.is_(True),
                   permissions.unit_scope(user, RoundSnapshot.unit_id))
            .order_by(Unit.name, Task.due_on, Task.id))
    return stmt.where(RoundSnapshot.unit_id == unit_id) if unit_id else stmt


def round_counts(round_ids: list[int]) -> dict[int, dict[str, int]]:
    """Return tasks and findings per kind for each round (two grouped queries)."""
    result: dict[int, dict[str, int]] = {rid: {"tasks": 0, "findings": 0, "lagging": 0, "overdue": 0,
                                                "stale": 0, "risk": 0} for rid in round_ids}
    late = func.sum(case((RoundSnapshot.projected_late, 1), else_=0))
    for rid, n, risk in db.session.execute(select(RoundSnapshot.round_id, func.count(), late)
                                           .where(RoundSnapshot.round_id.in_(round_ids))
                                           .group_by(RoundSnapshot.round_id)):
        result[rid]["tasks"], result[rid]["risk"] = n, risk or 0
    for rid, kind, n in db.session.execute(select(Finding.round_id, Finding.kind, func.count())
                                           .where(Finding.round_id.in_(round_ids))
                                           .group_by(Finding.round_id, Finding.kind)):
        result[rid][kind] = n
        result[rid]["findings"] += n
    return result


def close_round(actor: audit.Actor, rnd: SupervisionRound) -> SupervisionRound:
    """Close a round: from then on it never changes."""
    if rnd.status == "closed":
        raise Conflict(_("This round is closed already."))
    rnd.status, rnd.closed_at = "closed", actor.now
    rnd.closed_by_id = actor.user.id if actor.user else None
    audit.record(actor, "round.close", rnd, {"status": ["open", "closed"]})
    return rnd


def annotate(actor: audit.Actor, finding: Finding, note: Any, unit_note: Any = None) -> Finding:
    """Record the office's notes on a finding of an open round: internal, and to the unit."""
    errors: dict[str, str] = {}
    text = validation.text(errors, "note", note, max_length=2000, required=False, multiline=True)
    to_unit = validation.text(errors, "unit_note", unit_note, max_length=2000, required=False,
                              multiline=True)
    validation.raise_if(errors)
    if finding.round.status == "closed":
        raise Conflict(_("This round is closed: its findings no longer change."))
    changes = audit.diff(finding, {"note": text, "unit_note": to_unit})
    finding.note, finding.unit_note, finding.noted_at = text, to_unit, actor.now
    finding.noted_by_id = actor.user.id if actor.user else None
    if changes:
        audit.record(actor, "finding.note", finding, changes)
    return finding


def findings_query(user, *, round_id: int | None = None, unit_id: int | None = None,
                   kind: str | None = None) -> Select:
    """Build the query of findings the user may see, by unit then task."""
    stmt = (select(Finding).join(Unit, Unit.id == Finding.unit_id)
            .where(permissions.unit_scope(user, Finding.unit_id))
            .options(joinedload(Finding.task), joinedload(Finding.unit), joinedload(Finding.round),
                     joinedload(Finding.noted_by))
            .order_by(Finding.round_id.desc(), Unit.name, Finding.task_id))
    if round_id:
        stmt = stmt.where(Finding.round_id == round_id)
    if unit_id:
        stmt = stmt.where(Finding.unit_id == unit_id)
    if kind:
        stmt = stmt.where(Finding.kind == kind)
    return stmt
