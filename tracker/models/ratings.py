"""Rating rounds 作风评议: the units rated, dimensions, rater groups, invitation codes and ballots."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, Column, ForeignKey, String, Table, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.models.base import Base
from tracker.models.choices import Choice
from tracker.models.organisation import Unit, _in


class RatingRoundStatus(Choice):
    DRAFT = "draft", _l("Draft")
    OPEN = "open", _l("Open")
    CLOSED = "closed", _l("Closed")


class BallotValue(Choice):
    """A rater's answer for one unit and dimension; ``BALLOT_VALUES`` gives its score."""

    SATISFIED = "satisfied", _l("Satisfied")
    FAIRLY_SATISFIED = "fairly_satisfied", _l("Fairly satisfied")
    BASICALLY_SATISFIED = "basically_satisfied", _l("Basically satisfied")
    DISSATISFIED = "dissatisfied", _l("Dissatisfied")


ROUND_STATUSES = RatingRoundStatus.codes()
# 满意 100 / 比较满意 80 / 基本满意 60 / 不满意 0
BALLOT_VALUES = dict(zip(BallotValue.codes(), (100, 80, 60, 0), strict=True))


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
