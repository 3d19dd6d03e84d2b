"""A unit's record 单位档案: everything the campaign knows about one unit, on one page."""

from flask import Blueprint

bp = Blueprint("records", __name__)

from tracker.blueprints.records import routes  # noqa: E402,F401
