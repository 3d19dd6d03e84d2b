"""Bad bodies for every API call that takes one: 400 naming the field, nothing stored, never a 500.

Each test sends every bad value of one field and reports all the values
that were not refused as they should be.
"""

from __future__ import annotations

import pytest

from tests.access import HOSTILE_SCRIPT, HOSTILE_SQL, path_for, stored_counts
from tests.factories import PASSWORD
from tracker.blueprints.api.framework import ENDPOINTS
from tracker.extensions import db
from tracker.models import Unit, User


class _Missing:
    def __repr__(self) -> str:
        return "<missing>"


MISSING = _Missing()  # leave the field out of the body

WRONG_TYPES = [123, 1.5, True, ["x"], {"x": 1}]  # for a text field
WRONG_TEXT = [*WRONG_TYPES, None]  # for a required text field
CONTROL = ["a\x00b", "a\x07b", "\x1b[31m"]
WRONG_IDS = ["1", 1.5, True, [1], {"id": 1}, 0, -1, 999999]

UNIT = {"name": "新建单位", "kind": "school", "peer_group": "primary_schools"}
USER = {"username": "new.user", "password": "Long-enough-1", "display_name": "新用户",
        "role": "office"}

# call → field → the bad values to send in an otherwise valid body
UNIT_POST = {
    "name": [MISSING, "", "   ", "x" * 101, *WRONG_TEXT, *CONTROL],
    "kind": [MISSING, "castle", "", "School", HOSTILE_SCRIPT, *WRONG_TEXT],
    "peer_group": ["x" * 51, *WRONG_TYPES, *CONTROL],
    "liaison_unit_id": WRONG_IDS,
    "head_user_id": WRONG_IDS,
    "leader_user_id": WRONG_IDS,
    "is_archived": [True],  # not a field of a new unit
    "evil": [1],
}
UNIT_PATCH = {
    "name": ["", "x" * 101, *WRONG_TEXT, *CONTROL],
    "kind": ["castle", None, 1],
    "peer_group": ["x" * 51, 5, *CONTROL],
    "liaison_unit_id": WRONG_IDS,
    "head_user_id": WRONG_IDS,
    "is_archived": ["yes", "true", 1, [True]],
    "id": [5],
}
USER_POST = {
    "username": [MISSING, "", "ab", "x" * 51, HOSTILE_SCRIPT, HOSTILE_SQL, "名字", "a b c",
                 *WRONG_TEXT, *CONTROL],
    "password": [MISSING, "", "short", "x" * 129, 12345678, None, ["Long-enough-1"],
                 "Long-enough\x00", "Long-enough\x07"],
    "display_name": [MISSING, "", "x" * 101, *WRONG_TEXT, *CONTROL],
    "role": [MISSING, "root", "", "Admin", *WRONG_TEXT],
    "unit_id": WRONG_IDS,
    "is_active": [False],
}
USER_PATCH = {
    "display_name": ["", "x" * 101, *WRONG_TEXT, *CONTROL],
    "role": ["root", None, 1],
    "unit_id": WRONG_IDS,
    "is_active": ["no", 0],
    "password": ["", "short", "x" * 129, 12345678, "Long-enough\x07"],
    "username": ["renamed"],
}
TOKEN = {
    "username": [MISSING, "", "x" * 51, *WRONG_TEXT],
    "password": [MISSING, "", "x" * 129, *WRONG_TEXT],
    "remember": [True],
}

NOT_AN_OBJECT = [  # (body, content type)
    ("name=x&kind=school", "application/x-www-form-urlencoded"),
    ("name: x", "text/plain"),
    ('{"name": "x", ', "application/json"),
    ("[]", "application/json"),
    ('[{"name": "x", "kind": "school"}]', "application/json"),
    ("null", "application/json"),
    ('"x"', "application/json"),
    ("42", "application/json"),
    ("", "application/json"),
    (b"\xff\xfe{}", "application/json"),
]


