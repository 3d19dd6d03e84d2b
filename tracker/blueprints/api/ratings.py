"""API: rating rounds 作风评议 (docs/api.md "Ratings, assessments, innovations").

``GET /rating-rounds/{id}/ranking`` answers the frozen ranking of a closed
round; for a draft or open round it computes the ranking as of now, live,
without storing anything.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from flask import current_app
from pydantic import Field
from sqlalchemy.orm import selectinload

from tracker import clock, models
from tracker.blueprints import actor, authorize, load
from tracker.blueprints.api import bp, public_bp
from tracker.blueprints.api.framework import Body, Out, PageQuery, endpoint
from tracker.blueprints.api.schemas import page_of
from tracker.extensions import db, limiter
from tracker.models import RatingRound
from tracker.services import ratings
from tracker.services.audit import Actor

Key = Annotated[str, Field(min_length=1, max_length=40)]
Name = Annotated[str, Field(min_length=1, max_length=100)]


class RatingDimensionIn(Body):
    key: Key
    name: Name

    def value(self) -> ratings.DimensionInput:
        return ratings.DimensionInput(key=self.key, name=self.name)


class RaterGroupIn(Body):
    key: Key
    name: Name
    weight: float

    def value(self) -> ratings.GroupInput:
        return ratings.GroupInput(key=self.key, name=self.name, weight=self.weight)


class RatingRoundCreate(Body):
    title: Annotated[str, Field(min_length=1, max_length=200)]
    period: Annotated[str, Field(min_length=4, max_length=10)]
    unit_ids: Annotated[list[int], Field(min_length=1, max_length=1000)]
    dimensions: Annotated[list[RatingDimensionIn], Field(min_length=1, max_length=20)] | None = None
    groups: Annotated[list[RaterGroupIn], Field(min_length=1, max_length=20)] | None = None

    def values(self) -> ratings.RoundInput:
        """The round the body describes."""
        return ratings.RoundInput(
            title=self.title, period=self.period, unit_ids=self.unit_ids,
            dimensions=None if self.dimensions is None else [d.value() for d in self.dimensions],
            groups=None if self.groups is None else [g.value() for g in self.groups])


class InvitationCreate(Body):
    group: Key
    count: Annotated[int, Field(ge=1, le=ratings.MAX_CODES)]


BallotValue = Literal[models.BallotValue.codes()]


class BallotAnswerIn(Body):
    unit_id: int
    dimension: Key
    value: BallotValue

    def answer(self) -> ratings.AnswerInput:
        return ratings.AnswerInput(unit_id=self.unit_id, dimension=self.dimension, value=self.value)


class BallotCreate(Body):
    code: Annotated[str, Field(min_length=1, max_length=64)]
    answers: Annotated[list[BallotAnswerIn], Field(min_length=1, max_length=5000)]


class RatingDimensionOut(Out):
    key: str
    name: str


class RaterGroupOut(Out):
    key: str
    name: str
    weight: float


class RatingRoundOut(Out):
    id: int
    title: str
    period: str
    status: Literal[models.RatingRoundStatus.codes()]
    results_public: bool
    unit_ids: list[int]
    dimensions: list[RatingDimensionOut]
    groups: list[RaterGroupOut]
    created_at: datetime
    opened_at: datetime | None
    closed_at: datetime | None
    codes: int
    used_codes: int
    ballots: int


class InvitationsOut(Out):
    batch: int
    group: str
    codes: list[str]


class BallotOut(Out):
    id: int
    round_id: int
    cast_at: datetime


class RatingRankingRowOut(Out):
    unit_id: int
    unit_name: str
    peer_group: str | None
    ballots: int
    score: float | None
    dissatisfaction_rate: float | None
    rank: int | None
    ranked_count: int | None


def round_out(rnd: RatingRound, counts: dict | None = None) -> dict:
    counts = counts or ratings.round_counts([rnd.id])[rnd.id]
    return {"id": rnd.id, "title": rnd.title, "period": rnd.period, "status": rnd.status,
            "results_public": rnd.results_public, "unit_ids": [u.id for u in rnd.units],
            "dimensions": [{"key": d.key, "name": d.name} for d in rnd.dimensions],
            "groups": [{"key": g.key, "name": g.name, "weight": g.weight} for g in rnd.groups],
            "created_at": rnd.created_at.isoformat(),
            "opened_at": rnd.opened_at.isoformat() if rnd.opened_at else None,
            "closed_at": rnd.closed_at.isoformat() if rnd.closed_at else None,
            "codes": counts["codes"], "used_codes": counts["used"], "ballots": counts["ballots"]}


@endpoint(bp, "/rating-rounds", "POST", summary="Set up a rating round (draft)", tag="Ratings",
          body=RatingRoundCreate, response=RatingRoundOut, status=201, errors=(400, 403))
def create_rating_round(body: RatingRoundCreate):
    authorize("rating.manage")
    rnd = ratings.create_round(actor(), body.values())
    return round_out(rnd), 201


@endpoint(bp, "/rating-rounds", "GET", summary="List rating rounds, newest period first",
          tag="Ratings", query=PageQuery, response=page_of(RatingRoundOut), errors=(403,))
def list_rating_rounds(query: PageQuery):
    authorize("rating.view")
    page = db.paginate(ratings.rounds_query().options(
        selectinload(RatingRound.units), selectinload(RatingRound.dimensions),
        selectinload(RatingRound.groups)), page=query.page, per_page=query.per_page, error_out=False)
    counts = ratings.round_counts([r.id for r in page.items])
    return {"items": [round_out(r, counts[r.id]) for r in page.items], "page": query.page,
            "per_page": query.per_page, "total": page.total}, 200


@endpoint(bp, "/rating-rounds/<int:rating_round_id>", "GET", summary="Read a rating round",
          tag="Ratings", response=RatingRoundOut, errors=(403, 404))
def get_rating_round(rating_round_id: int):
    authorize("rating.view")
    return round_out(load(RatingRound, rating_round_id)), 200


@endpoint(bp, "/rating-rounds/<int:rating_round_id>/open", "POST", summary="Open a draft round",
          tag="Ratings", response=RatingRoundOut, errors=(403, 404, 409))
def open_rating_round(rating_round_id: int):
    authorize("rating.manage")
    rnd = ratings.open_round(actor(), load(RatingRound, rating_round_id))
    return round_out(rnd), 200


@endpoint(bp, "/rating-rounds/<int:rating_round_id>/close", "POST",
          summary="Close an open round: compute and freeze its ranking", tag="Ratings",
          response=RatingRoundOut, errors=(403, 404, 409))
def close_rating_round(rating_round_id: int):
    authorize("rating.manage")
    rnd = load(RatingRound, rating_round_id)
    ratings.close(actor(), rnd)
    return round_out(rnd), 200


@endpoint(bp, "/rating-rounds/<int:rating_round_id>/invitations", "POST",
          summary="Make a batch of single-use invitation codes for a rater group", tag="Ratings",
          body=InvitationCreate, response=InvitationsOut, status=201, errors=(400, 403, 404, 409))
def create_invitations(rating_round_id: int, body: InvitationCreate):
    authorize("rating.manage")
    rnd = load(RatingRound, rating_round_id)
    batch, codes = ratings.generate_invitations(actor(), rnd, body.group, body.count)
    return {"batch": batch, "group": body.group, "codes": codes}, 201


@endpoint(bp, "/rating-rounds/<int:rating_round_id>/ranking", "GET",
          summary="The round's ranking per peer group (frozen once closed, live before)",
          tag="Ratings", response=list[RatingRankingRowOut], errors=(403, 404))
def rating_ranking(rating_round_id: int):
    authorize("rating.view")
    rows = ratings.ranking_rows(load(RatingRound, rating_round_id))
    return [{key: row[key] for key in RatingRankingRowOut.model_fields} for row in rows], 200


def ballot_code_limit() -> str:
    return current_app.config.get("RATELIMIT_BALLOT_CODES", "20 per hour")


def wrong_code(response) -> bool:
    """Count only the answers to an unknown code against the address."""
    return response.status_code == 404


@endpoint(public_bp, "/ballots", "POST", summary="Cast a ballot with an invitation code",
          tag="Public", body=BallotCreate, response=BallotOut, status=201, public=True,
          errors=(400, 404, 409, 429))
@limiter.shared_limit(ballot_code_limit, scope="ballot-codes", deduct_when=wrong_code,
                      override_defaults=False)
def cast_ballot(body: BallotCreate):
    # ballots are anonymous: the service records no person and no address
    ballot = ratings.cast_ballot(Actor(None, None, clock.now()), body.code,
                                 [answer.answer() for answer in body.answers])
    return {"id": ballot.id, "round_id": ballot.round_id, "cast_at": ballot.cast_at.isoformat()}, 201
