"""Log-in with lockout and API tokens (services, no HTTP)."""

from datetime import UTC, datetime, timedelta

import pytest

from tests.factories import PASSWORD
from tracker.extensions import db
from tracker.models import AuditEvent
from tracker.services import auth, settings
from tracker.services.audit import Actor

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def at(moment: datetime) -> Actor:
    return Actor(None, "10.0.0.1", moment)


def test_right_password_logs_in_and_records_it(make):
    user = make.user("office")
    assert auth.authenticate(at(T0), user.username, PASSWORD) is user
    assert user.last_login_at == T0
    assert db.session.query(AuditEvent).filter_by(action="user.login", user_id=user.id).count() == 1


@pytest.mark.parametrize("password", ["wrong", "", None])
def test_wrong_password_is_counted(make, password):
    user = make.user("office")
    assert auth.authenticate(at(T0), user.username, password) is None
    assert user.failed_logins == 1


def test_unknown_user_gets_the_same_answer(make):
    assert auth.authenticate(at(T0), "nobody", "whatever") is None


def test_lockout_after_five_failures_refuses_even_the_right_password(make):
    user = make.user("office")
    for attempt in range(4):
        assert auth.authenticate(at(T0 + timedelta(seconds=attempt)), user.username, "x") is None
        assert user.locked_until is None
    assert auth.authenticate(at(T0 + timedelta(seconds=5)), user.username, "x") is None
    assert user.locked_until == T0 + timedelta(seconds=5, minutes=15)
    assert auth.authenticate(at(T0 + timedelta(minutes=10)), user.username, PASSWORD) is None
    # after 15 minutes the right password works again
    assert auth.authenticate(at(T0 + timedelta(minutes=15, seconds=6)), user.username, PASSWORD) is user
    assert user.failed_logins == 0 and user.locked_until is None


def test_a_success_resets_the_count(make):
    user = make.user("office")
    for _ in range(4):
        auth.authenticate(at(T0), user.username, "x")
    assert auth.authenticate(at(T0), user.username, PASSWORD) is user
    assert auth.authenticate(at(T0), user.username, "x") is None
    assert user.failed_logins == 1 and user.locked_until is None


def test_lockout_threshold_comes_from_the_settings(make):
    settings.update(Actor(None, None, T0), {"auth.max_failed_logins": "2"})
    user = make.user("office")
    auth.authenticate(at(T0), user.username, "x")
    assert user.locked_until is None
    auth.authenticate(at(T0), user.username, "x")
    assert user.locked_until is not None


def test_inactive_user_cannot_log_in(make):
    user = make.user("office")
    user.is_active = False
    assert auth.authenticate(at(T0), user.username, PASSWORD) is None


def test_tokens_are_stored_hashed_expire_and_revoke(make):
    user = make.user("office")
    token, row = auth.issue_token(at(T0), user, hours=12)
    assert token not in row.token_hash and len(row.token_hash) == 64
    assert auth.resolve_token(token, T0 + timedelta(hours=11)) is user
    assert auth.resolve_token(token, T0 + timedelta(hours=12)) is None
    assert auth.resolve_token("not-a-token", T0) is None
    assert auth.revoke_token(at(T0), token) is True
    assert auth.resolve_token(token, T0) is None
    assert auth.revoke_token(at(T0), token) is False


def test_token_of_deactivated_user_stops_working(make):
    user = make.user("office")
    token, _row = auth.issue_token(at(T0), user, hours=12)
    user.is_active = False
    assert auth.resolve_token(token, T0) is None


@pytest.mark.parametrize("password", ["short", "x" * 129, None, ""])
def test_new_passwords_must_be_reasonable(password):
    with pytest.raises(auth.InvalidInput):
        auth.check_new_password(password)
