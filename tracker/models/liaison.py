"""Liaison departments' monthly checks of their schools 一月一查一反馈."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.models.base import Base
from tracker.models.organisation import Unit


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
