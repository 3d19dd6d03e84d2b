"""A user's own account: changing the password."""

from __future__ import annotations

from sqlalchemy import select

from tests.conftest import PASSWORD
from tracker.extensions import db
from tracker.models import AuditEvent


def _change(client, current, new, confirm=None):
    return client.post("/account/password", data={
        "current_password": current, "new_password": new, "confirm": confirm or new})


def test_a_user_changes_their_own_password(client, make, login):
    user = make.user("unit_head")
    login(user)
    response = _change(client, PASSWORD, "Another-pass-2")
    assert response.status_code == 302
    assert db.session.scalar(select(AuditEvent.action).where(
        AuditEvent.object_type == "users", AuditEvent.object_id == user.id).order_by(
        AuditEvent.id.desc())) is not None
    client.post("/logout")
    assert client.post("/login", data={"username": user.username, "password": PASSWORD}).status_code == 400
    assert client.post("/login", data={"username": user.username,
                                       "password": "Another-pass-2"}).status_code == 302


def test_a_wrong_current_password_changes_nothing(client, make, login):
    user = make.user("office")
    login(user)
    response = _change(client, "not-my-password", "Another-pass-2")
    assert response.status_code == 400
    assert "当前密码不正确" in response.get_data(as_text=True)
    client.post("/logout")
    assert client.post("/login", data={"username": user.username, "password": PASSWORD}).status_code == 302
