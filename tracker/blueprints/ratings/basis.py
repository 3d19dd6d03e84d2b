"""The ballots behind a unit's rating figures (services/basis.py)."""

from flask import abort, render_template, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tracker.blueprints.ratings import bp
from tracker.extensions import db
from tracker.models import RatingRound
from tracker.services import basis, permissions, ratings


@bp.route("/<int:rating_round_id>/basis/<int:unit_id>")
@login_required
def rating_basis(rating_round_id: int, unit_id: int):
    rnd = db.session.scalar(
        select(RatingRound)
        .where(RatingRound.id == rating_round_id)
        .options(
            selectinload(RatingRound.units),
            selectinload(RatingRound.groups),
            selectinload(RatingRound.dimensions),
        )
    )
    if rnd is None or not permissions.can(current_user, "rating.basis", (rnd, unit_id)):
        abort(404)
    found = basis.rating_basis(rnd, unit_id)
    if found is None:
        abort(404)
    row = next((r for r in ratings.ranking_rows(rnd) if r["unit_id"] == unit_id), None)
    back = (
        url_for("ratings.results", rating_round_id=rnd.id)
        if permissions.can(current_user, "rating.view")
        else None
    )
    return render_template(
        "basis/basis.html",
        basis=found,
        figure="ballots",
        shown=row["ballots"] if row else None,
        row=row,
        document=rnd.title,
        back=back,
    )
