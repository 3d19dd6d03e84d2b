"""House rules of security: headers, cookies, CSRF, rate limits, redirects."""

import re

import pytest

from tests.factories import PASSWORD


def test_security_headers_and_no_inline_script(client, make, login):
    login(make.user("admin"))
    for path in ("/", "/admin/units", "/admin/users", "/admin/settings", "/login", "/public/"):
        response = client.get(path)
        csp = response.headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["X-Frame-Options"] == "DENY"
        html = response.get_data(as_text=True)
        # every script is an external file served by us: CSP needs no inline script
        for tag in re.findall(r"<script[^>]*>", html):
            assert 'src="/' in tag, tag
        assert "cdn" not in html.lower()
        assert " on" not in " ".join(re.findall(r"<[^>]+ on\w+=", html))


def test_session_cookie_is_httponly_and_samesite(client, make):
    user = make.user("office")
    response = client.post("/login", data={"username": user.username, "password": PASSWORD})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


@pytest.fixture
def secure_cookie_config(app_config):
    app_config["SESSION_COOKIE_SECURE"] = True


def test_cookie_secure_when_configured(secure_cookie_config, client, make):
    """Behind HTTPS the session cookie and the "remember me" cookie are both sent over HTTPS only."""
    user = make.user("office")
    response = client.post("/login", data={"username": user.username, "password": PASSWORD,
                                           "remember": "y"})
    cookies = response.headers.getlist("Set-Cookie")
    assert {cookie.split("=")[0] for cookie in cookies} >= {"session", "remember_token"}
    assert all("Secure" in cookie for cookie in cookies)


@pytest.fixture
def csrf_on(app_config):
    app_config["WTF_CSRF_ENABLED"] = True


def test_post_without_csrf_token_is_400(csrf_on, client, make):
    user = make.user("office")
    response = client.post("/login", data={"username": user.username, "password": PASSWORD})
    assert response.status_code == 400
    page = client.get("/login").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post("/login", data={"username": user.username, "password": PASSWORD,
                                           "csrf_token": csrf})
    assert response.status_code == 302


def test_unit_head_gets_403_on_admin_pages_and_api(client, make, login, token):
    head = make.user("unit_head")
    login(head)
    assert client.get("/admin/units").status_code == 403
    assert client.get("/admin/users").status_code == 403
    headers = token(head)
    assert client.post("/api/v1/units", headers=headers,
                       json={"name": "x", "kind": "school"}).status_code == 403
    assert client.post("/api/v1/users", headers=headers, json={
        "username": "abc", "password": "long-enough", "display_name": "x",
        "role": "admin"}).status_code == 403


def test_five_wrong_passwords_lock_the_account_for_that_address_and_say_until_when(client, make):
    user = make.user("office")
    for _ in range(4):
        response = client.post("/login", data={"username": user.username, "password": "wrong"})
        assert response.status_code == 400
        assert "用户名或密码错误" in response.get_data(as_text=True)
    for password in ("wrong", PASSWORD):  # the fifth failure locks; then even the right password
        response = client.post("/login", data={"username": user.username, "password": password})
        assert response.status_code == 429
        assert 890 <= int(response.headers["Retry-After"]) <= 900
        assert "该账号登录失败次数过多，请 15 分钟后" in response.get_data(as_text=True)
    assert client.get("/inbox").status_code == 302  # not signed in
    # the real user, elsewhere, is not locked out
    elsewhere = client.post("/login", data={"username": user.username, "password": PASSWORD},
                            environ_base={"REMOTE_ADDR": "10.20.30.40"})
    assert elsewhere.status_code == 302


def test_the_api_says_how_long_an_account_is_locked_for(client, make):
    user = make.user("office")
    for _ in range(4):
        response = client.post("/api/v1/auth/token", json={"username": user.username, "password": "x"})
        assert response.status_code == 401 and response.json["error"]["code"] == "invalid_credentials"
    for password in ("x", PASSWORD):
        response = client.post("/api/v1/auth/token", json={"username": user.username,
                                                            "password": password})
        assert response.status_code == 429
        error = response.json["error"]
        assert error["code"] == "locked" and 890 <= error["retry_after"] <= 900
        assert error["message"].startswith("该账号登录失败次数过多，请 15 分钟后")
        assert response.headers["Retry-After"] == str(error["retry_after"])
    elsewhere = client.post("/api/v1/auth/token", json={"username": user.username, "password": PASSWORD},
                            environ_base={"REMOTE_ADDR": "10.20.30.40"})
    assert elsewhere.status_code == 201


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "javascript:x"])
def test_next_never_leaves_the_site(client, make, target):
    user = make.user("office")
    response = client.post(f"/login?next={target}",
                           data={"username": user.username, "password": PASSWORD})
    assert response.location == "/"


