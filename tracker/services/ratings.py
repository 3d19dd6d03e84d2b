"""Rating rounds 作风评议 (docs/domain.md "Ratings, rankings and accountability").

A round is set up over units with dimensions and weighted rater groups
(``draft``), opened for ballots cast with single-use invitation codes
(``open``), and closed (``closed``): closing computes the scores,
dissatisfaction rates and ranks per peer group and freezes them in a
``Ranking`` of kind ``rating``. ``close`` is the single place that freezes.

The functions take typed values (``RoundInput``, ``AnswerInput``): the HTML
forms and the API's models turn what they receive into these, and the
functions here check the domain's rules only.
"""

from __future__ import annotations

import itertools
import math
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from operator import itemgetter
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Select, case, distinct, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from tracker.extensions import db
from tracker.models import Unit
from tracker.models.rankings import Ranking, RankingRow
from tracker.models.ratings import (
    BALLOT_VALUES,
    Ballot,
    BallotAnswer,
    Invitation,
    RaterGroup,
    RatingDimension,
    RatingRound,
    rating_round_units,
)
from tracker.services import audit, charts, codes, rankings, settings, validation, workflow
from tracker.services.errors import Conflict, DomainError, InvalidInput

CODE_LENGTH = 12
MAX_CODES = 2000
PERIOD = re.compile(r"^\d{4}(-H[12])?$")
KEY = re.compile(r"^[a-z][a-z0-9_]{0,39}$")

# the keys of the default dimensions (setting ``ratings.dimensions`` holds their names)
DEFAULT_DIMENSION_KEYS = {"精神状态": "spirit", "工作作风": "conduct", "任务落实": "delivery"}
DEFAULT_GROUPS = (
    ("service_recipients", "服务对象（师生家长）", "ratings.weight_service_recipients"),
    ("grassroots_cadres", "基层干部", "ratings.weight_grassroots_cadres"),
    ("public", "社会公众", "ratings.weight_public"),
)


class UnknownCode(DomainError):
    """No invitation has this code (404)."""

    code = "not_found"
    status = 404


# ---------------------------------------------------------------- typed input


@dataclass(frozen=True)
class DimensionInput:
    """A dimension 评议维度 of a round, by its key."""

    key: str
    name: str


@dataclass(frozen=True)
class GroupInput:
    """A rater group 评议主体 of a round, by its key, with its relative weight."""

    key: str
    name: str
    weight: float


@dataclass(frozen=True)
class RoundInput:
    """A round's fields; dimensions and groups left None take the settings' defaults."""

    title: str
    period: str
    unit_ids: Sequence[int]
    dimensions: Sequence[DimensionInput] | None = None
    groups: Sequence[GroupInput] | None = None


@dataclass(frozen=True)
class AnswerInput:
    """One answer of a ballot: a unit rated on a dimension with a ballot value's code."""

    unit_id: int
    dimension: str
    value: str


# ---------------------------------------------------------------- set-up


def default_dimensions() -> list[DimensionInput]:
    names = settings.get("ratings.dimensions") or []
    return [DimensionInput(key=DEFAULT_DIMENSION_KEYS.get(name, f"dimension_{index}"), name=name)
            for index, name in enumerate(names, start=1)]


def default_groups() -> list[GroupInput]:
    return [GroupInput(key=key, name=name, weight=float(settings.get(setting)))
            for key, name, setting in DEFAULT_GROUPS]


def _entries(errors: dict[str, str], field: str,
             value: Sequence[DimensionInput] | Sequence[GroupInput]) -> list[dict]:
    """Check a round's dimensions or groups; return them cleaned as ``{"key", "name"[, "weight"]}``."""
    if not value:
        errors[field] = _("Give at least one.")
        return []
    if len(value) > 20:
        errors[field] = _("At most %(n)d.", n=20)
        return []
    clean, keys = [], set()
    for index, entry in enumerate(value):
        name_field = f"{field}.{index}"
        key = entry.key.strip()
        if not KEY.match(key):
            errors[f"{name_field}.key"] = _("Use lower-case letters, digits and _ (start with a letter).")
            continue
        if key in keys:
            errors[f"{name_field}.key"] = _("Each key only once.")
            continue
        keys.add(key)
        name = validation.text(errors, f"{name_field}.name", entry.name, max_length=100)
        item: dict[str, object] = {"key": key, "name": name}
        if isinstance(entry, GroupInput):
            weight = entry.weight
            if not math.isfinite(weight):
                errors[f"{name_field}.weight"] = _("Enter a number.")
            elif not 0 < weight <= 1000:
                errors[f"{name_field}.weight"] = _("Between 0 (excluded) and 1000.")
            else:
                item["weight"] = float(weight)
        clean.append(item)
    return clean


