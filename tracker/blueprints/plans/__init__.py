from flask import Blueprint

bp = Blueprint("plans", __name__)

from tracker.blueprints.plans import drafts, routes  # noqa: E402,F401
