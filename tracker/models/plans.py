"""Plans, the responsibility list and the ledger (docs/domain.md "Plans, the responsibility list …")."""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.models.base import Base
from tracker.models.choices import Choice
from tracker.models.mixins import DraftMixin, StoredFileMixin
from tracker.models.organisation import Unit, User, _in


class PlanStatus(Choice):
    DRAFT = "draft", _l("Draft")
    ACTIVE = "active", _l("Active")
    CLOSED = "closed", _l("Closed")


class Heading(Choice):
    """The four headings of the key measures, in the plan's order; ``zh`` as the .xlsx names them."""

    STRENGTHEN_QUALITY = "strengthen_quality", _l("Strengthen quality 强素质"), "强素质"
    CHANGE_CONDUCT = "change_conduct", _l("Change conduct 转作风"), "转作风"
    BUILD_SYSTEM = "build_system", _l("Build systems 建体系"), "建体系"
    STRICT_REWARDS = "strict_rewards", _l("Strict rewards and punishments 严奖惩"), "严奖惩"


class Recurrence(Choice):
    NONE = "none", _l("Once")
    WEEKLY = "weekly", _l("Weekly")
    MONTHLY = "monthly", _l("Monthly")
    QUARTERLY = "quarterly", _l("Quarterly")


class TaskStatus(Choice):
    """A task's status as of a day, computed (services/progress.py) and kept in ``TaskState``."""

    VERIFIED = "verified", _l("Verified")
    AWAITING_VERIFICATION = "awaiting_verification", _l("Awaiting verification")
    NOT_STARTED = "not_started", _l("Not started")
    OVERDUE = "overdue", _l("Overdue")
    LAGGING = "lagging", _l("Lagging")
    STALE = "stale", _l("Report missing")
    ON_TRACK = "on_track", _l("On track")


class ForecastBasis(Choice):
    """What a task's projected completion rests on (services/forecast.py)."""

    NO_REPORTS = "no_reports", _l("No report yet")
    NOT_STARTED = "not_started", _l("Not started")
    DONE = "done", _l("Done")
    OVERDUE = "overdue", _l("Overdue")
    PACE = "pace", _l("At the current pace")
    STALLED = "stalled", _l("No progress lately")


class TaskLight(Choice):
    """A task's warning light as of a day (services/progress.py)."""

    GREEN = "green", _l("Green")
    YELLOW = "yellow", _l("Yellow")
    RED = "red", _l("Red")


class DraftStatus(Choice):
    """Where a unit member's ledger draft stands (services/ledger_drafts.py)."""

    PENDING = "pending", _l("Awaiting the unit head")
    RETURNED = "returned", _l("Returned to the author")
    SUBMITTED = "submitted", _l("Submitted to the ledger")
    DISCARDED = "discarded", _l("Discarded")


PLAN_STATUSES = PlanStatus.codes()
HEADINGS = Heading.codes()
RECURRENCES = Recurrence.codes()
DRAFT_STATUSES = DraftStatus.codes()

task_co_units = Table(
    "task_co_units",
    Base.metadata,
    Column("task_id", Integer, ForeignKey("tasks.id", ondelete="CASCADE"), primary_key=True),
    Column("unit_id", Integer, ForeignKey("units.id", ondelete="RESTRICT"), primary_key=True,
           index=True),
)


