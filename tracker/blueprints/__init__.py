"""Helpers shared by the HTML and API adapters: the actor, loading, access."""

from __future__ import annotations

from functools import wraps
from typing import Any, TypeVar

from flask import abort, g, request
from flask_login import current_user, login_required

from tracker import clock
from tracker.extensions import db
from tracker.services import permissions
from tracker.services.audit import Actor

M = TypeVar("M")


def acting_user():
    """Return the API token's user inside the API, else the logged-in user."""
    return g.get("api_user") or (current_user if current_user.is_authenticated else None)


def actor() -> Actor:
    """Return who is acting in this request, from where, and now."""
    return Actor(acting_user(), request.remote_addr, clock.now())


def authorize(action: str, obj: Any = None) -> None:
    """Abort with 403 unless the acting user may do ``action``."""
    if not permissions.can(acting_user(), action, obj):
        abort(403)


def load(model: type[M], ident: Any) -> M:
    """Return the row or abort with 404."""
    row = db.session.get(model, ident)
    if row is None:
        abort(404)
    return row


def require(action: str):
    """Decorate an HTML view: log-in required, then ``can(user, action)``."""

    def decorate(view):
        @wraps(view)
        @login_required
        def wrapper(*args, **kwargs):
            authorize(action)
            return view(*args, **kwargs)

        return wrapper

    return decorate