def _check(values: RoundInput) -> dict[str, Any]:
    errors: dict[str, str] = {}
    title = validation.text(errors, "title", values.title, max_length=200)
    period = values.period.strip()
    if not PERIOD.match(period):
        errors["period"] = _("Give a half-year like 2026-H1 or a year like 2026.")
    unit_ids = list(values.unit_ids)
    units: list[Unit] = []
    if not unit_ids:
        errors["unit_ids"] = _("Choose at least one unit.")
    elif len(set(unit_ids)) != len(unit_ids):
        errors["unit_ids"] = _("Each unit only once.")
    else:
        units = list(db.session.scalars(select(Unit).where(Unit.id.in_(unit_ids),
                                                           Unit.is_archived.is_(False))))
        if len(units) != len(unit_ids):
            errors["unit_ids"] = _("Choose active units only.")
    dimensions = _entries(errors, "dimensions", default_dimensions() if values.dimensions is None
                          else values.dimensions)
    groups = _entries(errors, "groups", default_groups() if values.groups is None else values.groups)
    validation.raise_if(errors)
    return {"title": title, "period": period, "units": units, "dimensions": dimensions,
            "groups": groups}


def _set_children(rnd: RatingRound, clean: dict[str, Any]) -> None:
    """Update dimensions and groups by key: change, add, drop (not a group with codes)."""
    for model, wanted, current in ((RatingDimension, clean["dimensions"], rnd.dimensions),
                                   (RaterGroup, clean["groups"], rnd.groups)):
        by_key = {row.key: row for row in current}
        keep = {item["key"] for item in wanted}
        for row in current:
            if row.key not in keep:
                if model is RaterGroup and db.session.scalar(
                        select(func.count()).where(Invitation.group_id == row.id)):
                    raise InvalidInput(_("Please correct the marked fields."),
                                       {"groups": _("The group %(name)s has codes: keep it.",
                                                    name=row.name)})
                db.session.delete(row)
        for position, item in enumerate(wanted):
            row = by_key.get(item["key"])
            if row is None:
                row = model(round_id=rnd.id, key=item["key"])
                db.session.add(row)
            row.name, row.position = item["name"], position
            if model is RaterGroup:
                row.weight = item["weight"]
    db.session.flush()
    db.session.expire(rnd, ["dimensions", "groups"])


def describe(rnd: RatingRound) -> dict[str, Any]:
    return {"title": rnd.title, "period": rnd.period, "unit_ids": [u.id for u in rnd.units],
            "dimensions": [{"key": d.key, "name": d.name} for d in rnd.dimensions],
            "groups": [{"key": g.key, "name": g.name, "weight": g.weight} for g in rnd.groups]}


def round_input(rnd: RatingRound) -> RoundInput:
    """A round's fields as they stand, to be shown for editing."""
    return RoundInput(title=rnd.title, period=rnd.period, unit_ids=[u.id for u in rnd.units],
                      dimensions=[DimensionInput(key=d.key, name=d.name) for d in rnd.dimensions],
                      groups=[GroupInput(key=g.key, name=g.name, weight=g.weight) for g in rnd.groups])


def create_round(actor: audit.Actor, values: RoundInput) -> RatingRound:
    """Set up a draft round; dimensions and groups default from the settings."""
    clean = _check(values)
    rnd = RatingRound(title=clean["title"], period=clean["period"], status="draft",
                      results_public=False, created_at=actor.now,
                      created_by_id=actor.user.id if actor.user else None)
    rnd.units = clean["units"]
    db.session.add(rnd)
    db.session.flush()
    _set_children(rnd, clean)
    audit.record(actor, "rating_round.create", rnd,
                 {key: [None, value] for key, value in describe(rnd).items()})
    return rnd


