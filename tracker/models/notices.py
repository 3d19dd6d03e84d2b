"""Rectification notices 整改通知书 and the inspections 明查暗访 that may lead to one."""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.models.base import Base
from tracker.models.choices import Choice
from tracker.models.mixins import StoredFileMixin, WorkflowEventMixin
from tracker.models.organisation import Unit, _in


class NoticeSource(Choice):
    COMPLAINT = "complaint", _l("Complaint")
    FINDING = "finding", _l("Supervision finding")
    INSPECTION = "inspection", _l("Inspection")


class NoticeStatus(Choice):
    """The statuses shown: the five stored, and ``overdue``, computed as of a day, never stored."""

    ISSUED = "issued", _l("Issued")
    ACKNOWLEDGED = "acknowledged", _l("Acknowledged")
    OVERDUE = "overdue", _l("Overdue")
    REPORTED = "reported", _l("Reported")
    VERIFIED = "verified", _l("Rectification verified")
    WITHDRAWN = "withdrawn", _l("Withdrawn")  # by the office before the unit acknowledged; number kept


class NoticeStep(Choice):
    """What a notice event records (the workflow is in services/notices.py)."""

    ISSUE = "issue", _l("Issued")
    ACKNOWLEDGE = "acknowledge", _l("Acknowledged")
    REPORT = "report", _l("Reported")
    VERIFY = "verify", _l("Rectification verified")
    RETURN = "return", _l("Returned")
    WITHDRAW = "withdraw", _l("Withdrawn")


class NoticeColour(Choice):
    """三色督办, computed as of a day (services/notices.py)."""

    BLUE = "blue", _l("Blue (on schedule)")
    ORANGE = "orange", _l("Orange (due soon)")
    RED = "red", _l("Red (overdue)")


NOTICE_SOURCES = NoticeSource.codes()
NOTICE_STATUSES = tuple(code for code in NoticeStatus.codes() if code != NoticeStatus.OVERDUE)  # stored


class Inspection(Base):
    """明查暗访: an open or unannounced inspection and what it found."""

    __tablename__ = "inspections"
    __table_args__ = (Index("ix_inspections_inspected", "inspected_on", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"), index=True)
    inspected_on: Mapped[date]
    place: Mapped[str] = mapped_column(String(200))
    inspectors: Mapped[str] = mapped_column(String(200))
    is_unannounced: Mapped[bool] = mapped_column(default=True)
    findings: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))

    unit: Mapped[Unit] = relationship()


class Notice(Base):
    """整改通知书: numbered per year; ``overdue`` and the colour are computed as of a date."""

    __tablename__ = "notices"
    __table_args__ = (
        UniqueConstraint("number_year", "number"),
        CheckConstraint(_in("status", NOTICE_STATUSES), name="status"),
        CheckConstraint(_in("source_type", NOTICE_SOURCES), name="source_type"),
        # the list: newest first, alone or for one unit; the colours and overdue by status and due day
        Index("ix_notices_issued", "issued_on", "id"),
        Index("ix_notices_unit_issued", "unit_id", "issued_on", "id"),
        Index("ix_notices_status_due", "status", "due_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number_year: Mapped[int]
    number: Mapped[int]
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"))
    source_type: Mapped[str] = mapped_column(String(12))
    complaint_id: Mapped[int | None] = mapped_column(ForeignKey("complaints.id", ondelete="RESTRICT"))
    finding_id: Mapped[int | None] = mapped_column(ForeignKey("findings.id", ondelete="RESTRICT"))
    inspection_id: Mapped[int | None] = mapped_column(ForeignKey("inspections.id", ondelete="RESTRICT"))
    problems: Mapped[str] = mapped_column(Text)
    requirements: Mapped[str] = mapped_column(Text)
    issued_on: Mapped[date]
    due_on: Mapped[date]
    status: Mapped[str] = mapped_column(String(12), default="issued")
    issued_at: Mapped[datetime]
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    acknowledged_at: Mapped[datetime | None]
    reported_at: Mapped[datetime | None]
    report_text: Mapped[str | None] = mapped_column(Text)
    verified_at: Mapped[datetime | None]

    unit: Mapped[Unit] = relationship()
    events: Mapped[list[NoticeEvent]] = relationship(back_populates="notice", order_by="NoticeEvent.id")

    @property
    def doc_number(self) -> str:
        return f"〔{self.number_year}〕{self.number}号"


class NoticeEvent(WorkflowEventMixin, Base):
    """One step of a notice (issue, acknowledge, report, verify, return, withdraw): append-only."""

    __tablename__ = "notice_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("notices.id", ondelete="RESTRICT"), index=True)
    notice: Mapped[Notice] = relationship(back_populates="events")


class NoticeFile(StoredFileMixin, Base):
    """Evidence attached to a unit's rectification report."""

    __tablename__ = "notice_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("notices.id", ondelete="RESTRICT"), index=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("notice_events.id", ondelete="RESTRICT"))
