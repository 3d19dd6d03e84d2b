from flask import Blueprint, current_app

from tracker.extensions import limiter

bp = Blueprint("public", __name__, url_prefix="/public")
limiter.limit(lambda: current_app.config["RATELIMIT_PUBLIC"])(bp)

from tracker.blueprints.public import ballots, complaints, innovations, routes  # noqa: E402,F401
