"""Rectification notices and inspection records."""

from flask import Blueprint

bp = Blueprint("notices", __name__, url_prefix="/notices")

from tracker.blueprints.notices import routes  # noqa: E402,F401
