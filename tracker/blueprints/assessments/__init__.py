"""Special assessments 专项考核."""

from flask import Blueprint

bp = Blueprint("assessments", __name__, url_prefix="/assessments")

from tracker.blueprints.assessments import routes  # noqa: E402,F401
