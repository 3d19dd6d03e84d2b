"""API: special assessments 专项考核 and innovations 一招鲜 (docs/api.md)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from flask_babel import gettext as _
from pydantic import Field
from sqlalchemy import select

from tracker.blueprints import acting_user, actor, authorize, load
from tracker.blueprints.api import bp
from tracker.blueprints.api.framework import Body, Out, PageQuery, Query, endpoint, paginated
from tracker.blueprints.api.schemas import page_of
from tracker.extensions import db
from tracker.models import Assessment, AssessmentResult, AssessmentTheme, Innovation, RankingStatus, Unit
from tracker.services import assessments, innovations, permissions
from tracker.services.errors import InvalidInput, Missing

Theme = Literal[AssessmentTheme.codes()]
Id = Annotated[int, Field(ge=1)]
Year = Annotated[int, Field(ge=2000, le=2100)]
Score = Annotated[float, Field(ge=0, le=100)]


class ScoreIn(Body):
    unit_id: Id
    score: Score
    veto: bool = False
    note: Annotated[str, Field(max_length=500)] | None = None

    def line(self) -> assessments.ScoreInput:
        return assessments.ScoreInput(unit_id=self.unit_id, score=self.score, veto=self.veto,
                                      note=self.note)


class AssessmentCreate(Body):
    theme: Theme
    period: Annotated[str, Field(min_length=7, max_length=7, pattern=r"^\d{4}-H[12]$")]
    scores: Annotated[list[ScoreIn], Field(min_length=1, max_length=5000)]


class RankingRowOut(Out):
    unit_id: int
    unit: str
    peer_group: str | None
    score: float | None
    rank: int | None
    ranked_count: int | None
    veto: bool
    result: Literal[AssessmentResult.codes()]


class AssessmentOut(Out):
    id: int
    theme: Theme
    period: str
    status: Literal["published"]
    created_at: datetime
    ranking: list[RankingRowOut]


class AssessmentSummaryOut(Out):
    id: int
    theme: Theme
    period: str
    created_at: datetime


class AssessmentQuery(PageQuery):
    theme: Theme | None = None
    period: Annotated[str, Field(max_length=7)] | None = None


class InnovationCreate(Body):
    title: Annotated[str, Field(min_length=1, max_length=200)]
    description: Annotated[str, Field(min_length=1, max_length=5000)]
    year: Year
    unit_id: Id | None = None  # the office registers for a unit; a unit's user for its own


class InnovationScore(Body):
    score: Score


class InnovationOut(Out):
    id: int
    unit_id: int
    year: int
    title: str
    description: str
    score: float | None
    scored_at: datetime | None
    created_at: datetime


class InnovationQuery(PageQuery):
    year: Year | None = None
    unit_id: Id | None = None


class YearQuery(Query):
    year: Year


class PublishBody(Body):
    year: Year


class InnovationRankingRowOut(Out):
    unit_id: int
    unit: str
    peer_group: str | None
    innovations: int
    total_score: float
    rank: int | None
    ranked_count: int | None
    below_expected: bool
    status: Literal[RankingStatus.codes()]
    year: int


class PublishedOut(Out):
    year: int
    status: Literal["published"]
    ranking: list[InnovationRankingRowOut]


def assessment_json(assessment: Assessment) -> dict:
    rows = assessments.ranking_rows(assessments.ranking_of(assessment))
    return {"id": assessment.id, "theme": assessment.theme, "period": assessment.period,
            "status": "published", "created_at": assessment.created_at.isoformat(),
            "ranking": [assessments.row_json(row) for row in rows]}


def innovation_json(innovation: Innovation) -> dict:
    return {"id": innovation.id, "unit_id": innovation.unit_id, "year": innovation.year,
            "title": innovation.title, "description": innovation.description,
            "score": innovation.score,
            "scored_at": innovation.scored_at.isoformat() if innovation.scored_at else None,
            "created_at": innovation.created_at.isoformat()}


def ranking_json(view: innovations.RankingView) -> list[dict]:
    return [{"unit_id": row["unit_id"], "unit": row["unit"], "peer_group": row["peer_group"],
             "innovations": row["innovations"], "total_score": row["total_score"],
             "rank": row["rank"], "ranked_count": row["ranked_count"],
             "below_expected": row["below_expected"], "status": view.status, "year": view.year}
            for row in view.rows]


# Special assessments --------------------------------------------------------------------


@endpoint(bp, "/assessments", "POST",
          summary="Enter a special assessment's scores (office); its ranking is published at once "
                  "and frozen: a second entry of the same theme and half-year is 409",
          tag="Assessments", body=AssessmentCreate, response=AssessmentOut, status=201,
          errors=(403, 409))
def create_assessment(body: AssessmentCreate):
    authorize("assessment.manage")
    assessment = assessments.enter(actor(), theme=body.theme, period=body.period,
                                   scores=[item.line() for item in body.scores])
    return assessment_json(assessment), 201


@endpoint(bp, "/assessments", "GET", summary="List special assessments (newest half-year first)",
          tag="Assessments", query=AssessmentQuery, response=page_of(AssessmentSummaryOut))
def list_assessments(query: AssessmentQuery):
    authorize("assessment.view")
    stmt = select(Assessment).order_by(Assessment.period.desc(), Assessment.theme, Assessment.id)
    if query.theme:
        stmt = stmt.where(Assessment.theme == query.theme)
    if query.period:
        stmt = stmt.where(Assessment.period == query.period)
    return paginated(AssessmentSummaryOut, stmt, query), 200


@endpoint(bp, "/assessments/<int:assessment_id>", "GET",
          summary="Read a special assessment with its published ranking", tag="Assessments",
          response=AssessmentOut, errors=(404,))
def get_assessment(assessment_id: int):
    authorize("assessment.view")
    return assessment_json(load(Assessment, assessment_id)), 200


# Innovations ------------------------------------------------------------------------------


@endpoint(bp, "/innovations", "POST",
          summary="Register an innovation (a unit's user for their own unit; the office names unit_id)",
          tag="Innovations", body=InnovationCreate, response=InnovationOut, status=201,
          errors=(403, 409))
def create_innovation(body: InnovationCreate):
    authorize("innovation.register")
    user = acting_user()
    unit = db.session.get(Unit, body.unit_id) if body.unit_id is not None else user.unit
    if body.unit_id is None and (unit is None or not permissions.can(user, "innovation.register", unit)):
        raise InvalidInput(_("Please correct the marked fields."), {"unit_id": _("This field is required.")})
    if unit is not None:  # no such unit: the service names the field
        authorize("innovation.register", unit)
    unit_id = body.unit_id if body.unit_id is not None else unit.id
    innovation = innovations.register(actor(), unit_id=unit_id, title=body.title,
                                      description=body.description, year=body.year)
    return innovation_json(innovation), 201


@endpoint(bp, "/innovations", "GET", summary="List innovations (a unit sees its own and its schools')",
          tag="Innovations", query=InnovationQuery, response=page_of(InnovationOut))
def list_innovations(query: InnovationQuery):
    authorize("innovation.view")
    stmt = (select(Innovation).where(permissions.unit_scope(acting_user(), Innovation.unit_id))
            .order_by(Innovation.year.desc(), Innovation.unit_id, Innovation.id))
    if query.year:
        stmt = stmt.where(Innovation.year == query.year)
    if query.unit_id:
        stmt = stmt.where(Innovation.unit_id == query.unit_id)
    return paginated(InnovationOut, stmt, query), 200


@endpoint(bp, "/innovations/<int:innovation_id>/score", "POST",
          summary="Score an innovation 0..100 (office); 409 once its year's ranking is published",
          tag="Innovations", body=InnovationScore, response=InnovationOut, errors=(403, 404, 409))
def score_innovation(innovation_id: int, body: InnovationScore):
    authorize("innovation.score")
    innovation = innovations.score(actor(), load(Innovation, innovation_id), body.score)
    return innovation_json(innovation), 200


@endpoint(bp, "/innovations/ranking", "GET",
          summary="The year's innovation ranking: a list of rows, each with innovations, total_score, "
                  "rank per peer group and status (draft: computed live; published: frozen)",
          tag="Innovations", query=YearQuery, response=list[InnovationRankingRowOut], errors=(404,))
def innovation_ranking(query: YearQuery):
    authorize("innovation.view")
    view = innovations.ranking_for(acting_user(), query.year)
    if view is None:
        raise Missing(_("The innovation ranking of %(year)d is not published yet.", year=query.year))
    return ranking_json(view), 200


@endpoint(bp, "/innovations/ranking/publish", "POST",
          summary="Publish (freeze) the year's innovation ranking (office); a second time is 409",
          tag="Innovations", body=PublishBody, response=PublishedOut, errors=(403, 409))
def publish_innovation_ranking(body: PublishBody):
    authorize("innovation.score")
    innovations.publish(actor(), body.year)
    return {"year": body.year, "status": "published",
            "ranking": ranking_json(innovations.ranking(body.year))}, 200
