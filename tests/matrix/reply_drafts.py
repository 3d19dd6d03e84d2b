"""Access-matrix rows of a unit member's complaint reply drafts (the member drafts, the unit head submits).

The world's reply draft is the unit_member's, pending, on a complaint dispatched to
the department (the unit_head's and unit_member's unit), with one file. The
central roles do not learn of a unit's drafts (404); the head submits or
returns (the member may not: 403); the member edits or discards (the head may
not: 403). Drafting is the member's: on a second dispatched complaint, where the
member has no draft yet.
"""

from __future__ import annotations

import io

from flask import current_app

from tests.access import EVERYONE
from tests.factories import complaint_input
from tracker.extensions import db
from tracker.services import complaint_reply_drafts, complaints

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
OK, FORBIDDEN, NOT_FOUND = 200, 403, 404
TO_LOGIN = (302, "/login")
TO_COMPLAINT = (302, "/complaints/<int:complaint_id>")


def row(anonymous, admin, office, leader, unit_head, unit_member) -> dict:
    return dict(zip(EVERYONE, (anonymous, admin, office, leader, unit_head, unit_member), strict=True))


def unit_only(head, member) -> dict:
    return row(TO_LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, head, member)


WEB_ROWS = {
    ("GET", "/complaints/reply-drafts/<int:draft_id>"): unit_only(OK, OK),
    ("POST", "/complaints/reply-drafts/<int:draft_id>/submit"): unit_only(TO_COMPLAINT, FORBIDDEN),
    ("POST", "/complaints/reply-drafts/<int:draft_id>/return"): unit_only(TO_COMPLAINT, FORBIDDEN),
    ("POST", "/complaints/reply-drafts/<int:draft_id>/discard"): unit_only(FORBIDDEN, TO_COMPLAINT),
    ("GET", "/complaints/reply-drafts/files/<int:file_id>"): unit_only(OK, OK),
}


def api_unit_only(head, member) -> dict:
    return row(401, 404, 404, 404, head, member)


API_ROWS = {
    # on a complaint dispatched to the department, where the member has no draft yet
    ("POST", "/api/v1/complaints/<int:complaint_id>/reply-drafts"): row(401, 404, 403, 403, 403, 201),
    ("GET", "/api/v1/complaints/reply-drafts"): row(401, 403, 403, 403, 200, 200),
    ("GET", "/api/v1/complaints/reply-drafts/<int:draft_id>"): api_unit_only(200, 200),
    ("PATCH", "/api/v1/complaints/reply-drafts/<int:draft_id>"): api_unit_only(403, 200),
    ("POST", "/api/v1/complaints/reply-drafts/<int:draft_id>/submit"): api_unit_only(200, 403),
    ("POST", "/api/v1/complaints/reply-drafts/<int:draft_id>/return"): api_unit_only(200, 403),
    ("POST", "/api/v1/complaints/reply-drafts/<int:draft_id>/discard"): api_unit_only(403, 200),
}


def build(world, make) -> None:
    office = make.actor(world.users["office"])

    def dispatched():
        c = complaints.submit(make.actor(), complaint_input(
            category="buck_passing", description="推诿扯皮不作为", name="孙八", contact="matrix-draft-77"))
        complaints.accept(office, c)
        complaints.dispatch(office, c, world.department.id)
        return c

    drafted, to_draft = dispatched(), dispatched()
    draft = complaint_reply_drafts.create(
        make.actor(world.users["unit_member"]), drafted, text="经核实，已整改",
        files=[complaints.Upload(io.BytesIO(PNG), "整改照片.png")],
        upload_folder=current_app.config["UPLOAD_FOLDER"])
    db.session.flush()
    world.extra.update(reply_draft=draft.id, reply_draft_complaint=drafted.id,
                       reply_draft_file=draft.files[0].id, reply_to_draft=to_draft.id)


def _ids(world, key):
    rule = key[1]
    if "/reply-drafts" not in rule:
        return None
    complaint = (world.extra["reply_to_draft"] if rule.endswith("<int:complaint_id>/reply-drafts")
                 else world.extra["reply_draft_complaint"])
    return {**world.ids, "draft_id": world.extra["reply_draft"], "complaint_id": complaint,
            "file_id": world.extra["reply_draft_file"]}


def web_ids(world, key):
    return _ids(world, key) if key in WEB_ROWS else None


def api_ids(world, key):
    return _ids(world, key) if key in API_ROWS else None


def web_body(world, key):
    return {
        ("POST", "/complaints/reply-drafts/<int:draft_id>/submit"): {},
        ("POST", "/complaints/reply-drafts/<int:draft_id>/return"): {"comment": "请补充整改措施"},
        ("POST", "/complaints/reply-drafts/<int:draft_id>/discard"): {},
    }.get(key)


def api_options(world, key):
    bodies = {
        ("POST", "/api/v1/complaints/<int:complaint_id>/reply-drafts"): {"text": "答复草稿"},
        ("PATCH", "/api/v1/complaints/reply-drafts/<int:draft_id>"): {"text": "已补充"},
        ("POST", "/api/v1/complaints/reply-drafts/<int:draft_id>/return"): {"comment": "请补充整改措施"},
    }
    return {"json": bodies[key]} if key in bodies else None
