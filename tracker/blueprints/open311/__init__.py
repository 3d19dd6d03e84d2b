"""GeoReport v2 (Open311): complaint intake and status for a city hotline."""

from flask import Blueprint, current_app

from tracker.extensions import limiter

bp = Blueprint("open311", __name__, url_prefix="/open311/v2")
limiter.limit(lambda: current_app.config["RATELIMIT_PUBLIC"])(bp)

from tracker.blueprints.open311 import routes  # noqa: E402,F401
