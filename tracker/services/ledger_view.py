"""The master ledger 工作总台账: every task with its progress as of D, filtered in SQL."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from datetime import date
from typing import IO

from sqlalchemy import Select, case, false, func, literal, or_, select, text
from sqlalchemy.orm import aliased, selectinload

from tracker.extensions import db
from tracker.models import Heading, Measure, Plan, Task, TaskLight, TaskStatus, Unit, User
from tracker.services import forecast, permissions, progress, task_states, validation, xlsx
from tracker.services.pagination import RowPagination, paginate_rows


@dataclass
class LedgerFilter:
    plan_id: int | None = None
    measure_id: int | None = None
    unit_id: int | None = None
    owner_user_id: int | None = None
    status: str | None = None
    light: str | None = None
    due_from: date | None = None
    due_to: date | None = None
    q: str | None = None
    open_only: bool = False
    projected_late: bool = False  # 预计逾期 (services/forecast.py)
    sort: str = "due"
    extra: list = field(default_factory=list)

    def task_conditions(self, user) -> list:
        """Conditions on Task alone (pushed into the progress subquery too)."""
        conditions = [permissions.unit_scope(user, Task.owner_unit_id), *self.extra]
        if self.plan_id:
            conditions.append(Task.plan_id == self.plan_id)
        else:  # a draft plan's tasks count nowhere until it is activated
            conditions.append(Task.listed())
        if self.measure_id:
            conditions.append(Task.measure_id == self.measure_id)
        if self.unit_id:
            conditions.append(Task.owner_unit_id == self.unit_id)
        if self.owner_user_id:
            conditions.append(Task.owner_user_id == self.owner_user_id)
        if self.due_from:
            conditions.append(Task.due_on >= self.due_from)
        if self.due_to:
            conditions.append(Task.due_on <= self.due_to)
        if validation.holds_nul(self.q):
            conditions.append(false())
        elif self.q:
            pattern = self.q.strip()[:100]
            conditions.append(or_(Task.title.contains(pattern, autoescape=True),
                                  Task.standard.contains(pattern, autoescape=True)))
        return conditions


def _base(user, filters: LedgerFilter, as_of: date, thresholds: progress.Thresholds):
    task_where = filters.task_conditions(user)
    return _narrowed(task_states.view(as_of, thresholds, task_where), filters, as_of), task_where


def _narrowed(view, filters: LedgerFilter, as_of: date):
    """``view`` with the filters that need more than its own columns (预计逾期)."""
    if not filters.projected_late:
        return view
    return select(view).where(forecast.late_condition(view, as_of, **forecast.parameters())).subquery()


SORT_KEYS = ("due", "-due", "title", "unit", "urgency", "gap", "-gap")


def _order(view, sort: str) -> tuple:
    """The ORDER BY of a sort key; the due date and id are the view's (on kept states one index
    serves a status in due order)."""
    due = (view.c.due_on, view.c.task_id)
    if sort == "urgency":
        return (case({"red": 0, "yellow": 1, "green": 2}, value=view.c.light, else_=3), *due)
    if sort in ("gap", "-gap"):
        gap = view.c.planned_percent - view.c.actual_percent
        return (gap.desc() if sort == "gap" else gap, view.c.task_id)
    if sort == "-due":
        return (view.c.due_on.desc(), view.c.task_id.desc())
    if sort == "title":
        return (Task.title, Task.id)
    if sort == "unit":
        return (Unit.name, *due)
    return due


def _matches(filters: LedgerFilter, status: str, light: str | None) -> bool:
    """Whether a task in ``status`` with ``light`` passes the state filters."""
    return ((not filters.status or status == filters.status)
            and (not filters.light or light == filters.light)
            and (not filters.open_only or status != "verified"))


def _filtered(stmt: Select, view, filters: LedgerFilter, unit_joined: bool = False) -> Select:
    """Join ``view`` to a statement over Task, add the state filters and the order."""
    stmt = stmt.join(view, view.c.task_id == Task.id)
    if filters.sort == "unit" and not unit_joined:
        stmt = stmt.join(Unit, Unit.id == Task.owner_unit_id)
    if filters.status:
        stmt = stmt.where(view.c.status == filters.status)
    if filters.light:
        stmt = stmt.where(view.c.light == filters.light)
    if filters.open_only:
        stmt = stmt.where(view.c.status != "verified")
    return stmt.order_by(*_order(view, filters.sort))


def _query(view, filters: LedgerFilter) -> Select:
    stmt = select(Task, view.c.planned_percent, view.c.actual_percent, view.c.status, view.c.light,
                  view.c.last_reported_on).options(
        # loaded apart: four joins more make planning the page dearer than running it
        selectinload(Task.owner_unit), selectinload(Task.owner_user), selectinload(Task.measure),
        selectinload(Task.leader))
    return _filtered(stmt, view, filters)


def query(user, filters: LedgerFilter, as_of: date,
          thresholds: progress.Thresholds | None = None) -> Select:
    """Build the filtered, sorted query of (Task, planned, actual, status, light, last report)."""
    thresholds = thresholds or progress.Thresholds.from_settings()
    return _query(_base(user, filters, as_of, thresholds)[0], filters)


def _summary(view, filters: LedgerFilter) -> tuple[dict[str, int], int]:
    light = view.c.light if filters.light else literal(None)  # the light costs a second pass
    rows = db.session.execute(select(view.c.status, light, func.count())
                              .group_by(view.c.status, light)).all()
    counts = dict.fromkeys(progress.STATUSES, 0)
    for status, _light, number in rows:
        counts[status] += number
    return counts, sum(number for status, light, number in rows if _matches(filters, status, light))


def summary(user, filters: LedgerFilter, as_of: date,
            thresholds: progress.Thresholds | None = None) -> tuple[dict[str, int], int]:
    """Return the count per status (ignoring the status filter) and the number of tasks that
    pass every filter, from one grouped query."""
    thresholds = thresholds or progress.Thresholds.from_settings()
    return _summary(_base(user, filters, as_of, thresholds)[0], filters)


def status_counts(user, filters: LedgerFilter, as_of: date,
                  thresholds: progress.Thresholds | None = None) -> dict[str, int]:
    """Count the filtered tasks per status (ignoring the status filter itself)."""
    return summary(user, filters, as_of, thresholds)[0]


def page(user, filters: LedgerFilter, as_of: date, number: int, per_page: int,
         max_per_page: int = 200) -> tuple[RowPagination, dict[str, int]]:
    """Return a page of the ledger and the counts per status.

    For today the kept states answer both at once. For another day every
    task's state is computed from the records once, into a temporary table
    that the counts and the page then read.
    """
    thresholds = progress.Thresholds.from_settings()
    with task_states.view_for_reading(as_of, thresholds, filters.task_conditions(user)) as kept:
        view = _narrowed(kept, filters, as_of)
        counts, total = _summary(view, filters)
        return paginate_rows(_query(view, filters), number, per_page, max_per_page,
                             total=total), counts


def plan_progress(plan: Plan, as_of: date, user=None,
                  thresholds: progress.Thresholds | None = None
                  ) -> tuple[float | None, dict[int, float | None]]:
    """Return the plan's and each measure's weight-averaged actual percent as of D (one query)."""
    thresholds = thresholds or progress.Thresholds.from_settings()
    where = [Task.plan_id == plan.id]
    if user is not None:
        where.append(permissions.unit_scope(user, Task.owner_unit_id))
    view = task_states.view(as_of, thresholds, where)
    rows = db.session.execute(
        select(Task.measure_id, func.sum(Task.weight * view.c.actual_percent), func.sum(Task.weight))
        .join(view, view.c.task_id == Task.id).group_by(Task.measure_id)).all()
    by_measure = {measure_id: round(total / weight, 2) if weight else None
                  for measure_id, total, weight in rows}
    total = sum(t for _m, t, _w in rows)
    weight = sum(w for _m, _t, w in rows)
    return (round(total / weight, 2) if weight else None), by_measure


def export_rows(user, filters: LedgerFilter, as_of: date) -> Select:
    """The ledger's rows as plain columns in the order of HEADERS (no ORM objects: 100,000 rows)."""
    view, _where = _base(user, filters, as_of, progress.Thresholds.from_settings())
    owner, leader = aliased(User), aliased(User)
    stmt = (
        select(Measure.heading, Measure.title, Task.title, Task.standard, Unit.name,
               owner.display_name, leader.display_name, Task.starts_on, Task.due_on,
               view.c.planned_percent, view.c.actual_percent, view.c.status, view.c.light,
               view.c.last_reported_on)
        .join_from(Task, Measure, Measure.id == Task.measure_id)
        .join(Unit, Unit.id == Task.owner_unit_id)
        .outerjoin(owner, owner.id == Task.owner_user_id)
        .outerjoin(leader, leader.id == Task.leader_user_id)
    )
    return _filtered(stmt, view, filters, unit_joined=True)


