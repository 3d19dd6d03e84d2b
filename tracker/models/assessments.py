"""Special assessments 专项考核: one theme and half-year, and each unit's score."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.models.base import Base
from tracker.models.organisation import _in

ASSESSMENT_THEMES = ("poverty_alleviation", "school_layout", "teacher_ethics", "teaching", "party_building")


class Assessment(Base):
    """专项考核 of one theme and half-year; its ranking is published when the scores are entered."""

    __tablename__ = "assessments"
    __table_args__ = (
        UniqueConstraint("theme", "period"),
        CheckConstraint(_in("theme", ASSESSMENT_THEMES), name="theme"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    theme: Mapped[str] = mapped_column(String(30))
    period: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[datetime]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))

    scores: Mapped[list[AssessmentScore]] = relationship(order_by="AssessmentScore.unit_id")


class AssessmentScore(Base):
    __tablename__ = "assessment_scores"
    __table_args__ = (UniqueConstraint("assessment_id", "unit_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id", ondelete="RESTRICT"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"), index=True)
    score: Mapped[float]
    veto: Mapped[bool] = mapped_column(default=False)  # 一票否决
    note: Mapped[str | None] = mapped_column(Text)
