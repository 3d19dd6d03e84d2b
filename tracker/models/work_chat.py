"""Work chat: the group robots of WeCom and DingTalk, and the outbox of messages to them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.models.base import Base
from tracker.models.choices import Choice
from tracker.models.organisation import Unit, _in


class ChatKind(Choice):
    WECOM = "wecom", _l("WeCom group robot"), "企业微信群机器人"
    DINGTALK = "dingtalk", _l("DingTalk group robot"), "钉钉群机器人"


class ChatDeliveryStatus(Choice):
    PENDING = "pending", _l("Pending")
    SENT = "sent", _l("Sent")
    FAILED = "failed", _l("Failed")


CHAT_KINDS = ChatKind.codes()
CHAT_DELIVERY_STATUSES = ChatDeliveryStatus.codes()


class ChatRobot(Base):
    """A unit's group robot (the office's group is the robot of the office unit).

    The webhook URL holds the robot's key or access token and ``secret`` signs
    DingTalk's messages: both stay on the server and are shown masked.
    """

    __tablename__ = "chat_robots"
    __table_args__ = (CheckConstraint(_in("kind", CHAT_KINDS), name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"), unique=True)
    kind: Mapped[str] = mapped_column(String(10))
    url: Mapped[str] = mapped_column(String(500))
    secret: Mapped[str | None] = mapped_column(String(200))
    updated_at: Mapped[datetime]

    unit: Mapped[Unit] = relationship(lazy="joined")


class ChatDelivery(Base):
    """One message to one unit's group: the outbox, filled in the notification's transaction."""

    __tablename__ = "chat_deliveries"
    __table_args__ = (
        CheckConstraint(_in("kind", CHAT_KINDS), name="kind"),
        CheckConstraint(_in("status", CHAT_DELIVERY_STATUSES), name="status"),
        UniqueConstraint("unit_id", "event_key"),  # one message per group and event
        Index("ix_chat_deliveries_status_next", "status", "next_attempt_at"),  # the sender
        Index("ix_chat_deliveries_created", "created_at", "id"),  # the list, newest first
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"))
    event_key: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(10))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)  # the body posted, as built
    status: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    next_attempt_at: Mapped[datetime]
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]

    unit: Mapped[Unit] = relationship(lazy="joined")