def with_value(base: dict, field: str, value) -> dict:
    body = dict(base)
    if value is MISSING:
        body.pop(field, None)
    else:
        body[field] = value
    return body


def refusal_problem(response, field: str) -> str | None:
    """Return what is wrong with the answer to bad input naming ``field``, or None."""
    if response.status_code != 400:
        return f"status {response.status_code}: {response.get_data(as_text=True)[:200]}"
    if not response.is_json:
        return "not JSON"
    error = response.json.get("error") or {}
    if not (error.get("code") and error.get("message")):
        return f"no code or message: {error}"
    fields = error.get("fields") or {}
    if field not in fields:
        return f"fields {fields} do not name {field!r}"
    if not all(isinstance(why, str) and why for why in fields.values()):
        return f"a field without a reason: {fields}"
    return None


def send_each(client, method: str, path: str, headers: dict, bodies) -> list:
    """Send each (label, field, request options); return the labels refused wrongly, with why.

    After every request nothing may have been stored.
    """
    wrong = []
    before = stored_counts()
    for label, field, options in bodies:
        response = client.open(path, method=method, headers=headers, **options)
        problem = refusal_problem(response, field)
        if problem is None and stored_counts() != before:
            problem = f"stored something: {stored_counts()} != {before}"
        if problem:
            wrong.append((label, problem))
    return wrong


def value_bodies(base: dict, field: str, values, extra: dict | None = None):
    for value in values:
        yield repr(value)[:40], field, {"json": {**(extra or {}), **with_value(base, field, value)}}


@pytest.fixture
def admin(make, token):
    user = make.user("admin")
    return user, token(user)


# POST /api/v1/units, PATCH /api/v1/units/{id} ---------------------------------


@pytest.mark.parametrize("field", UNIT_POST)
def test_create_unit_refuses(client, admin, field):
    _user, headers = admin
    wrong = send_each(client, "POST", "/api/v1/units", headers,
                      value_bodies(UNIT, field, UNIT_POST[field]))
    assert wrong == []


@pytest.mark.parametrize("field", UNIT_PATCH)
def test_patch_unit_refuses_and_changes_nothing(client, admin, make, field):
    _user, headers = admin
    unit = make.unit(name="原名单位")
    # each bad value comes with a good change: all or nothing
    wrong = send_each(client, "PATCH", f"/api/v1/units/{unit.id}", headers,
                      value_bodies({}, field, UNIT_PATCH[field], {"peer_group": "high_schools"}))
    assert wrong == []
    db.session.expire_all()
    unit = db.session.get(Unit, unit.id)
    assert (unit.name, unit.peer_group, unit.is_archived) == ("原名单位", "primary_schools", False)


def test_unit_references_must_fit(client, admin, make):
    _user, headers = admin
    school, office, inactive = make.unit(), make.user("office"), make.user("leader")
    client.patch(f"/api/v1/users/{inactive.id}", headers=headers, json={"is_active": False})
    archived = make.unit(kind="department")
    client.patch(f"/api/v1/units/{archived.id}", headers=headers, json={"is_archived": True})
    bad = [("leader not a leader", "leader_user_id", office.id),
           ("leader inactive", "leader_user_id", inactive.id),
           ("head inactive", "head_user_id", inactive.id),
           ("liaison a school", "liaison_unit_id", school.id),
           ("liaison archived", "liaison_unit_id", archived.id)]
    wrong = send_each(client, "POST", "/api/v1/units", headers, [
        (label, field, {"json": {**UNIT, field: value}}) for label, field, value in bad])
    wrong += send_each(client, "PATCH", f"/api/v1/units/{school.id}", headers, [
        (label, field, {"json": {field: value}}) for label, field, value in bad])
    department = make.unit(kind="department")
    wrong += send_each(client, "PATCH", f"/api/v1/units/{department.id}", headers, [
        ("liaison itself", "liaison_unit_id", {"json": {"liaison_unit_id": department.id}})])
    make.unit(name="已有单位")
    wrong += send_each(client, "POST", "/api/v1/units", headers, [
        ("duplicate name", "name", {"json": {**UNIT, "name": "已有单位"}}),
        ("duplicate name, padded", "name", {"json": {**UNIT, "name": "  已有单位 "}})])
    assert wrong == []


