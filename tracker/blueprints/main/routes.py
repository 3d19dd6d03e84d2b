from flask import redirect, render_template, url_for
from flask_login import current_user

from tracker import clock
from tracker.blueprints import authorize, require
from tracker.blueprints.forms import ConfirmForm
from tracker.blueprints.main import bp
from tracker.blueprints.public.routes import front_door as public_front_door
from tracker.models import Task
from tracker.services import dashboard as census
from tracker.services import home, ledger_view, notifications


@bp.route("/")
def dashboard():
    """The home: what waits on the signed-in user; for a visitor, the public front door."""
    if not current_user.is_authenticated:
        return public_front_door()
    authorize("dashboard.view")
    today = clock.today()
    return render_template("main/home.html", sections=home.for_user(current_user, today), today=today)


@bp.route("/overview")
@require("overview.view")
def overview():
    """The organisation census and the tasks of active plans by status."""
    today = clock.today()
    active = ledger_view.LedgerFilter(extra=[Task.in_force()])
    return render_template(
        "main/dashboard.html", overview=census.organisation_overview(), today=today,
        task_counts=ledger_view.status_counts(current_user, active, today))


@bp.route("/inbox")
@require("dashboard.view")
def inbox():
    return render_template("main/inbox.html", items=notifications.inbox(current_user),
                           confirm=ConfirmForm())


@bp.route("/inbox/read", methods=["POST"])
@require("dashboard.view")
def inbox_read():
    if ConfirmForm().validate_on_submit():
        notifications.mark_all_read(current_user, clock.now())
    return redirect(url_for("main.inbox"))


@bp.app_context_processor
def unread():
    """The bell's count, for every page of a logged-in user."""
    if not current_user.is_authenticated:
        return {}
    return {"unread_notifications": notifications.unread_count(current_user)}
