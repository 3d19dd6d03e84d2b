"""Request and response models of the API (they also make the OpenAPI spec)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import Field

from tracker import models
from tracker.blueprints.api.framework import Body, CursorQuery, Out, PageQuery, Query
from tracker.services.plans import MilestoneInput, PlanInput, TaskChange, TaskInput

UnitKind = Literal[models.UnitKind.codes()]
Role = Literal[models.Role.codes()]
Name = Annotated[str, Field(min_length=1, max_length=100)]
Id = Annotated[int, Field(ge=1, le=2**31 - 1)]  # the tables' integer keys


class Error(Out):
    code: str
    message: str
    fields: dict[str, str] | None = None


class ErrorEnvelope(Out):
    error: Error


class TokenRequest(Body):
    username: Annotated[str, Field(min_length=1, max_length=50)]
    password: Annotated[str, Field(min_length=1, max_length=128)]


class TokenOut(Out):
    token: str
    expires_at: datetime


class UnitCreate(Body):
    name: Name
    kind: UnitKind
    peer_group: Annotated[str, Field(max_length=50)] | None = None
    liaison_unit_id: Id | None = None
    head_user_id: Id | None = None
    leader_user_id: Id | None = None


class UnitPatch(Body):
    name: Name | None = None
    kind: UnitKind | None = None
    peer_group: Annotated[str, Field(max_length=50)] | None = None
    liaison_unit_id: Id | None = None
    head_user_id: Id | None = None
    leader_user_id: Id | None = None
    is_archived: bool | None = None


class UnitOut(Out):
    id: int
    name: str
    kind: UnitKind
    peer_group: str | None
    liaison_unit_id: int | None
    head_user_id: int | None
    leader_user_id: int | None
    is_archived: bool


class UnitQuery(PageQuery):
    kind: UnitKind | None = None
    peer_group: Annotated[str, Field(max_length=50)] | None = None
    q: Annotated[str, Field(max_length=100)] | None = None
    include_archived: bool = False


class UserCreate(Body):
    username: Annotated[str, Field(min_length=1, max_length=50)]
    password: Annotated[str, Field(min_length=1, max_length=128)]
    display_name: Name
    email: Annotated[str, Field(max_length=200)] | None = None
    role: Role
    unit_id: Id | None = None


class UserPatch(Body):
    display_name: Name | None = None
    email: Annotated[str, Field(max_length=200)] | None = None
    role: Role | None = None
    unit_id: Id | None = None
    is_active: bool | None = None
    password: Annotated[str, Field(min_length=1, max_length=128)] | None = None


class UserOut(Out):
    id: int
    username: str
    display_name: str
    email: str | None
    role: Role
    unit_id: int | None
    is_active: bool
    last_login_at: datetime | None


class UserQuery(PageQuery):
    role: Role | None = None
    unit_id: Id | None = None
    q: Annotated[str, Field(max_length=100)] | None = None


class AuditOut(Out):
    at: datetime
    user_id: int | None
    action: str
    object_type: str
    object_id: int | None
    changes: dict[str, Any]
    ip: str | None


class AuditQuery(CursorQuery):
    object_type: Annotated[str, Field(max_length=50)] | None = None
    object_id: Id | None = None
    user_id: Id | None = None


class PublicUnitOut(Out):
    id: int
    name: str
    kind: UnitKind


def page_of(item: type[Out], *, cursor: bool = False) -> dict:
    """Describe a list answer ``{items, page, per_page, total}`` (and ``next_cursor``) for the spec."""
    return {"page_of": item, "cursor": cursor}


# Plans, tasks, ledger -------------------------------------------------------

Heading = Literal[models.Heading.codes()]
TaskStatus = Literal[models.TaskStatus.codes()]
Light = Literal[models.TaskLight.codes()]
Recurrence = Literal[models.Recurrence.codes()]
Text = Annotated[str, Field(min_length=1, max_length=4000)]
Title = Annotated[str, Field(min_length=1, max_length=200)]


class AsOfQuery(Query):
    as_of: date | None = None


class PlanCreate(Body):
    title: Title
    year: Annotated[int, Field(ge=2000, le=2100)]
    doc_number: Annotated[str, Field(max_length=100)] | None = None

    def values(self) -> PlanInput:
        return PlanInput(title=self.title, year=self.year, doc_number=self.doc_number)


class PlanOut(Out):
    id: int
    title: str
    year: int
    doc_number: str | None
    status: Literal[models.PlanStatus.codes()]


class MeasureCreate(Body):
    heading: Heading
    title: Title


class MeasureOut(Out):
    id: int
    plan_id: int
    heading: Heading
    title: str


class MeasureProgressOut(Out):
    id: int
    heading: Heading
    title: str
    progress: float | None


class PlanDetailOut(PlanOut):
    progress: float | None
    measures: list[MeasureProgressOut]


class MilestoneIn(Body):
    on: date
    percent: Annotated[int, Field(ge=0, le=100)]
    title: Annotated[str, Field(max_length=200)] | None = None

    def value(self) -> MilestoneInput:
        return MilestoneInput(on=self.on, percent=self.percent, title=self.title)


class MilestoneOut(Out):
    on: date
    percent: int
    title: str | None


class TaskCreate(Body):
    measure_id: Id
    title: Title
    standard: Text
    owner_unit_id: Id
    owner_user_id: Id | None = None
    leader_user_id: Id | None = None
    co_unit_ids: list[Id] = []
    starts_on: date
    due_on: date
    weight: Annotated[float, Field(gt=0, le=100)] = 1
    category: Annotated[str, Field(max_length=50)] | None = None
    recurrence: Recurrence = "none"
    milestones: list[MilestoneIn] = []

    def values(self) -> TaskInput:
        return TaskInput(
            measure_id=self.measure_id, title=self.title, standard=self.standard,
            owner_unit_id=self.owner_unit_id, owner_user_id=self.owner_user_id,
            leader_user_id=self.leader_user_id, co_unit_ids=self.co_unit_ids,
            starts_on=self.starts_on, due_on=self.due_on, weight=self.weight,
            category=self.category, recurrence=self.recurrence,
            milestones=[m.value() for m in self.milestones])


def _no_null_default(schema: dict) -> None:
    schema.pop("default", None)


NOT_NULL = Field(json_schema_extra=_no_null_default)
"""Marks a field of a change that may be left out (its value kept) but not sent as null."""


class TaskPatch(Body):
    """A change of a task: the fields sent are changed (null clears the nullable ones)."""

    title: Annotated[Title, NOT_NULL] = None
    standard: Annotated[Text, NOT_NULL] = None
    owner_unit_id: Annotated[Id, NOT_NULL] = None
    owner_user_id: Id | None = None
    leader_user_id: Id | None = None
    co_unit_ids: list[Id] | None = None
    starts_on: Annotated[date, NOT_NULL] = None
    due_on: Annotated[date, NOT_NULL] = None
    weight: Annotated[float, Field(gt=0, le=100), NOT_NULL] = None
    category: Annotated[str, Field(max_length=50)] | None = None
    recurrence: Recurrence | None = None
    milestones: list[MilestoneIn] | None = None

    def change(self) -> TaskChange:
        """The fields sent, typed: null is an empty list, no repetition, or no one."""
        sent = {name: getattr(self, name) for name in self.model_fields_set}
        if "co_unit_ids" in sent:
            sent["co_unit_ids"] = sent["co_unit_ids"] or []
        if "milestones" in sent:
            sent["milestones"] = [m.value() for m in sent["milestones"] or []]
        if "recurrence" in sent:
            sent["recurrence"] = sent["recurrence"] or "none"
        return TaskChange(**sent)


class TaskOut(Out):
    id: int
    plan_id: int
    measure_id: int
    title: str
    standard: str
    owner_unit_id: int
    owner_user_id: int | None
    leader_user_id: int | None
    starts_on: date
    due_on: date
    weight: float
    category: str | None
    recurrence: str
    verified_on: date | None
    planned_percent: int
    actual_percent: int
    status: TaskStatus
    light: Light | None


class FileOut(Out):
    id: int
    original_name: str
    content_type: str
    size: int


class EntryOut(Out):
    id: int
    task_id: int
    percent: int
    narrative: str
    reported_on: date
    user_id: int | None
    created_at: datetime
    is_return: bool
    supersedes_id: int | None = None  # the entry this one corrects, which no longer counts
    reason: str | None = None  # why the percent is below the latest report's
    files: list[FileOut] = []


class VerificationOut(Out):
    id: int
    accepted: bool
    reason: str | None
    on: date
    user_id: int | None


class TaskDetailOut(TaskOut):
    co_unit_ids: list[int]
    milestones: list[MilestoneOut]
    entries: list[EntryOut]
    verifications: list[VerificationOut]


class TaskQuery(PageQuery):
    plan_id: Id | None = None
    measure_id: Id | None = None
    unit_id: Id | None = None
    status: TaskStatus | None = None
    light: Light | None = None
    as_of: date | None = None


class EntryCreate(Body):
    percent: Annotated[int, Field(ge=0, le=100)]
    narrative: Text
    reported_on: date | None = None
    reason: Annotated[str, Field(max_length=2000)] | None = None  # required below the latest percent


class EntryCorrect(Body):
    percent: Annotated[int, Field(ge=0, le=100)]
    narrative: Text
    reason: Annotated[str, Field(max_length=2000)] | None = None  # required below the previous percent


class DraftSubmit(Body):
    reason: Annotated[str, Field(max_length=2000)] | None = None  # required below the latest percent


DraftStatus = Literal[models.DraftStatus.codes()]


class DraftCreate(Body):
    percent: Annotated[int, Field(ge=0, le=100)]
    narrative: Text


class DraftPatch(Body):
    """The draft's new figures; sending a returned draft back to the head."""

    percent: Annotated[int, Field(ge=0, le=100)]
    narrative: Text