def update_round(actor: audit.Actor, rnd: RatingRound, values: RoundInput) -> RatingRound:
    """Change a draft round."""
    if rnd.status != "draft":
        raise Conflict(_("Only a draft round can be changed."))
    before = describe(rnd)
    clean = _check(values)
    rnd.title, rnd.period = clean["title"], clean["period"]
    rnd.units = clean["units"]
    _set_children(rnd, clean)
    after = describe(rnd)
    changes = {key: [before[key], after[key]] for key in after if before[key] != after[key]}
    if changes:
        audit.record(actor, "rating_round.update", rnd, changes)
    return rnd


def open_round(actor: audit.Actor, rnd: RatingRound) -> RatingRound:
    if rnd.status != "draft":
        raise Conflict(_("Only a draft round can be opened."))
    if not rnd.units or not rnd.dimensions or not rnd.groups:
        raise Conflict(_("A round needs units, dimensions and rater groups before it opens."))
    workflow.claim(rnd, "draft", "open")
    rnd.opened_at = actor.now
    audit.record(actor, "rating_round.open", rnd, {"status": ["draft", "open"]})
    return rnd


def publish_results(actor: audit.Actor, rnd: RatingRound, public: bool = True) -> RatingRound:
    """Show (or hide again) a closed round's results on the public site."""
    if rnd.status != "closed":
        raise Conflict(_("Only a closed round's results can be published."))
    if rnd.results_public != public:
        audit.record(actor, "rating_round.publish" if public else "rating_round.unpublish", rnd,
                     {"results_public": [rnd.results_public, public]})
        rnd.results_public = public
    return rnd


# ---------------------------------------------------------------- invitations


def generate_invitations(actor: audit.Actor, rnd: RatingRound, group_key: str, count: int
                         ) -> tuple[int, list[str]]:
    """Make a batch of ``count`` codes for a rater group; return (batch number, codes)."""
    errors: dict[str, str] = {}
    group = next((g for g in rnd.groups if g.key == group_key), None)
    if group is None:
        errors["group"] = _("Choose one of the round's rater groups.")
    if not 1 <= count <= MAX_CODES:
        errors["count"] = _("Between 1 and %(n)d.", n=MAX_CODES)
    validation.raise_if(errors)
    if rnd.status == "closed":
        raise Conflict(_("This round is closed: no more codes."))
    batch = (db.session.scalar(select(func.max(Invitation.batch)).where(
        Invitation.round_id == rnd.id)) or 0) + 1
    made: set[str] = set()
    while len(made) < count:
        fresh = {codes.new(CODE_LENGTH) for _i in range(count - len(made))} - made
        taken = set(db.session.scalars(select(Invitation.code).where(Invitation.code.in_(fresh))))
        made |= fresh - taken
    ordered = sorted(made)
    db.session.execute(insert(Invitation), [
        {"round_id": rnd.id, "group_id": group.id, "code": code, "batch": batch,
         "created_at": actor.now} for code in ordered])
    audit.record(actor, "rating_round.invitations", rnd,
                 {"batch": [None, batch], "group": [None, group.key], "count": [None, count]})
    return batch, ordered


def batches(rnd: RatingRound) -> list[dict[str, Any]]:
    """Return the round's batches: group, count, used, made when (one grouped query)."""
    groups = {g.id: g for g in rnd.groups}
    rows = db.session.execute(
        select(Invitation.batch, Invitation.group_id, func.count(), func.count(Invitation.used_at),
               func.min(Invitation.created_at))
        .where(Invitation.round_id == rnd.id)
        .group_by(Invitation.batch, Invitation.group_id).order_by(Invitation.batch))
    return [{"batch": batch, "group": groups.get(group_id), "count": n, "used": used,
             "unused": n - used, "created_at": made} for batch, group_id, n, used, made in rows]


def batch_codes(rnd: RatingRound, batch: int) -> list[Invitation]:
    return list(db.session.scalars(select(Invitation).where(
        Invitation.round_id == rnd.id, Invitation.batch == batch).order_by(Invitation.id)))


# ---------------------------------------------------------------- ballots


