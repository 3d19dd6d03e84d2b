"""Access-matrix rows of the complaint pages, the complaints API and Open311."""

from __future__ import annotations

import io

from flask import current_app

from tests.access import ANONYMOUS, EVERYONE, ROLES
from tests.factories import complaint_input
from tracker.extensions import db
from tracker.services import complaints

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
TO_LOGIN = (302, "/login")
TO_DETAIL = (302, "/complaints/<int:complaint_id>")


def row(anonymous, admin, office, leader, unit_head, unit_member) -> dict:
    return dict(zip(EVERYONE, (anonymous, admin, office, leader, unit_head, unit_member), strict=True))


def everyone(status) -> dict:
    return dict.fromkeys(EVERYONE, status)


def build(world, make) -> None:
    office = make.actor(world.users["office"])
    head = make.actor(world.users["unit_head"])

    def new(status: str, files=()):
        c = complaints.submit(make.actor(), complaint_input(
            category="buck_passing", description="推诿扯皮不作为", name="赵六",
            contact="matrix-contact-42"), files=files, upload_folder=current_app.config["UPLOAD_FOLDER"])
        if status != "submitted":
            complaints.accept(office, c)
        if status in ("dispatched", "replied", "closed"):
            complaints.dispatch(office, c, world.department.id)
        if status in ("replied", "closed"):
            complaints.reply(head, c, complaints.ReplyInput("已答复"))
        if status == "closed":
            complaints.close(office, c, True)
        return c

    made = {name: new(status) for name, status in (
        ("submitted", "submitted"), ("reject", "submitted"), ("duplicate", "submitted"),
        ("accepted", "accepted"), ("bulk", "accepted"), ("reply", "dispatched"),
        ("return", "replied"), ("close", "replied"), ("closed", "closed"))}
    made["read"] = new("dispatched", files=[complaints.Upload(io.BytesIO(PNG), "照片.png")])
    template = complaints.save_template(office, None, "矩阵模板", "答复模板正文")
    db.session.commit()
    world.extra["complaints"] = {name: c.id for name, c in made.items()}
    world.extra["complaint_codes"] = {name: c.tracking_code for name, c in made.items()}
    world.extra["complaint_file"] = complaints.files_of(made["read"])[0].id
    world.extra["reply_template"] = template.id


WEB_ROWS = {
    ("GET", "/complaints/"): {ANONYMOUS: TO_LOGIN, **dict.fromkeys(ROLES, 200)},
    ("GET", "/complaints/new"): row(TO_LOGIN, 403, 200, 403, 403, 403),
    ("POST", "/complaints/bulk-dispatch"): row(TO_LOGIN, 403, (302, "/complaints/"), 403, 403, 403),
    ("GET", "/complaints/<int:complaint_id>"): row(TO_LOGIN, 404, 200, 200, 200, 200),
    ("POST", "/complaints/<int:complaint_id>/<step>"): row(TO_LOGIN, 404, TO_DETAIL, 403, 404, 404),
    ("GET", "/complaints/files/<int:file_id>"): row(TO_LOGIN, 404, 200, 200, 200, 200),
    ("GET", "/complaints/templates"): row(TO_LOGIN, 403, 200, 403, 403, 403),
    ("GET", "/complaints/templates/<int:template_id>"): row(TO_LOGIN, 403, 200, 403, 403, 403),
    ("POST", "/complaints/templates/<int:template_id>/delete"): row(
        TO_LOGIN, 403, (302, "/complaints/templates"), 403, 403, 403),
    ("GET", "/public/complaints/new"): everyone(200),
    ("GET", "/public/complaints/receipt"): everyone((302, "/public/complaints/track")),
    ("GET", "/public/complaints/track"): everyone(200),
    ("POST", "/public/complaints/rate"): everyone(409),
    ("GET", "/public/complaints"): everyone(200),
    ("GET", "/open311/v2/services.json"): everyone(200),
    ("GET", "/open311/v2/requests.json"): everyone(200),
    ("POST", "/open311/v2/requests.json"): everyone(201),
    ("GET", "/open311/v2/requests/<service_request_id>.json"): everyone(200),
}

