"""Innovations 一招鲜: registered by units, scored and ranked by the office."""

from flask import Blueprint

bp = Blueprint("innovations", __name__, url_prefix="/innovations")

from tracker.blueprints.innovations import basis, routes  # noqa: E402,F401
