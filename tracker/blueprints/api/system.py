"""Tokens and the audit trail (docs/api.md "Conventions", "Audit")."""

from dataclasses import replace

from flask import Response, current_app, request
from flask_babel import gettext as _

from tracker.blueprints import actor, authorize, limits
from tracker.blueprints.api import bp
from tracker.blueprints.api.framework import dump, endpoint, keyset_paginated
from tracker.blueprints.api.schemas import AuditOut, AuditQuery, TokenOut, TokenRequest, page_of
from tracker.error_responses import error_response, locked_message
from tracker.models import AuditEvent
from tracker.services import audit, auth


@endpoint(bp, "/auth/token", "POST", summary="Exchange a username and password for a token",
          tag="Auth", body=TokenRequest, response=TokenOut, status=201, public=True,
          errors=(400, 401, 429))
@limits.failed_logins
def create_token(body: TokenRequest):
    session_actor = actor()
    outcome = auth.authenticate(session_actor, body.username, body.password)
    user = outcome.user
    if outcome.locked_until is not None:
        seconds = outcome.seconds_left(session_actor.now)
        answer, status = error_response(429, locked_message(seconds), code="locked",
                                        retry_after=seconds)
        return answer, status, {"Retry-After": str(seconds)}
    if user is None:
        return error_response(401, _("Wrong username or password."), code="invalid_credentials")
    token, row = auth.issue_token(replace(session_actor, user=user), user,
                                  current_app.config["API_TOKEN_HOURS"])
    return {"token": token, "expires_at": row.expires_at.isoformat()}, 201


@endpoint(bp, "/auth/token", "DELETE", summary="Revoke the token of this request", tag="Auth",
          status=204)
def revoke_token():
    token = request.headers["Authorization"].partition(" ")[2].strip()
    auth.revoke_token(actor(), token)
    return Response(status=204)


@endpoint(bp, "/audit", "GET", summary="List audit events, newest first (page, or cursor from next_cursor)",
          tag="Audit", query=AuditQuery, response=page_of(AuditOut, cursor=True), errors=(403,))
def list_audit(query: AuditQuery):
    authorize("audit.view")
    stmt = audit.query_events(object_type=query.object_type, object_id=query.object_id,
                              user_id=query.user_id)
    return keyset_paginated(lambda event: dump(AuditOut, event), stmt, AuditEvent.at, AuditEvent.id,
                            query), 200
