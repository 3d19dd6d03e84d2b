"""The unit record page."""

from flask import abort, render_template, request
from flask_login import current_user

from tracker import clock
from tracker.blueprints import load, require
from tracker.blueprints.forms import parse_date
from tracker.blueprints.records import bp
from tracker.models import Unit
from tracker.services import notices, permissions, unit_record


@bp.record_once
def helpers(state):
    state.app.jinja_env.globals.update(notice_display_status=notices.display_status)


@bp.route("/units/<int:unit_id>/record")
@require("dashboard.view")
def unit_record_page(unit_id):
    if not permissions.can(current_user, "record.view", unit_id):
        abort(404)
    unit = load(Unit, unit_id)
    as_of = parse_date(request.args.get("as_of")) or clock.today()
    record = unit_record.gather(current_user, unit, as_of)
    return render_template("records/record.html", record=record, unit=unit)
