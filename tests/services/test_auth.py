"""Log-in with lockout, signed-in sessions and API tokens (services, no HTTP)."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from tests.factories import PASSWORD
from tracker.extensions import db
from tracker.models import AuditEvent, LoginThrottle, UserSession
from tracker.services import auth, organisation, settings
from tracker.services.audit import Actor

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def at(moment: datetime, ip: str = "10.0.0.1") -> Actor:
    return Actor(None, ip, moment)


def log_in(moment: datetime, username: str, password: str | None, ip: str = "10.0.0.1"):
    """Return the user, or None; and until when the name is locked for that address."""
    outcome = auth.authenticate(at(moment, ip), username, password)
    return outcome.user, outcome.locked_until


def test_right_password_logs_in_and_records_it(make):
    user = make.user("office")
    assert log_in(T0, user.username, PASSWORD) == (user, None)
    assert user.last_login_at == T0
    assert db.session.query(AuditEvent).filter_by(action="user.login", user_id=user.id).count() == 1


@pytest.mark.parametrize("password", ["wrong", "", None])
def test_wrong_password_is_counted(make, password):
    user = make.user("office")
    assert log_in(T0, user.username, password) == (None, None)
    assert user.failed_logins == 1


def test_unknown_user_gets_the_same_answer(make):
    assert log_in(T0, "nobody", "whatever") == (None, None)


def test_five_failures_from_one_address_lock_the_account_for_that_address_only(make):
    user = make.user("office")
    for attempt in range(4):
        assert log_in(T0 + timedelta(seconds=attempt), user.username, "x") == (None, None)
    locked_until = T0 + timedelta(seconds=5, minutes=15)
    assert log_in(T0 + timedelta(seconds=5), user.username, "x") == (None, locked_until)
    # from there even the right password is refused, and told until when …
    assert log_in(T0 + timedelta(minutes=10), user.username, PASSWORD) == (None, locked_until)
    # … while the real user logs in from anywhere else
    assert log_in(T0 + timedelta(minutes=10), user.username, PASSWORD, ip="10.0.0.2") == (user, None)
    # after 15 minutes the right password works from there again
    assert log_in(T0 + timedelta(minutes=15, seconds=6), user.username, PASSWORD) == (user, None)
    assert user.failed_logins == 0 and user.locked_until is None
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.locked_for_address"))
    assert event.object_id == user.id and event.ip == "10.0.0.1"


def test_an_outsiders_failures_never_lock_the_user_out_from_elsewhere(make):
    """One address, guessing for three hours as fast as its lock lets it, locks no one else out."""
    user = make.user("office")
    moment = T0
    for _ in range(12):
        for _ in range(5):
            log_in(moment, user.username, "guess", ip="203.0.113.9")
        assert log_in(moment, user.username, PASSWORD, ip="203.0.113.9")[0] is None
        assert log_in(moment, user.username, PASSWORD, ip="10.0.0.2") == (user, None)
        moment += timedelta(minutes=15, seconds=1)
    assert user.locked_until is None


def test_failures_from_many_addresses_lock_the_account_everywhere(make):
    user = make.user("office")
    for n in range(49):  # 49 failures within the hour, from 49 addresses
        assert log_in(T0 + timedelta(seconds=n), user.username, "guess", ip=f"198.51.100.{n}") == (
            None, None)
    moment = T0 + timedelta(minutes=30)
    locked_until = moment + timedelta(minutes=15)
    assert log_in(moment, user.username, "guess", ip="198.51.100.200") == (None, locked_until)
    assert user.locked_until == locked_until
    assert log_in(moment, user.username, PASSWORD, ip="10.0.0.2") == (None, locked_until)
    assert log_in(locked_until, user.username, PASSWORD, ip="10.0.0.2") == (user, None)
    assert db.session.scalar(select(AuditEvent.ip).where(AuditEvent.action == "user.locked")) == (
        "198.51.100.200")


def test_the_ceiling_over_all_addresses_counts_an_hour(make):
    user = make.user("office")
    for n in range(49):
        log_in(T0 + timedelta(seconds=n), user.username, "guess", ip=f"198.51.100.{n}")
    later = T0 + timedelta(hours=1)
    assert log_in(later, user.username, "guess", ip="198.51.100.200") == (None, None)


def test_a_name_nobody_has_is_locked_alike(make):
    """Whether an account exists cannot be told from the answers."""
    for _ in range(4):
        assert log_in(T0, "nobody", "x") == (None, None)
    assert log_in(T0, "nobody", "x") == (None, T0 + timedelta(minutes=15))
    assert log_in(T0, "nobody", "x", ip="10.0.0.2") == (None, None)


def test_a_success_resets_the_count_of_its_address(make):
    user = make.user("office")
    for _ in range(4):
        log_in(T0, user.username, "x")
    assert log_in(T0, user.username, PASSWORD) == (user, None)
    for _ in range(4):
        assert log_in(T0, user.username, "x") == (None, None)
    assert user.failed_logins == 4 and user.locked_until is None


def test_lockout_thresholds_come_from_the_settings(make):
    settings.update(Actor(None, None, T0), {"auth.max_failed_logins": "2", "auth.lockout_minutes": "3",
                                            "auth.account_max_failed_logins": "5"})
    user = make.user("office")
    assert log_in(T0, user.username, "x") == (None, None)
    assert log_in(T0, user.username, "x") == (None, T0 + timedelta(minutes=3))
    for n in range(2):
        log_in(T0, user.username, "x", ip=f"10.0.1.{n}")
    assert log_in(T0, user.username, "x", ip="10.0.2.1") == (None, T0 + timedelta(minutes=3))
    assert user.locked_until == T0 + timedelta(minutes=3)


def test_a_new_password_lifts_every_lock(make):
    user = make.user("office")
    for n in range(50):
        log_in(T0, user.username, "x", ip=f"10.0.{n % 10}.1")
    assert log_in(T0, user.username, PASSWORD) == (None, T0 + timedelta(minutes=15))
    organisation.set_password(at(T0), user, "Another-pass-2")
    assert log_in(T0, user.username, "Another-pass-2") == (user, None)
    assert log_in(T0, user.username, "Another-pass-2", ip="10.0.3.1") == (user, None)


def test_the_counts_of_long_ago_are_forgotten(make):
    user = make.user("office")
    for n in range(4):
        log_in(T0, user.username, "x", ip=f"10.0.{n}.1")
    log_in(T0 + timedelta(days=2), user.username, "x")
    assert db.session.scalar(select(func.count()).select_from(LoginThrottle)) == 2  # here, everywhere


def test_seconds_left_rounds_up():
    outcome = auth.LogIn(None, T0 + timedelta(seconds=90, milliseconds=1))
    assert outcome.seconds_left(T0) == 91
    assert auth.LogIn(None, T0).seconds_left(T0) == 1
    assert auth.LogIn(None).seconds_left(T0) == 0


def test_inactive_user_cannot_log_in(make):
    user = make.user("office")
    user.is_active = False
    assert log_in(T0, user.username, PASSWORD) == (None, None)


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


# Signed-in sessions ------------------------------------------------------------


def test_a_session_is_kept_by_its_digest_and_resolves_until_it_ends(make):
    user = make.user("office")
    key = auth.start_session(at(T0), user)
    row = db.session.scalar(select(UserSession).where(UserSession.user_id == user.id))
    assert key not in row.key_hash and len(row.key_hash) == 64
    assert auth.resolve_session(key, T0 + timedelta(hours=1)) is user
    assert row.last_seen_at == T0 + timedelta(hours=1)
    assert auth.resolve_session("not-a-key", T0) is None
    assert auth.resolve_session(str(user.id), T0) is None  # a cookie from before sessions were kept
    assert auth.end_session(at(T0), key) is True
    assert auth.resolve_session(key, T0) is None
    assert auth.end_session(at(T0), key) is False


def test_a_session_of_a_deactivated_user_resolves_to_no_one(make):
    user = make.user("office")
    key = auth.start_session(at(T0), user)
    user.is_active = False
    assert auth.resolve_session(key, T0) is None


def _sessions_and_token(user):
    keys = [auth.start_session(at(T0), user) for _ in range(2)]
    token, _row = auth.issue_token(at(T0), user, hours=12)
    return keys, token


def _live(keys, token) -> list[bool]:
    later = T0 + timedelta(minutes=1)
    return [auth.resolve_session(key, later) is not None for key in keys] + [
        auth.resolve_token(token, later) is not None]


@pytest.mark.parametrize("change", [
    lambda user, school: organisation.set_password(at(T0), user, "Another-pass-2"),
    lambda user, school: organisation.update_user(at(T0), user, role="unit_member"),
    lambda user, school: organisation.update_user(at(T0), user, unit_id=school.id),
    lambda user, school: organisation.set_user_active(at(T0), user, False),
], ids=["password", "role", "unit", "deactivation"])
def test_these_changes_end_every_session_and_token_of_the_user(make, change):
    user, other = make.user("unit_head"), make.user("unit_head")
    keys, token = _sessions_and_token(user)
    others = _sessions_and_token(other)
    change(user, make.unit())
    assert _live(keys, token) == [False, False, False]
    assert _live(*others) == [True, True, True]
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.sign_out_everywhere"))
    assert event.object_id == user.id and event.changes == {"sessions": [2, 0], "api_tokens": [1, 0]}


def test_a_change_of_name_or_a_reactivation_ends_nothing(make):
    user = make.user("unit_head")
    keys, token = _sessions_and_token(user)
    organisation.update_user(at(T0), user, display_name="新名字", role="unit_head",
                             unit_id=user.unit_id)
    organisation.set_user_active(at(T0), user, True)
    assert _live(keys, token) == [True, True, True]


def test_changing_ones_own_password_replaces_every_session_by_one_new_one(make):
    user = make.user("unit_head")
    keys, token = _sessions_and_token(user)
    new_key = organisation.change_own_password(at(T0), user, PASSWORD, "Another-pass-2")
    assert _live(keys, token) == [False, False, False]
    assert new_key not in keys and auth.resolve_session(new_key, T0) is user
