"""Passwords, log-in with lockout, and API tokens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from functools import cache

from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from tracker.extensions import db
from tracker.models import ApiToken, User
from tracker.services import audit, settings, validation
from tracker.services.errors import InvalidInput

MIN_PASSWORD_LENGTH = 8

@cache
def _dummy_hash() -> str:
    """Return a hash to check against when the user does not exist (equal timing)."""
    return generate_password_hash("not a password")


def hash_password(password: str) -> str:
    """Hash a password with scrypt (werkzeug's default)."""
    return generate_password_hash(password)


def check_new_password(password: str | None, field: str = "password") -> str:
    """Return the password if it is acceptable, else raise InvalidInput."""
    if not password or len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(
            _("The password is too short."),
            {field: _("At least %(n)d characters.", n=MIN_PASSWORD_LENGTH)},
        )
    if len(password) > 128:
        raise InvalidInput(_("The password is too long."), {field: _("At most 128 characters.")})
    if validation.has_control_characters(password):
        # they cannot be typed at the log-in form, and some systems cut text at a NUL
        raise InvalidInput(_("Contains characters that are not allowed."),
                           {field: _("Contains characters that are not allowed.")})
    return password


def is_locked(user: User, now: datetime) -> bool:
    return user.locked_until is not None and user.locked_until > now


def authenticate(actor: audit.Actor, username: str, password: str) -> User | None:
    """Return the user if the credentials are right and the account usable.

    Failures are counted; after ``auth.max_failed_logins`` in a row the account
    is locked for ``auth.lockout_minutes``, and even the right password is
    refused until then. The caller tells the person the same thing whether the
    account exists, is locked, inactive, or the password was wrong.
    """
    user = None
    if not validation.holds_nul(username):
        user = db.session.scalar(select(User).where(User.username == (username or "").strip()))
    if user is None:
        check_password_hash(_dummy_hash(), password or "")
        return None
    if is_locked(user, actor.now):
        return None
    if not check_password_hash(user.password_hash, password or "") or not user.is_active:
        user.failed_logins += 1
        if user.failed_logins >= settings.get("auth.max_failed_logins"):
            user.locked_until = actor.now + timedelta(minutes=settings.get("auth.lockout_minutes"))
            user.failed_logins = 0
            audit.record(
                actor, "user.locked", user, {"locked_until": [None, user.locked_until.isoformat()]}
            )
        return None
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = actor.now
    audit.record(audit.Actor(user, actor.ip, actor.now), "user.login", user)
    return user


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(actor: audit.Actor, user: User, hours: int) -> tuple[str, ApiToken]:
    """Create a bearer token for ``user``; only its digest is kept."""
    token = secrets.token_urlsafe(32)
    row = ApiToken(
        user_id=user.id,
        token_hash=_digest(token),
        created_at=actor.now,
        expires_at=actor.now + timedelta(hours=hours),
    )
    db.session.add(row)
    audit.record(actor, "token.issue", row)
    return token, row


def resolve_token(token: str, now: datetime) -> User | None:
    """Return the active user a live token belongs to."""
    row = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == _digest(token)))
    if row is None or row.revoked_at is not None or row.expires_at <= now:
        return None
    return row.user if row.user.is_active else None


def revoke_token(actor: audit.Actor, token: str) -> bool:
    """Revoke a token; return whether there was a live one."""
    row = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == _digest(token)))
    if row is None or row.revoked_at is not None:
        return False
    row.revoked_at = actor.now
    audit.record(actor, "token.revoke", row)
    return True
