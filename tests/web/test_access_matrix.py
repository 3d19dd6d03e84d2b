"""Every HTML route × every role → the expected status (docs/architecture.md "Tests").

The table below is the access policy of the pages, written out. A route
added to the app without a row here fails ``test_the_matrix_covers_every_html_route``:
the matrix must grow with every later issue.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from tests import matrix
from tests.access import (
    ANONYMOUS,
    EVERYONE,
    ROLES,
    fill,
    html_routes,
    matrix_params,
    sample_roles,
    unknown_ids,
)
from tests.factories import PASSWORD

OK, FORBIDDEN, NOT_FOUND = 200, 403, 404
TO_LOGIN = (302, "/login")
TO_DASHBOARD = (302, "/")
TO_UNITS = (302, "/admin/units")
TO_USERS = (302, "/admin/users")
TO_USER_EDIT = (302, "/admin/users/<int:user_id>/edit")
TO_PLAN = (302, "/plans/<int:plan_id>")
TO_TASK = (302, "/tasks/<int:task_id>")
TO_ROUND = (302, "/supervision/<int:round_id>")
TO_BULLETIN = (302, "/bulletins/<int:bulletin_id>")
TO_LIAISON = (302, "/supervision/liaison")


def row(anonymous, admin, office, leader, unit_head, unit_member) -> dict:
    return dict(zip(EVERYONE, (anonymous, admin, office, leader, unit_head, unit_member),
                    strict=True))


def everyone(status) -> dict:
    return dict.fromkeys(EVERYONE, status)


def logged_in(status) -> dict:
    return {ANONYMOUS: TO_LOGIN, **dict.fromkeys(ROLES, status)}


def admin_only(status) -> dict:
    return row(TO_LOGIN, status, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN)


def office_only(status) -> dict:
    return row(TO_LOGIN, FORBIDDEN, status, FORBIDDEN, FORBIDDEN, FORBIDDEN)


# (method, rule) → role → status, or (status, path redirected to).
# GET for every route that answers GET; POST for the POST-only ones.
MATRIX: dict[tuple[str, str], dict] = {
    # auth
    ("GET", "/login"): row(OK, TO_DASHBOARD, TO_DASHBOARD, TO_DASHBOARD, TO_DASHBOARD,
                           TO_DASHBOARD),
    ("POST", "/logout"): everyone(TO_LOGIN),
    ("POST", "/language"): everyone(TO_DASHBOARD),
    ("GET", "/account/password"): logged_in(OK),
    # main, public
    ("GET", "/"): everyone(OK),  # a visitor's is the public front door, a user's the to-do home
    ("GET", "/overview"): row(TO_LOGIN, OK, OK, OK, FORBIDDEN, FORBIDDEN),
    ("GET", "/inbox"): logged_in(OK),
    ("POST", "/inbox/read"): logged_in((302, "/inbox")),
    ("GET", "/public/"): everyone(OK),
    # admin
    ("GET", "/admin/units"): admin_only(OK),
    ("GET", "/admin/units/new"): admin_only(OK),
    ("GET", "/admin/units/<int:unit_id>/edit"): admin_only(OK),
    ("POST", "/admin/units/<int:unit_id>/archive"): admin_only(TO_UNITS),
    ("GET", "/admin/users"): admin_only(OK),
    ("GET", "/admin/users/new"): admin_only(OK),
    ("GET", "/admin/users/<int:user_id>/edit"): admin_only(OK),
    ("POST", "/admin/users/<int:user_id>/password"): admin_only(TO_USER_EDIT),
    ("POST", "/admin/users/<int:user_id>/active"): admin_only(TO_USERS),
    ("GET", "/admin/import"): admin_only(OK),
    ("GET", "/admin/import/template.xlsx"): admin_only(OK),
    ("GET", "/admin/settings"): row(TO_LOGIN, OK, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN),
    ("GET", "/admin/audit"): row(TO_LOGIN, OK, OK, OK, FORBIDDEN, FORBIDDEN),
    # plans, tasks, the ledger (the task belongs to the unit_head's and unit_member's unit)
    ("GET", "/plans"): logged_in(OK),
    ("GET", "/plans/new"): office_only(OK),
    ("GET", "/plans/<int:plan_id>"): logged_in(OK),
    ("GET", "/plans/<int:plan_id>/edit"): office_only(OK),
    ("POST", "/plans/<int:plan_id>/status"): office_only(TO_PLAN),
    ("GET", "/plans/<int:plan_id>/measures/new"): office_only(OK),
    ("GET", "/measures/<int:measure_id>/edit"): office_only(OK),
    ("GET", "/plans/<int:plan_id>/tasks/new"): office_only(OK),
    ("GET", "/plans/<int:plan_id>/import"): office_only(OK),
    ("GET", "/plans/<int:plan_id>/import/template.xlsx"): office_only(OK),
    ("GET", "/tasks/<int:task_id>"): logged_in(OK),
    ("GET", "/tasks/<int:task_id>/edit"): office_only(OK),
    # the unit_member's report is saved as a draft for the unit_head (tests/matrix/drafts.py)
    ("POST", "/tasks/<int:task_id>/report"): row(TO_LOGIN, FORBIDDEN, TO_TASK, FORBIDDEN,
                                                 TO_TASK, TO_TASK),
    ("POST", "/tasks/<int:task_id>/verify"): office_only(TO_TASK),
    ("GET", "/evidence/<int:file_id>"): logged_in(OK),
    ("GET", "/ledger"): logged_in(OK),
    ("GET", "/ledger.xlsx"): logged_in(OK),
    ("GET", "/my-tasks"): row(TO_LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK, OK),
    ("GET", "/verification"): office_only(OK),
    # supervision (the finding is on the unit_head's and unit_member's unit)
    ("GET", "/supervision/"): row(TO_LOGIN, OK, OK, OK, FORBIDDEN, FORBIDDEN),
    ("POST", "/supervision/start"): office_only(TO_ROUND),
    ("GET", "/supervision/<int:round_id>"): row(TO_LOGIN, OK, OK, OK, FORBIDDEN, FORBIDDEN),
    ("POST", "/supervision/<int:round_id>/close"): office_only(TO_ROUND),
    ("POST", "/supervision/findings/<int:finding_id>/note"): office_only(TO_ROUND),
    ("GET", "/supervision/mine"): row(TO_LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK, OK),
    ("GET", "/supervision/jobs"): row(TO_LOGIN, OK, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN),
    # liaison checks: the school's liaison department (the unit_head's and unit_member's)
    ("GET", "/supervision/liaison"): logged_in(OK),
    ("POST", "/supervision/liaison/<int:school_id>"): row(TO_LOGIN, FORBIDDEN, TO_LIAISON,
                                                         FORBIDDEN, TO_LIAISON, TO_LIAISON),
    # bulletins (the world's bulletin is a draft: units do not see drafts)
    ("GET", "/bulletins"): logged_in(OK),
    ("POST", "/bulletins/generate"): office_only(TO_BULLETIN),
    ("GET", "/bulletins/<int:bulletin_id>"): row(TO_LOGIN, OK, OK, OK, NOT_FOUND, NOT_FOUND),
    ("GET", "/bulletins/preview"): row(TO_LOGIN, OK, OK, OK, FORBIDDEN, FORBIDDEN),
    # approving, returning and publishing: a page of their own first, which POSTs the step
    # (tests/web/test_bulletin_confirmations.py)
    ("GET", "/bulletins/<int:bulletin_id>/approve"): row(TO_LOGIN, FORBIDDEN, FORBIDDEN, OK,
                                                        NOT_FOUND, NOT_FOUND),
    ("GET", "/bulletins/<int:bulletin_id>/return"): row(TO_LOGIN, FORBIDDEN, FORBIDDEN, OK,
                                                       NOT_FOUND, NOT_FOUND),
    # the returned bulletin: the office submits it again
    ("POST", "/bulletins/<int:bulletin_id>/resubmit"): row(TO_LOGIN, FORBIDDEN, TO_BULLETIN,
                                                          FORBIDDEN, NOT_FOUND, NOT_FOUND),
    ("GET", "/bulletins/<int:bulletin_id>/publish"): row(TO_LOGIN, FORBIDDEN, OK, FORBIDDEN,
                                                        NOT_FOUND, NOT_FOUND),
    ("POST", "/bulletins/<int:bulletin_id>/regenerate"): row(TO_LOGIN, FORBIDDEN, TO_BULLETIN,
                                                            FORBIDDEN, NOT_FOUND, NOT_FOUND),
    ("GET", "/bulletins/<int:bulletin_id>.docx"): row(TO_LOGIN, OK, OK, OK, NOT_FOUND, NOT_FOUND),
    ("GET", "/public/bulletins"): everyone(OK),
    ("GET", "/public/bulletins/<int:bulletin_id>"): everyone(OK),
}

MATRIX.update(matrix.rows("WEB"))

# Valid forms for the POST-only routes, so that an allowed role gets through.
BODIES: dict[tuple[str, str], dict] = {
    ("POST", "/language"): {"lang": "en"},
    ("POST", "/admin/users/<int:user_id>/password"): {"reset-password": "Another-pass-2"},
    ("POST", "/admin/users/<int:user_id>/active"): {"active": "1"},
    ("POST", "/plans/<int:plan_id>/status"): {"status": "closed"},
    ("POST", "/tasks/<int:task_id>/report"): {"percent": "60", "narrative": "推进中"},
    ("POST", "/tasks/<int:task_id>/verify"): {"decision": "accept"},
    ("POST", "/supervision/findings/<int:finding_id>/note"): {"note": "已督促"},
    ("POST", "/supervision/liaison/<int:school_id>"): {
        "month": "2026-10", "feedback": "已反馈",
        **{f"{key}_rating": "good" for key in ("law_administration", "law_schooling", "spirit",
                                               "delivery", "social")}},
}


def ids_for(world, key) -> dict[str, int]:
    """Return the ids to fill ``key``'s rule with: the world's, or a fitting row's."""
    if key == ("GET", "/bulletins/<int:bulletin_id>/publish"):
        return {**world.ids, "bulletin_id": world.extra["approved_id"]}
    if key == ("POST", "/bulletins/<int:bulletin_id>/resubmit"):
        return {**world.ids, "bulletin_id": world.extra["returned_id"]}
    if key == ("GET", "/public/bulletins/<int:bulletin_id>"):
        return {**world.ids, "bulletin_id": world.extra["published_id"]}
    return matrix.first("web_ids", world, key) or world.ids


