from flask import render_template
from flask_login import current_user

from tracker import clock
from tracker.blueprints import require
from tracker.blueprints.main import bp
from tracker.models import Plan, Task
from tracker.services import dashboard as overview
from tracker.services import ledger_view


@bp.route("/")
@require("dashboard.view")
def dashboard():
    today = clock.today()
    active = ledger_view.LedgerFilter(extra=[Task.plan.has(Plan.status == "active")])
    return render_template(
        "main/dashboard.html", overview=overview.organisation_overview(), today=today,
        task_counts=ledger_view.status_counts(current_user, active, today))
