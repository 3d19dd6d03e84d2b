"""The organisation at a glance: counts computed in SQL."""

from __future__ import annotations

from sqlalchemy import func, select

from tracker.extensions import db
from tracker.models import Unit, User


def organisation_overview() -> dict:
    """Count active units by kind and peer group, and active users by role."""
    by_kind_group = db.session.execute(
        select(Unit.kind, Unit.peer_group, func.count(Unit.id))
        .where(Unit.is_archived.is_(False))
        .group_by(Unit.kind, Unit.peer_group)
        .order_by(Unit.kind, Unit.peer_group)
    ).all()
    by_role = dict(
        db.session.execute(
            select(User.role, func.count(User.id))
            .where(User.is_active.is_(True))
            .group_by(User.role)
        ).all()
    )
    by_kind: dict[str, int] = {}
    by_group: dict[str | None, int] = {}
    for kind, group, count in by_kind_group:
        by_kind[kind] = by_kind.get(kind, 0) + count
        by_group[group] = by_group.get(group, 0) + count
    return {
        "units_total": sum(by_kind.values()),
        "users_total": sum(by_role.values()),
        "by_kind": by_kind,
        "by_group": by_group,
        "by_kind_group": [tuple(row) for row in by_kind_group],
        "by_role": by_role,
    }