def bodies(world, key) -> dict | None:
    """Return a valid form for the POST-only routes, so that an allowed role gets through."""
    if key == ("POST", "/supervision/start"):
        return {"week_start": world.extra["week_start"]}
    if key == ("POST", "/bulletins/generate"):
        return {"kind": "monthly", "period": world.extra["period"]}
    return BODIES.get(key) or matrix.first("web_body", world, key)


def test_the_matrix_covers_every_html_route(app):
    routes = html_routes(app)
    assert sorted(routes - MATRIX.keys()) == [], "add these routes to MATRIX"
    assert sorted(MATRIX.keys() - routes) == [], "these MATRIX rows name no route any more"
    for key, expected in MATRIX.items():
        assert set(expected) == set(EVERYONE), key


def _outcome(response, expected, ids: dict[str, int]):
    """Return the response as the matrix writes it: a status, or (302, the path)."""
    if isinstance(expected, tuple) and response.status_code == expected[0]:
        path = urlsplit(response.headers["Location"]).path
        return (response.status_code, path if path != fill(expected[1], ids) else expected[1])
    return response.status_code


def _request_as(app, world, who, method, path, data):
    """Log in as ``who`` on a new client and make one request.

    Each role gets its own app context: the test's own would carry Flask-Login's
    user (kept in ``g``) and the session from one request to the next.
    """
    with app.app_context():
        client = app.test_client()
        if who != ANONYMOUS:
            user = world.users[who]
            response = client.post("/login", data={"username": user.username,
                                                   "password": PASSWORD})
            assert response.status_code == 302, who
        response = client.open(path, method=method, data=data)
        response.get_data()
        response.close()  # a file sent from disk stays open until then
        return response


