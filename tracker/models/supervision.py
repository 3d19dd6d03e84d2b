"""Weekly supervision rounds 周督导: the round, its frozen snapshot and its findings."""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.models.base import Base
from tracker.models.choices import Choice
from tracker.models.organisation import Unit, User, _in
from tracker.models.plans import Task


class FindingKind(Choice):
    """What a round found about a task (the task statuses of the same names, frozen)."""

    LAGGING = "lagging", _l("Lagging")
    OVERDUE = "overdue", _l("Overdue")
    STALE = "stale", _l("Report missing")


class SupervisionRoundStatus(Choice):
    OPEN = "open", _l("Open")
    CLOSED = "closed", _l("Closed")


FINDING_KINDS = FindingKind.codes()
ROUND_STATUSES = SupervisionRoundStatus.codes()


class SupervisionRound(Base):
    """The round of the week starting Monday ``week_start``, judged as of its Sunday."""

    __tablename__ = "supervision_rounds"
    __table_args__ = (CheckConstraint(_in("status", ROUND_STATUSES), name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    week_start: Mapped[date] = mapped_column(unique=True)
    as_of: Mapped[date]
    status: Mapped[str] = mapped_column(String(10), default="open")
    created_at: Mapped[datetime]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    closed_at: Mapped[datetime | None]
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))

    def __repr__(self) -> str:
        return f"<SupervisionRound {self.id} {self.week_start}>"


class RoundSnapshot(Base):
    """A task as the round saw it: frozen, never updated."""

    __tablename__ = "round_snapshots"
    __table_args__ = (UniqueConstraint("round_id", "task_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("supervision_rounds.id", ondelete="RESTRICT"))
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="RESTRICT"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"), index=True)
    planned_percent: Mapped[int]
    actual_percent: Mapped[int]
    status: Mapped[str] = mapped_column(String(30))
    light: Mapped[str | None] = mapped_column(String(10))
    # 风险预警: at its recent pace the task would finish after its due date (services/forecast.py)
    projected_late: Mapped[bool] = mapped_column(default=False, server_default=false())
    projected_on: Mapped[date | None]


class Finding(Base):
    """A lagging, overdue or stale task in a round; the office may annotate it."""

    __tablename__ = "findings"
    __table_args__ = (
        UniqueConstraint("round_id", "task_id"),
        CheckConstraint(_in("kind", FINDING_KINDS), name="kind"),
        Index("ix_findings_unit_round", "unit_id", "round_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("supervision_rounds.id", ondelete="RESTRICT"))
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="RESTRICT"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"))
    kind: Mapped[str] = mapped_column(String(10), index=True)
    planned_percent: Mapped[int]
    actual_percent: Mapped[int]
    note: Mapped[str | None] = mapped_column(Text)  # the office's internal note
    unit_note: Mapped[str | None] = mapped_column(Text)  # what the office tells the unit
    noted_at: Mapped[datetime | None]
    noted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))

    round: Mapped[SupervisionRound] = relationship()
    task: Mapped[Task] = relationship()
    unit: Mapped[Unit] = relationship()
    noted_by: Mapped[User | None] = relationship()