def invitation_for(raw_code: str) -> Invitation:
    """Return the invitation of a code, or raise UnknownCode."""
    code = codes.normalise(raw_code, CODE_LENGTH)
    invitation = None if code is None else db.session.scalar(
        select(Invitation).where(Invitation.code == code))
    if invitation is None:
        raise UnknownCode(_("This code is not known. Check it and try again."))
    return invitation


def check_usable(invitation: Invitation, rnd: RatingRound) -> None:
    """Raise Conflict when the code cannot vote now: used, or the round not open."""
    if invitation.used_at is not None:
        raise Conflict(_("This code has been used already: each code votes once."))
    if rnd.status == "draft":
        raise Conflict(_("This rating round has not opened yet."))
    if rnd.status == "closed":
        raise Conflict(_("This rating round is closed."))


def _check_answers(rnd: RatingRound, answers: Sequence[AnswerInput]) -> list[tuple[int, int, int]]:
    """Return (unit id, dimension id, value) for each answer, or raise InvalidInput."""
    if not answers:
        raise InvalidInput(_("Please correct the marked fields."),
                           {"answers": _("Rate at least one unit.")})
    # the ids alone: a city round has 2,000 units, not to be loaded as objects per ballot
    unit_ids = set(db.session.scalars(select(rating_round_units.c.unit_id).where(
        rating_round_units.c.round_id == rnd.id)))
    dimensions = {d.key: d.id for d in rnd.dimensions}
    errors: dict[str, str] = {}
    seen: set[tuple[int, int]] = set()
    clean = []
    for index, answer in enumerate(answers):
        field = f"answers.{index}"
        unit_id, key, value = answer.unit_id, answer.dimension, answer.value
        if unit_id not in unit_ids:
            errors[f"{field}.unit_id"] = _("Not a unit of this round.")
        elif key not in dimensions:
            errors[f"{field}.dimension"] = _("Not a dimension of this round.")
        elif value not in BALLOT_VALUES:
            errors[f"{field}.value"] = _("Choose one of: %(values)s.", values=", ".join(BALLOT_VALUES))
        elif (unit_id, dimensions[key]) in seen:
            errors[field] = _("One answer per unit and dimension.")
        else:
            seen.add((unit_id, dimensions[key]))
            clean.append((unit_id, dimensions[key], BALLOT_VALUES[value]))
    validation.raise_if(errors)
    return clean


def cast_ballot(actor: audit.Actor, raw_code: str, answers: Sequence[AnswerInput]) -> Ballot:
    """Cast the ballot of an invitation code: once, while the round is open.

    The code is claimed with a conditional UPDATE (``used_at IS NULL``): of two
    requests racing with one code, the second updates nothing and gets a
    Conflict; the unique ``ballots.invitation_id`` backs that up.
    """
    invitation = invitation_for(raw_code)
    rnd = db.session.get(RatingRound, invitation.round_id)
    check_usable(invitation, rnd)
    clean = _check_answers(rnd, answers)
    try:
        with db.session.begin_nested():
            claimed = db.session.execute(
                update(Invitation).where(Invitation.id == invitation.id, Invitation.used_at.is_(None))
                .values(used_at=actor.now).execution_options(synchronize_session=False))
            if claimed.rowcount != 1:
                raise Conflict(_("This code has been used already: each code votes once."))
            # the round may have closed meanwhile: only an open round takes ballots
            still_open = db.session.scalar(select(RatingRound.status).where(
                RatingRound.id == rnd.id).with_for_update(read=True))
            if still_open != "open":
                raise Conflict(_("This rating round is closed."))
            ballot = Ballot(round_id=rnd.id, group_id=invitation.group_id,
                            invitation_id=invitation.id, cast_at=actor.now)
            db.session.add(ballot)
            db.session.flush()
            db.session.execute(insert(BallotAnswer), [
                {"ballot_id": ballot.id, "unit_id": unit_id, "dimension_id": dimension_id,
                 "value": value} for unit_id, dimension_id, value in clean])
    except IntegrityError:
        raise Conflict(_("This code has been used already: each code votes once.")) from None
    db.session.expire(invitation, ["used_at"])
    # 评议不记名: the trail keeps that a ballot was cast, never by whom or from where
    audit.record(audit.Actor(None, None, actor.now), "ballot.cast", ballot,
                 {"round_id": [None, rnd.id], "answers": [None, len(clean)]})
    return ballot