@pytest.mark.parametrize(("method", "rule"), matrix_params(MATRIX))
def test_access(app, access_world, method, rule):
    world = access_world
    ids = ids_for(world, (method, rule))
    path = fill(rule, ids)
    wrong = []
    for who in EVERYONE:
        response = _request_as(app, world, who, method, path, bodies(world, (method, rule)))
        expected = MATRIX[method, rule][who]
        got = _outcome(response, expected, ids)
        if got != expected:
            wrong.append((who, expected, got, response.get_data(as_text=True)[:200]))
        elif response.status_code >= 400:
            assert response.mimetype == "text/html", (who, path)  # the error page, never JSON
    assert wrong == [], f"{method} {path}"


ID_ROUTES = [key for key in MATRIX if "<" in key[1]]


@pytest.mark.parametrize(("method", "rule"), matrix_params(ID_ROUTES))
def test_unknown_ids_are_404_for_the_allowed_roles(app, access_world, method, rule):
    world = access_world
    path = unknown_ids(rule)
    for who in sample_roles(MATRIX[method, rule], lambda expected: expected != FORBIDDEN):
        response = _request_as(app, world, who, method, path, bodies(world, (method, rule)))
        allowed = MATRIX[method, rule][who] != FORBIDDEN
        assert response.status_code in ((NOT_FOUND,) if allowed else (FORBIDDEN, NOT_FOUND)), (
            who, path, response.status_code)