def test_next_within_the_site_is_followed(client, make):
    user = make.user("admin")
    response = client.post("/login?next=/admin/users",
                           data={"username": user.username, "password": PASSWORD})
    assert response.location == "/admin/users"


@pytest.fixture
def limits_on(app_config):
    app_config.update(RATELIMIT_ENABLED=True, RATELIMIT_LOGIN="3 per minute",
                      RATELIMIT_PUBLIC="2 per minute")


def test_login_and_public_pages_are_rate_limited(limits_on, client, make):
    for _ in range(3):
        client.post("/login", data={"username": "a", "password": "b"})
    limited = client.post("/login", data={"username": "a", "password": "b"})
    assert limited.status_code == 429
    assert client.get("/login").status_code == 200  # only the attempts are limited
    for path in ("/public/", "/api/v1/public/units"):
        assert client.get(path).status_code == 200
        assert client.get(path).status_code == 200
        response = client.get(path)
        assert response.status_code == 429
    assert response.is_json and response.json["error"]["code"] == "rate_limited"
    # how long to wait: in the body, in Chinese, and in Retry-After
    assert 1 <= response.json["error"]["retry_after"] <= 60
    assert abs(int(response.headers["Retry-After"]) - response.json["error"]["retry_after"]) <= 1
    assert response.json["error"]["message"].startswith("来自您所在地址的请求过多，请 1 分钟后")
    page = client.post("/login", data={"username": "a", "password": "b"})
    assert page.status_code == 429 and 1 <= int(page.headers["Retry-After"]) <= 61
    assert "来自您所在地址的请求过多，请 1 分钟后" in page.get_data(as_text=True)


def test_failed_log_ins_at_the_form_and_the_api_share_one_allowance(limits_on, client, make):
    for _ in range(2):
        client.post("/login", data={"username": "a", "password": "b"})
    client.post("/api/v1/auth/token", json={"username": "c", "password": "d"})
    assert client.post("/api/v1/auth/token", json={"username": "e", "password": "f"}).status_code == 429
    assert client.post("/login", data={"username": "g", "password": "h"}).status_code == 429


def test_a_school_behind_one_address_logs_in_freely(limits_on, app, make):
    """Only failures count against an address: many people may log in from one school."""
    school = make.unit()
    for _ in range(8):
        user = make.user("unit_member", unit=school)
        with app.app_context():
            response = app.test_client().post("/login", data={"username": user.username,
                                                              "password": PASSWORD})
        assert response.status_code == 302
        with app.app_context():
            assert app.test_client().post("/api/v1/auth/token", json={
                "username": user.username, "password": PASSWORD}).status_code == 201


@pytest.fixture
def complaint_limit(app_config):
    app_config.update(RATELIMIT_ENABLED=True, RATELIMIT_COMPLAINT_SUBMIT="3 per hour")


def test_open311_files_against_the_same_limit_as_the_form_and_the_api(complaint_limit, client):
    from sqlalchemy import func, select

    from tracker.extensions import db
    from tracker.models import Complaint

    def open311():
        return client.post("/open311/v2/requests.json", data={
            "service_code": "other", "description": "热线转来的投诉内容"}).status_code

    def api():
        return client.post("/api/v1/public/complaints", json={
            "category": "other", "description": "接口提交的投诉内容"}).status_code

    def form():
        return client.post("/public/complaints/new", data={
            "category": "other", "description": "表单提交的投诉内容"}).status_code

    assert [open311(), api(), open311()] == [201, 201, 201]
    assert [open311(), api(), form()] == [429, 429, 429]
    assert db.session.scalar(select(func.count()).select_from(Complaint)) == 3


def test_language_switch_keeps_the_page_and_defaults_to_chinese(client, make, login):
    login(make.user("office"))
    assert '<html lang="zh-CN">' in client.get("/").get_data(as_text=True)
    response = client.post("/language", data={"lang": "en", "next": "/"})
    assert response.location == "/"
    assert '<html lang="en">' in client.get("/").get_data(as_text=True)
    client.post("/language", data={"lang": "xx", "next": "/"})
    assert '<html lang="en">' in client.get("/").get_data(as_text=True)
