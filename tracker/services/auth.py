"""Passwords, log-in with lockout, signed-in sessions and API tokens.

A browser's session is a ``user_sessions`` row: its random key lives in the
signed cookie, its digest on the server. Logging out ends that row; a password
change or reset, a change of role or unit and deactivation end every session
and API token of the user at once (``end_everything``).
"""

from __future__ import annotations

import hashlib
import math
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from flask_babel import gettext as _
from sqlalchemy import case, delete, func, literal, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from werkzeug.security import check_password_hash, generate_password_hash

from tracker.extensions import db
from tracker.models import ApiToken, LoginThrottle, User, UserSession
from tracker.models.base import UTCDateTime
from tracker.services import audit, settings, validation
from tracker.services.errors import InvalidInput

MIN_PASSWORD_LENGTH = 8
# a session's last_seen_at is written when it is older than this (not on every request)
SEEN_PRECISION = timedelta(minutes=5)

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


# The row of login_throttles that counts an account name's failures from every address.
EVERYWHERE = "*"
# Failures from one address further apart than this are not added up.
ADDRESS_WINDOW = timedelta(days=1)
# The ceiling over all addresses counts the failures of this long.
ACCOUNT_WINDOW = timedelta(hours=1)


@dataclass(frozen=True)
class LogIn:
    """What a log-in attempt came to: the user, or a refusal (until when, if it is locked)."""

    user: User | None
    locked_until: datetime | None = None

    def seconds_left(self, now: datetime) -> int:
        """Seconds until the lock lifts (at least 1), for Retry-After and the message."""
        return max(1, math.ceil((self.locked_until - now).total_seconds())) if self.locked_until else 0


def _account_key(name: str) -> str:
    return hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()


def _upsert(table):
    """The dialect's INSERT with ON CONFLICT (SQLite and PostgreSQL write it alike)."""
    if db.session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


def _lock_in_force(key: str, address: str, now: datetime) -> datetime | None:
    """Return until when the name is locked for this address (or everywhere), else None."""
    return db.session.scalar(
        select(func.max(LoginThrottle.locked_until)).where(
            LoginThrottle.account_key == key, LoginThrottle.address.in_((address, EVERYWHERE)),
            LoginThrottle.locked_until > now))


def _add_failure(key: str, address: str, now: datetime, window: timedelta) -> int:
    """Count one failure in the row, atomically; return the failures in its window."""
    table = LoginThrottle.__table__
    moment = literal(now, UTCDateTime())
    stale = table.c.window_started_at <= now - window
    stmt = _upsert(table).values(account_key=key, address=address, failures=1, window_started_at=now)
    stmt = stmt.on_conflict_do_update(
        index_elements=[table.c.account_key, table.c.address],
        set_={"failures": case((stale, 1), else_=table.c.failures + 1),
              "window_started_at": case((stale, moment), else_=table.c.window_started_at)},
    ).returning(table.c.failures)
    return db.session.execute(stmt).scalar_one()


def _lock(key: str, address: str, now: datetime, until: datetime) -> None:
    db.session.execute(
        update(LoginThrottle).where(LoginThrottle.account_key == key, LoginThrottle.address == address)
        .values(failures=0, window_started_at=now, locked_until=until))


def _record_failure(actor: audit.Actor, key: str, address: str, user: User | None) -> datetime | None:
    """Count a failure from ``address`` and from everywhere; return the lock it brought, if any."""
    lockout = timedelta(minutes=settings.get("auth.lockout_minutes"))
    locked = None
    for where, most, window in (
        (address, settings.get("auth.max_failed_logins"), ADDRESS_WINDOW),
        (EVERYWHERE, settings.get("auth.account_max_failed_logins"), ACCOUNT_WINDOW),
    ):
        if _add_failure(key, where, actor.now, window) >= most:
            locked = actor.now + lockout
            _lock(key, where, actor.now, locked)
            if user is not None:
                if where == EVERYWHERE:
                    user.locked_until = locked
                audit.record(actor, "user.locked" if where == EVERYWHERE else "user.locked_for_address",
                             user, {"locked_until": [None, locked.isoformat()]})
    # rows nobody has failed under for a while, and whose lock is over, are forgotten
    db.session.execute(delete(LoginThrottle).where(
        LoginThrottle.window_started_at < actor.now - ADDRESS_WINDOW,
        or_(LoginThrottle.locked_until.is_(None), LoginThrottle.locked_until < actor.now)))
    if user is not None:
        user.failed_logins += 1
    return locked


