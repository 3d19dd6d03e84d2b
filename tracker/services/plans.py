"""Plans, measures and tasks: the responsibility list 责任清单 (定标准、定责任、定时间、定进度).

The functions take typed values (``PlanInput``, ``TaskInput``, ``TaskChange``,
``MilestoneInput``): the adapters — HTML forms, the API's models, the .xlsx
import — turn what they receive into these, and the functions here check the
domain's rules only (what exists, what state it is in, how fields fit together).
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import date
from typing import Any, Literal

from flask_babel import gettext as _
from sqlalchemy import select

from tracker.extensions import db
from tracker.models import HEADINGS, RECURRENCES, Measure, Milestone, Plan, PlanStatus, Task, Unit, User
from tracker.services import audit, validation, workflow
from tracker.services.errors import Conflict

TASK_FIELDS = ("measure_id", "title", "standard", "owner_unit_id", "owner_user_id",
               "leader_user_id", "starts_on", "due_on", "weight", "category", "tags",
               "recurrence")


# Typed input ------------------------------------------------------------------


class _Unset(enum.Enum):
    UNSET = "unset"

    def __repr__(self) -> str:
        return "UNSET"


UNSET = _Unset.UNSET
"""A field of a ``TaskChange`` that the change leaves as it is."""
Unset = Literal[_Unset.UNSET]


@dataclass(frozen=True)
class PlanInput:
    """A plan's fields, as a new plan has them or as an edit replaces them."""

    title: str
    year: int
    doc_number: str | None = None
    issuing_unit_id: int | None = None


@dataclass(frozen=True)
class MilestoneInput:
    """One milestone 节点: by ``on``, ``percent`` of the task is planned done."""

    on: date
    percent: int
    title: str | None = None


@dataclass(frozen=True)
class TaskInput:
    """Every field of a new task."""

    measure_id: int
    title: str
    standard: str
    owner_unit_id: int
    starts_on: date
    due_on: date
    owner_user_id: int | None = None
    leader_user_id: int | None = None
    weight: float = 1.0
    category: str | None = None
    tags: str | None = None
    recurrence: str = "none"
    milestones: Sequence[MilestoneInput] = ()
    co_unit_ids: Sequence[int] = ()

    def given(self) -> dict[str, object]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True)
class TaskChange:
    """The fields of a task to change; a field left ``UNSET`` keeps its value."""

    measure_id: int | Unset = UNSET
    title: str | Unset = UNSET
    standard: str | Unset = UNSET
    owner_unit_id: int | Unset = UNSET
    owner_user_id: int | None | Unset = UNSET
    leader_user_id: int | None | Unset = UNSET
    starts_on: date | Unset = UNSET
    due_on: date | Unset = UNSET
    weight: float | Unset = UNSET
    category: str | None | Unset = UNSET
    tags: str | None | Unset = UNSET
    recurrence: str | Unset = UNSET
    milestones: Sequence[MilestoneInput] | Unset = UNSET
    co_unit_ids: Sequence[int] | Unset = UNSET

    def given(self) -> dict[str, object]:
        """The fields the change sets, by name."""
        return {f.name: getattr(self, f.name) for f in fields(self)
                if getattr(self, f.name) is not UNSET}


# Rules across fields (pure) ---------------------------------------------------


def dates_error(starts_on: date | None, due_on: date | None) -> str | None:
    """Why a task cannot run from ``starts_on`` to ``due_on``, or None."""
    if starts_on and due_on and due_on < starts_on:
        return _("The due date is before the start date.")
    return None


def weight_error(weight: float) -> str | None:
    """Why ``weight`` cannot weigh a task in its measure's progress, or None."""
    if not 0 < weight <= 100:  # also refuses NaN
        return _("Enter a weight above 0 and at most 100.")
    return None


def milestones_error(milestones: Sequence[MilestoneInput], starts_on: date | None,
                     due_on: date | None) -> str | None:
    """Why the milestones cannot stand, or None.

    Each lies within the task's dates (when both are known), has a percent
    from 0 to 100 and a title of at most 200 characters; no two share a date,
    and the percents increase with the dates.
    """
    for index, milestone in enumerate(milestones, start=1):
        if not 0 <= milestone.percent <= 100:
            return _("Milestone %(n)d: the percent is a whole number from 0 to 100.", n=index)
        title = milestone.title
        if title is not None and (len(title) > 200 or validation.has_control_characters(title)):
            return _("Milestone %(n)d: the title is at most 200 characters.", n=index)
        if starts_on and due_on and not starts_on <= milestone.on <= due_on:
            return _("Milestone %(n)d lies outside the task's dates.", n=index)
    ordered = sorted((m.on, m.percent) for m in milestones)
    for (on1, p1), (on2, p2) in zip(ordered, ordered[1:], strict=False):
        if on1 == on2:
            return _("Two milestones share the date %(on)s.", on=on1.isoformat())
        if p2 <= p1:
            return _("Milestone percents must increase with their dates.")
    return None