# ---------------------------------------------------------------- results


@dataclass
class Cell:
    answers: int = 0
    total: int = 0
    dissatisfied: int = 0

    def add(self, answers: int, total: int, dissatisfied: int) -> None:
        self.answers += answers
        self.total += total
        self.dissatisfied += dissatisfied


def round_half_up(value: Fraction, places: int = 2) -> float:
    scale = 10 ** places
    return math.floor(value * scale + Fraction(1, 2)) / scale


def _mean(cell: Cell) -> float | None:
    return round_half_up(Fraction(cell.total, cell.answers)) if cell.answers else None


def compute(rnd: RatingRound) -> list[rankings.Line]:
    """Compute every unit's score, ballots, dissatisfaction rate and rank (not stored).

    Group mean = mean of all the group's answers about the unit (every ballot,
    every dimension); score = Σ weight × group mean ÷ Σ weight over the groups
    that answered about the unit, rounded to 2 decimals (half up); ranked per
    peer group when at least ``ratings.min_ballots`` ballots are about the unit.
    """
    min_ballots = settings.get("ratings.min_ballots")
    dissatisfied = func.sum(case((BallotAnswer.value == 0, 1), else_=0))
    cells: dict[tuple[int, int, int], Cell] = {}
    for unit_id, group_id, dimension_id, n, total, bad in db.session.execute(
            select(BallotAnswer.unit_id, Ballot.group_id, BallotAnswer.dimension_id,
                   func.count(BallotAnswer.id), func.sum(BallotAnswer.value), dissatisfied)
            .join(Ballot, Ballot.id == BallotAnswer.ballot_id).where(Ballot.round_id == rnd.id)
            .group_by(BallotAnswer.unit_id, Ballot.group_id, BallotAnswer.dimension_id)):
        cells[unit_id, group_id, dimension_id] = Cell(n, int(total or 0), int(bad or 0))
    ballots: dict[tuple[int, int], int] = {}
    for unit_id, group_id, n in db.session.execute(
            select(BallotAnswer.unit_id, Ballot.group_id, func.count(distinct(Ballot.id)))
            .join(Ballot, Ballot.id == BallotAnswer.ballot_id).where(Ballot.round_id == rnd.id)
            .group_by(BallotAnswer.unit_id, Ballot.group_id)):
        ballots[unit_id, group_id] = n
    lines = []
    for unit in rnd.units:
        by_group: dict[int, Cell] = defaultdict(Cell)
        by_dimension: dict[int, Cell] = defaultdict(Cell)
        grid: dict[tuple[int, int], Cell] = {}
        whole = Cell()
        for (unit_id, group_id, dimension_id), cell in cells.items():
            if unit_id != unit.id:
                continue
            by_group[group_id].add(cell.answers, cell.total, cell.dissatisfied)
            by_dimension[dimension_id].add(cell.answers, cell.total, cell.dissatisfied)
            grid[group_id, dimension_id] = cell
            whole.add(cell.answers, cell.total, cell.dissatisfied)
        weighted, weights = Fraction(0), Fraction(0)
        for group in rnd.groups:
            cell = by_group.get(group.id)
            if cell and cell.answers:
                weight = Fraction(str(group.weight))
                weighted += weight * Fraction(cell.total, cell.answers)
                weights += weight
        score = round_half_up(weighted / weights) if weights else None
        unit_ballots = sum(n for (unit_id, _g), n in ballots.items() if unit_id == unit.id)
        detail = {
            "answers": whole.answers,
            "dissatisfied": whole.dissatisfied,
            "groups": [{"key": g.key, "name": g.name, "weight": g.weight,
                        "ballots": ballots.get((unit.id, g.id), 0),
                        "answers": by_group[g.id].answers if g.id in by_group else 0,
                        "mean": _mean(by_group[g.id]) if g.id in by_group else None,
                        "dimensions": {d.key: _mean(grid[g.id, d.id]) if (g.id, d.id) in grid else None
                                       for d in rnd.dimensions}}
                       for g in rnd.groups],
            "dimensions": [{"key": d.key, "name": d.name,
                            "answers": by_dimension[d.id].answers if d.id in by_dimension else 0,
                            "mean": _mean(by_dimension[d.id]) if d.id in by_dimension else None,
                            "dissatisfied": by_dimension[d.id].dissatisfied if d.id in by_dimension else 0}
                           for d in rnd.dimensions],
            "unit_name": unit.name,
            "ballots": unit_ballots,
            "dissatisfaction_rate": (whole.dissatisfied / whole.answers) if whole.answers else None,
        }
        lines.append(rankings.Line(unit_id=unit.id, peer_group=unit.peer_group, score=score,
                                   eligible=unit_ballots >= min_ballots and score is not None,
                                   detail=detail))
    return rankings.rank_lines(lines)