class Plan(Base):
    __tablename__ = "plans"
    __table_args__ = (CheckConstraint(_in("status", PLAN_STATUSES), name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    year: Mapped[int]
    doc_number: Mapped[str | None] = mapped_column(String(100))
    issuing_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"))
    status: Mapped[str] = mapped_column(String(10), default="draft", index=True)
    created_at: Mapped[datetime]
    activated_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]

    issuing_unit: Mapped[Unit | None] = relationship()
    measures: Mapped[list[Measure]] = relationship(
        back_populates="plan", order_by="(Measure.heading_order, Measure.position, Measure.id)")


class Measure(Base):
    """A key measure 重点措施 under one of the four headings."""

    __tablename__ = "measures"
    __table_args__ = (CheckConstraint(_in("heading", HEADINGS), name="heading"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="RESTRICT"), index=True)
    heading: Mapped[str] = mapped_column(String(30))
    heading_order: Mapped[int] = mapped_column(default=0)
    title: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(default=0)

    plan: Mapped[Plan] = relationship(back_populates="measures")


class Task(Base):
    """One line of the responsibility list, with the four 定."""

    __tablename__ = "tasks"
    __table_args__ = (
        CheckConstraint("due_on >= starts_on", name="dates"),
        CheckConstraint("weight > 0", name="weight"),
        CheckConstraint(_in("recurrence", RECURRENCES), name="recurrence"),
        Index("ix_tasks_plan_unit", "plan_id", "owner_unit_id"),
        Index("ix_tasks_owner_unit_due", "owner_unit_id", "due_on"),
        Index("ix_tasks_due_id", "due_on", "id"),  # the ledger's order
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="RESTRICT"), index=True)
    measure_id: Mapped[int] = mapped_column(ForeignKey("measures.id", ondelete="RESTRICT"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    standard: Mapped[str] = mapped_column(Text)
    owner_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"))
    owner_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    leader_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    starts_on: Mapped[date] = mapped_column(index=True)
    due_on: Mapped[date]
    weight: Mapped[float] = mapped_column(default=1.0)
    category: Mapped[str | None] = mapped_column(String(50), index=True)
    tags: Mapped[str | None] = mapped_column(String(200))
    recurrence: Mapped[str] = mapped_column(String(10), default="none")
    previous_id: Mapped[int | None] = mapped_column(ForeignKey("tasks.id", ondelete="RESTRICT"))
    verified_on: Mapped[date | None] = mapped_column(index=True)
    created_at: Mapped[datetime]

    measure: Mapped[Measure] = relationship()
    plan: Mapped[Plan] = relationship()
    owner_unit: Mapped[Unit] = relationship(foreign_keys=[owner_unit_id])
    owner_user: Mapped[User | None] = relationship(foreign_keys=[owner_user_id])
    leader: Mapped[User | None] = relationship(foreign_keys=[leader_user_id])
    co_units: Mapped[list[Unit]] = relationship(secondary=task_co_units, order_by="Unit.name")
    milestones: Mapped[list[Milestone]] = relationship(
        order_by="Milestone.on", cascade="all, delete-orphan")

    def __repr__(self) -> str:
        return f"<Task {self.id} {self.title[:20]}>"

    @staticmethod
    def in_force():
        """The tasks rounds, reminders, rules and rankings judge: those of an active plan."""
        return Task.plan.has(Plan.status == PlanStatus.ACTIVE.value)

    @staticmethod
    def listed():
        """The tasks ledgers and counts show: a draft plan's tasks only on the plan's own page."""
        return Task.plan.has(Plan.status != PlanStatus.DRAFT.value)


class Milestone(Base):
    """定进度: by ``on`` the task should be ``percent`` done (cumulative)."""

    __tablename__ = "milestones"
    __table_args__ = (
        UniqueConstraint("task_id", "on", name="task_on"),
        CheckConstraint("percent BETWEEN 0 AND 100", name="percent"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"), index=True)
    on: Mapped[date]
    percent: Mapped[int]
    title: Mapped[str | None] = mapped_column(String(200))


class LedgerEntry(Base):
    """A progress report 台账记录: append-only (hash-chained), a correction is a new entry.

    A correction names the entry it supersedes (``supersedes_id``, at most one correction
    each); a superseded entry is kept and shown, but no longer counts (services/progress.py).
    """

    __tablename__ = "ledger_entries"
    __table_args__ = (
        CheckConstraint("percent BETWEEN 0 AND 100", name="percent"),
        Index("ix_ledger_entries_task_reported", "task_id", "reported_on", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="RESTRICT"))
    percent: Mapped[int]
    narrative: Mapped[str] = mapped_column(Text)
    reported_on: Mapped[date]
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    created_at: Mapped[datetime]
    is_return: Mapped[bool] = mapped_column(default=False)
    # the entry this one corrects (services/ledger.py ``correct``): that one no longer counts
    supersedes_id: Mapped[int | None] = mapped_column(
        ForeignKey("ledger_entries.id", ondelete="RESTRICT"), unique=True)
    # why the percent is below the latest report's (required then)
    reason: Mapped[str | None] = mapped_column(Text)
    # sha256 of the previous entry's hash and this entry (services/chain.py)
    chain_hash: Mapped[str | None] = mapped_column(String(64))

    user: Mapped[User | None] = relationship()
    files: Mapped[list[EvidenceFile]] = relationship(order_by="EvidenceFile.id")
    # the unit member's draft this entry was submitted from, if any: who submitted it
    draft: Mapped[LedgerDraft | None] = relationship(
        primaryjoin="LedgerDraft.entry_id == LedgerEntry.id", viewonly=True, uselist=False)


class EvidenceFile(StoredFileMixin, Base):
    """An uploaded file, stored under the instance folder with a random name."""

    __tablename__ = "evidence_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int | None] = mapped_column(
        ForeignKey("ledger_entries.id", ondelete="RESTRICT"), index=True)
    task_id: Mapped[int | None] = mapped_column(ForeignKey("tasks.id", ondelete="RESTRICT"), index=True)


class LedgerDraft(DraftMixin, Base):
    """A unit member's report, awaiting the unit head: not a ledger entry until submitted.

    The head submits it (the ledger entry is then the member's, ``submitted_by``
    the head) or returns it with a comment; the member edits and sends it again, or
    discards it.
    """

    __tablename__ = "ledger_drafts"
    __table_args__ = (
        CheckConstraint(_in("status", DRAFT_STATUSES), name="status"),
        CheckConstraint("percent BETWEEN 0 AND 100", name="percent"),
        UniqueConstraint("task_id", "author_id", "is_open"),  # one open draft per task and author
        Index("ix_ledger_drafts_status_task", "status", "task_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="RESTRICT"))
    percent: Mapped[int]
    narrative: Mapped[str] = mapped_column(Text)
    entry_id: Mapped[int | None] = mapped_column(
        ForeignKey("ledger_entries.id", ondelete="RESTRICT"), index=True)

    task: Mapped[Task] = relationship()
    files: Mapped[list[LedgerDraftFile]] = relationship(order_by="LedgerDraftFile.id")


class LedgerDraftFile(StoredFileMixin, Base):
    """An evidence file of a draft; submitting the draft gives its entry the same stored file."""

    __tablename__ = "ledger_draft_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("ledger_drafts.id", ondelete="RESTRICT"), index=True)


class Verification(Base):
    """兑账: the office accepts a completion claim, or returns it with a reason."""

    __tablename__ = "verifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="RESTRICT"), index=True)
    entry_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_entries.id", ondelete="RESTRICT"))
    accepted: Mapped[bool]
    reason: Mapped[str | None] = mapped_column(Text)
    on: Mapped[date]
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    created_at: Mapped[datetime]

    user: Mapped[User | None] = relationship()


class TaskState(Base):
    """A task's derived state as of ``valid_from``, kept exact and unchanged until ``changes_on``.

    Written in the same transaction as every change to the task's source
    records, and refreshed by the daily job when the calendar moves a task
    (services/task_states.py). ``changes_on`` is None when nothing but a new
    record can change it. Lists, filters and counts for today read these rows.
    """

    __tablename__ = "task_states"
    __table_args__ = (
        CheckConstraint("planned_percent BETWEEN 0 AND 100", name="planned"),
        CheckConstraint("actual_percent BETWEEN 0 AND 100", name="actual"),
        # the ledger's order, (due date, task), alone and within a status
        Index("ix_task_states_due", "due_on", "task_id"),
        Index("ix_task_states_status_due", "status", "due_on", "task_id"),
    )

    task_id: Mapped[int] = mapped_column(
        ForeignKey("tasks.id", ondelete="CASCADE"), primary_key=True)
    # the task's, copied so that counts by plan or unit and a status in due order read these
    # rows alone
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"))
    owner_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"), index=True)
    due_on: Mapped[date]
    status: Mapped[str] = mapped_column(String(25))
    light: Mapped[str | None] = mapped_column(String(10), index=True)
    planned_percent: Mapped[int]
    actual_percent: Mapped[int]
    last_reported_on: Mapped[date | None]
    valid_from: Mapped[date] = mapped_column(index=True)
    changes_on: Mapped[date | None] = mapped_column(index=True)
