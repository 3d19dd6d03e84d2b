"""The staff search box: ``GET /search?q=…``, the matches of each kind of record the user may list."""

from flask import render_template, request
from flask_login import current_user

from tracker.blueprints import require
from tracker.blueprints.main import bp
from tracker.services import permissions, search


@bp.route("/search")
@require("search.use")
def search_page():
    results = search.search(current_user, request.args.get("q"))
    return render_template("main/search.html", results=results, min_length=search.MIN_LENGTH,
                           round_view=permissions.can(current_user, "round.view"))
