"""Liaison departments' monthly checks of their schools 一月一查一反馈."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.models.base import Base
from tracker.models.choices import Choice
from tracker.models.organisation import Unit


class LiaisonDimension(Choice):
    """What a monthly check rates (the keys of ``LiaisonCheck.ratings``)."""

    LAW_ADMINISTRATION = "law_administration", _l("Lawful administration 依法行政")
    LAW_SCHOOLING = "law_schooling", _l("Lawful schooling 依法办学")
    SPIRIT = "spirit", _l("State of mind 精神状态")
    DELIVERY = "delivery", _l("Delivery 落实效果")
    SOCIAL = "social", _l("Public response 社会反映")


class LiaisonRating(Choice):
    GOOD = "good", _l("Good")
    FAIR = "fair", _l("Fair")
    AVERAGE = "average", _l("Average")
    POOR = "poor", _l("Poor")


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
