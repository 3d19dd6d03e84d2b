"""Every API endpoint × no token and every role → the expected status (docs/architecture.md "Tests").

The table below is the access policy of the API, written out. An endpoint
declared without a row here fails ``test_the_matrix_covers_every_endpoint``:
the matrix must grow with every later issue.
"""

from __future__ import annotations

import io
from datetime import timedelta

import pytest

from tests import matrix
from tests.access import (
    ANONYMOUS,
    EVERYONE,
    ROLES,
    fill,
    matrix_params,
    sample_roles,
    unknown_ids,
)
from tests.factories import PASSWORD
from tracker import clock
from tracker.blueprints.api.framework import ENDPOINTS

NO_TOKEN = ANONYMOUS


def row(no_token, admin, office, leader, unit_head, unit_member) -> dict:
    return dict(zip(EVERYONE, (no_token, admin, office, leader, unit_head, unit_member),
                    strict=True))


def everyone(status: int) -> dict:
    return dict.fromkeys(EVERYONE, status)


def with_token(status: int) -> dict:
    return {NO_TOKEN: 401, **dict.fromkeys(ROLES, status)}


def admin_only(status: int) -> dict:
    return row(401, status, 403, 403, 403, 403)


def office_only(status: int) -> dict:
    return row(401, 403, status, 403, 403, 403)


# (method, rule) → who → status. The task belongs to the unit_head's and unit_member's unit.
MATRIX: dict[tuple[str, str], dict[str, int]] = {
    # organisation
    ("POST", "/api/v1/units"): admin_only(201),
    ("GET", "/api/v1/units"): with_token(200),
    ("GET", "/api/v1/units/<int:unit_id>"): with_token(200),
    ("PATCH", "/api/v1/units/<int:unit_id>"): admin_only(200),
    ("POST", "/api/v1/users"): admin_only(201),
    ("GET", "/api/v1/users"): admin_only(200),
    ("GET", "/api/v1/users/me"): with_token(200),
    ("GET", "/api/v1/users/<int:user_id>"): admin_only(200),
    ("PATCH", "/api/v1/users/<int:user_id>"): admin_only(200),
    # tokens, audit, meta, public
    ("POST", "/api/v1/auth/token"): everyone(201),
    ("DELETE", "/api/v1/auth/token"): with_token(204),
    ("GET", "/api/v1/audit"): row(401, 200, 200, 200, 403, 403),
    ("GET", "/api/v1/openapi.json"): everyone(200),
    ("GET", "/api/v1/public/units"): everyone(200),
    # plans, tasks, the ledger
    ("POST", "/api/v1/plans"): office_only(201),
    ("GET", "/api/v1/plans"): with_token(200),
    ("GET", "/api/v1/plans/<int:plan_id>"): with_token(200),
    ("POST", "/api/v1/plans/<int:plan_id>/activate"): office_only(200),
    ("POST", "/api/v1/plans/<int:plan_id>/close"): office_only(200),
    ("POST", "/api/v1/plans/<int:plan_id>/measures"): office_only(201),
    ("POST", "/api/v1/plans/<int:plan_id>/tasks/import"): office_only(201),
    ("GET", "/api/v1/plans/<int:plan_id>/tasks/template.xlsx"): office_only(200),
    ("GET", "/api/v1/plans/<int:plan_id>/ledger.xlsx"): with_token(200),
    ("POST", "/api/v1/tasks"): office_only(201),
    ("GET", "/api/v1/tasks"): with_token(200),
    ("GET", "/api/v1/tasks/<int:task_id>"): with_token(200),
    ("PATCH", "/api/v1/tasks/<int:task_id>"): office_only(200),
    # a unit member drafts instead (tests/matrix/drafts.py)
    ("POST", "/api/v1/tasks/<int:task_id>/entries"): row(401, 403, 201, 403, 201, 403),
    ("POST", "/api/v1/tasks/<int:task_id>/verify"): office_only(200),
    # supervision (the round exists already: starting it again answers 200)
    ("POST", "/api/v1/supervision/rounds"): office_only(200),
    ("GET", "/api/v1/supervision/rounds"): with_token(200),
    ("GET", "/api/v1/supervision/rounds/<int:round_id>"): with_token(200),
    ("POST", "/api/v1/supervision/rounds/<int:round_id>/close"): office_only(200),
    ("GET", "/api/v1/supervision/findings"): with_token(200),
    ("PATCH", "/api/v1/supervision/findings/<int:finding_id>"): office_only(200),
    # bulletins (the world's bulletin is a draft: units do not see drafts)
    ("POST", "/api/v1/bulletins"): office_only(200),
    ("GET", "/api/v1/bulletins/<int:bulletin_id>"): row(401, 200, 200, 200, 404, 404),
    ("PATCH", "/api/v1/bulletins/<int:bulletin_id>"): office_only(200),
    ("POST", "/api/v1/bulletins/<int:bulletin_id>/approve"): row(401, 403, 403, 200, 403, 403),
    ("POST", "/api/v1/bulletins/<int:bulletin_id>/return"): row(401, 403, 403, 200, 403, 403),
    ("POST", "/api/v1/bulletins/<int:bulletin_id>/resubmit"): office_only(200),  # the returned one
    ("POST", "/api/v1/bulletins/<int:bulletin_id>/publish"): office_only(200),
    ("GET", "/api/v1/bulletins/<int:bulletin_id>.docx"): row(401, 200, 200, 200, 404, 404),
    ("GET", "/api/v1/public/bulletins"): everyone(200),
}
MATRIX.update(matrix.rows("API"))


