"""The docs/api.md contract for tokens, organisation and audit."""

import re
from datetime import datetime

from openapi_spec_validator import validate

from tracker.blueprints.api.framework import ENDPOINTS


def test_token_then_create_unit_as_in_api_md(client, make, token):
    admin = make.user("admin")
    response = client.post("/api/v1/auth/token",
                           json={"username": admin.username, "password": "Secret-pass-1"})
    assert response.status_code == 201
    assert set(response.json) == {"token", "expires_at"}
    assert datetime.fromisoformat(response.json["expires_at"]).utcoffset() is not None
    headers = {"Authorization": f"Bearer {response.json['token']}"}

    leader = make.user("leader")
    department = make.unit(kind="department", peer_group="departments")
    response = client.post("/api/v1/units", headers=headers, json={
        "name": "新华小学", "kind": "school", "peer_group": "primary_schools",
        "liaison_unit_id": department.id, "leader_user_id": leader.id})
    assert response.status_code == 201
    unit = response.json
    assert unit["name"] == "新华小学" and unit["liaison_unit_id"] == department.id
    assert isinstance(unit["id"], int)

    response = client.patch(f"/api/v1/units/{unit['id']}", headers=headers,
                            json={"peer_group": "middle_schools", "is_archived": True})
    assert response.status_code == 200
    assert response.json["peer_group"] == "middle_schools" and response.json["is_archived"]

    listing = client.get("/api/v1/units?per_page=1&include_archived=true", headers=headers).json
    assert set(listing) == {"items", "page", "per_page", "total"}
    assert listing["per_page"] == 1 and listing["total"] == 2 and len(listing["items"]) == 1

    audit = client.get(f"/api/v1/audit?object_type=units&object_id={unit['id']}",
                       headers=headers).json["items"]
    assert [e["action"] for e in audit] == ["unit.archive", "unit.update", "unit.create"]
    assert set(audit[0]) == {"at", "user_id", "action", "object_type", "object_id", "changes", "ip"}
    assert audit[1]["changes"]["peer_group"] == ["primary_schools", "middle_schools"]
    assert audit[2]["user_id"] == admin.id


def test_create_user_never_returns_the_password(client, make, token):
    headers = token(make.user("admin"))
    unit = make.unit()
    response = client.post("/api/v1/users", headers=headers, json={
        "username": "xh.head", "password": "long-enough-1", "display_name": "王校长",
        "role": "unit_head", "unit_id": unit.id})
    assert response.status_code == 201
    assert "password" not in response.get_data(as_text=True)
    assert response.json["unit_id"] == unit.id and response.json["role"] == "unit_head"
    # the new user can get a token
    response = client.post("/api/v1/auth/token",
                           json={"username": "xh.head", "password": "long-enough-1"})
    assert response.status_code == 201


def test_duplicate_username_is_a_400_naming_the_field(client, make, token):
    headers = token(make.user("admin"))
    body = {"username": "dup", "password": "long-enough-1", "display_name": "甲", "role": "office"}
    assert client.post("/api/v1/users", headers=headers, json=body).status_code == 201
    response = client.post("/api/v1/users", headers=headers, json=body)
    assert response.status_code == 400
    assert "username" in response.json["error"]["fields"]


def test_token_failures_do_not_reveal_whether_the_user_exists(client, make):
    user = make.user("office")
    wrong = client.post("/api/v1/auth/token", json={"username": user.username, "password": "no"})
    unknown = client.post("/api/v1/auth/token", json={"username": "ghost", "password": "no"})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json == unknown.json


def test_lockout_counts_on_the_api_and_the_login_page_alike(client, make):
    user = make.user("office")
    for _ in range(3):
        client.post("/api/v1/auth/token", json={"username": user.username, "password": "no"})
    for _ in range(2):
        client.post("/login", data={"username": user.username, "password": "no"})
    right = {"username": user.username, "password": "Secret-pass-1"}
    locked = client.post("/api/v1/auth/token", json=right)
    assert locked.status_code == 429 and locked.json["error"]["code"] == "locked"
    assert client.post("/login", data=right).status_code == 429


def test_bad_expired_or_revoked_tokens_get_401(client, make, token):
    headers = token(make.user("office"))
    assert client.get("/api/v1/units", headers=headers).status_code == 200
    assert client.delete("/api/v1/auth/token", headers=headers).status_code == 204
    response = client.get("/api/v1/units", headers=headers)
    assert response.status_code == 401 and response.json["error"]["code"] == "unauthorized"
    assert client.get("/api/v1/units", headers={"Authorization": "Bearer nope"}).status_code == 401
    assert client.get("/api/v1/units", headers={"Authorization": "Basic abc"}).status_code == 401


def test_session_cookies_do_not_authenticate_the_api(client, make, login):
    login(make.user("admin"))
    assert client.get("/api/v1/units").status_code == 401
    assert client.post("/api/v1/units", json={"name": "x", "kind": "school"}).status_code == 401


def test_errors_are_json_never_html(client, make, token):
    headers = token(make.user("unit_head"))
    for response in (
        client.get("/api/v1/no-such-thing", headers=headers),
        client.get("/api/v1/units/999999", headers=headers),
        client.post("/api/v1/units", headers=headers, json={"name": "x", "kind": "school"}),
        client.put("/api/v1/units", headers=headers),
    ):
        assert response.is_json, response.status_code
        assert {"code", "message"} <= set(response.json["error"])


def test_per_page_over_200_is_refused_with_the_field_named(client, make, token):
    headers = token(make.user("office"))
    response = client.get("/api/v1/units?per_page=201", headers=headers)
    assert response.status_code == 400 and "per_page" in response.json["error"]["fields"]


def test_openapi_is_valid_3_1_and_covers_every_endpoint(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    spec = response.json
    assert spec["openapi"].startswith("3.1")
    validate(spec)
    for endpoint in ENDPOINTS:
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", endpoint.rule)
        assert endpoint.method.lower() in spec["paths"][path], (endpoint.method, path)
    for required in ("/api/v1/auth/token", "/api/v1/units", "/api/v1/units/{unit_id}",
                     "/api/v1/users", "/api/v1/audit"):
        assert required in spec["paths"]
