from flask import Blueprint

bp = Blueprint("supervision", __name__, url_prefix="/supervision")

from tracker.blueprints.supervision import routes  # noqa: E402,F401
