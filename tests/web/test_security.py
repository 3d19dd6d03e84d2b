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
    user = make.user("office")
    response = client.post("/login", data={"username": user.username, "password": PASSWORD})
    assert "Secure" in response.headers["Set-Cookie"]


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


def test_after_five_wrong_passwords_even_the_right_one_is_refused(client, make):
    user = make.user("office")
    for _ in range(5):
        response = client.post("/login", data={"username": user.username, "password": "wrong"})
        assert response.status_code != 302
    response = client.post("/login", data={"username": user.username, "password": PASSWORD})
    assert response.status_code != 302
    assert "locked" in response.get_data(as_text=True) or "锁定" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


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
    for _ in range(3):
        client.post("/api/v1/auth/token", json={"username": "a", "password": "b"})
    assert client.post("/api/v1/auth/token", json={"username": "a", "password": "b"}).status_code == 429


def test_language_switch_keeps_the_page_and_defaults_to_chinese(client, make, login):
    login(make.user("office"))
    assert '<html lang="zh-CN">' in client.get("/").get_data(as_text=True)
    response = client.post("/language", data={"lang": "en", "next": "/"})
    assert response.location == "/"
    assert '<html lang="en">' in client.get("/").get_data(as_text=True)
    client.post("/language", data={"lang": "xx", "next": "/"})
    assert '<html lang="en">' in client.get("/").get_data(as_text=True)
