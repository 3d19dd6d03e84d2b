from flask import Blueprint

bp = Blueprint("bulletins", __name__)

from tracker.blueprints.bulletins import routes  # noqa: E402,F401
