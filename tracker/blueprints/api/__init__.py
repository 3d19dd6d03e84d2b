from flask import Blueprint, current_app

from tracker.extensions import limiter

bp = Blueprint("api", __name__, url_prefix="/api/v1")
# Everything under /api/v1/public/ answers the public: rate-limited per address.
public_bp = Blueprint("public_api", __name__, url_prefix="/api/v1/public")
limiter.limit(lambda: current_app.config["RATELIMIT_PUBLIC"])(public_bp)

from tracker.blueprints.api import (  # noqa: E402,F401
    accountability,
    assessments,
    bulletins,
    complaint_stats,
    complaints,
    notices,
    organisation,
    plans,
    public,
    ratings,
    spec,
    supervision,
    system,
)
