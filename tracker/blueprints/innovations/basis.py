"""The innovations behind a unit's figures in the year's ranking (services/basis.py)."""

from flask import abort, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from tracker.blueprints import require
from tracker.blueprints.innovations import bp
from tracker.blueprints.innovations.routes import _year_arg
from tracker.services import basis, innovations, permissions


@bp.route("/ranking/basis/<int:unit_id>")
@require("innovation.view")
def innovation_basis(unit_id: int):
    year = _year_arg()
    view = innovations.ranking_for(current_user, year)
    if view is None or not permissions.can(current_user, "basis.read", unit_id):
        abort(404)
    row = next((r for r in view.rows if r["unit_id"] == unit_id), None)
    found = basis.innovation_basis(year, unit_id, published=view.status == "published")
    if row is None or found is None:
        abort(404)
    return render_template(
        "basis/basis.html",
        basis=found,
        figure="innovations",
        shown=row["innovations"],
        row=row,
        document=_("Innovation ranking %(year)d", year=year),
        back=url_for("innovations.innovation_ranking", year=year),
    )
