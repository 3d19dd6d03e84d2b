"""Rating rounds: set-up, invitation slips, results."""

from flask import Blueprint

bp = Blueprint("ratings", __name__, url_prefix="/ratings")

from tracker.blueprints.ratings import basis, routes  # noqa: E402,F401