def ids_for(world, key) -> dict[str, int]:
    """Return the ids to fill ``key``'s rule with: the world's, or a fitting row's."""
    if key == ("POST", "/api/v1/plans/<int:plan_id>/activate"):
        return {**world.ids, "plan_id": world.draft_plan.id}
    if key == ("POST", "/api/v1/bulletins/<int:bulletin_id>/publish"):
        return {**world.ids, "bulletin_id": world.extra["approved_id"]}
    if key == ("POST", "/api/v1/bulletins/<int:bulletin_id>/resubmit"):
        return {**world.ids, "bulletin_id": world.extra["returned_id"]}
    return matrix.first("api_ids", world, key) or world.ids


def request_options(world, key) -> dict:
    """Return a minimal valid body (json= or data=) for each endpoint that takes one."""
    today = clock.today()
    bodies = {
        ("POST", "/api/v1/units"): {"name": "矩阵新单位", "kind": "school"},
        ("PATCH", "/api/v1/units/<int:unit_id>"): {"peer_group": "middle_schools"},
        ("POST", "/api/v1/users"): {"username": "matrix.new", "password": "Long-enough-1",
                                    "display_name": "矩阵用户", "role": "office"},
        ("PATCH", "/api/v1/users/<int:user_id>"): {"display_name": "改名"},
        ("POST", "/api/v1/auth/token"): {"username": world.target.username,
                                         "password": PASSWORD},
        ("POST", "/api/v1/plans"): {"title": "矩阵方案", "year": today.year},
        ("POST", "/api/v1/plans/<int:plan_id>/measures"): {"heading": "change_conduct",
                                                           "title": "矩阵措施"},
        ("POST", "/api/v1/tasks"): {
            "measure_id": world.ids["measure_id"], "title": "矩阵任务", "standard": "按期完成",
            "owner_unit_id": world.unit.id, "starts_on": today.isoformat(),
            "due_on": (today + timedelta(days=30)).isoformat()},
        ("PATCH", "/api/v1/tasks/<int:task_id>"): {"title": "改名的任务"},
        ("POST", "/api/v1/tasks/<int:task_id>/entries"): {"percent": 60, "narrative": "推进中", "reason": "按整改要求重新核定进度"},
        ("POST", "/api/v1/tasks/<int:task_id>/verify"): {"accept": True},
        ("POST", "/api/v1/supervision/rounds"): {"week_start": world.extra["week_start"]},
        ("PATCH", "/api/v1/supervision/findings/<int:finding_id>"): {"note": "已督促"},
        ("POST", "/api/v1/bulletins"): {"kind": "monthly", "period": world.extra["period"]},
        ("PATCH", "/api/v1/bulletins/<int:bulletin_id>"): {"title": "改过的标题"},
        ("POST", "/api/v1/bulletins/<int:bulletin_id>/return"): {"comment": "请补充分析"},
    }
    if key == ("POST", "/api/v1/plans/<int:plan_id>/tasks/import"):
        return {"data": {"file": (task_workbook(world), "tasks.xlsx")},
                "content_type": "multipart/form-data"}
    if key in bodies:
        return {"json": bodies[key]}
    return matrix.first("api_options", world, key) or {}


