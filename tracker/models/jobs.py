"""The record of scheduled job runs and the jobs' locks."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tracker.models.base import Base
from tracker.models.choices import Choice
from tracker.models.organisation import _in


class JobOutcome(Choice):
    RUNNING = "running", _l("Running")
    SUCCEEDED = "succeeded", _l("Succeeded")
    FAILED = "failed", _l("Failed")
    SKIPPED = "skipped", _l("Skipped")


JOB_OUTCOMES = JobOutcome.codes()


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
