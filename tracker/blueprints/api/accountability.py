"""API: accountability (docs/api.md "Accountability")."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from flask import abort
from pydantic import Field

from tracker import clock
from tracker.blueprints import acting_user, actor, authorize, load
from tracker.blueprints.api import bp
from tracker.blueprints.api.framework import Body, Out, PageQuery, dump, endpoint, paginated
from tracker.blueprints.api.schemas import Id, page_of
from tracker.models import Flag, FlagAction, FlagRule, FlagStatus
from tracker.services import accountability, permissions

Rule = Literal[FlagRule.codes()]
Status = Literal[FlagStatus.codes()]
Action = Literal[FlagAction.codes()]
LongText = Annotated[str, Field(min_length=1, max_length=2000)]


class EvaluateBody(Body):
    as_of: date | None = None


class FlagOut(Out):
    id: int
    unit_id: int
    person_user_id: int | None
    rule: Rule
    period: str
    evidence: dict[str, Any]
    status: Status
    proposed_action: str
    action: Action | None
    reasons: str | None = None
    review_opinion: str | None = None
    exemption_justification: str | None = None
    exemption_approved: bool = False
    exemption_rejection_reason: str | None = None
    exemption_rejected: bool = False
    raised_at: Any = None


class RaisedOut(Out):
    raised: list[FlagOut]


class FlagQuery(PageQuery):
    status: Status | None = None
    unit_id: Id | None = None
    rule: Rule | None = None
    period: Annotated[str, Field(max_length=20)] | None = None


class DecideBody(Body):
    action: Action
    reasons: LongText


class ExemptBody(Body):
    justification: Annotated[str, Field(max_length=2000)] | None = None


class ReviewBody(Body):
    opinion: LongText


class RejectExemptionBody(Body):
    reason: LongText


def flag_out(flag: Flag) -> dict:
    return {**dump(FlagOut, flag), "exemption_approved": flag.exemption_approved_at is not None,
            "exemption_rejected": flag.exemption_rejected_at is not None,
            "raised_at": flag.raised_at.isoformat() if flag.raised_at else None}


def _flag(flag_id: int) -> Flag:
    flag = load(Flag, flag_id)
    if not permissions.can(acting_user(), "flag.read", flag.unit_id):
        abort(404)
    return flag


@endpoint(bp, "/accountability/evaluate", "POST",
          summary="Evaluate the accountability rules now; answer the flags newly raised",
          tag="Accountability", body=EvaluateBody, response=RaisedOut, errors=(403,))
def evaluate_flags(body: EvaluateBody):
    authorize("flag.evaluate")
    raised = accountability.evaluate(actor(), body.as_of or clock.today())
    return {"raised": [flag_out(flag) for flag in raised]}, 200


@endpoint(bp, "/flags", "GET", summary="List flags (a unit sees its own)", tag="Accountability",
          query=FlagQuery, response=page_of(FlagOut))
def list_flags(query: FlagQuery):
    authorize("flag.view")
    stmt = accountability.flags_query(acting_user(), status=query.status, rule=query.rule,
                                      unit_id=query.unit_id, period=query.period)
    page = paginated(FlagOut, stmt, query)
    return page, 200


@endpoint(bp, "/flags/<int:flag_id>", "GET", summary="Read a flag", tag="Accountability",
          response=FlagOut, errors=(404,))
def get_flag(flag_id: int):
    authorize("flag.view")
    return flag_out(_flag(flag_id)), 200


@endpoint(bp, "/flags/<int:flag_id>/review", "POST",
          summary="Take a flag under review with the office's opinion (office)",
          tag="Accountability", body=ReviewBody, response=FlagOut, errors=(403, 404, 409))
def review_flag(flag_id: int, body: ReviewBody):
    authorize("flag.review")
    flag = accountability.review(actor(), _flag(flag_id), body.opinion)
    return flag_out(flag), 200


@endpoint(bp, "/flags/<int:flag_id>/decide", "POST", summary="Decide a flag's action (leader)",
          tag="Accountability", body=DecideBody, response=FlagOut, errors=(403, 404, 409))
def decide_flag(flag_id: int, body: DecideBody):
    authorize("flag.decide")
    flag = accountability.decide(actor(), _flag(flag_id), action=body.action, reasons=body.reasons)
    return flag_out(flag), 200


@endpoint(bp, "/flags/<int:flag_id>/exempt", "POST",
          summary="Fault-tolerance exemption: the office proposes, a leader approves",
          tag="Accountability", body=ExemptBody, response=FlagOut, errors=(403, 404, 409))
def exempt_flag(flag_id: int, body: ExemptBody):
    user = acting_user()
    if not (permissions.can(user, "flag.propose_exemption")
            or permissions.can(user, "flag.approve_exemption")):
        abort(403)
    flag = accountability.exempt(actor(), _flag(flag_id), body.justification)
    return flag_out(flag), 200


@endpoint(bp, "/flags/<int:flag_id>/reject-exemption", "POST",
          summary="Reject the proposed exemption with a reason (leader); the flag stays under review",
          tag="Accountability", body=RejectExemptionBody, response=FlagOut, errors=(403, 404, 409))
def reject_flag_exemption(flag_id: int, body: RejectExemptionBody):
    authorize("flag.approve_exemption")
    flag = accountability.reject_exemption(actor(), _flag(flag_id), body.reason)
    return flag_out(flag), 200
