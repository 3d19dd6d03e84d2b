"""Weekly supervision rounds 周督导 and the record of scheduled job runs."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.models.base import Base
from tracker.models.organisation import Unit, User, _in
from tracker.models.plans import Task

FINDING_KINDS = ("lagging", "overdue", "stale")
ROUND_STATUSES = ("open", "closed")
JOB_OUTCOMES = ("running", "succeeded", "failed", "skipped")


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
    note: Mapped[str | None] = mapped_column(Text)
    noted_at: Mapped[datetime | None]
    noted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))

    round: Mapped[SupervisionRound] = relationship()
    task: Mapped[Task] = relationship()
    unit: Mapped[Unit] = relationship()
    noted_by: Mapped[User | None] = relationship()


class JobRun(Base):
    """One run of a scheduled job: when, for which period, how it ended."""

    __tablename__ = "job_runs"
    __table_args__ = (
        CheckConstraint(_in("outcome", JOB_OUTCOMES), name="outcome"),
        Index("ix_job_runs_name_started", "name", "started_at"),
        Index("ix_job_runs_started", "started_at"),  # the list of runs, newest first
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50))
    period: Mapped[str] = mapped_column(String(20))
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    outcome: Mapped[str] = mapped_column(String(10), default="running")
    detail: Mapped[str | None] = mapped_column(Text)


class JobLock(Base):
    """One row per job: held with SELECT … FOR UPDATE (PostgreSQL) or a write lock (SQLite)."""

    __tablename__ = "job_locks"

    name: Mapped[str] = mapped_column(String(50), primary_key=True)


BULLETIN_KINDS = ("monthly", "quarterly", "half_year")
BULLETIN_STATUSES = ("draft", "approved", "published")


class Bulletin(Base):
    """A monthly bulletin 月通报, quarterly summary 季度小结 or half-year assessment 半年考核."""

    __tablename__ = "bulletins"
    __table_args__ = (
        UniqueConstraint("kind", "period"),
        UniqueConstraint("number_year", "number"),
        CheckConstraint(_in("kind", BULLETIN_KINDS), name="kind"),
        CheckConstraint(_in("status", BULLETIN_STATUSES), name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
    period: Mapped[str] = mapped_column(String(10))
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    status: Mapped[str] = mapped_column(String(10), default="draft", index=True)
    title: Mapped[str] = mapped_column(String(200))
    narrative: Mapped[str] = mapped_column(Text, default="")
    content: Mapped[dict] = mapped_column(JSON)
    number_year: Mapped[int | None]
    number: Mapped[int | None]
    created_at: Mapped[datetime]
    approved_at: Mapped[datetime | None]
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    published_at: Mapped[datetime | None]
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))

    @property
    def doc_number(self) -> str | None:
        return f"〔{self.number_year}〕{self.number}号" if self.number else None


class LiaisonCheck(Base):
    """一月一查一反馈: a liaison department's monthly check of one school, and its feedback."""

    __tablename__ = "liaison_checks"
    __table_args__ = (UniqueConstraint("school_id", "month"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"))
    liaison_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"), index=True)
    month: Mapped[str] = mapped_column(String(7), index=True)
    ratings: Mapped[dict] = mapped_column(JSON)  # dimension -> {"rating": …, "notes": …}
    feedback: Mapped[str] = mapped_column(Text)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    recorded_at: Mapped[datetime]

    school: Mapped[Unit] = relationship(foreign_keys=[school_id])
