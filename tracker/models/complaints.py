"""Public complaints 作风问题投诉: the case, its transitions and files, the office's reply templates."""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.models.base import Base
from tracker.models.choices import Choice
from tracker.models.mixins import DraftMixin, StoredFileMixin, WorkflowEventMixin
from tracker.models.organisation import Unit, _in


class ComplaintCategory(Choice):
    """The kinds of conduct complained of; ``zh`` is how a notice names them."""

    IDLE_AT_WORK = "idle_at_work", _l("Chatting, trading stocks or gaming at work"), "上班聊天炒股打游戏"
    BUSINESS_TUTORING = ("business_tutoring", _l("Running businesses, paid classes or private tutoring"),
                         "参股经商/办班补课/有偿家教")
    BUCK_PASSING = "buck_passing", _l("Passing the buck, inaction"), "推诿扯皮不作为"
    TEACHING_MATERIALS = "teaching_materials", _l("Imposing supplementary teaching materials"), "乱订教辅资料"
    SCHOOL_CHOICE = "school_choice", _l("School choice"), "择校"
    OTHER = "other", _l("Other"), "其他"


class ComplaintChannel(Choice):
    WEB = "web", _l("Website")
    HOTLINE = "hotline", _l("Hotline")
    LETTER = "letter", _l("Letter")
    VISIT = "visit", _l("Visit")
    MAILBOX = "mailbox", _l("Mailbox")


class ComplaintStatus(Choice):
    SUBMITTED = "submitted", _l("Submitted")
    ACCEPTED = "accepted", _l("Accepted")
    REJECTED = "rejected", _l("Rejected")
    DUPLICATE = "duplicate", _l("Duplicate")
    DISPATCHED = "dispatched", _l("Dispatched")
    REPLIED = "replied", _l("Replied")
    CLOSED = "closed", _l("Closed")


class SatisfactionRating(Choice):
    """The complainant's rating of the answer."""

    SATISFIED = "satisfied", _l("Satisfied")
    BASICALLY_SATISFIED = "basically_satisfied", _l("Basically satisfied")
    DISSATISFIED = "dissatisfied", _l("Dissatisfied")


class ComplaintStep(Choice):
    """What a complaint event records: the workflow's steps (services/complaints.py) and the others."""

    SUBMIT = "submit", _l("Submitted")
    ACCEPT = "accept", _l("Accepted")
    REJECT = "reject", _l("Rejected")
    DUPLICATE = "duplicate", _l("Marked as duplicate")
    DISPATCH = "dispatch", _l("Dispatched")
    REPLY = "reply", _l("Replied")
    RETURN = "return", _l("Reply returned")
    CLOSE = "close", _l("Closed")
    RATE = "rate", _l("Rated")
    REOPEN = "reopen", _l("Reopened")
    PUBLISH = "publish", _l("Published")
    UNPUBLISH = "unpublish", _l("Unpublished")


class ComplaintLight(Choice):
    """The reply deadline of a dispatched complaint, computed as of a day."""

    RED = "red", _l("Overdue")
    YELLOW = "yellow", _l("Due soon")
    GREEN = "green", _l("On time")


class ReplyDraftStatus(Choice):
    """Where a unit member's draft of a complaint reply stands (services/complaint_reply_drafts.py)."""

    PENDING = "pending", _l("Awaiting the unit head")
    RETURNED = "returned", _l("Returned to the author")
    SUBMITTED = "submitted", _l("Submitted as the unit's reply")
    DISCARDED = "discarded", _l("Discarded")


COMPLAINT_CATEGORIES = ComplaintCategory.codes()
COMPLAINT_CHANNELS = ComplaintChannel.codes()
COMPLAINT_STATUSES = ComplaintStatus.codes()
SATISFACTION_RATINGS = SatisfactionRating.codes()
REPLY_DRAFT_STATUSES = ReplyDraftStatus.codes()