def line_row(line: rankings.Line) -> dict[str, Any]:
    """Return a computed line in the API's ranking shape."""
    return {"unit_id": line.unit_id, "peer_group": line.peer_group,
            "ballots": line.detail["ballots"], "score": line.score,
            "dissatisfaction_rate": line.detail["dissatisfaction_rate"], "rank": line.rank}


def close(actor: audit.Actor, rnd: RatingRound) -> Ranking:
    """Close an open round: compute its ranking and freeze it (published at once)."""
    if rnd.status != "open":
        raise Conflict(_("Only an open round can be closed."))
    # claim the round first: of two closes at once, the second changes nothing
    workflow.claim(rnd, "open", "closed")
    rnd.closed_at = actor.now
    lines = compute(rnd)
    ranking = Ranking(kind="rating", subject_key=f"round:{rnd.id}", rating_round_id=rnd.id,
                      year=int(rnd.period[:4]), period=rnd.period, title=rnd.title,
                      status="published", published_at=actor.now, created_at=actor.now)
    db.session.add(ranking)
    db.session.flush()
    db.session.execute(insert(RankingRow), [
        {"ranking_id": ranking.id, "unit_id": line.unit_id, "unit_name": line.detail["unit_name"],
         "peer_group": line.peer_group, "position": position, "score": line.score,
         "rank": line.rank, "ranked_count": line.ranked_count, "ballots": line.detail["ballots"],
         "dissatisfaction_rate": line.detail["dissatisfaction_rate"], "veto": False,
         "detail": {k: v for k, v in line.detail.items()
                    if k not in ("unit_name", "ballots", "dissatisfaction_rate")}}
        for position, line in enumerate(lines, start=1)])
    audit.record(actor, "rating_round.close", rnd, {"status": ["open", "closed"],
                                                    "ranking_id": [None, ranking.id]})
    from tracker.services import accountability  # the rules read this ranking

    accountability.on_ranking_published(actor)
    return ranking


def close_preview(rnd: RatingRound) -> dict[str, Any]:
    """What closing ``rnd`` freezes: its ballots, and the units too few ballots leave unranked."""
    counts = round_counts([rnd.id])[rnd.id]
    min_ballots = settings.get("ratings.min_ballots")
    unranked = [line.detail["unit_name"] for line in compute(rnd) if line.detail["ballots"] < min_ballots]
    return {"ballots": counts["ballots"], "units": counts["units"], "min_ballots": min_ballots,
            "unused": counts["codes"] - counts["used"], "unranked": unranked,
            "few": counts["ballots"] < min_ballots}


def ranking_of(rnd: RatingRound) -> Ranking | None:
    return db.session.scalar(select(Ranking).where(Ranking.kind == "rating",
                                                   Ranking.subject_key == f"round:{rnd.id}"))


def by_peer_group(rows: list[dict[str, Any]]) -> list[tuple[str, list[dict[str, Any]], Any]]:
    """The ranking rows by peer group, each group with its bar chart (units not ranked muted)."""
    groups = []
    for peer_group, members in itertools.groupby(sorted(rows, key=itemgetter("peer_group")),
                                                 key=itemgetter("peer_group")):
        lines = list(members)
        groups.append((peer_group, lines, charts.bar_chart(
            (line["unit_name"], line["score"],
             f"{line['score']:.2f}" if line["score"] is not None else "—",
             "" if line["rank"] is not None else "muted") for line in lines)))
    return groups


