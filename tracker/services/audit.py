"""The audit trail: every change, who, when, from where (docs/domain.md last section)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, false, select

from tracker.extensions import db
from tracker.models import AuditEvent, User
from tracker.services import chain, validation  # noqa: F401  (chain: the hash chain's ORM events)


@dataclass(frozen=True)
class Actor:
    """Who is acting, from where, and when: passed to every changing service."""

    user: User | None
    ip: str | None
    now: datetime

    @property
    def today(self) -> date:
        """The actor's day in the configured time zone."""
        from tracker import clock

        return clock.local(self.now).date()


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def diff(obj: Any, new_values: dict[str, Any]) -> dict[str, list[Any]]:
    """Return ``{field: [old, new]}`` for the fields whose value would change."""
    changes = {}
    for field, new in new_values.items():
        old = getattr(obj, field)
        if old != new:
            changes[field] = [_plain(old), _plain(new)]
    return changes


def record(
    actor: Actor, action: str, obj: Any, changes: dict[str, Any] | None = None
) -> AuditEvent:
    """Add an audit event in the caller's transaction."""
    db.session.flush()  # the object needs its id
    event = AuditEvent(
        at=actor.now,
        user_id=actor.user.id if actor.user is not None else None,
        action=action,
        object_type=type(obj).__tablename__,
        object_id=getattr(obj, "id", None),
        changes={k: v for k, v in (changes or {}).items()},
        ip=actor.ip,
    )
    db.session.add(event)
    return event


def query_events(
    *,
    user_id: int | None = None,
    object_type: str | None = None,
    object_id: int | None = None,
    action: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> Select:
    """Build the filtered, newest-first query of audit events."""
    stmt = select(AuditEvent).order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    if validation.holds_nul(object_type, action):
        return stmt.where(false())
    if user_id is not None:
        stmt = stmt.where(AuditEvent.user_id == user_id)
    if object_type:
        stmt = stmt.where(AuditEvent.object_type == object_type)
    if object_id is not None:
        stmt = stmt.where(AuditEvent.object_id == object_id)
    if action:
        stmt = stmt.where(AuditEvent.action == action)
    if since is not None:
        stmt = stmt.where(AuditEvent.at >= since)
    if until is not None:
        stmt = stmt.where(AuditEvent.at < until)
    return stmt