def kept_milestones_error(kept: Sequence[date], starts_on: date | None,
                          due_on: date | None) -> str | None:
    """Why new dates cannot keep the milestones already on ``kept`` days, or None."""
    if starts_on and due_on and any(not starts_on <= on <= due_on for on in kept):
        return _("A milestone would lie outside the new dates: change the milestones too.")
    return None


# Plans -----------------------------------------------------------------------


def _check_plan(values: PlanInput) -> dict[str, object]:
    errors: dict[str, str] = {}
    clean: dict[str, object] = {
        "title": validation.text(errors, "title", values.title, max_length=200),
        "year": values.year,
        "doc_number": validation.text(errors, "doc_number", values.doc_number, max_length=100,
                                      required=False),
        "issuing_unit_id": values.issuing_unit_id,
    }
    if not 2000 <= values.year <= 2100:
        errors["year"] = _("Enter a year between 2000 and 2100.")
    if values.issuing_unit_id is not None and db.session.get(Unit, values.issuing_unit_id) is None:
        errors["issuing_unit_id"] = _("No such unit.")
    validation.raise_if(errors)
    return clean


def create_plan(actor: audit.Actor, values: PlanInput) -> Plan:
    """Create a plan in draft."""
    clean = _check_plan(values)
    plan = Plan(status="draft", created_at=actor.now, **clean)
    db.session.add(plan)
    audit.record(actor, "plan.create", plan,
                 {k: [None, audit._plain(v)] for k, v in clean.items() if v is not None})
    return plan


def update_plan(actor: audit.Actor, plan: Plan, values: PlanInput) -> Plan:
    """Replace a plan's fields with ``values``."""
    if plan.status == "closed":
        raise Conflict(_("A closed plan cannot be changed."))
    clean = _check_plan(values)
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
                         old=PlanStatus.label_of(plan.status), new=PlanStatus.label_of(status)))
    if status == "active" and not db.session.scalar(select(Task.id).where(Task.plan_id == plan.id)):
        raise Conflict(_("Add at least one task before activating the plan."))
    audit.record(actor, f"plan.{'activate' if status == 'active' else 'close'}", plan,
                 {"status": [plan.status, status]})
    workflow.claim(plan, plan.status, status)
    if status == "active":
        plan.activated_at = actor.now
    else:
        plan.closed_at = actor.now
    return plan


# Measures --------------------------------------------------------------------


def _check_measure(heading: str, title: str) -> str | None:
    errors: dict[str, str] = {}
    if heading not in HEADINGS:
        errors["heading"] = _("Choose one of the four headings.")
    clean_title = validation.text(errors, "title", title, max_length=200)
    validation.raise_if(errors)
    return clean_title


def create_measure(actor: audit.Actor, plan: Plan, *, heading: str, title: str,
                   position: int = 0) -> Measure:
    clean_title = _check_measure(heading, title)
    if plan.status == "closed":
        raise Conflict(_("A closed plan cannot be changed."))
    measure = Measure(plan_id=plan.id, heading=heading, heading_order=HEADINGS.index(heading),
                      title=clean_title, position=position)
    db.session.add(measure)
    audit.record(actor, "measure.create", measure,
                 {"plan_id": [None, plan.id], "heading": [None, heading], "title": [None, clean_title]})
    return measure


def update_measure(actor: audit.Actor, measure: Measure, *, heading: str, title: str) -> Measure:
    clean_title = _check_measure(heading, title)
    changes = audit.diff(measure, {"heading": heading, "title": clean_title})
    measure.heading, measure.heading_order, measure.title = heading, HEADINGS.index(heading), clean_title
    if changes:
        audit.record(actor, "measure.update", measure, changes)
    return measure


# Tasks -----------------------------------------------------------------------


