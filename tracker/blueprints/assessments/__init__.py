"""Special assessments, innovations and a unit's record."""

from flask import Blueprint

bp = Blueprint("assessments", __name__)

from tracker.blueprints.assessments import routes  # noqa: E402,F401
