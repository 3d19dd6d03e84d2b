"""Task status, warning light and roll-ups (docs/domain.md "Task status (computed, as of a date D)").

The rules live twice on purpose: as pure Python functions (the reference,
walked case by case in the tests) and as SQL expressions (for lists, filters
and counts over thousands of tasks). A test checks that both agree.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import (
    Date,
    Integer,
    and_,
    case,
    cast,
    exists,
    func,
    literal,
    or_,
    select,
    true,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import aliased
from sqlalchemy.sql.expression import ColumnElement, FunctionElement

from tracker.models import LedgerEntry, Milestone, Task, TaskLight, TaskStatus
from tracker.services import settings

STATUSES = TaskStatus.codes()
LIGHTS = TaskLight.codes()


@dataclass(frozen=True)
class Thresholds:
    """The settings the rules read (docs/domain.md defaults)."""

    lagging_points: int = 15
    stale_days: int = 7
    due_soon_days: int = 3

    @classmethod
    def from_settings(cls) -> Thresholds:
        values = settings.values()
        return cls(values["ledger.lagging_points"], values["ledger.reporting_period_days"],
                   values["ledger.due_soon_days"])


@dataclass(frozen=True)
class Progress:
    planned: int
    actual: int
    status: str
    light: str | None


def planned_percent(starts_on: date, due_on: date, milestones: Sequence[tuple[date, int]],
                    as_of: date) -> int:
    """Return planned(D): the last milestone on or before D, else linear from start to due.

    With milestones: 0 before the first. Without: 0 at ``starts_on`` rising to
    100 at ``due_on``, clamped to 0–100 and rounded down.
    """
    if milestones:
        reached = sorted((on, percent) for on, percent in milestones if on <= as_of)
        return reached[-1][1] if reached else 0
    if as_of <= starts_on:
        return 0
    if as_of >= due_on:
        return 100
    return (100 * (as_of - starts_on).days) // (due_on - starts_on).days


def counting(entries: Iterable[tuple[date, int, int, int | None]]) -> list[tuple[date, int, int]]:
    """The entries that count, as (reported_on, id, percent), from (reported_on, id, percent,
    supersedes_id): a corrected entry is superseded by its correction and no longer counts."""
    entries = list(entries)
    superseded = {supersedes for *_rest, supersedes in entries if supersedes is not None}
    return [(on, ident, percent) for on, ident, percent, _s in entries if ident not in superseded]


def not_superseded(entry=LedgerEntry) -> ColumnElement:
    """SQL: no correction supersedes ``entry`` (the twin of :func:`counting`)."""
    correction = aliased(LedgerEntry, name="correction")
    return ~exists().where(correction.supersedes_id == entry.id)


def task_progress(
    *,
    starts_on: date,
    due_on: date,
    milestones: Sequence[tuple[date, int]],
    entries: Iterable[tuple[date, int, int]],
    verified_on: date | None,
    as_of: date,
    thresholds: Thresholds = Thresholds(),
) -> Progress:
    """Return planned, actual, status and light of a task as of D.

    ``entries`` are (reported_on, id, percent) of the entries no correction supersedes
    (:func:`counting`); only those on or before D count, the latest by date then id. The
    status is the first row that applies: verified, awaiting_verification, not_started,
    overdue, lagging, stale, on_track.
    """
    counted = sorted((on, ident, percent) for on, ident, percent in entries if on <= as_of)
    latest = counted[-1] if counted else None
    actual = latest[2] if latest else 0
    planned = planned_percent(starts_on, due_on, milestones, as_of)
    last_on = latest[0] if latest else starts_on
    if verified_on is not None and verified_on <= as_of:
        status = "verified"
    elif latest is not None and actual == 100:
        status = "awaiting_verification"
    elif as_of < starts_on:
        status = "not_started"
    elif as_of > due_on:
        status = "overdue"
    elif planned - actual >= thresholds.lagging_points:
        status = "lagging"
    elif (as_of - last_on).days > thresholds.stale_days:
        status = "stale"
    else:
        status = "on_track"
    return Progress(planned, actual, status, light(status, due_on, as_of, thresholds))


def changes_on(
    *,
    starts_on: date,
    due_on: date,
    milestones: Sequence[tuple[date, int]],
    entries: Iterable[tuple[date, int, int]],
    verified_on: date | None,
    as_of: date,
    thresholds: Thresholds = Thresholds(),
) -> date | None:
    """Return the first day after D on which ``task_progress`` may differ with no new record.

    Every input of the rules that moves with the calendar is a date: a dated
    entry or verification still ahead, the start, the day after the due date,
    the first day of the due-soon light, the day the latest report goes stale,
    a milestone, and for linear planning the next day the planned percent
    rises. The state is constant before the earliest of them (a test walks
    every day to check it); None when no such day is left.
    """
    latest = max((entry for entry in entries if entry[0] <= as_of), default=None)
    last_on = latest[0] if latest else starts_on
    days = [on for on, _ident, _percent in entries if on > as_of]
    days += [on for on, _percent in milestones if on > as_of]
    days += [verified_on, starts_on, due_on + timedelta(days=1),
             due_on - timedelta(days=thresholds.due_soon_days),
             last_on + timedelta(days=thresholds.stale_days + 1)]
    if not milestones and starts_on < due_on and as_of < due_on:
        span = (due_on - starts_on).days
        planned = planned_percent(starts_on, due_on, (), as_of)
        # the first day k (from the start) with 100 * k // span > planned
        k = -(-(planned + 1) * span // 100)
        days.append(starts_on + timedelta(days=k))
    return min((day for day in days if day is not None and day > as_of), default=None)


def light(status: str, due_on: date, as_of: date, thresholds: Thresholds = Thresholds()) -> str | None:
    """Return the warning light 亮灯: None once verified; red when overdue; yellow when due
    within the due-soon days or lagging/stale; else green."""
    if status == "verified":
        return None
    if status == "overdue":
        return "red"
    if status in ("lagging", "stale") or 0 <= (due_on - as_of).days <= thresholds.due_soon_days:
        return "yellow"
    return "green"


def days_overdue(due_on: date, as_of: date) -> int:
    """Return the days overdue 逾期天数 as of D: calendar days after the deadline, 0 on or before it.

    The one count every page, document and flag shows (with the date it is counted to)."""
    return max(0, (as_of - due_on).days)


def first_full_reports():
    """Per task, the day of its first 100 % report that counts: a subquery (task_id, done_on)."""
    return (select(LedgerEntry.task_id, func.min(LedgerEntry.reported_on).label("done_on"))
            .where(LedgerEntry.percent == 100, not_superseded()).group_by(LedgerEntry.task_id)
            .subquery())


def done_on_time(first_full) -> ColumnElement:
    """按期完成 (a bulletin's on-time rate): verified, with its first 100 % report (``first_full``,
    from :func:`first_full_reports`, outer-joined on the task) on or before the due date."""
    return and_(Task.verified_on.is_not(None), first_full.c.done_on <= Task.due_on)


def rollup(weighted: Iterable[tuple[float, int]]) -> float | None:
    """Return the weight-averaged percent of (weight, actual) pairs, 2 decimals; None if empty."""
    pairs = list(weighted)
    total = sum(weight for weight, _ in pairs)
    if not pairs or total <= 0:
        return None
    return round(sum(weight * actual for weight, actual in pairs) / total, 2)


# The same rules in SQL ------------------------------------------------------


class days_between(FunctionElement):  # noqa: N801  (reads like the SQL function it is)
    """Whole days from the first date to the second (integer), on SQLite and PostgreSQL."""

    type = Integer()
    inherit_cache = True


@compiles(days_between)
def _days_between_pg(element, compiler, **kw):
    start, end = list(element.clauses)
    return f"(({compiler.process(end, **kw)}) - ({compiler.process(start, **kw)}))"


@compiles(days_between, "sqlite")
def _days_between_sqlite(element, compiler, **kw):
    start, end = list(element.clauses)
    return (f"CAST(julianday({compiler.process(end, **kw)}) - "
            f"julianday({compiler.process(start, **kw)}) AS INTEGER)")


def progress_subquery(as_of: date, thresholds: Thresholds, where: Iterable[ColumnElement] = (),
                      *, lateral: bool = False):
    """Return a subquery of (task_id, planned_percent, actual_percent, last_reported_on, status,
    light, due_on) for the tasks matching ``where``, computed in the database as of D.

    Two levels: the first looks up each task's latest entry and planned percent
    once; OFFSET 0 keeps the databases from merging it into the second, which
    would repeat the lookups for every use in the rules. With ``lateral``
    (PostgreSQL) the latest entry's percent and date come from one index probe.
    """
    day = literal(as_of, Date)
    entry = (select(LedgerEntry.percent, LedgerEntry.reported_on)
             .where(LedgerEntry.task_id == Task.id, LedgerEntry.reported_on <= day,
                    not_superseded())
             .order_by(LedgerEntry.reported_on.desc(), LedgerEntry.id.desc()).limit(1))
    if lateral:
        probe = entry.lateral("latest_entry")
        latest_percent, latest_on = probe.c.percent, probe.c.reported_on
    else:
        latest_percent = entry.with_only_columns(LedgerEntry.percent).correlate(Task).scalar_subquery()
        latest_on = entry.with_only_columns(LedgerEntry.reported_on).correlate(Task).scalar_subquery()

    milestone = (
        select(Milestone.percent)
        .where(Milestone.task_id == Task.id, Milestone.on <= day)
        .order_by(Milestone.on.desc())
        .limit(1)
        .correlate(Task)
        .scalar_subquery()
    )
    has_milestones = exists().where(Milestone.task_id == Task.id).correlate(Task)
    linear = case(
        (day <= Task.starts_on, 0),
        (day >= Task.due_on, 100),
        else_=(100 * days_between(Task.starts_on, day)).op("/")(
            days_between(Task.starts_on, Task.due_on)),
    )
    facts = select(
        Task.id.label("task_id"), Task.starts_on, Task.due_on, Task.verified_on,
        latest_percent.label("latest"), latest_on.label("last_reported_on"),
        cast(case((has_milestones, func.coalesce(milestone, 0)), else_=linear),
             Integer).label("planned_percent"),
    )
    if lateral:
        facts = facts.outerjoin_from(Task, probe, true())
    facts = facts.where(*where).offset(0).subquery("progress_facts")
    actual = func.coalesce(facts.c.latest, 0)
    status = case(
        (and_(facts.c.verified_on.is_not(None), facts.c.verified_on <= day), "verified"),
        (facts.c.latest == 100, "awaiting_verification"),
        (day < facts.c.starts_on, "not_started"),
        (day > facts.c.due_on, "overdue"),
        (facts.c.planned_percent - actual >= thresholds.lagging_points, "lagging"),
        (days_between(func.coalesce(facts.c.last_reported_on, facts.c.starts_on), day)
         > thresholds.stale_days, "stale"),
        else_="on_track",
    )
    inner = select(
        facts.c.task_id, facts.c.planned_percent, actual.label("actual_percent"),
        facts.c.last_reported_on, status.label("status"), facts.c.due_on,
    ).subquery("progress_inner")
    light_expr = case(
        (inner.c.status == "verified", None),
        (inner.c.status == "overdue", "red"),
        (or_(inner.c.status.in_(("lagging", "stale")),
             days_between(day, inner.c.due_on).between(0, thresholds.due_soon_days)), "yellow"),
        else_="green",
    )
    return select(
        inner.c.task_id, inner.c.planned_percent, inner.c.actual_percent,
        inner.c.last_reported_on, inner.c.status, light_expr.label("light"), inner.c.due_on,
    ).subquery("progress")
