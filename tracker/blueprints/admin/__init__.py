from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

from tracker.blueprints.admin import chat, routes  # noqa: E402,F401
