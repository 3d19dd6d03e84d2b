from flask import Blueprint

bp = Blueprint("bulletins", __name__)

from tracker.blueprints.bulletins import basis, routes  # noqa: E402,F401
