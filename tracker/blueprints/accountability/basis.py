"""The records behind a flag's evidence (services/basis.py)."""

from flask import abort, render_template, url_for
from flask_login import current_user

from tracker.blueprints import require
from tracker.blueprints.accountability import bp
from tracker.blueprints.accountability.routes import _visible_flag
from tracker.services import basis, permissions


@bp.route("/<int:flag_id>/basis/<int:index>")
@require("flag.view")
def flag_basis(flag_id: int, index: int):
    flag = _visible_flag(flag_id)
    found = basis.flag_basis(flag, index, current_user)
    if found is None:
        abort(404)
    if found.kind == "complaints" and not permissions.can(current_user, "complaint.list"):
        abort(403)
    source = found.extra["source"]
    shown = source.get("rated") if found.kind == "complaints" else len(source.get("rows") or [])
    return render_template(
        "basis/basis.html",
        basis=found,
        figure=found.kind,
        shown=shown,
        document=source.get("title"),
        back=url_for("accountability.flag_page", flag_id=flag.id),
    )