class DraftReturn(Body):
    comment: Annotated[str, Field(min_length=1, max_length=2000)]


class DraftOut(Out):
    id: int
    task_id: int
    author_id: int
    percent: int
    narrative: str
    status: DraftStatus
    created_at: datetime
    updated_at: datetime
    return_comment: str | None
    returned_at: datetime | None
    returned_by_id: int | None
    submitted_at: datetime | None
    submitted_by_id: int | None
    entry_id: int | None
    files: list[FileOut] = []


class VerifyRequest(Body):
    accept: bool
    reason: Annotated[str, Field(max_length=2000)] | None = None
    on: date | None = None


class ImportResult(Out):
    created: int


# Supervision ------------------------------------------------------------------

FindingKind = Literal[models.FindingKind.codes()]


class RoundCreate(Body):
    week_start: date


class SnapshotOut(Out):
    task_id: int
    unit_id: int
    planned_percent: int
    actual_percent: int
    status: TaskStatus
    light: Light | None
    projected_late: bool  # 预计逾期 as of the round's day (风险预警)
    projected_on: date | None  # at its recent pace; null when stalled or not projected late


class FindingOut(Out):
    id: int
    round_id: int
    task_id: int
    unit_id: int
    kind: FindingKind
    planned_percent: int
    actual_percent: int
    note: str | None  # the office's internal note: null for the unit's people
    unit_note: str | None


