"""Frozen rankings: of a closed rating round, a published assessment or a year's innovations."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.models.base import Base
from tracker.models.choices import Choice
from tracker.models.organisation import Unit, _in


class RankingKind(Choice):
    RATING = "rating", _l("Rating 作风评议")
    ASSESSMENT = "assessment", _l("Special assessment 专项考核")
    INNOVATION = "innovation", _l("Innovation 一招鲜")


class RankingStatus(Choice):
    DRAFT = "draft", _l("Draft")
    PUBLISHED = "published", _l("Published")


RANKING_KINDS = RankingKind.codes()
RANKING_STATUSES = RankingStatus.codes()


class Ranking(Base):
    """A frozen ranking: of a rating round, an assessment, or a year's innovations."""

    __tablename__ = "rankings"
    __table_args__ = (
        CheckConstraint(_in("kind", RANKING_KINDS), name="kind"),
        CheckConstraint(_in("status", RANKING_STATUSES), name="status"),
        UniqueConstraint("kind", "subject_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(12))
    # "round:7", "assessment:3", "innovation:2026": one ranking per subject
    subject_key: Mapped[str] = mapped_column(String(40))
    rating_round_id: Mapped[int | None] = mapped_column(ForeignKey("rating_rounds.id", ondelete="RESTRICT"))
    assessment_id: Mapped[int | None] = mapped_column(ForeignKey("assessments.id", ondelete="RESTRICT"))
    year: Mapped[int | None]
    period: Mapped[str] = mapped_column(String(10), index=True)
    title: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(10), default="published")
    published_at: Mapped[datetime | None]
    created_at: Mapped[datetime]

    rows: Mapped[list[RankingRow]] = relationship(order_by="RankingRow.position")


class RankingRow(Base):
    """One unit's frozen line in a ranking; ``rank`` is None when listed but not ranked."""

    __tablename__ = "ranking_rows"
    __table_args__ = (UniqueConstraint("ranking_id", "unit_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ranking_id: Mapped[int] = mapped_column(ForeignKey("rankings.id", ondelete="RESTRICT"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"), index=True)
    unit_name: Mapped[str] = mapped_column(String(100))
    peer_group: Mapped[str | None] = mapped_column(String(50))
    position: Mapped[int] = mapped_column(default=0)
    score: Mapped[float | None]
    rank: Mapped[int | None]
    ranked_count: Mapped[int | None]  # ranked units in the peer group
    ballots: Mapped[int | None]
    dissatisfaction_rate: Mapped[float | None]
    veto: Mapped[bool] = mapped_column(default=False)
    detail: Mapped[dict] = mapped_column(JSON, default=dict)

    unit: Mapped[Unit] = relationship()
