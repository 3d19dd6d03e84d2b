"""Access-matrix rows of the accountability area (flags 问责标记).

The world's flags are on the department (the unit_head's and unit_member's own
unit): unit users read them but change nothing; the school's history is another
unit's, so unit users get 404 there (a unit sees its own flags only).
"""

from __future__ import annotations

from tests.access import ANONYMOUS, EVERYONE
from tracker import clock
from tracker.extensions import db
from tracker.models import Flag

OK, FORBIDDEN, NOT_FOUND = 200, 403, 404
TO_LOGIN = (302, "/login")
TO_REGISTER = (302, "/accountability/")
TO_FLAG = (302, "/accountability/<int:flag_id>")


def row(anonymous, admin, office, leader, unit_head, unit_member) -> dict:
    return dict(zip(EVERYONE, (anonymous, admin, office, leader, unit_head, unit_member), strict=True))


WEB_ROWS = {
    ("GET", "/accountability/"): row(TO_LOGIN, OK, OK, OK, OK, OK),
    ("POST", "/accountability/evaluate"): row(TO_LOGIN, FORBIDDEN, TO_REGISTER, FORBIDDEN, FORBIDDEN,
                                              FORBIDDEN),
    ("GET", "/accountability/<int:flag_id>"): row(TO_LOGIN, OK, OK, OK, OK, OK),
    ("POST", "/accountability/<int:flag_id>/review"): row(TO_LOGIN, FORBIDDEN, TO_FLAG, FORBIDDEN,
                                                          FORBIDDEN, FORBIDDEN),
    # a leader's steps are confirmed on a page of their own first (GET), then taken (POST)
    ("GET", "/accountability/<int:flag_id>/decide"): row(TO_LOGIN, FORBIDDEN, FORBIDDEN, OK,
                                                         FORBIDDEN, FORBIDDEN),
    # the office proposes, then the leader approves
    ("GET", "/accountability/<int:flag_id>/exempt"): row(TO_LOGIN, FORBIDDEN, FORBIDDEN, OK,
                                                         FORBIDDEN, FORBIDDEN),
    # the flag with a proposed exemption: a leader rejects it
    ("GET", "/accountability/<int:flag_id>/reject-exemption"): row(TO_LOGIN, FORBIDDEN, FORBIDDEN, OK,
                                                                   FORBIDDEN, FORBIDDEN),
    ("GET", "/accountability/units/<int:unit_id>"): row(TO_LOGIN, OK, OK, OK, NOT_FOUND, NOT_FOUND),
}

API_ROWS = {
    ("POST", "/api/v1/accountability/evaluate"): {ANONYMOUS: 401, "admin": 403, "office": 200,
                                                  "leader": 403, "unit_head": 403, "unit_member": 403},
    ("GET", "/api/v1/flags"): {ANONYMOUS: 401, **dict.fromkeys(EVERYONE[1:], 200)},
    ("GET", "/api/v1/flags/<int:flag_id>"): {ANONYMOUS: 401, **dict.fromkeys(EVERYONE[1:], 200)},
    ("POST", "/api/v1/flags/<int:flag_id>/review"): {ANONYMOUS: 401, "admin": 403, "office": 200,
                                                     "leader": 403, "unit_head": 403, "unit_member": 403},
    ("POST", "/api/v1/flags/<int:flag_id>/decide"): {ANONYMOUS: 401, "admin": 403, "office": 403,
                                                     "leader": 200, "unit_head": 403, "unit_member": 403},
    ("POST", "/api/v1/flags/<int:flag_id>/exempt"): {ANONYMOUS: 401, "admin": 403, "office": 200,
                                                     "leader": 200, "unit_head": 403, "unit_member": 403},
    ("POST", "/api/v1/flags/<int:flag_id>/reject-exemption"): {
        ANONYMOUS: 401, "admin": 403, "office": 403, "leader": 200, "unit_head": 403, "unit_member": 403},
}


def build(world, make) -> None:
    now = clock.now()
    made = {}
    for name, status, rule in (("raised", "raised", "poor_delivery"),
                               ("under_review", "under_review", "long_overdue"),
                               ("proposed", "under_review", "last_place")):
        flag = Flag(rule=rule, unit_id=world.department.id, period="2026-06", evidence={"sources": []},
                    proposed_action="criticism", status=status, raised_at=now,
                    reviewed_at=now if status == "under_review" else None,
                    exemption_justification="改革探索中的失误" if name == "proposed" else None,
                    exemption_proposed_at=now if name == "proposed" else None)
        db.session.add(flag)
        db.session.flush()
        made[name] = flag.id
    world.extra["flag_raised_id"] = made["raised"]
    world.extra["flag_review_id"] = made["under_review"]
    world.extra["flag_proposed_id"] = made["proposed"]


def _flag_id(world, key) -> int | None:
    method, rule = key
    if "<int:flag_id>" not in rule or "/basis/" in rule:  # a flag's basis: tests/matrix/basis.py
        return None
    if rule.endswith("/reject-exemption"):
        return world.extra["flag_proposed_id"]
    if rule.endswith("/decide") or rule.endswith("/exempt"):
        return world.extra["flag_review_id"]
    return world.extra["flag_raised_id"]


def web_ids(world, key):
    flag_id = _flag_id(world, key)
    return {**world.ids, "flag_id": flag_id} if flag_id else None


api_ids = web_ids


def web_body(world, key):
    method, rule = key
    if rule == "/accountability/<int:flag_id>/review":
        return {"opinion": "证据属实，进入审核"}
    if rule == "/accountability/<int:flag_id>/decide":
        return {"action": "interview", "reasons": "约谈主要负责人", "confirm": "yes"}
    if rule == "/accountability/<int:flag_id>/exempt":
        return {"justification": "改革探索中的失误，容错免责", "confirm": "yes"}
    if rule == "/accountability/<int:flag_id>/reject-exemption":
        return {"reason": "理由不充分", "confirm": "yes"}
    if rule == "/accountability/evaluate":
        return {"as_of": clock.today().isoformat()}
    return None


def api_options(world, key):
    method, rule = key
    if rule == "/api/v1/flags/<int:flag_id>/decide":
        return {"json": {"action": "interview", "reasons": "约谈主要负责人"}}
    if rule == "/api/v1/flags/<int:flag_id>/exempt":
        return {"json": {"justification": "改革探索中的失误，容错免责"}}
    if rule == "/api/v1/flags/<int:flag_id>/review":
        return {"json": {"opinion": "证据属实，进入审核"}}
    if rule == "/api/v1/flags/<int:flag_id>/reject-exemption":
        return {"json": {"reason": "理由不充分"}}
    if rule == "/api/v1/accountability/evaluate":
        return {"json": {}}
    return None
