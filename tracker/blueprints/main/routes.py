from flask import render_template

from tracker.blueprints import require
from tracker.blueprints.main import bp
from tracker.services import dashboard as overview


@bp.route("/")
@require("dashboard.view")
def dashboard():
    return render_template("main/dashboard.html", overview=overview.organisation_overview())
