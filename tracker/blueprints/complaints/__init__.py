"""Complaints: the office's triage and the units' replies."""

from flask import Blueprint

bp = Blueprint("complaints", __name__, url_prefix="/complaints")

from tracker.blueprints.complaints import reply_drafts, routes, stats  # noqa: E402,F401
