"""Access-matrix rows of a unit member's ledger drafts (the member drafts, the unit head submits).

The world's draft is the unit_member's, pending, on a task of the department
(the unit_head's and unit_member's unit), with one evidence file. The central
roles do not learn of a unit's drafts (404); the head submits or returns
(the member may not: 403); the member edits or discards (the head may not: 403).
"""

from __future__ import annotations

import io
from datetime import timedelta

from tracker import clock
from tracker.extensions import db
from tracker.services import ledger, ledger_drafts

ANONYMOUS = "anonymous"
ROLES = ("admin", "office", "leader", "unit_head", "unit_member")
EVERYONE = (ANONYMOUS, *ROLES)
OK, FORBIDDEN, NOT_FOUND = 200, 403, 404
TO_LOGIN = (302, "/login")
TO_TASK = (302, "/tasks/<int:task_id>")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def row(anonymous, admin, office, leader, unit_head, unit_member) -> dict:
    return dict(zip(EVERYONE, (anonymous, admin, office, leader, unit_head, unit_member), strict=True))


def unit_only(head, member) -> dict:
    return row(TO_LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, head, member)


WEB_ROWS = {
    ("GET", "/drafts/<int:draft_id>"): unit_only(OK, OK),
    ("POST", "/drafts/<int:draft_id>/submit"): unit_only(TO_TASK, FORBIDDEN),
    ("POST", "/drafts/<int:draft_id>/return"): unit_only(TO_TASK, FORBIDDEN),
    ("POST", "/drafts/<int:draft_id>/discard"): unit_only(FORBIDDEN, TO_TASK),
    ("GET", "/drafts/files/<int:file_id>"): unit_only(OK, OK),
}


def api_row(no_token, admin, office, leader, unit_head, unit_member) -> dict:
    return dict(zip(EVERYONE, (no_token, admin, office, leader, unit_head, unit_member), strict=True))


def api_unit_only(head, member) -> dict:
    return api_row(401, 404, 404, 404, head, member)


API_ROWS = {
    # on the world's task, where the member has no draft yet
    ("POST", "/api/v1/tasks/<int:task_id>/drafts"): api_row(401, 403, 403, 403, 403, 201),
    ("GET", "/api/v1/drafts"): api_row(401, 403, 403, 403, 200, 200),
    ("GET", "/api/v1/drafts/<int:draft_id>"): api_unit_only(200, 200),
    ("PATCH", "/api/v1/drafts/<int:draft_id>"): api_unit_only(403, 200),
    ("POST", "/api/v1/drafts/<int:draft_id>/submit"): api_unit_only(201, 403),
    ("POST", "/api/v1/drafts/<int:draft_id>/return"): api_unit_only(200, 403),
    ("POST", "/api/v1/drafts/<int:draft_id>/discard"): api_unit_only(403, 200),
}


def build(world, make) -> None:
    from flask import current_app

    today = clock.today()
    task = make.task(world.plan.measures[0], unit=world.department, starts_on=today - timedelta(days=5),
                     due_on=today + timedelta(days=25))
    draft = ledger_drafts.create(make.actor(world.users["unit_member"]), task, percent=30,
                                 narrative="完成方案起草",
                                 files=[ledger.Upload(io.BytesIO(PDF), "草稿佐证.pdf")],
                                 upload_folder=current_app.config["UPLOAD_FOLDER"])
    db.session.flush()
    world.ids.update(draft_id=draft.id)
    world.extra.update(draft_task=task.id, draft_file=draft.files[0].id)


def _ids(world, key):
    rule = key[1]
    if rule.startswith(("/drafts/", "/api/v1/drafts/")):
        return {**world.ids, "task_id": world.extra["draft_task"],
                "file_id": world.extra["draft_file"]}
    return None


def web_ids(world, key):
    return _ids(world, key) if key in WEB_ROWS else None


def api_ids(world, key):
    return _ids(world, key) if key in API_ROWS else None


def web_body(world, key):
    return {
        ("POST", "/drafts/<int:draft_id>/submit"): {},
        ("POST", "/drafts/<int:draft_id>/return"): {"comment": "请补充佐证材料"},
        ("POST", "/drafts/<int:draft_id>/discard"): {},
    }.get(key)


def api_options(world, key):
    return {
        ("POST", "/api/v1/tasks/<int:task_id>/drafts"): {"json": {"percent": 50, "narrative": "推进中"}},
        ("PATCH", "/api/v1/drafts/<int:draft_id>"): {"json": {"percent": 40, "narrative": "已补充"}},
        ("POST", "/api/v1/drafts/<int:draft_id>/return"): {"json": {"comment": "请补充佐证材料"}},
    }.get(key)
