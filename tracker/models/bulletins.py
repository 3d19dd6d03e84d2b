"""Bulletins: the monthly bulletin 月通报, quarterly summary 季度小结 and half-year assessment 半年考核."""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tracker.models.base import Base
from tracker.models.choices import Choice
from tracker.models.organisation import _in


class BulletinKind(Choice):
    MONTHLY = "monthly", _l("Monthly bulletin")
    QUARTERLY = "quarterly", _l("Quarterly summary")
    HALF_YEAR = "half_year", _l("Half-year assessment")


class BulletinStatus(Choice):
    DRAFT = "draft", _l("Draft")
    RETURNED = "returned", _l("Returned to the office")
    APPROVED = "approved", _l("Approved")
    PUBLISHED = "published", _l("Published")


class CriticismReason(Choice):
    """Why a bulletin criticises a unit's task 通报批评 (its content keeps the code)."""

    LAGGING_REPEATEDLY = "lagging_repeatedly", _l("Repeatedly lagging 多次进展缓慢"), "多次进展缓慢"
    OVERDUE = "overdue", _l("Overdue, not done 逾期未完成"), "逾期未完成"


BULLETIN_KINDS = BulletinKind.codes()
BULLETIN_STATUSES = BulletinStatus.codes()


class Bulletin(Base):
    """A monthly bulletin 月通报, quarterly summary 季度小结 or half-year assessment 半年考核."""

    __tablename__ = "bulletins"
    __table_args__ = (
        UniqueConstraint("kind", "period"),
        UniqueConstraint("number_year", "number"),
        CheckConstraint(_in("kind", BULLETIN_KINDS), name="kind"),
        CheckConstraint(_in("status", BULLETIN_STATUSES), name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
    period: Mapped[str] = mapped_column(String(10))
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    status: Mapped[str] = mapped_column(String(10), default="draft", index=True)
    title: Mapped[str] = mapped_column(String(200))
    narrative: Mapped[str] = mapped_column(Text, default="")
    content: Mapped[dict] = mapped_column(JSON)
    number_year: Mapped[int | None]
    number: Mapped[int | None]
    created_at: Mapped[datetime]
    approved_at: Mapped[datetime | None]
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    published_at: Mapped[datetime | None]
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    # a leader's latest return to the office, with its comment (kept after the office submits again)
    return_comment: Mapped[str | None] = mapped_column(Text)
    returned_at: Mapped[datetime | None]
    returned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))

    @property
    def doc_number(self) -> str | None:
        return f"〔{self.number_year}〕{self.number}号" if self.number else None
