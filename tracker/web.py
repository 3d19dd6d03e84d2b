"""Blueprints, error pages, security headers and template helpers."""

from __future__ import annotations

import math
import time

from flask import Flask, flash, has_request_context, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DataError, DBAPIError, SQLAlchemyError
from werkzeug.exceptions import HTTPException
from werkzeug.routing import IntegerConverter

from tracker import clock
from tracker.blueprints.forms import mark_required
from tracker.configure import select_locale
from tracker.error_responses import ERROR_TITLES, error_response, rate_limited_message, wants_json
from tracker.extensions import limiter, login_manager
from tracker.models import Choice
from tracker.services import (
    audit_labels,
    bulletins,
    documents,
    organisation,
    permissions,
    progress,
    task_states,
    validation,
)
from tracker.services.errors import DomainError
from tracker.unit_of_work import contention, unit_of_work

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)

RETRY_AFTER_SECONDS = 30


def page_url(page: int) -> str:
    """Return this page's URL with the same query but another page number."""
    args = request.args.to_dict()
    args["page"] = page
    return url_for(request.endpoint, **(request.view_args or {}), **args)


def cursor_url(**position) -> str:
    """Return this list's URL with the same filters but another keyset position (or the first page)."""
    args = {key: value for key, value in request.args.items()
            if key not in ("page", "older_than", "newer_than")}
    args.update({key: str(value) for key, value in position.items() if value is not None})
    return url_for(request.endpoint, **(request.view_args or {}), **args)


class IdConverter(IntegerConverter):
    """``<int:…>`` in every URL: a number beyond the database's integer names no record.

    It becomes 0, which no row has, so the page answers 404 as for any unknown id
    (a converter that refused it would make werkzeug answer 405 where another
    method shares the path).
    """

    def to_python(self, value: str) -> int:
        number = super().to_python(value)
        return number if number <= validation.MAX_ID else 0


def official_number(stored: str | None, kind: str) -> str | None:
    """A stored number 〔2026〕3号 in full, 教作整〔2026〕3号: the prefixes read once per request."""
    if not has_request_context():
        return documents.number(kind, stored)
    prefixes = request.__dict__.setdefault("_document_prefixes", {})
    if kind not in prefixes:
        prefixes[kind] = documents.prefix(kind)
    if not stored or stored.startswith(prefixes[kind]):
        return stored
    return f"{prefixes[kind]}{stored}"