COLUMNS = (
    xlsx.Column("序号", "int", 6), xlsx.Column("重点措施类别", width=12), xlsx.Column("重点措施", "wrap"),
    xlsx.Column("任务", "wrap"), xlsx.Column("标准", "wrap"), xlsx.Column("责任单位", "wrap"),
    xlsx.Column("责任人"), xlsx.Column("分管领导"), xlsx.Column("开始日期", "date", 12),
    xlsx.Column("完成时限", "date", 12), xlsx.Column("计划进度%", "int", 10),
    xlsx.Column("实际进度%", "int", 10), xlsx.Column("状态", width=12), xlsx.Column("亮灯", width=8),
    xlsx.Column("最近交账", "date", 12),
)


def export_xlsx(user, filters: LedgerFilter, as_of: date, title: str,
                notes: tuple[str, ...] = ()) -> IO[bytes]:
    """Return the filtered ledger as an .xlsx file (a temporary file, read from the start).

    Rows are fetched in batches and streamed into the sheet, so the whole city
    ledger goes out in constant memory; the light is the cell's colour.
    """
    headings = {code: str(label) for code, label in Heading.labels().items()}
    statuses = {code: str(label) for code, label in TaskStatus.labels().items()}
    lights = {code: str(label) for code, label in TaskLight.labels().items()}
    if db.engine.dialect.name == "postgresql":  # plan for all rows, not the first ones
        db.session.execute(text("SET LOCAL cursor_tuple_fraction = 1.0"))
    result = db.session.execute(export_rows(user, filters, as_of).execution_options(yield_per=2000))

    def rows():
        for number, row in enumerate(result, start=1):
            (heading, measure, task, standard, unit, owner, leader, starts_on, due_on, planned,
             actual, status, light, last_on) = row
            yield ((number, headings[heading], measure, task, standard, unit, owner, leader,
                    starts_on, due_on, planned, actual, statuses[status],
                    lights[light] if light else "—", last_on),
                   {13: light} if light else None)

    output = tempfile.TemporaryFile()  # noqa: SIM115  (the response closes it)
    xlsx.write(output, sheet_name="工作总台账", title=f"{title}（截至 {as_of.isoformat()}）",
               notes=notes, columns=COLUMNS, rows=rows())
    output.seek(0)
    return output


