"""Plans, measures and tasks: the responsibility list 责任清单 (定标准、定责任、定时间、定进度)."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from tracker.extensions import db
from tracker.models import HEADINGS, RECURRENCES, Measure, Milestone, Plan, Task, Unit, User
from tracker.services import audit, validation
from tracker.services.errors import Conflict

HEADING_LABELS = {
    "strengthen_quality": _l("Strengthen quality 强素质"),
    "change_conduct": _l("Change conduct 转作风"),
    "build_system": _l("Build systems 建体系"),
    "strict_rewards": _l("Strict rewards and punishments 严奖惩"),
}
HEADING_NAMES = {"强素质": "strengthen_quality", "转作风": "change_conduct",
                 "建体系": "build_system", "严奖惩": "strict_rewards"}
PLAN_STATUS_LABELS = {"draft": _l("Draft"), "active": _l("Active"), "closed": _l("Closed")}
RECURRENCE_LABELS = {"none": _l("Once"), "weekly": _l("Weekly"), "monthly": _l("Monthly"),
                     "quarterly": _l("Quarterly")}
TASK_FIELDS = ("measure_id", "title", "standard", "owner_unit_id", "owner_user_id",
               "leader_user_id", "starts_on", "due_on", "weight", "category", "tags",
               "recurrence")


# Plans -----------------------------------------------------------------------


def _check_plan(values: dict[str, Any], plan: Plan | None = None) -> dict[str, Any]:
    errors: dict[str, str] = {}
    clean: dict[str, Any] = {}
    if plan is None or "title" in values:
        clean["title"] = validation.text(errors, "title", values.get("title"), max_length=200)
    if plan is None or "year" in values:
        year = values.get("year")
        if not isinstance(year, int) or isinstance(year, bool) or not 2000 <= year <= 2100:
            errors["year"] = _("Enter a year between 2000 and 2100.")
        clean["year"] = year
    if "doc_number" in values:
        clean["doc_number"] = validation.text(errors, "doc_number", values.get("doc_number"),
                                              max_length=100, required=False)
    if "issuing_unit_id" in values:
        clean["issuing_unit_id"] = values["issuing_unit_id"]
        if values["issuing_unit_id"] is not None and db.session.get(Unit, values["issuing_unit_id"]) is None:
            errors["issuing_unit_id"] = _("No such unit.")
    validation.raise_if(errors)
    return clean


def create_plan(actor: audit.Actor, **values: Any) -> Plan:
    """Create a plan in draft."""
    clean = _check_plan(values)
    plan = Plan(status="draft", created_at=actor.now, **clean)
    db.session.add(plan)
    audit.record(actor, "plan.create", plan, {k: [None, audit._plain(v)] for k, v in clean.items()})
    return plan


def update_plan(actor: audit.Actor, plan: Plan, **values: Any) -> Plan:
    if plan.status == "closed":
        raise Conflict(_("A closed plan cannot be changed."))
    clean = _check_plan(values, plan)
    changes = audit.diff(plan, clean)
    for field, value in clean.items():
        setattr(plan, field, value)
    if changes:
        audit.record(actor, "plan.update", plan, changes)
    return plan


def set_plan_status(actor: audit.Actor, plan: Plan, status: str) -> Plan:
    """Activate a draft plan, or close an active one."""
    allowed = {"draft": "active", "active": "closed"}
    if allowed.get(plan.status) != status:
        raise Conflict(_("The plan cannot go from “%(old)s” to “%(new)s”.",
                         old=PLAN_STATUS_LABELS[plan.status], new=PLAN_STATUS_LABELS.get(status, status)))
    if status == "active" and not db.session.scalar(select(Task.id).where(Task.plan_id == plan.id)):
        raise Conflict(_("Add at least one task before activating the plan."))
    audit.record(actor, f"plan.{'activate' if status == 'active' else 'close'}", plan,
                 {"status": [plan.status, status]})
    plan.status = status
    if status == "active":
        plan.activated_at = actor.now
    else:
        plan.closed_at = actor.now
    return plan


# Measures --------------------------------------------------------------------


def create_measure(actor: audit.Actor, plan: Plan, *, heading: Any, title: Any,
                   position: int = 0) -> Measure:
    errors: dict[str, str] = {}
    if heading not in HEADINGS:
        errors["heading"] = _("Choose one of the four headings.")
    clean_title = validation.text(errors, "title", title, max_length=200)
    validation.raise_if(errors)
    if plan.status == "closed":
        raise Conflict(_("A closed plan cannot be changed."))
    measure = Measure(plan_id=plan.id, heading=heading, heading_order=HEADINGS.index(heading),
                      title=clean_title, position=position)
    db.session.add(measure)
    audit.record(actor, "measure.create", measure,
                 {"plan_id": [None, plan.id], "heading": [None, heading], "title": [None, clean_title]})
    return measure


def update_measure(actor: audit.Actor, measure: Measure, *, heading: Any, title: Any) -> Measure:
    errors: dict[str, str] = {}
    if heading not in HEADINGS:
        errors["heading"] = _("Choose one of the four headings.")
    clean_title = validation.text(errors, "title", title, max_length=200)
    validation.raise_if(errors)
    changes = audit.diff(measure, {"heading": heading, "title": clean_title})
    measure.heading, measure.heading_order, measure.title = heading, HEADINGS.index(heading), clean_title
    if changes:
        audit.record(actor, "measure.update", measure, changes)
    return measure


# Tasks -----------------------------------------------------------------------


def check_milestones(raw: Any, starts_on: date | None, due_on: date | None,
                     errors: dict[str, str]) -> list[tuple[date, int, str | None]]:
    """Validate milestones: dates within the task, distinct, percents 0–100 and increasing."""
    if raw in (None, ""):
        return []
    if not isinstance(raw, list):
        errors["milestones"] = _("Enter a list of milestones.")
        return []
    result = []
    for index, item in enumerate(raw, start=1):
        if not isinstance(item, dict):
            errors["milestones"] = _("Milestone %(n)d is not valid.", n=index)
            return []
        on, percent, title = item.get("on"), item.get("percent"), item.get("title")
        if isinstance(on, str):
            try:
                on = date.fromisoformat(on)
            except ValueError:
                on = None
        if not isinstance(on, date):
            errors["milestones"] = _("Milestone %(n)d: enter a date as YYYY-MM-DD.", n=index)
            return []
        if not isinstance(percent, int) or isinstance(percent, bool) or not 0 <= percent <= 100:
            errors["milestones"] = _("Milestone %(n)d: the percent is a whole number from 0 to 100.", n=index)
            return []
        if title is not None and (not isinstance(title, str) or len(title) > 200
                                  or validation.has_control_characters(title)):
            errors["milestones"] = _("Milestone %(n)d: the title is at most 200 characters.", n=index)
            return []
        if starts_on and due_on and not starts_on <= on <= due_on:
            errors["milestones"] = _("Milestone %(n)d lies outside the task's dates.", n=index)
            return []
        result.append((on, percent, (title or "").strip() or None))
    result.sort()
    for (on1, p1, _t1), (on2, p2, _t2) in zip(result, result[1:], strict=False):
        if on1 == on2:
            errors["milestones"] = _("Two milestones share the date %(on)s.", on=on1.isoformat())
            return []
        if p2 <= p1:
            errors["milestones"] = _("Milestone percents must increase with their dates.")
            return []
    return result


def _as_date(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def check_task(values: dict[str, Any], task: Task | None = None) -> dict[str, Any]:
    """Validate the fields of a task (all for a new one, the given ones for a change)."""
    errors: dict[str, str] = {}
    clean: dict[str, Any] = {}
    current = (lambda f: getattr(task, f)) if task is not None else (lambda f: None)

    def given(field: str) -> bool:
        return task is None or field in values

    if given("measure_id"):
        measure = db.session.get(Measure, values.get("measure_id")) if isinstance(
            values.get("measure_id"), int) else None
        if measure is None:
            errors["measure_id"] = _("No such measure.")
        elif measure.plan.status == "closed":
            errors["measure_id"] = _("A closed plan cannot be changed.")
        elif task is not None and measure.plan_id != task.plan_id:
            errors["measure_id"] = _("A task cannot move to a measure of another plan.")
        else:
            clean["measure_id"], clean["plan_id"] = measure.id, measure.plan_id
    if given("title"):
        clean["title"] = validation.text(errors, "title", values.get("title"), max_length=200)
    if given("standard"):
        clean["standard"] = validation.text(errors, "standard", values.get("standard"),
                                            max_length=4000, multiline=True)
    if given("owner_unit_id"):
        unit = db.session.get(Unit, values.get("owner_unit_id")) if isinstance(
            values.get("owner_unit_id"), int) else None
        if unit is None or unit.is_archived:
            errors["owner_unit_id"] = _("No such unit.")
        else:
            clean["owner_unit_id"] = unit.id
    for field in ("owner_user_id", "leader_user_id"):
        if given(field) and values.get(field) is not None:
            person = db.session.get(User, values[field]) if isinstance(values[field], int) else None
            if person is None or not person.is_active:
                errors[field] = _("No such user.")
            elif field == "leader_user_id" and person.role != "leader":
                errors[field] = _("The leader in charge must have the leader role.")
            else:
                clean[field] = person.id
        elif given(field):
            clean[field] = None
    for field in ("starts_on", "due_on"):
        if given(field):
            clean[field] = _as_date(values.get(field))
            if clean[field] is None:
                errors[field] = _("Enter a date as YYYY-MM-DD.")
    starts_on = clean.get("starts_on", current("starts_on"))
    due_on = clean.get("due_on", current("due_on"))
    if starts_on and due_on and due_on < starts_on and "due_on" not in errors:
        errors["due_on"] = _("The due date is before the start date.")
    if given("weight"):
        weight = values.get("weight", 1) if task is None else values.get("weight")
        if weight is None and task is None:
            weight = 1
        if isinstance(weight, bool) or not isinstance(weight, int | float) or not 0 < weight <= 100:
            errors["weight"] = _("Enter a weight above 0 and at most 100.")
        else:
            clean["weight"] = float(weight)
    for field, length in (("category", 50), ("tags", 200)):
        if given(field):
            clean[field] = validation.text(errors, field, values.get(field), max_length=length,
                                           required=False)
    if given("recurrence"):
        clean["recurrence"] = values.get("recurrence") or "none"
        if clean["recurrence"] not in RECURRENCES:
            errors["recurrence"] = _("Choose one of the listed repetitions.")
    if task is None or "milestones" in values:
        clean["milestones"] = check_milestones(values.get("milestones"), starts_on, due_on, errors)
    elif starts_on and due_on and any(not starts_on <= m.on <= due_on for m in task.milestones):
        errors["milestones"] = _("A milestone would lie outside the new dates: change the milestones too.")
    owner_user_id = clean.get("owner_user_id", current("owner_user_id"))
    owner_unit_id = clean.get("owner_unit_id", current("owner_unit_id"))
    if (owner_user_id is not None and owner_unit_id is not None and "owner_user_id" not in errors
            and db.session.get(User, owner_user_id).unit_id != owner_unit_id):
        errors["owner_user_id"] = _("The responsible person must work in the owner unit.")
    if "co_unit_ids" in values:
        ids = values["co_unit_ids"]
        if ids is None:
            ids = []
        valid = isinstance(ids, list) and all(isinstance(i, int) and not isinstance(i, bool) for i in ids)
        units = db.session.scalars(select(Unit).where(Unit.id.in_(ids))).all() if valid else []
        if not valid or len(units) != len(set(ids)) or any(u.is_archived for u in units):
            errors["co_unit_ids"] = _("No such unit.")
        clean["co_units"] = [u for u in units if u.id != clean.get("owner_unit_id", current("owner_unit_id"))]
    validation.raise_if(errors)
    return clean


def _apply_milestones(task: Task, milestones: list[tuple[date, int, str | None]]) -> None:
    task.milestones.clear()
    db.session.flush()
    for on, percent, title in milestones:
        task.milestones.append(Milestone(on=on, percent=percent, title=title))


def _snapshot(task: Task) -> dict[str, Any]:
    return {
        **{f: audit._plain(getattr(task, f)) for f in TASK_FIELDS},
        "milestones": [[m.on.isoformat(), m.percent, m.title] for m in task.milestones],
        "co_units": [u.id for u in task.co_units],
    }


def create_task(actor: audit.Actor, **values: Any) -> Task:
    """Create a task with its milestones."""
    clean = check_task(values)
    milestones = clean.pop("milestones")
    co_units = clean.pop("co_units", [])
    task = Task(created_at=actor.now, **{"weight": 1.0, "recurrence": "none", **clean})
    task.co_units = co_units
    db.session.add(task)
    db.session.flush()
    _apply_milestones(task, milestones)
    audit.record(actor, "task.create", task, {k: [None, v] for k, v in _snapshot(task).items()})
    return task


def update_task(actor: audit.Actor, task: Task, **values: Any) -> Task:
    """Change a task's fields and milestones (its ledger stays as it is)."""
    if task.plan.status == "closed":
        raise Conflict(_("A closed plan cannot be changed."))
    values = {k: v for k, v in values.items() if k in (*TASK_FIELDS, "milestones", "co_unit_ids")}
    before = _snapshot(task)
    clean = check_task(values, task)
    milestones = clean.pop("milestones", None)
    co_units = clean.pop("co_units", None)
    for field, value in clean.items():
        setattr(task, field, value)
    if co_units is not None:
        task.co_units = co_units
    if milestones is not None:
        _apply_milestones(task, milestones)
    after = _snapshot(task)
    changes = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
    if changes:
        audit.record(actor, "task.update", task, changes)
    return task