def ranking_rows(rnd: RatingRound) -> list[dict[str, Any]]:
    """Return the ranking: frozen once closed, computed live before (never stored then)."""
    ranking = ranking_of(rnd)
    if ranking is not None:
        return [{"unit_id": row.unit_id, "unit_name": row.unit_name, "peer_group": row.peer_group,
                 "ballots": row.ballots, "score": row.score,
                 "dissatisfaction_rate": row.dissatisfaction_rate, "rank": row.rank,
                 "ranked_count": row.ranked_count, "detail": row.detail}
                for row in db.session.scalars(select(RankingRow).where(
                    RankingRow.ranking_id == ranking.id).order_by(RankingRow.position))]
    return [{**line_row(line), "unit_name": line.detail["unit_name"],
             "ranked_count": line.ranked_count, "detail": line.detail} for line in compute(rnd)]


# ---------------------------------------------------------------- lists


def rounds_query(*, public_only: bool = False) -> Select:
    stmt = select(RatingRound).order_by(RatingRound.period.desc(), RatingRound.id.desc())
    if public_only:
        stmt = stmt.where(RatingRound.status == "closed", RatingRound.results_public.is_(True))
    return stmt


def round_counts(round_ids: list[int]) -> dict[int, dict[str, int]]:
    """Return units, codes, used codes and ballots per round (three grouped queries)."""
    result = {rid: {"units": 0, "codes": 0, "used": 0, "ballots": 0} for rid in round_ids}
    if not round_ids:
        return result
    for rid, n in db.session.execute(select(rating_round_units.c.round_id, func.count())
                                     .where(rating_round_units.c.round_id.in_(round_ids))
                                     .group_by(rating_round_units.c.round_id)):
        result[rid]["units"] = n
    for rid, n, used in db.session.execute(
            select(Invitation.round_id, func.count(), func.count(Invitation.used_at))
            .where(Invitation.round_id.in_(round_ids)).group_by(Invitation.round_id)):
        result[rid]["codes"], result[rid]["used"] = n, used
    for rid, n in db.session.execute(select(Ballot.round_id, func.count())
                                     .where(Ballot.round_id.in_(round_ids)).group_by(Ballot.round_id)):
        result[rid]["ballots"] = n
    return result


def ranking_workbook(rnd: RatingRound, rows: list[dict[str, Any]], peer_label,
                     as_of: str | None = None) -> bytes:
    """Return the ranking as .xlsx (services/xlsx.py): one line per unit with its score, ballots
    and dissatisfaction rate (a percentage, 0.0%), then the means by group and by dimension."""
    from tracker.services import xlsx

    columns = [xlsx.Column(_("Peer group")), xlsx.Column(_("Rank")), xlsx.Column(_("Unit"), "wrap"),
               xlsx.Column(_("Score"), "decimal"), xlsx.Column(_("Ballots"), "int"),
               xlsx.Column(_("Dissatisfaction rate"), "percent")]
    columns += [xlsx.Column(f"{g.name} ({g.weight:g})", "decimal") for g in rnd.groups]
    columns += [xlsx.Column(d.name, "decimal") for d in rnd.dimensions]
    lines = []
    for row in rows:
        groups = {g["key"]: g["mean"] for g in row["detail"].get("groups", [])}
        dims = {d["key"]: d["mean"] for d in row["detail"].get("dimensions", [])}
        lines.append(([peer_label(row["peer_group"]),
                       row["rank"] if row["rank"] is not None else _("not ranked"),
                       row["unit_name"], row["score"], row["ballots"], row["dissatisfaction_rate"]]
                      + [groups.get(g.key) for g in rnd.groups] + [dims.get(d.key) for d in rnd.dimensions],
                      None))
    notes = [_("Rating round: %(title)s; period %(period)s; all units", title=rnd.title, period=rnd.period)]
    if as_of:
        notes.append(_("Exported: %(when)s", when=as_of))
    return xlsx.to_bytes(sheet_name=rnd.title, title=_("Rating results: %(title)s", title=rnd.title),
                         notes=notes, columns=columns, rows=lines)
