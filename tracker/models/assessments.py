"""Special assessments 专项考核: one theme and half-year, and each unit's score."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.models.base import Base
from tracker.models.choices import Choice
from tracker.models.organisation import _in


class AssessmentTheme(Choice):
    POVERTY_ALLEVIATION = ("poverty_alleviation", _l("Poverty alleviation through education 教育扶贫"),
                           "教育扶贫")
    SCHOOL_LAYOUT = "school_layout", _l("School layout adjustment 布局调整"), "布局调整"
    TEACHER_ETHICS = "teacher_ethics", _l("Teacher ethics 师德师风"), "师德师风"
    TEACHING = "teaching", _l("Education and teaching 教育教学"), "教育教学"
    PARTY_BUILDING = "party_building", _l("Grassroots Party building 基层党建"), "基层党建"


class AssessmentResult(Choice):
    """A unit's result in an assessment's ranking: a veto 一票否决 fails it whatever its score."""

    PASS = "pass", _l("Pass")
    FAIL = "fail", _l("Fail (veto)")


ASSESSMENT_THEMES = AssessmentTheme.codes()


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