# POST /api/v1/users, PATCH /api/v1/users/{id} ---------------------------------


@pytest.mark.parametrize("field", USER_POST)
def test_create_user_refuses(client, admin, field):
    _user, headers = admin
    wrong = send_each(client, "POST", "/api/v1/users", headers,
                      value_bodies(USER, field, USER_POST[field]))
    assert wrong == []


@pytest.mark.parametrize("field", USER_PATCH)
def test_patch_user_refuses_and_changes_nothing(client, admin, make, field):
    _user, headers = admin
    target = make.user("unit_member", display_name="原名")
    old_hash = target.password_hash
    wrong = send_each(client, "PATCH", f"/api/v1/users/{target.id}", headers,
                      value_bodies({}, field, USER_PATCH[field], {"display_name": "新名"}))
    assert wrong == []
    db.session.expire_all()
    target = db.session.get(User, target.id)
    assert (target.display_name, target.role, target.is_active, target.password_hash) == (
        "原名", "unit_member", True, old_hash)


def test_user_rules_across_fields(client, admin, make):
    user, headers = admin
    office, archived = make.user("office"), make.unit()
    client.patch(f"/api/v1/units/{archived.id}", headers=headers, json={"is_archived": True})
    wrong = send_each(client, "POST", "/api/v1/users", headers, [
        ("unit role without a unit", "unit_id", {"json": {**USER, "role": "unit_head"}}),
        ("archived unit", "unit_id", {"json": {**USER, "unit_id": archived.id}}),
        ("taken username", "username", {"json": {**USER, "username": user.username.upper()}}),
    ])
    wrong += send_each(client, "PATCH", f"/api/v1/users/{office.id}", headers, [
        ("unit role without a unit", "unit_id", {"json": {"role": "unit_member"}}),
    ])
    assert wrong == []


# POST /api/v1/auth/token ------------------------------------------------------


@pytest.mark.parametrize("field", TOKEN)
def test_token_refuses(client, make, field):
    user = make.user("office")
    wrong = send_each(client, "POST", "/api/v1/auth/token", {}, value_bodies(
        {"username": user.username, "password": PASSWORD}, field, TOKEN[field]))
    assert wrong == []


@pytest.mark.parametrize("username", [HOSTILE_SCRIPT, HOSTILE_SQL, "a\x00b", "a\x07b", "名字"],
                         ids=["script", "sql", "nul", "bel", "chinese"])
def test_a_hostile_username_is_just_wrong_credentials(client, make, username):
    make.user("office")
    before = stored_counts()
    response = client.post("/api/v1/auth/token", json={"username": username, "password": PASSWORD})
    assert response.status_code == 401, response.get_data(as_text=True)
    assert response.json["error"]["code"] == "invalid_credentials"
    assert stored_counts() == before


# Bodies that are not a JSON object, for every endpoint that takes a body ------

BODY_ENDPOINTS = sorted((spec.method, spec.rule) for spec in ENDPOINTS if spec.body is not None)
OPTIONAL_BODY = {(spec.method, spec.rule) for spec in ENDPOINTS if spec.body_optional}  # empty: no body


@pytest.mark.parametrize(("method", "rule"), BODY_ENDPOINTS, ids=[" ".join(k) for k in BODY_ENDPOINTS])
def test_a_body_that_is_not_a_json_object_is_refused(client, admin, access_world, method, rule):
    _user, headers = admin
    path = path_for(access_world, "api", method, rule)
    wrong = send_each(client, method, path, headers, [
        (repr(data)[:30], "body", {"data": data, "content_type": content_type})
        for data, content_type in NOT_AN_OBJECT if data or (method, rule) not in OPTIONAL_BODY])
    assert wrong == []