class Complaint(Base):
    """A complaint and its current state; the transitions are in ``ComplaintEvent``.

    ``name`` and ``contact`` reach only the office and leaders.
    """

    __tablename__ = "complaints"
    __table_args__ = (
        CheckConstraint(_in("status", COMPLAINT_STATUSES), name="status"),
        CheckConstraint(_in("category", COMPLAINT_CATEGORIES), name="category"),
        CheckConstraint(_in("channel", COMPLAINT_CHANNELS), name="channel"),
        CheckConstraint(f"rating IS NULL OR {_in('rating', SATISFACTION_RATINGS)}", name="rating"),
        Index("ix_complaints_dispatched_unit_first", "dispatched_unit_id", "first_dispatched_on"),
        # the queue: newest first, alone or under one filter (keyset pages walk these)
        Index("ix_complaints_submitted", "submitted_at", "id"),
        Index("ix_complaints_status_submitted", "status", "submitted_at", "id"),
        Index("ix_complaints_category_submitted", "category", "submitted_at", "id"),
        Index("ix_complaints_channel_submitted", "channel", "submitted_at", "id"),
        Index("ix_complaints_unit_submitted", "unit_id", "submitted_at", "id"),
        Index("ix_complaints_dispatched_unit_submitted", "dispatched_unit_id", "submitted_at", "id"),
        # the rates of a period over every unit
        Index("ix_complaints_first_dispatched", "first_dispatched_on"),
        # the public list of handled cases
        Index("ix_complaints_published_closed", "is_published", "closed_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tracking_code: Mapped[str] = mapped_column(String(32), unique=True)
    channel: Mapped[str] = mapped_column(String(10), default="web")
    category: Mapped[str] = mapped_column(String(30))
    # the unit the complainant named (None: "not sure")
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"))
    subject: Mapped[str] = mapped_column(String(200), default="")
    description: Mapped[str] = mapped_column(Text)
    happened_on: Mapped[date | None]
    name: Mapped[str | None] = mapped_column(String(100))
    contact: Mapped[str | None] = mapped_column(String(200))
    source_ip: Mapped[str | None] = mapped_column(String(64))
    external_id: Mapped[str | None] = mapped_column(String(100))  # a hotline's own case number
    status: Mapped[str] = mapped_column(String(12), default="submitted")
    submitted_at: Mapped[datetime]
    reject_reason: Mapped[str | None] = mapped_column(Text)
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("complaints.id", ondelete="RESTRICT"))
    # dispatch 下派: the unit answering now, and the first dispatch (the period of the three rates)
    dispatched_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"))
    first_dispatched_at: Mapped[datetime | None]
    first_dispatched_on: Mapped[date | None]
    first_reply_due_on: Mapped[date | None]
    reply_due_on: Mapped[date | None]
    first_replied_on: Mapped[date | None]
    reply_text: Mapped[str | None] = mapped_column(Text)
    replied_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    resolved: Mapped[bool | None]
    rating: Mapped[str | None] = mapped_column(String(20))
    rating_comment: Mapped[str | None] = mapped_column(Text)
    rated_at: Mapped[datetime | None]
    reopened_at: Mapped[datetime | None]
    is_published: Mapped[bool] = mapped_column(default=False)

    unit: Mapped[Unit | None] = relationship(foreign_keys=[unit_id])
    dispatched_unit: Mapped[Unit | None] = relationship(foreign_keys=[dispatched_unit_id])
    duplicate_of: Mapped[Complaint | None] = relationship(remote_side=[id])
    events: Mapped[list[ComplaintEvent]] = relationship(
        back_populates="complaint", order_by="ComplaintEvent.id")


class ComplaintEvent(WorkflowEventMixin, Base):
    """One transition of a complaint, timestamped and attributed: append-only."""

    __tablename__ = "complaint_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id", ondelete="RESTRICT"), index=True)
    recorded_at: Mapped[datetime]
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"))
    due_on: Mapped[date | None]

    complaint: Mapped[Complaint] = relationship(back_populates="events")
    unit: Mapped[Unit | None] = relationship()


class ComplaintFile(StoredFileMixin, Base):
    """An attachment of a complaint (the complainant's) or of a unit's reply."""

    __tablename__ = "complaint_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id", ondelete="RESTRICT"), index=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("complaint_events.id", ondelete="RESTRICT"))


class ComplaintReplyDraft(DraftMixin, Base):
    """A unit member's reply to a complaint, awaiting the unit head: not the reply until submitted.

    It changes nothing of the complaint (status, deadlines, events). The head
    submits it — the complaint's reply is then the member's, ``submitted_by`` the
    head, and ``event_id`` the reply event it became — or returns it with a
    comment; the member edits and sends it again, or discards it.
    """

    __tablename__ = "complaint_reply_drafts"
    __table_args__ = (
        CheckConstraint(_in("status", REPLY_DRAFT_STATUSES), name="status"),
        UniqueConstraint("complaint_id", "author_id", "is_open"),  # one open draft per complaint and author
        Index("ix_complaint_reply_drafts_status_complaint", "status", "complaint_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id", ondelete="RESTRICT"))
    text: Mapped[str] = mapped_column(Text)
    event_id: Mapped[int | None] = mapped_column(
        ForeignKey("complaint_events.id", ondelete="RESTRICT"), index=True)

    complaint: Mapped[Complaint] = relationship()
    files: Mapped[list[ComplaintReplyDraftFile]] = relationship(order_by="ComplaintReplyDraftFile.id")


class ComplaintReplyDraftFile(StoredFileMixin, Base):
    """A file of a reply draft; submitting the draft gives the reply the same stored file."""

    __tablename__ = "complaint_reply_draft_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    draft_id: Mapped[int] = mapped_column(
        ForeignKey("complaint_reply_drafts.id", ondelete="RESTRICT"), index=True)


class ReplyTemplate(Base):
    """A reply template the office keeps for common answers."""

    __tablename__ = "reply_templates"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(100), unique=True)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