class RoundOut(Out):
    id: int
    week_start: date
    as_of: date
    status: Literal[models.SupervisionRoundStatus.codes()]


class RoundSummaryOut(RoundOut):
    tasks: int
    findings: int


class RoundDetailOut(RoundOut):
    snapshots: list[SnapshotOut]
    findings: list[FindingOut]


class FindingPatch(Body):
    note: Annotated[str, Field(max_length=2000)] | None = None
    unit_note: Annotated[str, Field(max_length=2000)] | None = None


class FindingQuery(PageQuery):
    round_id: Id | None = None
    unit_id: Id | None = None
    kind: FindingKind | None = None


class BulletinCreate(Body):
    kind: Literal[models.BulletinKind.codes()]
    period: Annotated[str, Field(max_length=10)]


class BulletinOut(Out):
    id: int
    kind: str
    period: str
    status: Literal[models.BulletinStatus.codes()]
    number: str | None
    title: str
    narrative: str
    unit_table: list[dict[str, Any]]
    criticised: list[dict[str, Any]]
    commended: list[dict[str, Any]]
    complaints: list[dict[str, Any]]
    notices: dict[str, Any]
    flags: list[dict[str, Any]]
    return_comment: str | None = None  # a leader's latest return to the office
    returned_at: str | None = None


class BulletinPatch(Body):
    title: Title
    narrative: Annotated[str, Field(max_length=20000)] = ""


class BulletinReturn(Body):
    comment: Annotated[str, Field(min_length=1, max_length=2000)]


class PublicBulletinOut(Out):
    id: int
    kind: str
    period: str
    number: str | None
    title: str
    published_at: str | None
    narrative: str
    unit_table: list[dict[str, Any]]
    criticised: list[dict[str, Any]]
    commended: list[dict[str, Any]]
