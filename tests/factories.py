"""Factories that build records through the real services."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

from werkzeug.security import generate_password_hash

from tracker.extensions import db
from tracker.models import Unit, User
from tracker.services import organisation
from tracker.services.audit import Actor

PASSWORD = "Secret-pass-1"
_sequence = itertools.count(1)
_hash = None


def _password_hash() -> str:
    global _hash
    if _hash is None:  # scrypt is slow on purpose: hash the shared test password once
        _hash = generate_password_hash(PASSWORD)
    return _hash


class Factories:
    """Make units and users; every call commits so the HTTP client sees them."""

    def actor(self, user: User | None = None) -> Actor:
        return Actor(user, "127.0.0.1", datetime.now(UTC))

    def unit(self, **values) -> Unit:
        number = next(_sequence)
        values.setdefault("name", f"测试单位{number}")
        values.setdefault("kind", "school")
        values.setdefault("peer_group", "primary_schools")
        unit = organisation.create_unit(self.actor(), **values)
        db.session.commit()
        return unit

    def user(self, role: str = "unit_head", unit: Unit | None = None, **values) -> User:
        number = next(_sequence)
        if role in ("unit_head", "unit_member") and unit is None:
            unit = self.unit()
        values.setdefault("username", f"user{number}")
        values.setdefault("display_name", f"测试用户{number}")
        user = organisation.create_user(
            self.actor(), role=role, unit_id=unit.id if unit else None,
            password_hash=_password_hash(), **values)
        db.session.commit()
        return user
