"""The three complaint rates page and its .xlsx (registered on the complaints blueprint)."""

from flask import Response, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from tracker import clock
from tracker.blueprints import require
from tracker.blueprints.complaints import bp
from tracker.services import complaint_stats
from tracker.services.errors import InvalidInput

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _period():
    """The period asked for (default: this month); the error message when it is not one."""
    raw = (request.args.get("period") or "").strip() or clock.today().strftime("%Y-%m")
    try:
        return raw, complaint_stats.parse_period(raw), None
    except InvalidInput as error:
        return raw, complaint_stats.parse_period(clock.today().strftime("%Y-%m")), error.fields["period"]


def _chart(rows: list[dict]) -> list[dict]:
    """Bars of the score (0..100) per unit, in the order of the table."""
    return [{"label": row["unit"][:10], "score": row["score"],
             "width": round(4 * row["score"], 1) if row["score"] is not None else 0,
             "y": 10 + 18 * index} for index, row in enumerate(rows)]


@bp.route("/stats")
@require("complaint.stats")
def stats_page():
    raw, period, error = _period()
    rows = complaint_stats.stats(period, current_user)
    return render_template("complaints/stats.html", rows=rows, raw=raw, period=period, error=error,
                           chart=_chart(rows), weights=complaint_stats.weights(),
                           least=complaint_stats.settings.get("complaints.min_dispatched_ranked")), \
        400 if error else 200


@bp.route("/stats.xlsx")
@require("complaint.stats")
def stats_xlsx():
    raw, period, error = _period()
    if error:
        raise InvalidInput(_("Please correct the marked fields."), {"period": error})
    rows = complaint_stats.stats(period, current_user)
    return Response(complaint_stats.to_xlsx(rows, period.key), mimetype=XLSX, headers={
        "Content-Disposition": f"attachment; filename=complaint-rates-{period.key}.xlsx"})
