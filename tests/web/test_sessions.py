"""Signed-in sessions end on the server: log-out, password changes, role, unit, deactivation."""

from __future__ import annotations

import pytest

from tests.factories import PASSWORD

NEW_PASSWORD = "Another-pass-2"


class Browser:
    """A test client whose every request runs in an app context of its own, as in production.

    The test's own app context would otherwise be shared by the requests, and
    Flask-Login would keep the user it loaded first in its ``g``.
    """

    def __init__(self, app, cookies: dict[str, str] | None = None):
        self.app, self.client = app, app.test_client()
        for name, value in (cookies or {}).items():
            self.client.set_cookie(name, value)

    def _send(self, method: str, path: str, **kwargs):
        with self.app.app_context():
            return self.client.open(path, method=method, **kwargs)

    def get(self, path: str, **kwargs):
        return self._send("GET", path, **kwargs)

    def post(self, path: str, **kwargs):
        return self._send("POST", path, **kwargs)

    def patch(self, path: str, **kwargs):
        return self._send("PATCH", path, **kwargs)

    def cookies(self) -> dict[str, str]:
        return {name: self.client.get_cookie(name).value for name in ("session", "remember_token")
                if self.client.get_cookie(name) is not None}

    def signed_in(self) -> bool:
        response = self.get("/inbox")
        assert response.status_code in (200, 302)
        return response.status_code == 200


@pytest.fixture
def browser(app):
    """Return a new browser logged in as ``user`` through the real form."""

    def open_as(user, password: str = PASSWORD, remember: bool = False) -> Browser:
        client = Browser(app)
        data = {"username": user.username, "password": password}
        if remember:
            data["remember"] = "y"
        response = client.post("/login", data=data)
        assert response.status_code == 302, response.get_data(as_text=True)[:300]
        return client

    return open_as


@pytest.fixture
def token(app):
    """Return a bearer header for ``user`` from POST /api/v1/auth/token."""

    def issue(user, password: str = PASSWORD) -> dict[str, str]:
        response = Browser(app).post("/api/v1/auth/token",
                                     json={"username": user.username, "password": password})
        assert response.status_code == 201, response.json
        return {"Authorization": f"Bearer {response.json['token']}"}

    return issue


def token_works(app, header) -> bool:
    status = Browser(app).get("/api/v1/units", headers=header).status_code
    assert status in (200, 401)
    return status == 200


@pytest.mark.parametrize("remember", [False, True])
def test_a_cookie_copied_before_log_out_opens_nothing_after_it(app, make, browser, remember):
    user = make.user("office")
    client = browser(user, remember=remember)
    copied = client.cookies()
    assert ("remember_token" in copied) is remember
    assert Browser(app, copied).signed_in()
    assert client.post("/logout").status_code == 302
    assert not client.signed_in()
    assert not Browser(app, copied).signed_in()
    # the session cookie alone, or the remember-me cookie alone, opens nothing either
    for name in copied:
        assert not Browser(app, {name: copied[name]}).signed_in()


def test_log_out_ends_only_that_session(make, browser):
    user = make.user("office")
    first, second = browser(user), browser(user)
    first.post("/logout")
    assert not first.signed_in()
    assert second.signed_in()


def test_an_admin_reset_ends_every_session_and_token_of_the_user(app, make, browser, token):
    user = make.user("unit_head")
    admin = browser(make.user("admin"))
    first, second = browser(user), browser(user)
    header = token(user)
    assert token_works(app, header)
    response = admin.post(f"/admin/users/{user.id}/password", data={"reset-password": NEW_PASSWORD})
    assert response.status_code == 302
    assert not first.signed_in() and not second.signed_in()
    assert not token_works(app, header)
    assert admin.signed_in()  # the administrator's own session goes on
    assert browser(user, NEW_PASSWORD).signed_in()


def test_changing_ones_own_password_keeps_this_browser_and_ends_the_others(app, make, browser, token):
    user = make.user("unit_head")
    here, elsewhere = browser(user, remember=True), browser(user)
    header = token(user)
    before = here.cookies()
    response = here.post("/account/password", data={
        "current_password": PASSWORD, "new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302
    assert here.signed_in()
    assert not elsewhere.signed_in()
    assert not token_works(app, header)
    # the session was re-issued: the cookies from before the change open nothing
    assert not Browser(app, before).signed_in()
    after = here.cookies()
    assert after["session"] != before["session"]
    assert Browser(app, {"remember_token": after["remember_token"]}).signed_in()


@pytest.mark.parametrize("change", ["role", "unit"])
def test_a_change_of_role_or_unit_ends_every_session_and_token(app, make, browser, token, change):
    school = make.unit()
    user = make.user("unit_head", unit=school)
    admin = browser(make.user("admin"))
    client = browser(user)
    header = token(user)
    data = {"display_name": user.display_name, "email": "", "role": "unit_head",
            "unit_id": str(school.id)}
    if change == "role":
        data["role"] = "unit_member"
    else:
        data["unit_id"] = str(make.unit().id)
    assert admin.post(f"/admin/users/{user.id}/edit", data=data).status_code == 302
    assert not client.signed_in()
    assert not token_works(app, header)


def test_saving_a_user_without_changing_role_or_unit_ends_nothing(app, make, browser, token):
    school = make.unit()
    user = make.user("unit_head", unit=school)
    admin = browser(make.user("admin"))
    client = browser(user)
    header = token(user)
    assert admin.post(f"/admin/users/{user.id}/edit", data={
        "display_name": "新名字", "email": "", "role": "unit_head",
        "unit_id": str(school.id)}).status_code == 302
    assert client.signed_in()
    assert token_works(app, header)


def test_deactivation_ends_sessions_and_tokens_for_good(app, make, browser, token):
    user = make.user("office")
    admin = browser(make.user("admin"))
    client = browser(user, remember=True)
    copied = client.cookies()
    header = token(user)
    assert admin.post(f"/admin/users/{user.id}/active", data={"active": "0"}).status_code == 302
    assert not client.signed_in()
    assert admin.post(f"/admin/users/{user.id}/active", data={"active": "1"}).status_code == 302
    # reactivated: the sessions and tokens from before stay ended
    assert not Browser(app, copied).signed_in()
    assert not token_works(app, header)
    assert browser(user).signed_in()


def test_an_api_password_reset_ends_the_users_sessions(app, make, browser, token):
    user = make.user("office")
    client = browser(user)
    header = token(user)
    admin_header = token(make.user("admin"))
    response = Browser(app).patch(f"/api/v1/users/{user.id}", headers=admin_header,
                                       json={"password": NEW_PASSWORD})
    assert response.status_code == 200, response.json
    assert not client.signed_in()
    assert not token_works(app, header)
    assert token_works(app, admin_header)
