"""Rating rounds 作风评议, special assessments 专项考核, innovations 一招鲜 and frozen rankings."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, Column, ForeignKey, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.models.base import Base
from tracker.models.organisation import Unit, _in

ROUND_STATUSES = ("draft", "open", "closed")
# 满意 100 / 比较满意 80 / 基本满意 60 / 不满意 0
BALLOT_VALUES = {"satisfied": 100, "fairly_satisfied": 80, "basically_satisfied": 60, "dissatisfied": 0}
ASSESSMENT_THEMES = ("poverty_alleviation", "school_layout", "teacher_ethics", "teaching", "party_building")
RANKING_KINDS = ("rating", "assessment", "innovation")
RANKING_STATUSES = ("draft", "published")

rating_round_units = Table(
    "rating_round_units",
    Base.metadata,
    Column("round_id", ForeignKey("rating_rounds.id", ondelete="CASCADE"), primary_key=True),
    Column("unit_id", ForeignKey("units.id", ondelete="RESTRICT"), primary_key=True),
)


class RatingRound(Base):
    """A rating round over a set of units; closing computes and freezes its ranking."""

    __tablename__ = "rating_rounds"
    __table_args__ = (CheckConstraint(_in("status", ROUND_STATUSES), name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    period: Mapped[str] = mapped_column(String(10), index=True)
    status: Mapped[str] = mapped_column(String(10), default="draft")
    results_public: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    opened_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]

    units: Mapped[list[Unit]] = relationship(secondary=rating_round_units, order_by="Unit.id")
    dimensions: Mapped[list[RatingDimension]] = relationship(order_by="RatingDimension.position")
    groups: Mapped[list[RaterGroup]] = relationship(order_by="RaterGroup.position")


class RatingDimension(Base):
    __tablename__ = "rating_dimensions"
    __table_args__ = (UniqueConstraint("round_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rating_rounds.id", ondelete="RESTRICT"))
    key: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(100))
    position: Mapped[int] = mapped_column(default=0)


class RaterGroup(Base):
    __tablename__ = "rater_groups"
    __table_args__ = (UniqueConstraint("round_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rating_rounds.id", ondelete="RESTRICT"))
    key: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(100))
    weight: Mapped[float]
    position: Mapped[int] = mapped_column(default=0)


class Invitation(Base):
    """A single-use invitation code 邀请码 of one rater group."""

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rating_rounds.id", ondelete="RESTRICT"), index=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("rater_groups.id", ondelete="RESTRICT"), index=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    batch: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime]
    used_at: Mapped[datetime | None]

    group: Mapped[RaterGroup] = relationship()


class Ballot(Base):
    """A cast ballot: one per invitation (the unique key stops a racing second vote)."""

    __tablename__ = "ballots"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rating_rounds.id", ondelete="RESTRICT"), index=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("rater_groups.id", ondelete="RESTRICT"))
    invitation_id: Mapped[int] = mapped_column(ForeignKey("invitations.id", ondelete="RESTRICT"), unique=True)
    cast_at: Mapped[datetime]


class BallotAnswer(Base):
    __tablename__ = "ballot_answers"
    __table_args__ = (UniqueConstraint("ballot_id", "unit_id", "dimension_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ballot_id: Mapped[int] = mapped_column(ForeignKey("ballots.id", ondelete="RESTRICT"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"), index=True)
    dimension_id: Mapped[int] = mapped_column(ForeignKey("rating_dimensions.id", ondelete="RESTRICT"))
    value: Mapped[int]  # 100 / 80 / 60 / 0


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


class Innovation(Base):
    """一招鲜: a unit's innovation, scored by the office and shown publicly."""

    __tablename__ = "innovations"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"), index=True)
    year: Mapped[int] = mapped_column(index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    score: Mapped[float | None]
    scored_at: Mapped[datetime | None]
    scored_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    created_at: Mapped[datetime]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))

    unit: Mapped[Unit] = relationship()


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