def describe(filters: LedgerFilter) -> str:
    """The filters that produced an export, in words (the sheet's second line)."""
    names = []
    for label, model, ident in (("计划", Plan, filters.plan_id), ("重点措施", Measure, filters.measure_id),
                                ("责任单位", Unit, filters.unit_id), ("责任人", User, filters.owner_user_id)):
        if ident:
            row = db.session.get(model, ident)
            value = getattr(row, "display_name", None) or getattr(row, "title", None) or getattr(
                row, "name", None) if row else None
            names.append(f"{label}：{value or ident}")
    if filters.status:
        names.append(f"状态：{TaskStatus.label_of(filters.status)}")
    if filters.light:
        names.append(f"亮灯：{TaskLight.label_of(filters.light)}")
    if filters.due_from or filters.due_to:
        names.append(f"完成时限：{filters.due_from or '…'} 至 {filters.due_to or '…'}")
    if filters.q:
        names.append(f"关键词：{filters.q}")
    return "筛选条件：" + ("；".join(names) if names else "全部任务")


def measures_of(plan_id: int | None) -> list[Measure]:
    stmt = select(Measure).order_by(Measure.heading_order, Measure.position, Measure.id)
    if plan_id:
        stmt = stmt.where(Measure.plan_id == plan_id)
    return list(db.session.scalars(stmt))


