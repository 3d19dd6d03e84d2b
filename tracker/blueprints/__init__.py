"""Helpers shared by the HTML and API adapters: the actor, loading, access."""

from __future__ import annotations

import os
from functools import wraps
from typing import IO, Any, TypeVar

from flask import Response, abort, g, request
from flask_login import current_user, login_required

from tracker import clock
from tracker.extensions import db
from tracker.media_types import XLSX
from tracker.services import permissions
from tracker.services.audit import Actor

M = TypeVar("M")


def acting_user():
    """Return the API token's user inside the API, else the logged-in user."""
    if g.get("api_user") is not None:
        return g.api_user
    # the user itself, not Flask-Login's proxy: services store and audit what they are given
    return current_user._get_current_object() if current_user.is_authenticated else None


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




def file_download(output: IO[bytes], filename: str, mimetype: str = XLSX) -> Response:
    """Stream a temporary file as an attachment in chunks, closing (deleting) it at the end."""
    size = output.seek(0, os.SEEK_END)
    output.seek(0)

    def chunks():
        try:
            while data := output.read(256 * 1024):
                yield data
        finally:
            output.close()

    return Response(chunks(), mimetype=mimetype, headers={
        "Content-Length": str(size), "Content-Disposition": f"attachment; filename={filename}"})
