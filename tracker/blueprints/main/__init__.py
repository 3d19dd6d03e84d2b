from flask import Blueprint

bp = Blueprint("main", __name__)

from tracker.blueprints.main import pickers, routes, search  # noqa: E402,F401
