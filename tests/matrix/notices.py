"""Access-matrix rows of the notices area (rectification notices, inspections, complaint rates).

The world's notices are on the department (the unit_head's and unit_member's own
unit): one issued, one acknowledged, one reported (with an evidence file), and two
issued ones the office withdraws (HTML and API). The
unit_head acts first, so the unit_member then meets the next state: 409.
"""

from __future__ import annotations

import io
from datetime import timedelta

from tests.factories import inspection_input, notice_input
from tracker import clock
from tracker.extensions import db
from tracker.services import notices

ANONYMOUS = "anonymous"
ROLES = ("admin", "office", "leader", "unit_head", "unit_member")
EVERYONE = (ANONYMOUS, *ROLES)
OK, FORBIDDEN, CONFLICT = 200, 403, 409
TO_LOGIN = (302, "/login")
TO_NOTICE = (302, "/notices/<int:notice_id>")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def row(anonymous, admin, office, leader, unit_head, unit_member) -> dict:
    return dict(zip(EVERYONE, (anonymous, admin, office, leader, unit_head, unit_member), strict=True))


def logged_in(status) -> dict:
    return row(TO_LOGIN, status, status, status, status, status)


def office_only(status) -> dict:
    return row(TO_LOGIN, FORBIDDEN, status, FORBIDDEN, FORBIDDEN, FORBIDDEN)


WEB_ROWS = {
    ("GET", "/notices/"): logged_in(OK),
    ("GET", "/notices/new"): office_only(OK),
    # the preview's confirmation, posted without the notice's values: re-shown with its errors
    ("POST", "/notices/new/issue"): office_only(400),
    ("POST", "/notices/<int:notice_id>/withdraw"): office_only(TO_NOTICE),
    ("GET", "/notices/<int:notice_id>"): logged_in(OK),
    ("POST", "/notices/<int:notice_id>/acknowledge"): row(TO_LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN,
                                                          TO_NOTICE, CONFLICT),
    ("POST", "/notices/<int:notice_id>/report"): row(TO_LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN,
                                                     TO_NOTICE, CONFLICT),
    ("POST", "/notices/<int:notice_id>/verify"): office_only(TO_NOTICE),
    ("GET", "/notices/<int:notice_id>.docx"): logged_in(OK),
    ("GET", "/notices/files/<int:file_id>"): logged_in(OK),
    ("GET", "/notices/inspections"): row(TO_LOGIN, FORBIDDEN, OK, OK, FORBIDDEN, FORBIDDEN),
    ("GET", "/notices/inspections/new"): office_only(OK),
    ("GET", "/notices/inspections/<int:inspection_id>"): row(TO_LOGIN, FORBIDDEN, OK, OK, FORBIDDEN,
                                                             FORBIDDEN),
    ("GET", "/complaints/stats"): logged_in(OK),
    ("GET", "/complaints/stats.xlsx"): logged_in(OK),
}


def api_row(no_token, admin, office, leader, unit_head, unit_member) -> dict:
    return dict(zip(EVERYONE, (no_token, admin, office, leader, unit_head, unit_member), strict=True))


API_ROWS = {
    ("POST", "/api/v1/notices"): api_row(401, 403, 201, 403, 403, 403),
    ("GET", "/api/v1/notices"): api_row(401, 200, 200, 200, 200, 200),
    ("GET", "/api/v1/notices/<int:notice_id>"): api_row(401, 200, 200, 200, 200, 200),
    ("POST", "/api/v1/notices/<int:notice_id>/acknowledge"): api_row(401, 403, 403, 403, 200, 409),
    ("POST", "/api/v1/notices/<int:notice_id>/report"): api_row(401, 403, 403, 403, 200, 409),
    ("POST", "/api/v1/notices/<int:notice_id>/verify"): api_row(401, 403, 200, 403, 403, 403),
    ("POST", "/api/v1/notices/<int:notice_id>/withdraw"): api_row(401, 403, 200, 403, 403, 403),
    ("GET", "/api/v1/notices/<int:notice_id>.docx"): api_row(401, 200, 200, 200, 200, 200),
    ("POST", "/api/v1/inspections"): api_row(401, 403, 201, 403, 403, 403),
    ("GET", "/api/v1/inspections"): api_row(401, 403, 200, 200, 403, 403),
    ("GET", "/api/v1/inspections/<int:inspection_id>"): api_row(401, 403, 200, 200, 403, 403),
    ("GET", "/api/v1/complaints/stats"): api_row(401, 200, 200, 200, 200, 200),
}


