"""Import a responsibility list 责任清单 into a plan from the .xlsx template: all rows or none.

The cells are read into typed values here (dates, numbers, milestones, the
ids of the units and people they name); the task's rules are those of a task
entered by hand (``plans.check_task``). The rows are all checked before
anything is created, so a rejected file leaves nothing in the session.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import IO, Any

from flask_babel import gettext as _
from sqlalchemy import func, select

from tracker.extensions import db
from tracker.models import HEADINGS, Heading, Measure, Plan, Unit, User
from tracker.services import audit, plans, spreadsheets, validation
from tracker.services.errors import Conflict, InvalidInput, RowErrors
from tracker.services.org_import import _row_message

SHEET = "责任清单"
HEADERS = ("重点措施类别", "重点措施", "任务", "标准", "责任单位", "责任人", "分管领导",
           "开始日期", "完成时限", "节点", "权重")
COLUMNS = {
    "heading": "重点措施类别", "measure": "重点措施", "measure_id": "重点措施", "title": "任务",
    "standard": "标准", "owner_unit_id": "责任单位", "owner_user_id": "责任人",
    "leader_user_id": "分管领导", "starts_on": "开始日期", "due_on": "完成时限",
    "milestones": "节点", "weight": "权重",
}
EXAMPLE = ("建体系", "构建工作责任体系", "建立工作总台账，严格兑账、定期交账",
           "工作总台账覆盖全部重点工作；各责任单位每周至少交账一次并附佐证材料；办公室每月兑账并在月通报中通报",
           "局党政办公室", "dzb.head", "王东塾", date(2026, 3, 1), date(2026, 12, 31),
           "2026-06-30 50% 半年小结；2026-12-31 100% 全年台账归档", 2)
EXPLANATIONS = (
    ("重点措施类别", "强素质、转作风、建体系、严奖惩 四者之一（必填）"),
    ("重点措施", "重点措施的名称（必填）；本方案同一类别下已有同名措施的沿用，没有的自动新建"),
    ("任务", "任务名称（必填，至多200字）"),
    ("标准", "定标准：怎样才算完成，即验收标准（必填）"),
    ("责任单位", "已有单位的名称，与系统中完全一致（必填）"),
    ("责任人", "用户名或姓名（按姓名填写时姓名须唯一，重名时请填用户名）；可空"),
    ("分管领导", "局领导的用户名或姓名（须为“局领导”角色，姓名须唯一）；可空"),
    ("开始日期", "格式 YYYY-MM-DD（如 2026-10-01），也可以是 Excel 日期（必填）"),
    ("完成时限", "格式同开始日期，不得早于开始日期（必填）"),
    ("节点", "定进度，可空。每个节点写“日期 累计计划百分比 标题”，标题可省略；多个节点用分号（; 或 ；）"
             "或换行分隔，例如：2026-10-15 30% 完成方案; 2026-10-31 100%。"
             "节点日期须在开始日期与完成时限之间，百分比须随日期递增"),
    ("权重", "用于汇总进度的权重，大于0且不超过100，空白按1计"),
    ("注意", "整张表全部正确才会导入；有任何错误时一行也不导入，并按行、列列出全部问题"),
)

_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_PERCENT = re.compile(r"^(\d{1,3})\s*[%％]?\s*(.*)$", re.DOTALL)


def template() -> bytes:
    """Return the import template: the list with one example row from seed 003, and notes."""
    return spreadsheets.write_workbook([
        (SHEET, HEADERS, [EXAMPLE]),
        ("说明", ("列", "填写说明"), EXPLANATIONS),
    ])


def _date(value: Any) -> date | None:
    """Return a cell as a date when it reads as one, else None."""
    if isinstance(value, date):  # openpyxl's datetimes are dates too
        return value.date() if isinstance(value, datetime) else value
    if value is None:
        return None
    match = _DATE.match(spreadsheets.as_text(value).strip())
    if match:
        try:
            return date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            pass
    return None


def _milestones(value: Any, errors: dict[str, str]) -> list[plans.MilestoneInput] | None:
    """Parse ``2026-10-15 30% 标题; 2026-10-31 100%`` into milestones (None when wrong)."""
    if value is None:
        return []
    if isinstance(value, date):  # a bare date: no percent
        errors["milestones"] = _("Milestone %(n)d: the percent is a whole number from 0 to 100.", n=1)
        return None
    parts = [p.strip() for p in re.split(r"[;；\r\n]+", spreadsheets.as_text(value)) if p.strip()]
    result = []
    for number, part in enumerate(parts, start=1):
        pieces = re.split(r"\s+", part, maxsplit=1)
        head, rest = pieces[0], pieces[1] if len(pieces) > 1 else ""
        on = _date(head)
        if on is None:
            errors["milestones"] = _("Milestone %(n)d: enter a date as YYYY-MM-DD.", n=number)
            return None
        match = _PERCENT.match(rest.strip())
        if not match:
            errors["milestones"] = _("Milestone %(n)d: the percent is a whole number from 0 to 100.",
                                     n=number)
            return None
        result.append(plans.MilestoneInput(on=on, percent=int(match[1]),
                                           title=match[2].strip() or None))
    return result


def _weight(value: Any) -> float | None:
    """Return a cell as a weight (blank: 1), or None when it is not a number."""
    if value is None:
        return 1.0
    if isinstance(value, str):
        try:
            return float(value.replace("，", "").strip())
        except ValueError:
            return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return None


class _Lookup:
    """Units and people by the names written in the file (cached per distinct name)."""

    def __init__(self) -> None:
        self.units: dict[str, int | None] = {}
        self.people: dict[tuple[str, bool], int | str | None] = {}

    def unit(self, name: Any, field: str, errors: dict[str, str]) -> int | None:
        if name is None:
            errors[field] = _("This field is required.")
            return None
        name = spreadsheets.as_text(name).strip()
        if name not in self.units:
            self.units[name] = db.session.scalar(select(Unit.id).where(Unit.name == name))
        if self.units[name] is None:
            errors[field] = _("No unit named “%(name)s”.", name=name[:100])
        return self.units[name]

    def person(self, name: Any, field: str, errors: dict[str, str], *, leader: bool = False
               ) -> int | None:
        """Find a user by username, else by display name (which must then be unique)."""
        if name is None:
            return None
        name = spreadsheets.as_text(name).strip()
        key = (name, leader)
        if key not in self.people:
            found: int | str | None = db.session.scalar(select(User.id).where(User.username == name))
            if found is None:
                rows = db.session.execute(
                    select(User.id, User.role).where(User.display_name == name, User.is_active)).all()
                if leader and len(rows) > 1:
                    rows = [r for r in rows if r.role == "leader"] or rows
                found = rows[0].id if len(rows) == 1 else ("several" if rows else None)
            self.people[key] = found
        found = self.people[key]
        if found is None:
            errors[field] = _("No user named “%(name)s”.", name=name[:50])
            return None
        if found == "several":
            errors[field] = _("Several people are named “%(name)s”; enter the username.",
                              name=name[:50])
            return None
        return found


def _read_row(cells: dict[str, Any], lookup: _Lookup
              ) -> tuple[tuple[str, str] | None, dict[str, Any], dict[str, str]]:
    """Return (measure key, the task's typed fields, errors) of one row, every problem listed.

    A cell that cannot be read is reported here; the fields that could be read
    are checked against the task's rules, all but the measure (not made yet).
    """
    errors: dict[str, str] = {}
    heading_text = spreadsheets.as_text(cells["重点措施类别"])
    heading = Heading.by_zh(heading_text) or heading_text
    if heading_text is None:
        errors["heading"] = _("This field is required.")
    elif heading not in HEADINGS:
        errors["heading"] = _("Choose one of the four headings.")
    measure_title = validation.text(errors, "measure", spreadsheets.as_text(cells["重点措施"]),
                                    max_length=200)
    values: dict[str, Any] = {
        "title": spreadsheets.as_text(cells["任务"]) or "",
        "standard": spreadsheets.as_text(cells["标准"]) or "",
        "owner_unit_id": lookup.unit(cells["责任单位"], "owner_unit_id", errors),
        "owner_user_id": lookup.person(cells["责任人"], "owner_user_id", errors),
        "leader_user_id": lookup.person(cells["分管领导"], "leader_user_id", errors, leader=True),
        "starts_on": _date(cells["开始日期"]),
        "due_on": _date(cells["完成时限"]),
        "milestones": _milestones(cells["节点"], errors),
        "weight": _weight(cells["权重"]),
    }
    for field in ("starts_on", "due_on"):
        if values[field] is None:
            errors[field] = _("Enter a date as YYYY-MM-DD.")
    if values["weight"] is None:
        errors["weight"] = _("Enter a weight above 0 and at most 100.")
    values = {k: v for k, v in values.items() if k not in errors}
    try:
        plans.check_task(plans.TaskChange(**values))
    except InvalidInput as error:
        errors = {**error.fields, **errors}
    order = list(COLUMNS)  # the template's column order
    errors = dict(sorted(errors.items(), key=lambda item: (
        order.index(item[0]) if item[0] in order else len(order))))
    key = (heading, measure_title) if not errors else None
    return key, values, errors


def import_tasks(actor: audit.Actor, plan: Plan, stream: IO[bytes]) -> int:
    """Create the tasks (and missing measures) of a responsibility list in ``plan``.

    Raise RowErrors listing every problem by sheet, row and column, and create
    nothing, when any row is wrong; Conflict for a closed plan; InvalidInput
    naming ``file`` for a file that is not the template or has no rows.
    """
    if plan.status == "closed":
        raise Conflict(_("A closed plan cannot be changed."))
    rows = spreadsheets.read_sheet(stream, SHEET, HEADERS)
    if not rows:
        message = _("The workbook has no rows to import.")
        raise InvalidInput(message, {"file": message})
    lookup = _Lookup()
    checked: list[tuple[tuple[str, str], dict[str, Any]]] = []
    problems: list[dict] = []
    for number, cells in rows:
        key, values, errors = _read_row(cells, lookup)
        if errors:
            problems += _row_message(number, InvalidInput("", errors), COLUMNS, SHEET)
        else:
            checked.append((key, values))
    if problems:
        raise RowErrors(_("Nothing was imported: %(n)d problems found.", n=len(problems)), problems)

    # Every row is valid: create the missing measures, then the tasks.
    measures: dict[tuple[str, str], Measure] = {}
    for measure in db.session.scalars(
            select(Measure).where(Measure.plan_id == plan.id).order_by(Measure.id)):
        measures.setdefault((measure.heading, measure.title), measure)
    for key, values in checked:
        measure = measures.get(key)
        if measure is None:
            heading, title = key
            last = db.session.scalar(select(func.max(Measure.position)).where(
                Measure.plan_id == plan.id, Measure.heading == heading))
            measure = plans.create_measure(actor, plan, heading=heading, title=title,
                                           position=0 if last is None else last + 1)
            measures[key] = measure
        plans.create_task(actor, plans.TaskInput(measure_id=measure.id, **values))
    return len(checked)