def init_app(app: Flask) -> None:
    from tracker import commands
    from tracker.blueprints.accountability import bp as accountability_bp
    from tracker.blueprints.admin import bp as admin_bp
    from tracker.blueprints.api import bp as api_bp
    from tracker.blueprints.api import public_bp as public_api_bp
    from tracker.blueprints.assessments import bp as assessments_bp
    from tracker.blueprints.auth import bp as auth_bp
    from tracker.blueprints.bulletins import bp as bulletins_bp
    from tracker.blueprints.complaints import bp as complaints_bp
    from tracker.blueprints.innovations import bp as innovations_bp
    from tracker.blueprints.main import bp as main_bp
    from tracker.blueprints.notices import bp as notices_bp
    from tracker.blueprints.open311 import bp as open311_bp
    from tracker.blueprints.plans import bp as plans_bp
    from tracker.blueprints.public import bp as public_bp
    from tracker.blueprints.ratings import bp as ratings_bp
    from tracker.blueprints.records import bp as records_bp
    from tracker.blueprints.supervision import bp as supervision_bp
    from tracker.extensions import csrf

    app.url_map.converters["int"] = IdConverter
    for blueprint in (auth_bp, main_bp, admin_bp, plans_bp, supervision_bp, bulletins_bp, public_bp,
                      complaints_bp, notices_bp, ratings_bp, assessments_bp, innovations_bp, records_bp,
                      accountability_bp):
        app.register_blueprint(blueprint)
    for blueprint in (api_bp, public_api_bp, open311_bp):
        csrf.exempt(blueprint)  # bearer tokens only; browsers never send them on their own
        app.register_blueprint(blueprint)
    commands.init_app(app)
    task_states.init_app(app)
    login_manager.login_message = _l("Please log in to see this page.")

    @login_manager.unauthorized_handler
    def unauthorized():
        if wants_json():
            return error_response(401)
        flash(str(login_manager.login_message), "warning")
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return error_response(400, _("The form has expired or was not sent from this site. "
                                     "Please reload the page and try again."), code="csrf")

    @app.errorhandler(DomainError)
    def domain_error(error: DomainError):
        return error_response(error.status, error.message, error.fields, error.code,
                              **({"rows": error.rows} if hasattr(error, "rows") else {}))

    @app.errorhandler(DBAPIError)
    def database_error(error: DBAPIError):
        if isinstance(error, DataError):  # a value the database cannot hold: bad input
            return error_response(400, _("A value is out of range."))
        if contention(error):  # another request changed the same rows first
            return error_response(409, _("Someone else changed this at the same moment. "
                                         "Please reload the page and try again."), code="conflict")
        app.logger.error("Database unavailable: %s", error.orig)
        response = app.make_response(error_response(503))
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response

    @app.before_request
    def bring_task_states_up_to_date():
        """Bring the kept task states up to today before a page reads them (bounded)."""
        if request.endpoint in (None, "static"):
            return
        try:
            with unit_of_work():
                task_states.refresh(clock.today(), task_states.INLINE_REFRESH_LIMIT)
        except SQLAlchemyError:  # busy or away: readers compute from the records meanwhile
            pass

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        message = None
        if error.code == 429:
            return rate_limited()
        if error.description and error.code in (400, 404, 409) and getattr(error, "custom", False):
            message = error.description
        return error_response(error.code or 500, message)

    def rate_limited():
        """A rate limit reached: the page or JSON says how long to wait, and Retry-After too."""
        limit = limiter.current_limit
        if limit is None or not limit.breached:
            return error_response(429, str(ERROR_TITLES[429]))
        seconds = max(1, math.ceil(limit.window[0] - time.time()))  # reset_at adds a second
        response = app.make_response(error_response(429, rate_limited_message(seconds),
                                                    retry_after=seconds))
        response.headers["Retry-After"] = str(seconds)
        return response

    @app.errorhandler(Exception)
    def server_error(error: Exception):
        app.logger.exception("Unhandled error")
        return error_response(500)

    @app.after_request
    def security_headers(response):
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CSP)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("Permissions-Policy", "camera=(self), geolocation=(), microphone=()")
        if app.config["SESSION_COOKIE_SECURE"]:
            headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        if current_user.is_authenticated and "Cache-Control" not in headers:
            headers["Cache-Control"] = "no-store"
        return response

    @app.context_processor
    def template_helpers():
        return {
            "can": lambda action, obj=None: permissions.can(current_user, action, obj),
            # the configured code ("zh_CN"/"en"): str(get_locale()) would be "zh_Hans_CN"
            "current_locale": select_locale(),
            "peer_group_label": organisation.peer_group_label,
        }

    # every closed vocabulary by its class name, globals so that imported macros see them too:
    # {{ ComplaintStatus.label_of(c.status) }}, {% for kind in UnitKind %}{{ kind.label }}…
    app.jinja_env.globals.update({choice.__name__: choice for choice in Choice.__subclasses__()})
    # a global, not a context variable: the pager macro is imported without the context
    app.jinja_env.globals["page_url"] = page_url
    app.jinja_env.globals["cursor_url"] = cursor_url
    # the audit log's codes by their labels (services/audit_labels.py)
    app.jinja_env.globals["audit_labels"] = audit_labels

    # a bulletin's sections in order with their numbered headings, as its .docx has them
    app.jinja_env.globals["bulletin_outline"] = bulletins.outline
    # 逾期N天, counted one way on every page (services/progress.py)
    app.jinja_env.globals["days_overdue"] = progress.days_overdue
    app.jinja_env.globals["official_organ"] = documents.organ  # the issuing organ (settings page)
    # a stored number 〔2026〕3号 in full with its kind's prefix: n.doc_number|official_number('notice')
    app.jinja_env.filters["official_number"] = official_number
    app.jinja_env.filters["mark_required"] = mark_required
    app.jinja_env.filters["localtime"] = lambda value, fmt="%Y-%m-%d %H:%M": (
        clock.local(value).strftime(fmt) if value else ""
    )
