"""GeoReport v2 routes: categories as services, complaints as service requests.

The tracking code is the ``service_request_id``; the complainant's name and
contact are taken in but never given back.
"""

from datetime import datetime, time

from flask import jsonify, request
from flask_babel import gettext as _

from tracker import clock
from tracker.blueprints import actor, limits
from tracker.blueprints.open311 import bp
from tracker.models.complaints import COMPLAINT_CATEGORIES, ComplaintCategory, ComplaintStatus
from tracker.services import complaints
from tracker.services.errors import InvalidInput
from tracker.unit_of_work import attempt

KEYWORDS = {
    "idle_at_work": "上班聊天,炒股,打游戏", "business_tutoring": "经商,办班,补课,有偿家教",
    "buck_passing": "推诿,扯皮,不作为", "teaching_materials": "教辅,资料",
    "school_choice": "择校", "other": "其他",
}


def georeport_error(status: int, description: str):
    return jsonify([{"code": status, "description": description}]), status


@bp.route("/services.json")
def services():
    return jsonify([{
        "service_code": category.value, "service_name": str(category.label),
        "description": str(category.label), "metadata": False, "type": "realtime",
        "keywords": KEYWORDS[category], "group": str(_("Conduct complaints")),
    } for category in ComplaintCategory])


def _name(first: str | None, last: str | None) -> str | None:
    parts = [p.strip() for p in (last, first) if p and p.strip()]
    return "".join(parts) or None


@bp.route("/requests.json", methods=["POST"])
@limits.complaints_filed
def create_request():
    form = request.form
    unit_raw = (form.get("attribute[unit_id]") or "").strip()
    unit_id = None
    if unit_raw:
        if not unit_raw.isdigit() or len(unit_raw) > 9:
            return georeport_error(400, "attribute[unit_id]: " + _("Choose a unit from the list."))
        unit_id = int(unit_raw)
    contact = "; ".join(v.strip() for v in (form.get("phone"), form.get("email")) if v and v.strip()) or None
    service_code = form.get("service_code") or ""
    if service_code not in COMPLAINT_CATEGORIES:
        return georeport_error(400, "service_code: " + _("Unknown service code."))
    try:
        with attempt():
            complaint = complaints.submit(
                actor(), category=service_code, description=form.get("description"), unit_id=unit_id,
                name=_name(form.get("first_name"), form.get("last_name")), contact=contact,
                channel="hotline", external_id=form.get("attribute[external_id]") or None)
    except InvalidInput as error:
        mapping = {"unit_id": "attribute[unit_id]", "contact": "phone",
                   "external_id": "attribute[external_id]", "name": "first_name"}
        return jsonify([{"code": 400, "description": f"{mapping.get(field, field)}: {message}"}
                        for field, message in error.fields.items()] or
                       [{"code": 400, "description": error.message}]), 400
    return jsonify([{"service_request_id": complaint.tracking_code,
                     "service_notice": str(_("Received: the office will dispatch it to the unit concerned.")),
                     "account_id": None}]), 201


def _iso(moment):
    return clock.local(moment).isoformat() if moment else None


@bp.route("/requests/<service_request_id>.json")
def get_request(service_request_id):
    complaint = complaints.by_tracking_code(service_request_id)
    if complaint is None:
        return georeport_error(404, _("No such service request."))
    unit = complaint.dispatched_unit or complaint.unit
    if complaint.status == "rejected":
        status_notes = complaint.reject_reason
    elif complaint.status in ("replied", "closed"):
        status_notes = complaint.reply_text
    else:
        status_notes = str(ComplaintStatus.label_of(complaint.status))
    updated = complaint.events[-1].at if complaint.events else complaint.submitted_at
    expected = None
    if complaint.reply_due_on is not None:
        expected = datetime.combine(complaint.reply_due_on, time(23, 59, 59), tzinfo=clock.zone()).isoformat()
    return jsonify([{
        "service_request_id": complaint.tracking_code,
        "status": "closed" if complaint.status in ("closed", "rejected", "duplicate") else "open",
        "status_notes": status_notes,
        "service_name": str(ComplaintCategory.label_of(complaint.category)),
        "service_code": complaint.category,
        "description": complaint.description,
        "agency_responsible": unit.name if unit else None,
        "service_notice": None,
        "requested_datetime": _iso(complaint.submitted_at),
        "updated_datetime": _iso(updated),
        "expected_datetime": expected,
        "address": None, "lat": None, "long": None, "media_url": None,
    }])