API_ROWS = {
    ("POST", "/api/v1/public/complaints"): everyone(201),
    ("GET", "/api/v1/public/complaints/<tracking_code>"): everyone(200),
    ("POST", "/api/v1/public/complaints/<tracking_code>/satisfaction"): everyone(409),
    ("GET", "/api/v1/complaints"): {ANONYMOUS: 401, **dict.fromkeys(ROLES, 200)},
    ("GET", "/api/v1/complaints/<int:complaint_id>"): row(401, 404, 200, 200, 200, 200),
    ("POST", "/api/v1/complaints/<int:complaint_id>/accept"): row(401, 403, 200, 403, 403, 403),
    ("POST", "/api/v1/complaints/<int:complaint_id>/reject"): row(401, 403, 200, 403, 403, 403),
    ("POST", "/api/v1/complaints/<int:complaint_id>/duplicate"): row(401, 403, 200, 403, 403, 403),
    ("POST", "/api/v1/complaints/<int:complaint_id>/dispatch"): row(401, 403, 200, 403, 403, 403),
    # the office records a paper reply first; the head then finds it answered; a member drafts instead
    ("POST", "/api/v1/complaints/<int:complaint_id>/reply"): row(401, 404, 200, 403, 409, 403),
    ("POST", "/api/v1/complaints/<int:complaint_id>/return"): row(401, 403, 200, 403, 403, 403),
    ("POST", "/api/v1/complaints/<int:complaint_id>/close"): row(401, 403, 200, 403, 403, 403),
}

_WEB_COMPLAINT = {
    ("GET", "/complaints/<int:complaint_id>"): "read",
    ("POST", "/complaints/<int:complaint_id>/<step>"): "submitted",
}
_API_COMPLAINT = {
    "/api/v1/complaints/<int:complaint_id>": "read",
    "/api/v1/complaints/<int:complaint_id>/accept": "submitted",
    "/api/v1/complaints/<int:complaint_id>/reject": "reject",
    "/api/v1/complaints/<int:complaint_id>/duplicate": "duplicate",
    "/api/v1/complaints/<int:complaint_id>/dispatch": "accepted",
    "/api/v1/complaints/<int:complaint_id>/reply": "reply",
    "/api/v1/complaints/<int:complaint_id>/return": "return",
    "/api/v1/complaints/<int:complaint_id>/close": "close",
}


def _ids(world, name: str) -> dict:
    return {**world.ids, "complaint_id": world.extra["complaints"][name], "step": "accept",
            "file_id": world.extra["complaint_file"], "template_id": world.extra["reply_template"],
            "tracking_code": world.extra["complaint_codes"][name],
            "service_request_id": world.extra["complaint_codes"][name]}


def web_ids(world, key):
    if key in WEB_ROWS:
        return _ids(world, _WEB_COMPLAINT.get(key, "read"))
    return None


def api_ids(world, key):
    if key in API_ROWS:
        return _ids(world, _API_COMPLAINT.get(key[1], "read"))
    return None


def web_body(world, key):
    if key == ("POST", "/complaints/bulk-dispatch"):
        return {"ids": str(world.extra["complaints"]["bulk"]), "unit_id": str(world.department.id)}
    if key == ("POST", "/public/complaints/rate"):
        return {"code": world.extra["complaint_codes"]["read"], "rating": "satisfied"}
    if key == ("POST", "/open311/v2/requests.json"):
        return {"service_code": "buck_passing", "description": "热线转来的投诉：推诿扯皮",
                "first_name": "三", "last_name": "张", "phone": "13800000000"}
    if key in (("POST", "/complaints/<int:complaint_id>/<step>"),
               ("POST", "/complaints/templates/<int:template_id>/delete")):
        return {}
    return None


def api_options(world, key):
    bodies = {
        ("POST", "/api/v1/public/complaints"): {"category": "other", "description": "公开接口提交的投诉"},
        ("POST", "/api/v1/public/complaints/<tracking_code>/satisfaction"): {"rating": "satisfied"},
        ("POST", "/api/v1/complaints/<int:complaint_id>/reject"): {"reason": "不属于受理范围"},
        ("POST", "/api/v1/complaints/<int:complaint_id>/duplicate"): {
            "of_id": world.extra["complaints"]["submitted"]},
        ("POST", "/api/v1/complaints/<int:complaint_id>/dispatch"): {"unit_id": world.department.id},
        ("POST", "/api/v1/complaints/<int:complaint_id>/reply"): {"text": "答复内容"},
        ("POST", "/api/v1/complaints/<int:complaint_id>/return"): {"reason": "答复不充分"},
        ("POST", "/api/v1/complaints/<int:complaint_id>/close"): {"resolved": True},
    }
    if key in bodies:
        return {"json": bodies[key]}
    return None