def task_workbook(world):
    """Return a responsibility list of one valid task, in the import's own columns."""
    from tracker.services import spreadsheets, task_import

    today = clock.today()
    row = dict.fromkeys(task_import.HEADERS)
    row.update({"重点措施类别": "建体系", "重点措施": "矩阵措施", "任务": "导入的任务",
                "标准": "按期完成", "责任单位": world.unit.name, "开始日期": today,
                "完成时限": today + timedelta(days=30)})
    return io.BytesIO(spreadsheets.write_workbook(
        [(task_import.SHEET, task_import.HEADERS, [list(row.values())])]))


def test_the_matrix_covers_every_endpoint(app):
    declared = {(spec.method, spec.rule) for spec in ENDPOINTS}
    routed = {(method, rule.rule) for rule in app.url_map.iter_rules()
              if rule.rule.startswith("/api/") for method in rule.methods - {"HEAD", "OPTIONS"}}
    assert sorted(routed ^ declared) == [], "every /api/ route is declared with endpoint(...)"
    assert sorted(declared - MATRIX.keys()) == [], "add these endpoints to MATRIX"
    assert sorted(MATRIX.keys() - declared) == [], "these MATRIX rows name no endpoint any more"
    for spec in ENDPOINTS:
        expected = MATRIX[spec.method, spec.rule]
        assert set(expected) == set(EVERYONE), spec.rule
        assert (expected[NO_TOKEN] != 401) == spec.public, (
            f"{spec.method} {spec.rule}: only public endpoints answer without a token")


def _request_as(app, token, world, who, method, path, options, headers=None):
    """Make one request as ``who`` in its own app context (``g`` holds the token's user)."""
    with app.app_context():
        client = app.test_client()
        if headers is None:
            headers = {} if who == NO_TOKEN else token(world.users[who])
        response = client.open(path, method=method, headers=headers, **options)
        response.get_data()
        response.close()
        return response


@pytest.fixture
def token(app):
    """Return a bearer header for ``user``, got in a request of its own."""

    def do(user) -> dict[str, str]:
        with app.app_context():
            response = app.test_client().post(
                "/api/v1/auth/token", json={"username": user.username, "password": PASSWORD})
            assert response.status_code == 201, response.json
            return {"Authorization": f"Bearer {response.json['token']}"}

    return do


@pytest.mark.parametrize(("method", "rule"), matrix_params(MATRIX))
def test_access(app, access_world, token, method, rule):
    world = access_world
    key = (method, rule)
    path = fill(rule, ids_for(world, key))
    wrong = []
    for who in EVERYONE:
        response = _request_as(app, token, world, who, method, path, request_options(world, key))
        expected = MATRIX[key][who]
        if response.status_code != expected:
            wrong.append((who, expected, response.status_code, response.get_data(as_text=True)[:300]))
        elif expected >= 400:
            assert response.is_json and response.json["error"]["code"], (who, path)
    assert wrong == [], f"{method} {path}"


@pytest.mark.parametrize(("method", "rule"), matrix_params(
    key for key, expected in MATRIX.items() if expected[NO_TOKEN] == 401))
def test_a_wrong_or_revoked_token_is_401(app, access_world, token, method, rule):
    world = access_world
    key = (method, rule)
    path = fill(rule, ids_for(world, key))
    revoked = token(world.users["admin"])
    assert _request_as(app, token, world, "admin", "DELETE", "/api/v1/auth/token", {},
                       revoked).status_code == 204
    for headers in ({"Authorization": "Bearer not-a-token"}, {"Authorization": "Basic eDp5"},
                    {"Authorization": "Bearer "}, {"Authorization": "bearer"}, revoked):
        response = _request_as(app, token, world, "admin", method, path,
                               request_options(world, key), headers)
        assert response.status_code == 401, (headers, path)
        assert response.json["error"]["code"] == "unauthorized"


@pytest.mark.parametrize(("method", "rule"), matrix_params(key for key in MATRIX if "<" in key[1]))
def test_unknown_ids_are_404_for_the_allowed_roles(app, access_world, token, method, rule):
    world = access_world
    key = (method, rule)
    path = unknown_ids(rule)
    for who in sample_roles(MATRIX[key], lambda expected: expected < 400):
        response = _request_as(app, token, world, who, method, path, request_options(world, key))
        allowed = MATRIX[key][who] < 400
        assert response.status_code in ((404,) if allowed else (403, 404)), (who, path)
        assert response.json["error"]["code"] in ("not_found", "forbidden")