def check_task(values: TaskInput | TaskChange, task: Task | None = None) -> dict[str, object]:
    """Check a task's fields against the domain's rules; return them ready to store.

    A ``TaskInput`` is checked whole; a ``TaskChange`` in the fields it sets,
    the others being ``task``'s (or unknown, without a task: the .xlsx import
    checks a row before its measure exists). Raise InvalidInput naming each
    field that breaks a rule.
    """
    given = values.given()
    errors: dict[str, str] = {}
    clean: dict[str, object] = {}

    def current(field: str) -> Any:
        """The field's value after the change: the clean one, else the task's."""
        return clean.get(field, getattr(task, field) if task is not None else None)

    if "measure_id" in given:
        measure = db.session.get(Measure, given["measure_id"])
        if measure is None:
            errors["measure_id"] = _("No such measure.")
        elif measure.plan.status == "closed":
            errors["measure_id"] = _("A closed plan cannot be changed.")
        elif task is not None and measure.plan_id != task.plan_id:
            errors["measure_id"] = _("A task cannot move to a measure of another plan.")
        else:
            clean["measure_id"], clean["plan_id"] = measure.id, measure.plan_id
    if "title" in given:
        clean["title"] = validation.text(errors, "title", given["title"], max_length=200)
    if "standard" in given:
        clean["standard"] = validation.text(errors, "standard", given["standard"],
                                            max_length=4000, multiline=True)
    if "owner_unit_id" in given:
        unit = db.session.get(Unit, given["owner_unit_id"])
        if unit is None or unit.is_archived:
            errors["owner_unit_id"] = _("No such unit.")
        else:
            clean["owner_unit_id"] = unit.id
    for field in ("owner_user_id", "leader_user_id"):
        if field in given and given[field] is not None:
            person = db.session.get(User, given[field])
            if person is None or not person.is_active:
                errors[field] = _("No such user.")
            elif field == "leader_user_id" and person.role != "leader":
                errors[field] = _("The leader in charge must have the leader role.")
            else:
                clean[field] = person.id
        elif field in given:
            clean[field] = None
    for field in ("starts_on", "due_on"):
        if field in given:
            clean[field] = given[field]
    starts_on, due_on = current("starts_on"), current("due_on")
    if (problem := dates_error(starts_on, due_on)) is not None:
        errors["due_on"] = problem
    if "weight" in given:
        if (problem := weight_error(given["weight"])) is not None:
            errors["weight"] = problem
        else:
            clean["weight"] = float(given["weight"])
    for field, length in (("category", 50), ("tags", 200)):
        if field in given:
            clean[field] = validation.text(errors, field, given[field], max_length=length,
                                           required=False)
    if "recurrence" in given:
        clean["recurrence"] = given["recurrence"]
        if given["recurrence"] not in RECURRENCES:
            errors["recurrence"] = _("Choose one of the listed repetitions.")
    if "milestones" in given:
        milestones = given["milestones"]
        if (problem := milestones_error(milestones, starts_on, due_on)) is not None:
            errors["milestones"] = problem
        clean["milestones"] = sorted(
            ((m.on, m.percent, (m.title or "").strip() or None) for m in milestones),
            key=lambda m: (m[0], m[1]))
    elif task is not None and (problem := kept_milestones_error(
            [m.on for m in task.milestones], starts_on, due_on)) is not None:
        errors["milestones"] = problem
    owner_user_id, owner_unit_id = current("owner_user_id"), current("owner_unit_id")
    if (owner_user_id is not None and owner_unit_id is not None and "owner_user_id" not in errors
            and db.session.get(User, owner_user_id).unit_id != owner_unit_id):
        errors["owner_user_id"] = _("The responsible person must work in the owner unit.")
    if "co_unit_ids" in given:
        ids = list(given["co_unit_ids"])
        units = db.session.scalars(select(Unit).where(Unit.id.in_(ids))).all() if ids else []
        if len(units) != len(set(ids)) or any(u.is_archived for u in units):
            errors["co_unit_ids"] = _("No such unit.")
        clean["co_units"] = [u for u in units if u.id != owner_unit_id]
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


def create_task(actor: audit.Actor, values: TaskInput) -> Task:
    """Create a task with its milestones."""
    clean = check_task(values)
    milestones = clean.pop("milestones")
    co_units = clean.pop("co_units")
    task = Task(created_at=actor.now, **clean)
    task.co_units = co_units
    db.session.add(task)
    db.session.flush()
    _apply_milestones(task, milestones)
    audit.record(actor, "task.create", task, {k: [None, v] for k, v in _snapshot(task).items()})
    return task


def update_task(actor: audit.Actor, task: Task, change: TaskChange) -> Task:
    """Change a task's fields and milestones (its ledger stays as it is)."""
    if task.plan.status == "closed":
        raise Conflict(_("A closed plan cannot be changed."))
    before = _snapshot(task)
    clean = check_task(change, task)
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
