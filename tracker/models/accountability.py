"""Accountability flags 问责标记 and their workflow, fault-tolerance exemptions 容错免责 included."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.models.base import Base
from tracker.models.mixins import WorkflowEventMixin
from tracker.models.organisation import Unit, User, _in

FLAG_RULES = (
    "last_place",  # 末位问责
    "persistently_low",  # 长期靠后
    "strong_dissent",  # 意见较大
    "poor_delivery",  # 落实不力
    "long_overdue",  # 久拖不决
    "low_satisfaction",  # 投诉满意率低
)
FLAG_STATUSES = ("raised", "under_review", "decided", "exempted")
FLAG_ACTIONS = ("interview", "criticism", "admonition", "accountability", "adjustment", "none")


class Flag(Base):
    """Raised at most once per rule, unit and period (the unique key holds it under races)."""

    __tablename__ = "flags"
    __table_args__ = (
        UniqueConstraint("rule", "unit_id", "period"),
        CheckConstraint(_in("rule", FLAG_RULES), name="rule"),
        CheckConstraint(_in("status", FLAG_STATUSES), name="status"),
        CheckConstraint(f"action IS NULL OR {_in('action', FLAG_ACTIONS)}", name="action"),
        # the register: newest first, alone or under one filter
        Index("ix_flags_raised", "raised_at", "id"),
        Index("ix_flags_status_raised", "status", "raised_at", "id"),
        Index("ix_flags_unit_raised", "unit_id", "raised_at", "id"),
        Index("ix_flags_period_raised", "period", "raised_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    rule: Mapped[str] = mapped_column(String(20), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"))
    person_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    period: Mapped[str] = mapped_column(String(20))
    evidence: Mapped[dict] = mapped_column(JSON)
    proposed_action: Mapped[str] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(12), default="raised")
    action: Mapped[str | None] = mapped_column(String(20))
    reasons: Mapped[str | None] = mapped_column(Text)
    raised_at: Mapped[datetime]
    reviewed_at: Mapped[datetime | None]
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    exemption_justification: Mapped[str | None] = mapped_column(Text)
    exemption_proposed_at: Mapped[datetime | None]
    exemption_proposed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    exemption_approved_at: Mapped[datetime | None]
    exemption_approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))

    unit: Mapped[Unit] = relationship()
    person: Mapped[User | None] = relationship(foreign_keys=[person_user_id])
    events: Mapped[list[FlagEvent]] = relationship(back_populates="flag", order_by="FlagEvent.id")


class FlagEvent(WorkflowEventMixin, Base):
    """One step of a flag's workflow: append-only."""

    __tablename__ = "flag_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    flag_id: Mapped[int] = mapped_column(ForeignKey("flags.id", ondelete="RESTRICT"), index=True)
    flag: Mapped[Flag] = relationship(back_populates="events")
