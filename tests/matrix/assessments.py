"""Access-matrix rows: special assessments, innovations, a unit's record, their public pages and API.

The world's assessment is published; its innovation belongs to the department
(the unit_head's and unit_member's unit) and is not scored yet; the record is
of the school the department liaises for, so unit users read it.
"""

from __future__ import annotations

from tracker import clock
from tracker.services import assessments, innovations

# as in tests/access.py (not imported: tests.access imports this package)
ANONYMOUS = "anonymous"
ROLES = ("admin", "office", "leader", "unit_head", "unit_member")
EVERYONE = (ANONYMOUS, *ROLES)
OK, FORBIDDEN = 200, 403
TO_LOGIN = (302, "/login")


def row(anonymous, admin, office, leader, unit_head, unit_member) -> dict:
    return dict(zip(EVERYONE, (anonymous, admin, office, leader, unit_head, unit_member),
                    strict=True))


def logged_in(status) -> dict:
    return {ANONYMOUS: TO_LOGIN, **dict.fromkeys(ROLES, status)}


def everyone(status) -> dict:
    return dict.fromkeys(EVERYONE, status)


def office_only(status) -> dict:
    return row(TO_LOGIN, FORBIDDEN, status, FORBIDDEN, FORBIDDEN, FORBIDDEN)


def api_row(no_token, admin, office, leader, unit_head, unit_member) -> dict:
    return dict(zip(EVERYONE, (no_token, admin, office, leader, unit_head, unit_member), strict=True))


def api_office_only(status) -> dict:
    return api_row(401, 403, status, 403, 403, 403)


def with_token(status) -> dict:
    return {ANONYMOUS: 401, **dict.fromkeys(ROLES, status)}


def build(world, make) -> None:
    office = make.actor(world.users["office"])
    assessment = assessments.enter(office, theme="teaching", period="2026-H1", scores=[
        assessments.ScoreInput(unit_id=world.department.id, score=88.5),
        assessments.ScoreInput(unit_id=world.unit.id, score=91, veto=True, note="师德问题")])
    innovation = innovations.register(office, unit_id=world.department.id, title="一月一查",
                                      description="包校股室每月查一次学校", year=clock.today().year)
    world.ids.update(assessment_id=assessment.id, innovation_id=innovation.id)
    world.extra["innovation_year"] = clock.today().year


WEB_ROWS = {
    ("GET", "/assessments"): logged_in(OK),
    ("GET", "/assessments/new"): office_only(OK),
    ("GET", "/assessments/import"): office_only(OK),
    ("GET", "/assessments/import/template.xlsx"): office_only(OK),
    ("GET", "/assessments/<int:assessment_id>"): logged_in(OK),
    ("GET", "/assessments/<int:assessment_id>.xlsx"): logged_in(OK),
    ("GET", "/innovations"): logged_in(OK),
    ("GET", "/innovations/new"): row(TO_LOGIN, FORBIDDEN, OK, FORBIDDEN, OK, OK),
    ("GET", "/innovations/<int:innovation_id>"): logged_in(OK),
    ("POST", "/innovations/<int:innovation_id>/score"): office_only(
        (302, "/innovations/<int:innovation_id>")),
    ("GET", "/innovations/ranking"): logged_in(OK),
    ("POST", "/innovations/ranking/publish"): office_only((302, "/innovations/ranking")),
    ("GET", "/units/<int:unit_id>/record"): logged_in(OK),
    ("GET", "/public/innovations"): everyone(OK),
    ("GET", "/public/assessments"): everyone(OK),
    ("GET", "/public/assessments/<int:assessment_id>"): everyone(OK),
}

API_ROWS = {
    ("POST", "/api/v1/assessments"): api_office_only(201),
    ("GET", "/api/v1/assessments"): with_token(200),
    ("GET", "/api/v1/assessments/<int:assessment_id>"): with_token(200),
    ("POST", "/api/v1/innovations"): api_row(401, 403, 201, 403, 201, 201),
    ("GET", "/api/v1/innovations"): with_token(200),
    ("POST", "/api/v1/innovations/<int:innovation_id>/score"): api_office_only(200),
    # the draft ranking is for the office and leaders until it is published (404 for others)
    ("GET", "/api/v1/innovations/ranking"): api_row(401, 404, 200, 200, 404, 404),
    ("POST", "/api/v1/innovations/ranking/publish"): api_office_only(200),
}


def web_body(world, key):
    if key == ("POST", "/innovations/<int:innovation_id>/score"):
        return {"score": "80"}
    if key == ("POST", "/innovations/ranking/publish"):
        return {"year": str(world.extra["innovation_year"])}
    return None


def api_options(world, key):
    if key == ("POST", "/api/v1/assessments"):
        return {"json": {"theme": "party_building", "period": "2025-H2",
                         "scores": [{"unit_id": world.unit.id, "score": 75}]}}
    if key == ("POST", "/api/v1/innovations"):
        return {"json": {"title": "家访全覆盖", "description": "每学期家访一次", "year": 2030,
                         "unit_id": world.department.id}}
    if key == ("POST", "/api/v1/innovations/<int:innovation_id>/score"):
        return {"json": {"score": 80}}
    if key == ("GET", "/api/v1/innovations/ranking"):
        return {"query_string": {"year": world.extra["innovation_year"]}}
    if key == ("POST", "/api/v1/innovations/ranking/publish"):
        return {"json": {"year": world.extra["innovation_year"]}}
    return None
