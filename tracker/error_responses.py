"""How an error is answered: the API's JSON error body under /api/, GeoReport's error list under
/open311/, an HTML page elsewhere."""

from __future__ import annotations

import math
from datetime import timedelta

from flask import jsonify, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import SQLAlchemyError

from tracker import clock
from tracker.extensions import login_manager

ERROR_TITLES = {
    400: _l("Bad request"),
    401: _l("Please log in"),
    403: _l("You may not see this page"),
    404: _l("Page not found"),
    405: _l("Method not allowed"),
    409: _l("This change is not possible now"),
    413: _l("The upload is too large"),
    429: _l("Too many requests: please wait a moment"),
    500: _l("Something went wrong on our side"),
    503: _l("The service is briefly unavailable: please try again in a minute"),
}
ERROR_CODES = {
    400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
    405: "method_not_allowed", 409: "conflict", 413: "too_large", 429: "rate_limited",
    500: "server_error", 503: "unavailable",
}  # fmt: skip


def _wait(seconds: int) -> dict:
    """How long to wait, for a message: whole minutes (rounded up) and the local time it ends."""
    ends = clock.local(clock.now() + timedelta(seconds=seconds))
    return {"minutes": max(1, math.ceil(seconds / 60)), "time": ends.strftime("%H:%M")}


def locked_message(seconds: int) -> str:
    """The log-in refused because of too many failures under the name, and how long it lasts."""
    return _("Too many failed log-ins under this name: try again in %(minutes)d min (after %(time)s).",
             **_wait(seconds))


def rate_limited_message(seconds: int) -> str:
    """A rate limit of the address reached, and how long until it lets requests through."""
    return _("Too many requests from your address: try again in %(minutes)d min (after %(time)s).",
             **_wait(seconds))


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.path.startswith("/open311/")


def error_response(status: int, message: str | None = None, fields=None, code=None, **extra):
    """Render an error as the API's JSON or as an HTML page."""
    message = message or str(ERROR_TITLES.get(status, ERROR_TITLES[500]))
    if request.path.startswith("/open311/"):  # GeoReport v2's error list, whatever the error
        return jsonify([{"code": status, "description": message}]), status
    if wants_json():
        body = {"code": code or ERROR_CODES.get(status, "error"), "message": message}
        if fields:
            body["fields"] = fields
        body.update(extra)
        return jsonify(error=body), status
    problems = list(dict.fromkeys((fields or {}).values()))  # what to correct, in the user's words
    try:
        return render_template("errors/error.html", status=status, message=message,
                               problems=problems), status
    except SQLAlchemyError:  # the user cannot be loaded: draw the page as for a visitor
        login_manager._update_request_context_with_user()  # what logout_user() does, no more
        return render_template("errors/error.html", status=status, message=message,
                               problems=problems), status
