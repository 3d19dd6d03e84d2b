"""The records behind a bulletin's figures (services/basis.py)."""

from flask import abort, render_template, url_for
from flask_login import current_user, login_required

from tracker.blueprints.bulletins import bp
from tracker.blueprints.bulletins.routes import _visible
from tracker.services import basis, permissions


@bp.route("/bulletins/<int:bulletin_id>/basis/<figure>/<int:unit_id>")
@login_required
def bulletin_basis(bulletin_id: int, figure: str, unit_id: int):
    bulletin = _visible(bulletin_id)
    if figure not in basis.BULLETIN_FIGURES or not permissions.can(current_user, "basis.read", unit_id):
        abort(404)
    if basis.FIGURES[figure].source == "complaints" and not permissions.can(current_user, "complaint.list"):
        abort(403)
    found = basis.bulletin_basis(bulletin, figure, unit_id, current_user)
    if found is None:
        abort(404)
    return render_template(
        "basis/basis.html",
        basis=found,
        figure=figure,
        shown=basis.bulletin_figure(bulletin.content, figure, unit_id),
        document=bulletin.title,
        back=url_for("bulletins.bulletin_page", bulletin_id=bulletin.id),
    )
