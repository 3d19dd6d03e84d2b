"""Access-matrix rows of the ratings area (rating rounds 作风评议).

The world has a draft round (with a batch of codes), an open round (with
unused codes for the public ballot) and a closed round whose results are
public. The office runs rounds; leaders and the admin read them; unit users
see none of it; the public votes with a code and reads published results.
"""

from __future__ import annotations

from tracker.extensions import db
from tracker.services import ratings
from tracker.services.audit import Actor

ANONYMOUS = "anonymous"
EVERYONE = (ANONYMOUS, "admin", "office", "leader", "unit_head", "unit_member")
OK, FORBIDDEN, NOT_FOUND = 200, 403, 404
TO_LOGIN = (302, "/login")
TO_ROUND = (302, "/ratings/<int:rating_round_id>")


def row(anonymous, admin, office, leader, unit_head, unit_member) -> dict:
    return dict(zip(EVERYONE, (anonymous, admin, office, leader, unit_head, unit_member), strict=True))


def readers(status) -> dict:
    return row(TO_LOGIN, status, status, status, FORBIDDEN, FORBIDDEN)


def office_only(status) -> dict:
    return row(TO_LOGIN, FORBIDDEN, status, FORBIDDEN, FORBIDDEN, FORBIDDEN)


def api(no_token, admin, office, leader, unit_head, unit_member) -> dict:
    return row(no_token, admin, office, leader, unit_head, unit_member)


WEB_ROWS = {
    ("GET", "/ratings/"): readers(OK),
    ("GET", "/ratings/new"): office_only(OK),
    ("GET", "/ratings/<int:rating_round_id>"): readers(OK),
    ("GET", "/ratings/<int:rating_round_id>/edit"): office_only(OK),
    ("POST", "/ratings/<int:rating_round_id>/open"): office_only(TO_ROUND),
    ("GET", "/ratings/<int:rating_round_id>/close"): office_only(OK),  # what closing does, then confirm
    ("POST", "/ratings/<int:rating_round_id>/publish"): office_only(TO_ROUND),
    ("POST", "/ratings/<int:rating_round_id>/invitations"): office_only(TO_ROUND),
    ("GET", "/ratings/<int:rating_round_id>/batches/<int:batch>/slips"): office_only(OK),
    ("GET", "/ratings/<int:rating_round_id>/batches/<int:batch>/slips.pdf"): office_only(OK),
    ("GET", "/ratings/<int:rating_round_id>/results"): readers(OK),
    ("GET", "/ratings/<int:rating_round_id>/results.xlsx"): readers(OK),
    ("GET", "/public/vote"): dict.fromkeys(EVERYONE, OK),
    ("GET", "/public/vote/<code>"): dict.fromkeys(EVERYONE, OK),
    ("GET", "/public/ratings"): dict.fromkeys(EVERYONE, OK),
    ("GET", "/public/ratings/<int:rating_round_id>"): dict.fromkeys(EVERYONE, OK),
}

API_ROWS = {
    ("POST", "/api/v1/rating-rounds"): api(401, 403, 201, 403, 403, 403),
    ("GET", "/api/v1/rating-rounds"): api(401, 200, 200, 200, 403, 403),
    ("GET", "/api/v1/rating-rounds/<int:rating_round_id>"): api(401, 200, 200, 200, 403, 403),
    ("POST", "/api/v1/rating-rounds/<int:rating_round_id>/open"): api(401, 403, 200, 403, 403, 403),
    ("POST", "/api/v1/rating-rounds/<int:rating_round_id>/close"): api(401, 403, 200, 403, 403, 403),
    ("POST", "/api/v1/rating-rounds/<int:rating_round_id>/invitations"): api(401, 403, 201, 403, 403,
                                                                              403),
    ("GET", "/api/v1/rating-rounds/<int:rating_round_id>/ranking"): api(401, 200, 200, 200, 403, 403),
    ("POST", "/api/v1/public/ballots"): dict.fromkeys(EVERYONE, 201),
}


def build(world, make) -> None:
    office = Actor(world.users["office"], "127.0.0.1", make.actor().now)
    unit_ids = [world.unit.id, world.department.id]
    draft = ratings.create_round(office, ratings.RoundInput(title="矩阵评议（草稿）", period="2026-H2",
                                                            unit_ids=unit_ids))
    ratings.generate_invitations(office, draft, "public", 2)
    opened = ratings.create_round(office, ratings.RoundInput(title="矩阵评议（进行中）", period="2026-H1",
                                                             unit_ids=unit_ids))
    _batch, codes = ratings.generate_invitations(office, opened, "service_recipients", 12)
    ratings.open_round(office, opened)
    closed = ratings.create_round(office, ratings.RoundInput(title="矩阵评议（已结束）", period="2025-H2",
                                                             unit_ids=unit_ids))
    ratings.open_round(office, closed)
    db.session.flush()
    ratings.close(office, closed)
    ratings.publish_results(office, closed)
    db.session.flush()
    world.extra.update(rating_draft_id=draft.id, rating_open_id=opened.id, rating_closed_id=closed.id,
                       rating_codes=codes)


def _round_for(world, key) -> int:
    method, rule = key
    if rule.endswith("/close"):
        return world.extra["rating_open_id"]
    if rule.endswith("/publish") or rule.startswith("/public/ratings/"):
        return world.extra["rating_closed_id"]
    return world.extra["rating_draft_id"]


def web_ids(world, key):
    _method, rule = key
    if rule == "/public/vote/<code>":
        return {**world.ids, "code": world.extra["rating_codes"][0]}
    if "<int:rating_round_id>" in rule:
        return {**world.ids, "rating_round_id": _round_for(world, key), "batch": 1}
    return None


def web_body(world, key):
    if key == ("POST", "/ratings/<int:rating_round_id>/invitations"):
        return {"group": "public", "count": "2"}
    return None


def api_ids(world, key):
    _method, rule = key
    if "<int:rating_round_id>" in rule:
        return {**world.ids, "rating_round_id": _round_for(world, key)}
    return None


def api_options(world, key):
    if key == ("POST", "/api/v1/rating-rounds"):
        return {"json": {"title": "矩阵新评议", "period": "2026", "unit_ids": [world.unit.id]}}
    if key == ("POST", "/api/v1/rating-rounds/<int:rating_round_id>/invitations"):
        return {"json": {"group": "public", "count": 2}}
    if key == ("POST", "/api/v1/public/ballots"):
        code = world.extra["rating_codes"].pop()  # a fresh code for every caller
        return {"json": {"code": code, "answers": [
            {"unit_id": world.unit.id, "dimension": "spirit", "value": "satisfied"}]}}
    return None