def authenticate(actor: audit.Actor, username: str, password: str) -> LogIn:
    """Check a name and password; the user if they are right and the account usable.

    Failures are counted per account name and address (``actor.ip``): after
    ``auth.max_failed_logins`` from one address the name is locked *for that
    address* for ``auth.lockout_minutes`` — even the right password is refused
    there, while the person logs in from anywhere else. A much higher ceiling,
    ``auth.account_max_failed_logins`` failures within an hour from all
    addresses together, locks the name everywhere, so that guessing from many
    addresses stays slow. A name no account bears is counted alike, and the
    caller tells the person the same thing whether the account exists, is
    inactive, or the password was wrong; a lock is told with its end.
    """
    name = (username or "").strip()
    key = _account_key(name)
    address = (actor.ip or "")[:64]
    locked = _lock_in_force(key, address, actor.now)
    if locked is not None:
        return LogIn(None, locked)
    user = None
    if name and not validation.holds_nul(name):
        user = db.session.scalar(select(User).where(User.username == name))
    if user is None:
        check_password_hash(_dummy_hash(), password or "")
    elif check_password_hash(user.password_hash, password or "") and user.is_active:
        db.session.execute(delete(LoginThrottle).where(LoginThrottle.account_key == key,
                                                       LoginThrottle.address == address))
        user.failed_logins = 0
        user.last_login_at = actor.now
        audit.record(audit.Actor(user, actor.ip, actor.now), "user.login", user)
        return LogIn(user)
    return LogIn(None, _record_failure(actor, key, address, user))


def lift_locks(user: User) -> None:
    """Lift every lock and forget the failures under ``user``'s name (a new password)."""
    db.session.execute(delete(LoginThrottle).where(LoginThrottle.account_key == _account_key(user.username)))
    user.failed_logins = 0
    user.locked_until = None


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


def start_session(actor: audit.Actor, user: User) -> str:
    """Open a signed-in session for ``user``; return its key (only its digest is kept)."""
    key = secrets.token_urlsafe(32)
    db.session.add(UserSession(user_id=user.id, key_hash=_digest(key), created_at=actor.now,
                               last_seen_at=actor.now, ip=actor.ip))
    return key


def resolve_session(key: str | None, now: datetime) -> User | None:
    """Return the active user of the live session ``key``, else None."""
    if not key or validation.holds_nul(key):
        return None
    row = db.session.scalar(select(UserSession).where(UserSession.key_hash == _digest(key)))
    if row is None or row.ended_at is not None or not row.user.is_active:
        return None
    if now - row.last_seen_at >= SEEN_PRECISION:
        row.last_seen_at = now
    return row.user


def end_session(actor: audit.Actor, key: str | None) -> bool:
    """End the session ``key`` (logging out); return whether it was live."""
    if not key or validation.holds_nul(key):
        return False
    row = db.session.scalar(select(UserSession).where(UserSession.key_hash == _digest(key)))
    if row is None or row.ended_at is not None:
        return False
    row.ended_at = actor.now
    return True


def end_everything(actor: audit.Actor, user: User) -> None:
    """End every live session and revoke every live API token of ``user``.

    Called when the password, the role or the unit changes and on deactivation:
    whoever held a session or token from before must sign in again.
    """
    sessions = db.session.execute(
        update(UserSession).where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
        .values(ended_at=actor.now)).rowcount
    tokens = db.session.execute(
        update(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None),
                               ApiToken.expires_at > actor.now)
        .values(revoked_at=actor.now)).rowcount
    if sessions or tokens:
        audit.record(actor, "user.sign_out_everywhere", user,
                     {"sessions": [sessions, 0], "api_tokens": [tokens, 0]})
