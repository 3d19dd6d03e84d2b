"""Innovations 一招鲜 (docs/domain.md "Ratings, rankings and accountability").

Each unit registers its innovations (at least ``EXPECTED`` a year); the unit
may edit one until the office has scored it. The office scores them (0..100);
they are shown publicly 公开公示. The yearly ranking is by total score within
each peer group — every active department, school and kindergarten is listed,
a unit with no innovation scoring 0. Until the office publishes the year it is
a draft computed live; publishing freezes a ``Ranking`` of kind
``innovation``, after which that year's innovations can no longer be
registered or scored (409).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from tracker.extensions import db
from tracker.models import ASSESSED_KINDS, Innovation, Ranking, RankingRow, Unit
from tracker.services import audit, permissions, rankings, validation
from tracker.services.assessments import check_score
from tracker.services.errors import Conflict

EXPECTED = 3  # innovations a unit is expected to register each year
TITLE_MAX = 200
DESCRIPTION_MAX = 5000


def subject_key(year: int) -> str:
    return f"innovation:{year}"


def published_ranking(year: int) -> Ranking | None:
    return db.session.scalar(select(Ranking).where(Ranking.kind == "innovation",
                                                   Ranking.subject_key == subject_key(year)))


def _check_year(errors: dict[str, str], value: int) -> int | None:
    if not 2000 <= value <= 2100:
        errors["year"] = _("Enter a year between 2000 and 2100.")
        return None
    return value


def _refuse_if_published(year: int) -> None:
    if published_ranking(year) is not None:
        raise Conflict(_("The innovation ranking of %(year)d is published; its innovations "
                         "can no longer change.", year=year))


def registrable_units(user) -> list[Unit]:
    """The units ``user`` may register an innovation for, in the order a form lists them."""
    if user.role == "office":
        stmt = select(Unit).where(Unit.kind.in_(ASSESSED_KINDS))
    else:
        stmt = select(Unit).where(Unit.id == user.unit_id)
    units = db.session.scalars(stmt.where(Unit.is_archived.is_(False))
                               .order_by(Unit.peer_group, Unit.kind, Unit.name))
    return [unit for unit in units if permissions.can(user, "innovation.register", unit)]


def register(actor: audit.Actor, *, unit_id: int, title: str | None, description: str | None,
             year: int) -> Innovation:
    """Register a unit's innovation, for a unit the actor may register for (``innovation.register``)."""
    errors: dict[str, str] = {}
    unit = db.session.get(Unit, unit_id) if 0 < unit_id <= validation.MAX_ID else None
    if unit is None:
        errors["unit_id"] = _("No such unit.")
    elif unit.is_archived:
        errors["unit_id"] = _("This unit is archived.")
    elif actor.user is not None and not permissions.can(actor.user, "innovation.register", unit):
        errors["unit_id"] = _("Choose a unit you may register an innovation for.")
    clean_title = validation.text(errors, "title", title, max_length=TITLE_MAX)
    clean_description = validation.text(errors, "description", description,
                                        max_length=DESCRIPTION_MAX, multiline=True)
    clean_year = _check_year(errors, year)
    validation.raise_if(errors)
    _refuse_if_published(clean_year)
    innovation = Innovation(unit_id=unit.id, year=clean_year, title=clean_title,
                            description=clean_description, created_at=actor.now,
                            created_by_id=actor.user.id if actor.user else None)
    db.session.add(innovation)
    audit.record(actor, "innovation.register", innovation,
                 {"unit_id": [None, unit.id], "year": [None, clean_year], "title": [None, clean_title]})
    return innovation


def update(actor: audit.Actor, innovation: Innovation, *, title: str | None,
           description: str | None, year: int) -> Innovation:
    """Edit an innovation until it is scored."""
    if innovation.score is not None:
        raise Conflict(_("A scored innovation can no longer be edited."))
    errors: dict[str, str] = {}
    values = {
        "title": validation.text(errors, "title", title, max_length=TITLE_MAX),
        "description": validation.text(errors, "description", description,
                                       max_length=DESCRIPTION_MAX, multiline=True),
        "year": _check_year(errors, year),
    }
    validation.raise_if(errors)
    _refuse_if_published(innovation.year)
    if values["year"] != innovation.year:
        _refuse_if_published(values["year"])
    changes = audit.diff(innovation, values)
    if changes:
        for field, value in values.items():
            setattr(innovation, field, value)
        audit.record(actor, "innovation.edit", innovation, changes)
    return innovation


def score(actor: audit.Actor, innovation: Innovation, value: Decimal | float | None) -> Innovation:
    """Score (or re-score) an innovation, 0..100 with 2 decimals, until its year is published."""
    errors: dict[str, str] = {}
    number = check_score(errors, "score", value)
    validation.raise_if(errors)
    _refuse_if_published(innovation.year)
    changes = audit.diff(innovation, {"score": number})
    innovation.score = number
    innovation.scored_at = actor.now
    innovation.scored_by_id = actor.user.id if actor.user else None
    audit.record(actor, "innovation.score", innovation, changes or {"score": [number, number]})
    return innovation