def build(world, make) -> None:
    from flask import current_app

    office = make.actor(world.users["office"])
    head = make.actor(world.users["unit_head"])
    today = clock.today()
    inspection = notices.create_inspection(office, inspection_input(
        unit_id=world.department.id, inspected_on=today, place="股室办公室", inspectors="督查组", findings="工作时间脱岗"))
    made = {}
    for name in ("issued", "acknowledged", "reported", "withdrawable", "withdrawable_api"):
        made[name] = notices.issue(office, notice_input(
            unit_id=world.department.id, source_type="inspection", source_id=None, problems="脱岗",
            requirements="整改", due_on=today + timedelta(days=10)))
    notices.acknowledge(head, made["acknowledged"])
    notices.acknowledge(head, made["reported"])
    notices.report(head, made["reported"], text="已整改",
                   files=[notices.Upload(io.BytesIO(PDF), "整改佐证.pdf")],
                   upload_folder=current_app.config["UPLOAD_FOLDER"])
    db.session.flush()
    world.ids.update(notice_id=made["issued"].id, inspection_id=inspection.id)
    world.extra.update(notice_acknowledged=made["acknowledged"].id, notice_reported=made["reported"].id,
                       notice_withdrawable=made["withdrawable"].id,
                       notice_withdrawable_api=made["withdrawable_api"].id,
                       notice_file=notices.files_of(made["reported"])[0].id,
                       notice_inspection=inspection.id)


def _ids(world, key):
    rule = key[1]
    if rule.endswith("/report"):
        return {**world.ids, "notice_id": world.extra["notice_acknowledged"]}
    if rule.endswith("/verify"):
        return {**world.ids, "notice_id": world.extra["notice_reported"]}
    if rule.endswith("/withdraw"):
        which = "notice_withdrawable_api" if rule.startswith("/api/") else "notice_withdrawable"
        return {**world.ids, "notice_id": world.extra[which]}
    if rule == "/notices/files/<int:file_id>":
        return {**world.ids, "file_id": world.extra["notice_file"]}
    return None


def web_ids(world, key):
    return _ids(world, key) if key in WEB_ROWS else None


def api_ids(world, key):
    return _ids(world, key) if key in API_ROWS else None


def web_body(world, key):
    return {
        ("POST", "/notices/<int:notice_id>/report"): {"text": "已整改到位"},
        ("POST", "/notices/<int:notice_id>/verify"): {"decision": "accept"},
        ("POST", "/notices/<int:notice_id>/acknowledge"): {},
        ("POST", "/notices/<int:notice_id>/withdraw"): {"reason": "发错单位"},
    }.get(key)


def api_options(world, key):
    today = clock.today()
    return {
        ("POST", "/api/v1/notices"): {"json": {
            "unit_id": world.department.id, "source_type": "inspection",
            "source_id": world.extra["notice_inspection"], "problems": "脱岗", "requirements": "整改",
            "due_on": (today + timedelta(days=5)).isoformat()}},
        ("POST", "/api/v1/notices/<int:notice_id>/report"): {"json": {"text": "已整改"}},
        ("POST", "/api/v1/notices/<int:notice_id>/verify"): {"json": {"accept": True}},
        ("POST", "/api/v1/notices/<int:notice_id>/withdraw"): {"json": {"reason": "发错单位"}},
        ("POST", "/api/v1/inspections"): {"json": {
            "unit_id": world.unit.id, "inspected_on": today.isoformat(), "place": "校门口",
            "inspectors": "督查组", "findings": "迟到"}},
        ("GET", "/api/v1/complaints/stats"): {"query_string": {"period": today.strftime("%Y-%m")}},
    }.get(key)
