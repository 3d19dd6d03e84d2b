"""Accountability flags: the register and the workflow."""

from flask import Blueprint

bp = Blueprint("accountability", __name__, url_prefix="/accountability")

from tracker.blueprints.accountability import basis, routes  # noqa: E402,F401