# The yearly ranking ---------------------------------------------------------------


@dataclass
class RankingView:
    year: int
    status: str  # draft | published
    rows: list[dict]
    ranking: Ranking | None = None
    unscored: int = 0


def _row(line: rankings.Line, name: str, position: int) -> dict:
    return {"unit_id": line.unit_id, "unit": name, "peer_group": line.peer_group,
            "innovations": line.detail["innovations"], "total_score": line.detail["total_score"],
            "score": line.score, "rank": line.rank, "ranked_count": line.ranked_count,
            "below_expected": line.detail["innovations"] < EXPECTED, "position": position}


def compute(year: int) -> list[dict]:
    """The live ranking of ``year``: every active department, school and kindergarten."""
    totals = {row.unit_id: row for row in db.session.execute(
        select(Innovation.unit_id, func.count(Innovation.id).label("n"),
               func.coalesce(func.sum(Innovation.score), 0).label("total"))
        .where(Innovation.year == year).group_by(Innovation.unit_id))}
    units = db.session.execute(select(Unit.id, Unit.name, Unit.peer_group).where(
        Unit.is_archived.is_(False), Unit.kind.in_(ASSESSED_KINDS))).all()
    names = {unit.id: unit.name for unit in units}
    lines = []
    for unit in units:
        found = totals.get(unit.id)
        total = round(float(found.total), 2) if found else 0.0
        lines.append(rankings.Line(unit_id=unit.id, peer_group=unit.peer_group, score=total,
                                   detail={"innovations": found.n if found else 0, "total_score": total}))
    return [_row(line, names[line.unit_id], position)
            for position, line in enumerate(rankings.rank_lines(lines))]


def _frozen_rows(ranking: Ranking) -> list[dict]:
    rows = db.session.scalars(select(RankingRow).where(RankingRow.ranking_id == ranking.id)
                              .order_by(RankingRow.position))
    return [{"unit_id": row.unit_id, "unit": row.unit_name, "peer_group": row.peer_group,
             "innovations": row.detail.get("innovations", 0),
             "total_score": row.detail.get("total_score", row.score), "score": row.score,
             "rank": row.rank, "ranked_count": row.ranked_count,
             "below_expected": row.detail.get("innovations", 0) < EXPECTED, "position": row.position}
            for row in rows]


def ranking(year: int) -> RankingView:
    """The year's ranking: the frozen one once published, else the live draft."""
    frozen = published_ranking(year)
    if frozen is not None:
        return RankingView(year, "published", _frozen_rows(frozen), frozen)
    unscored = db.session.scalar(select(func.count(Innovation.id)).where(
        Innovation.year == year, Innovation.score.is_(None))) or 0
    return RankingView(year, "draft", compute(year), None, unscored)


def ranking_for(user, year: int) -> RankingView | None:
    """The year's ranking as ``user`` may read it: the draft only for ``innovation.draft``."""
    view = ranking(year)
    if view.status == "published" or (user is not None and permissions.can(user, "innovation.draft")):
        return view
    return None


def publish(actor: audit.Actor, year: int) -> Ranking:
    """Freeze the year's ranking; a second time → Conflict."""
    errors: dict[str, str] = {}
    clean_year = _check_year(errors, year)
    validation.raise_if(errors)
    _refuse_if_published(clean_year)
    rows = compute(clean_year)
    ranking_row = Ranking(kind="innovation", subject_key=subject_key(clean_year), year=clean_year,
                          period=str(clean_year), title=f"{clean_year}年度“一招鲜”排名",
                          status="published", published_at=actor.now, created_at=actor.now)
    try:
        with db.session.begin_nested():
            db.session.add(ranking_row)
            db.session.flush()
    except IntegrityError:
        raise Conflict(_("The innovation ranking of %(year)d is published; its innovations "
                         "can no longer change.", year=clean_year)) from None
    for row in rows:
        db.session.add(RankingRow(
            ranking_id=ranking_row.id, unit_id=row["unit_id"], unit_name=row["unit"],
            peer_group=row["peer_group"], position=row["position"], score=row["score"],
            rank=row["rank"], ranked_count=row["ranked_count"], veto=False,
            detail={"innovations": row["innovations"], "total_score": row["total_score"]}))
    audit.record(actor, "ranking.publish", ranking_row,
                 {"subject_key": [None, ranking_row.subject_key], "units": [None, len(rows)]})
    from tracker.services import accountability  # the rules read this ranking

    accountability.on_ranking_published(actor)
    return ranking_row


def years() -> list[int]:
    found = set(db.session.scalars(select(Innovation.year).distinct()))
    found |= {year for year in db.session.scalars(
        select(Ranking.year).where(Ranking.kind == "innovation")) if year is not None}
    return sorted(found, reverse=True)


def counts_by_unit(year: int) -> dict[int, int]:
    return dict(db.session.execute(select(Innovation.unit_id, func.count(Innovation.id))
                                   .where(Innovation.year == year).group_by(Innovation.unit_id)).all())
