"""Accountability flags 问责标记 and their workflow, fault-tolerance exemptions 容错免责 included."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.models.base import Base
from tracker.models.choices import Choice
from tracker.models.mixins import WorkflowEventMixin
from tracker.models.organisation import Unit, User, _in


class FlagRule(Choice):
    """The six rules that raise a flag (services/accountability.py), in the order they are evaluated."""

    LAST_PLACE = "last_place", _l("Last place 末位问责"), "末位问责"
    PERSISTENTLY_LOW = "persistently_low", _l("Persistently low 长期靠后"), "长期靠后"
    STRONG_DISSENT = "strong_dissent", _l("Strong dissent 意见较大"), "意见较大"
    POOR_DELIVERY = "poor_delivery", _l("Poor delivery 落实不力"), "落实不力"
    LONG_OVERDUE = "long_overdue", _l("Long overdue 久拖不决"), "久拖不决"
    LOW_SATISFACTION = "low_satisfaction", _l("Low complaint satisfaction 投诉满意率低"), "投诉满意率低"


class FlagStatus(Choice):
    RAISED = "raised", _l("Raised"), "已标记"
    UNDER_REVIEW = "under_review", _l("Under review"), "审核中"
    DECIDED = "decided", _l("Decided"), "已决定"
    EXEMPTED = "exempted", _l("Exempted 容错免责"), "容错免责"


class FlagAction(Choice):
    """What the leaders decide on a flag."""

    INTERVIEW = "interview", _l("Interview 约谈"), "约谈"
    CRITICISM = "criticism", _l("Public criticism 通报批评"), "通报批评"
    ADMONITION = "admonition", _l("Admonition 诫勉"), "诫勉"
    ACCOUNTABILITY = "accountability", _l("Accountability 问责"), "问责"
    ADJUSTMENT = "adjustment", _l("Organisational adjustment 组织调整"), "组织调整"
    NONE = "none", _l("No action 不予处理"), "不予处理"


class FlagStep(Choice):
    """What a flag event records (the workflow is in services/accountability.py)."""

    RAISE = "raise", _l("Raised")
    REVIEW = "review", _l("Review started")
    DECIDE = "decide", _l("Decided")
    PROPOSE_EXEMPTION = "propose_exemption", _l("Exemption proposed")
    APPROVE_EXEMPTION = "approve_exemption", _l("Exemption approved")
    REJECT_EXEMPTION = "reject_exemption", _l("Exemption rejected")


FLAG_RULES = FlagRule.codes()
FLAG_STATUSES = FlagStatus.codes()
FLAG_ACTIONS = FlagAction.codes()


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
    review_opinion: Mapped[str | None] = mapped_column(Text)  # the office's opinion on taking it up
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    exemption_justification: Mapped[str | None] = mapped_column(Text)
    exemption_proposed_at: Mapped[datetime | None]
    exemption_proposed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    exemption_approved_at: Mapped[datetime | None]
    exemption_approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    exemption_rejection_reason: Mapped[str | None] = mapped_column(Text)
    exemption_rejected_at: Mapped[datetime | None]
    exemption_rejected_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))

    unit: Mapped[Unit] = relationship()
    person: Mapped[User | None] = relationship(foreign_keys=[person_user_id])
    events: Mapped[list[FlagEvent]] = relationship(back_populates="flag", order_by="FlagEvent.id")


class FlagEvent(WorkflowEventMixin, Base):
    """One step of a flag's workflow: append-only."""

    __tablename__ = "flag_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    flag_id: Mapped[int] = mapped_column(ForeignKey("flags.id", ondelete="RESTRICT"), index=True)
    flag: Mapped[Flag] = relationship(back_populates="events")