@pytest.mark.parametrize(("method", "rule"), BODY_ENDPOINTS, ids=[" ".join(k) for k in BODY_ENDPOINTS])
def test_an_unknown_field_is_refused_by_name(client, admin, access_world, method, rule):
    _user, headers = admin
    path = path_for(access_world, "api", method, rule)
    wrong = send_each(client, method, path, headers, [
        ("unknown", "no_such_field", {"json": {"no_such_field": 1}})])
    assert wrong == []


def test_every_bad_field_is_named_at_once(client, admin):
    _user, headers = admin
    response = client.post("/api/v1/users", headers=headers, json={
        "username": 1, "password": None, "display_name": "x" * 101, "role": "root"})
    assert refusal_problem(response, "username") is None
    assert {"username", "password", "display_name", "role"} <= set(response.json["error"]["fields"])


# Hostile text where text is legitimate: stored as given, served as data ------


@pytest.mark.parametrize("name", [HOSTILE_SCRIPT, HOSTILE_SQL], ids=["script", "sql"])
def test_hostile_text_in_a_name_is_kept_verbatim_and_harmless(client, admin, name):
    _user, headers = admin
    response = client.post("/api/v1/units", headers=headers, json={**UNIT, "name": name})
    assert response.status_code == 201
    assert response.json["name"] == name and response.mimetype == "application/json"
    listing = client.get("/api/v1/units", headers=headers, query_string={"q": name}).json
    assert [unit["name"] for unit in listing["items"]] == [name]
    assert stored_counts()["Unit"] == 1  # the table is still there, with its one row


# Query strings: bad filters are 400, hostile search text finds nothing ------


@pytest.mark.parametrize(("path", "query", "field"), [
    ("/api/v1/units", {"kind": "castle"}, "kind"),
    ("/api/v1/units", {"q": "x" * 101}, "q"),
    ("/api/v1/units", {"include_archived": "perhaps"}, "include_archived"),
    ("/api/v1/units", {"page": "abc"}, "page"),
    ("/api/v1/units", {"page": "0"}, "page"),
    ("/api/v1/units", {"per_page": "201"}, "per_page"),
    ("/api/v1/users", {"role": "root"}, "role"),
    ("/api/v1/users", {"unit_id": "x"}, "unit_id"),
    ("/api/v1/audit", {"object_id": "-1"}, "object_id"),
    ("/api/v1/audit", {"user_id": "1.5"}, "user_id"),
    ("/api/v1/audit", {"object_type": "x" * 51}, "object_type"),
])
def test_bad_query_parameters_are_400(client, admin, path, query, field):
    _user, headers = admin
    assert refusal_problem(client.get(path, headers=headers, query_string=query), field) is None


SEARCHES = [("/api/v1/units", "q"), ("/api/v1/users", "q"), ("/api/v1/units", "peer_group"),
            ("/api/v1/audit", "object_type")]


@pytest.mark.parametrize(("path", "name"), SEARCHES, ids=[f"{p} {n}" for p, n in SEARCHES])
def test_hostile_search_text_finds_nothing_and_breaks_nothing(client, admin, make, path, name):
    _user, headers = admin
    make.user("unit_head")  # a unit, a user and audit events that must not match
    wrong = []
    for text in (HOSTILE_SCRIPT, HOSTILE_SQL, "a\x00b", "a\x07b", "%", "_", "\\"):
        response = client.get(path, headers=headers, query_string={name: text})
        if response.status_code != 200 or response.json["items"] != []:
            wrong.append((text, response.status_code, response.get_data(as_text=True)[:200]))
    assert wrong == []  # '%' and '_' are text, not wildcards
