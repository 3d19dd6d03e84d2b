"""Foresight 预警: when a task will be done at its current pace, and whether that is too late
(docs/domain.md "Foresight").

A pure function over a task's own reports, walked case by case in its table of
cases (tests/services/test_forecast.py). The pace is the progress of the last
``window_days``: from the latest report on or before the window's first day —
or the task's start, at 0 %, if there is none — to the latest report. Recent
reports thus weigh more than old ones: a task that speeds up is projected
earlier, one that stalls is projected never.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import aliased, joinedload
from sqlalchemy.sql.expression import ColumnElement

from tracker.extensions import db
from tracker.models import ForecastBasis as Basis
from tracker.models import LedgerEntry, Task, Unit
from tracker.services import progress, settings, task_states

DONE = 100


@dataclass(frozen=True)
class Forecast:
    projected_on: date | None  # the day it reaches 100 % at the current pace; None: never or unknown
    late: bool  # 预计逾期: not overdue yet, but at this pace it will be
    basis: Basis


def forecast(*, starts_on: date, due_on: date, entries: Iterable[tuple[date, int, int]], as_of: date,
             window_days: int = 28, margin_days: int = 0) -> Forecast:
    """Project a task's completion from ``entries`` (reported_on, id, percent) counted on or before
    ``as_of`` (the entries no correction supersedes). ``late`` when the projection falls more than
    ``margin_days`` after ``due_on``, or progress has stalled, while the task is not yet overdue."""
    counted = sorted((on, ident, percent) for on, ident, percent in entries if on <= as_of)
    if counted and counted[-1][2] >= DONE:
        return Forecast(next(on for on, _i, percent in counted if percent >= DONE), False, Basis.DONE)
    if as_of < starts_on:
        return Forecast(None, False, Basis.NOT_STARTED)
    if as_of > due_on:
        return Forecast(None, False, Basis.OVERDUE)
    if not counted:
        return Forecast(None, False, Basis.NO_REPORTS)
    window_start = as_of - timedelta(days=window_days)
    base_on, base_percent = starts_on, 0
    for on, _ident, percent in counted:
        if on <= window_start:
            base_on, base_percent = on, percent
    latest_on, _ident, latest_percent = counted[-1]
    gained, days = latest_percent - base_percent, max(1, (latest_on - base_on).days)
    if gained <= 0:
        return Forecast(None, True, Basis.STALLED)
    projected = latest_on + timedelta(days=math.ceil((DONE - latest_percent) * days / gained))
    return Forecast(projected, projected > due_on + timedelta(days=margin_days), Basis.PACE)


def parameters() -> dict[str, int]:
    """The window and margin in the settings."""
    return {"window_days": settings.get("forecast.window_days"),
            "margin_days": settings.get("forecast.margin_days")}


def for_tasks(tasks: Sequence[Task], as_of: date) -> dict[int, Forecast]:
    """The forecast of each task as of ``as_of``, its entries read in one query."""
    entries: dict[int, list[tuple[date, int, int]]] = {task.id: [] for task in tasks}
    if entries:
        rows = db.session.execute(
            select(LedgerEntry.task_id, LedgerEntry.reported_on, LedgerEntry.id, LedgerEntry.percent)
            .where(LedgerEntry.task_id.in_(entries), LedgerEntry.reported_on <= as_of,
                   progress.not_superseded()))
        for task_id, on, ident, percent in rows:
            entries[task_id].append((on, ident, percent))
    chosen = parameters()
    return {task.id: forecast(starts_on=task.starts_on, due_on=task.due_on, entries=entries[task.id],
                              as_of=as_of, **chosen) for task in tasks}


def late_condition(view, as_of: date, window_days: int, margin_days: int = 0) -> ColumnElement:
    """SQL: :func:`forecast` says ``late`` — the twin over a task-state ``view`` (task_id, due_on,
    actual_percent, last_reported_on). With R = 100 − latest, the pace gained/days
    and K = the days from the latest report to the due date plus the margin, the projection
    ``latest + ceil(R·days/gained)`` is after the due date plus the margin exactly when
    ``R·days > K·gained``: integers only, no division."""
    window_start = as_of - timedelta(days=window_days)
    base = aliased(LedgerEntry, name="base")

    def before_window(column):
        return (select(column).where(base.task_id == view.c.task_id, base.reported_on <= window_start,
                                     progress.not_superseded(base))
                .order_by(base.reported_on.desc(), base.id.desc()).limit(1).scalar_subquery())

    own = aliased(Task, name="own")  # not the outer query's Task, which auto-correlation would take
    starts_on = select(own.starts_on).where(own.id == view.c.task_id).scalar_subquery()
    base_on = func.coalesce(before_window(base.reported_on), starts_on)
    gained = view.c.actual_percent - func.coalesce(before_window(base.percent), 0)
    days = case((progress.days_between(base_on, view.c.last_reported_on) < 1, 1),
                else_=progress.days_between(base_on, view.c.last_reported_on))
    room = progress.days_between(view.c.last_reported_on, view.c.due_on) + margin_days
    return and_(view.c.last_reported_on.is_not(None), view.c.actual_percent < DONE,
                starts_on <= as_of, view.c.due_on >= as_of,
                or_(gained <= 0, (DONE - view.c.actual_percent) * days > room * gained))


def bulletin_section(period) -> list[dict]:
    """风险预警 of a bulletin: the tasks in force that, as of the period's last day, are projected
    to finish after their due date (not yet overdue), by unit and due date."""
    as_of = period.ends_on
    view = task_states.view(as_of, progress.Thresholds.from_settings(), [Task.in_force()])
    return [{"task_id": task.id, "task": task.title, "unit_id": task.owner_unit_id,
             "unit": task.owner_unit.name, "due_on": task.due_on.isoformat(),
             "projected_on": outlook.projected_on.isoformat() if outlook.projected_on else None}
            for task, outlook in late_tasks(view, as_of)]


def late_tasks(view, as_of: date) -> list[tuple[Task, Forecast]]:
    """The tasks of a task-state ``view`` as of ``as_of`` projected to finish late (not yet overdue),
    by unit and due date, each with its forecast: a bulletin's and a weekly round's 风险预警."""
    tasks = db.session.scalars(
        select(Task).join(view, view.c.task_id == Task.id).join(Unit, Unit.id == Task.owner_unit_id)
        .where(view.c.status.in_(("on_track", "lagging", "stale")),
               late_condition(view, as_of, **parameters()))
        .order_by(Unit.name, Task.due_on, Task.id).options(joinedload(Task.owner_unit))).all()
    outlooks = for_tasks(tasks, as_of)
    return [(task, outlooks[task.id]) for task in tasks]
