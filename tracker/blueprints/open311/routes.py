"""GeoReport v2 routes: categories as services, complaints as service requests.

The tracking code is the ``service_request_id``; the complainant's name and
contact are taken in but never given back.
"""

import re
from datetime import date, datetime, time, timedelta

from flask import jsonify, request
from flask_babel import gettext as _

from tracker import clock
from tracker.blueprints import actor, limits
from tracker.blueprints.open311 import bp
from tracker.models.complaints import (
    COMPLAINT_CATEGORIES,
    ComplaintCategory,
    ComplaintChannel,
    ComplaintStatus,
)
from tracker.services import complaints, validation
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


# Han characters (with their radicals and punctuation), kana and Hangul: names written without spaces
_CJK = re.compile("[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\U00020000-\U0003134f]")


def _name(first: str | None, last: str | None) -> str | None:
    """The complainant's name, family name first: 李 + 雷 is 李雷, Li + Lei is "Li Lei"."""
    parts = [p.strip() for p in (last, first) if p and p.strip()]
    if len(parts) < 2:
        return parts[0] if parts else None
    family, given = parts
    joiner = "" if _CJK.match(family[-1]) and _CJK.match(given[0]) else " "
    return family + joiner + given


@bp.route("/requests.json", methods=["POST"])
@limits.complaints_filed
def create_request():
    form = request.form
    unit_raw = (form.get("attribute[unit_id]") or "").strip()
    unit_id = None
    if unit_raw:
        if not (unit_raw.isascii() and unit_raw.isdigit()) or len(unit_raw) > 9:  # "²" is a digit
            return georeport_error(400, "attribute[unit_id]: " + _("Choose a unit from the list."))
        unit_id = int(unit_raw) or None  # 0 names no unit
    contact = "; ".join(v.strip() for v in (form.get("phone"), form.get("email")) if v and v.strip()) or None
    service_code = form.get("service_code") or ""
    if service_code not in COMPLAINT_CATEGORIES:
        return georeport_error(400, "service_code: " + _("Unknown service code."))
    try:
        with attempt():
            complaint = complaints.submit(actor(), complaints.ComplaintInput(
                category=ComplaintCategory(service_code), description=form.get("description") or "",
                unit_id=unit_id, name=_name(form.get("first_name"), form.get("last_name")),
                contact=contact, channel=ComplaintChannel.HOTLINE,
                external_id=form.get("attribute[external_id]") or None))
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


def _service_request(complaint) -> dict:
    """A complaint as a GeoReport service request: public fields only, never the complainant."""
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
    return {
        "service_request_id": complaint.tracking_code,
        "status": "closed" if complaint.status in CLOSED else "open",
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
    }


CLOSED = ("closed", "rejected", "duplicate")  # GeoReport's "closed"; every other status is "open"
MAX_REQUESTS = 1000  # GeoReport's limit of one answer
MAX_SPAN = timedelta(days=90)  # GeoReport's longest range, and the default one


def _moment(raw: str, *, end: bool) -> datetime | None:
    """A W3C/ISO 8601 date-time (without an offset: the bureau's time), or None.

    A day alone is its first moment, or as an end its last.
    """
    text = raw.strip()
    try:
        day = date.fromisoformat(text)
    except ValueError:
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            return None
        if not validation.in_range(moment.date()):
            return None
        return moment if moment.tzinfo is not None else moment.replace(tzinfo=clock.zone())
    if not validation.in_range(day):
        return None
    return datetime.combine(day, time.max if end else time.min, tzinfo=clock.zone())


def _listed(values: str) -> list[str]:
    return [value.strip() for value in values.split(",") if value.strip()]


@bp.route("/requests.json")
def list_requests():
    """GeoReport's GET Service Requests.

    ``service_request_id`` (comma-separated tracking codes) answers those
    cases and overrides every other argument. Otherwise the list holds the
    cases the office published (as on the public page of handled cases) whose
    code no longer opens a rating, submitted between ``start_date`` and
    ``end_date`` (at most 90 days; by default the last 90), filtered by
    ``service_code`` and ``status`` (each comma-separated), newest first.
    """
    args = request.args
    wanted = _listed(args.get("service_request_id", ""))
    if wanted:
        if len(wanted) > MAX_REQUESTS:
            return georeport_error(400, "service_request_id: " + _("At most %(n)s.", n=MAX_REQUESTS))
        return jsonify([_service_request(c) for c in complaints.by_tracking_codes(wanted)])
    errors = []
    categories = _listed(args.get("service_code", ""))
    if any(code not in COMPLAINT_CATEGORIES for code in categories):
        errors.append("service_code: " + _("Unknown service code."))
    states = _listed(args.get("status", ""))
    if any(state not in ("open", "closed") for state in states):
        errors.append("status: " + _("Choose one of: %(values)s.", values="open, closed"))
    moments = {}
    for field, is_end in (("start_date", False), ("end_date", True)):
        raw = args.get(field, "")
        moments[field] = _moment(raw, end=is_end) if raw.strip() else None
        if raw.strip() and moments[field] is None:
            errors.append(f"{field}: " + _("Enter a date and time in ISO 8601, e.g. %(example)s.",
                                           example="2026-01-01T00:00:00+08:00"))
    start, end = moments["start_date"], moments["end_date"]
    if start is not None and end is not None and not errors:
        if end < start:
            errors.append("end_date: " + _("The end must not be before the start."))
        elif end - start > MAX_SPAN:
            errors.append("end_date: " + _("The range may span at most %(days)d days.", days=MAX_SPAN.days))
    if errors:
        return jsonify([{"code": 400, "description": error} for error in errors]), 400
    now = clock.now()
    if end is None:
        end = now if start is None else start + MAX_SPAN
    if start is None:
        start = end - MAX_SPAN
    statuses = [status for status in ComplaintStatus.codes()
                if not states or ("closed" if status in CLOSED else "open") in states]
    found = complaints.listed_publicly(now=now, start=start, end=end, categories=categories,
                                       statuses=statuses, limit=MAX_REQUESTS)
    return jsonify([_service_request(c) for c in found])


@bp.route("/requests/<service_request_id>.json")
def get_request(service_request_id):
    complaint = complaints.by_tracking_code(service_request_id)
    if complaint is None:
        return georeport_error(404, _("No such service request."))
    return jsonify([_service_request(complaint)])
