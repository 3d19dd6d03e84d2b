"""Accountability flags 问责标记 (docs/domain.md "Ratings, rankings and accountability").

Six rules read frozen records — published rankings, weekly supervision
findings, task and notice deadlines, complaint ratings — and raise a flag at
most once per rule, unit and period (the unique key plus a savepoint per flag
make concurrent evaluations safe). A flag then goes through the office's
review to a leader's decision, or to a fault-tolerance exemption 容错免责 the
office proposes with a written justification and a leader approves.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Integer, Select, and_, case, cast, extract, false, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from tracker.extensions import db
from tracker.models import (
    Complaint,
    Finding,
    Notice,
    Ranking,
    RankingRow,
    RatingRound,
    SupervisionRound,
    Task,
    Unit,
    User,
)
from tracker.models.accountability import (
    FLAG_ACTIONS,
    FLAG_RULES,
    Flag,
    FlagAction,
    FlagEvent,
    FlagRule,
    FlagStatus,
)
from tracker.services import (
    audit,
    notifications,
    official_docx,
    permissions,
    progress,
    rankings,
    settings,
    task_states,
    validation,
    workflow,
)
from tracker.services.errors import Conflict

# The proposed action of each rule: action codes joined by "/".
PROPOSED_ACTIONS = {
    "last_place": "accountability/adjustment",
    "persistently_low": "accountability/adjustment",
    "strong_dissent": "interview",
    "poor_delivery": "criticism",
    "long_overdue": "accountability",
    "low_satisfaction": "interview",
}
REASONS_MAX = 2000
HEAD_RULES = frozenset(FLAG_RULES) - {"persistently_low"}


def proposed_label(code: str) -> str:
    return " / ".join(str(FlagAction.label_of(part)) for part in (code or "").split("/"))


def proposed_name(code: str) -> str:
    return "/".join(FlagAction.zh_of(part) for part in (code or "").split("/"))


# Evaluation ------------------------------------------------------------------------
#
# In three steps, as in progress.py and rankings.py: `load` reads plain rows as of a day
# (aggregating in SQL where it can), each rule is a pure function
# `(rows, parameters, as_of) -> candidates` tested case by case without a database, and
# `evaluate` raises the flags the rules find.


@dataclass
class Candidate:
    rule: str
    unit_id: int
    period: str
    sources: list[dict] = field(default_factory=list)
    summary: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Parameters:
    """The settings the rules read (docs/domain.md defaults)."""

    bottom_percent: float = 10
    dissent_percent: float = 20.0
    min_ballots: int = 10
    lagging_rounds: int = 3
    task_overdue_days: int = 14
    notice_overdue_days: int = 14
    satisfaction_percent: float = 85.0
    satisfaction_min_rated: int = 10

    @classmethod
    def from_settings(cls, values: Mapping[str, object] | None = None) -> Parameters:
        values = settings.values() if values is None else values
        return cls(bottom_percent=values["rules.bottom_percent"],
                   dissent_percent=float(values["rules.dissent_percent"]),
                   min_ballots=values["ratings.min_ballots"],
                   lagging_rounds=values["rules.lagging_rounds"],
                   task_overdue_days=values["rules.task_overdue_days"],
                   notice_overdue_days=values["rules.notice_overdue_days"],
                   satisfaction_percent=float(values["rules.satisfaction_percent"]),
                   satisfaction_min_rated=values["rules.satisfaction_min_rated"])


# The rows the rules read: plain values, no session behind them.


@dataclass(frozen=True)
class RankedRow:
    """One unit's frozen line in a published ranking (``rank`` None: listed, not ranked)."""

    row_id: int
    unit_id: int
    unit_name: str
    peer_group: str | None
    rank: int | None
    ranked_count: int | None
    score: float | None = None
    ballots: int | None = None
    dissatisfaction_rate: float | None = None
    veto: bool = False


@dataclass(frozen=True)
class PublishedRanking:
    id: int
    kind: str  # rating, assessment, innovation
    title: str
    period: str
    rating_round_id: int | None = None
    assessment_id: int | None = None
    year: int | None = None
    rows: tuple[RankedRow, ...] = ()  # in the ranking's order


@dataclass(frozen=True)
class ClosedRound:
    """A closed rating round's published ranking; the round's period names the flags."""

    period: str
    ranking: PublishedRanking


@dataclass(frozen=True)
class SupervisionRow:
    """A weekly supervision round: the week it covers and the day its snapshot was taken."""

    id: int
    week_start: date
    as_of: date


@dataclass(frozen=True)
class LaggingFinding:
    """A `lagging` finding of a round, with its task's title and owner unit."""

    task_id: int
    title: str
    unit_id: int
    round_id: int


@dataclass(frozen=True)
class OverdueTask:
    """A task of an active plan whose status is `overdue` as of the day evaluated."""

    task_id: int
    title: str
    unit_id: int
    due_on: date
    actual_percent: int


@dataclass(frozen=True)
class OpenNotice:
    id: int
    doc_number: str
    unit_id: int
    issued_on: date
    due_on: date
    status: str


@dataclass(frozen=True)
class MonthTally:
    """Rated complaints of a unit first dispatched in a month: how many, how many satisfied."""

    unit_id: int
    month: str  # YYYY-MM
    rated: int
    satisfied: int


@dataclass(frozen=True)
class RatedComplaint:
    id: int
    first_dispatched_on: date
    rating: str


@dataclass(frozen=True)
class Rows:
    """Everything the six rules read as of one day."""

    rankings: tuple[PublishedRanking, ...] = ()  # published assessment and innovation rankings
    rounds: tuple[ClosedRound, ...] = ()  # closed rating rounds, oldest first
    supervision: tuple[SupervisionRow, ...] = ()
    lagging: tuple[LaggingFinding, ...] = ()
    overdue: tuple[OverdueTask, ...] = ()
    notices: tuple[OpenNotice, ...] = ()
    tallies: tuple[MonthTally, ...] = ()
    # the rated complaints of the (unit, month) tallies the low_satisfaction rule flags: its evidence
    complaints: Mapping[tuple[int, str], tuple[RatedComplaint, ...]] = field(default_factory=dict)


SATISFIED = ("satisfied", "basically_satisfied")
OPEN_NOTICE = ("issued", "acknowledged")


# The rules ------------------------------------------------------------------------


class _Found:
    """One rule's candidates keyed by (unit, period): triggers of one key merge their evidence."""

    def __init__(self, rule: str) -> None:
        self.rule = rule
        self.found: dict[tuple[int, str], Candidate] = {}

    def add(self, unit_id: int, period: str, sources: list[dict], **summary: object) -> None:
        candidate = self.found.setdefault((unit_id, period), Candidate(self.rule, unit_id, period))
        candidate.sources.extend(sources)
        for name, value in summary.items():
            candidate.summary.setdefault(name, value)

    def candidates(self) -> list[Candidate]:
        return list(self.found.values())


def _month(day: date) -> str:
    return f"{day.year}-{day.month:02d}"


def _number(value: float | None) -> float | None:
    return round(value, 4) if isinstance(value, float) else value


def _row_evidence(row: RankedRow) -> dict:
    return {"row_id": row.row_id, "unit_id": row.unit_id, "unit_name": row.unit_name,
            "peer_group": row.peer_group, "rank": row.rank, "ranked_count": row.ranked_count,
            "score": _number(row.score), "ballots": row.ballots,
            "dissatisfaction_rate": _number(row.dissatisfaction_rate), "veto": bool(row.veto)}


def ranking_link(ranking: Ranking | PublishedRanking) -> str:
    if ranking.kind == "rating" and ranking.rating_round_id:
        return f"/ratings/{ranking.rating_round_id}"
    if ranking.kind == "assessment" and ranking.assessment_id:
        return f"/assessments/{ranking.assessment_id}"
    return f"/innovations/ranking?year={ranking.year or ranking.period}"


RANKING_COLUMNS = ["unit_name", "peer_group", "score", "rank", "ranked_count", "ballots",
                   "dissatisfaction_rate", "veto"]


def _ranking_source(ranking: PublishedRanking, rows: list[RankedRow]) -> dict:
    return {"type": "ranking", "ranking_id": ranking.id, "kind": ranking.kind,
            "title": ranking.title, "period": ranking.period, "link": ranking_link(ranking),
            "rating_round_id": ranking.rating_round_id, "assessment_id": ranking.assessment_id,
            "year": ranking.year, "columns": RANKING_COLUMNS,
            "rows": [_row_evidence(row) for row in rows]}


def _lines(rows: tuple[RankedRow, ...]) -> list[rankings.Line]:
    """Lines holding the frozen ranks (not recomputed)."""
    return [rankings.Line(unit_id=row.unit_id, peer_group=row.peer_group, score=row.score,
                          eligible=row.rank is not None, veto=bool(row.veto), rank=row.rank,
                          ranked_count=row.ranked_count, detail={"row": row}) for row in rows]


def last_place(rows: Rows, parameters: Parameters, as_of: date) -> list[Candidate]:
    """末位问责: the unit(s) at the last rank of their peer group in an assessment or innovation ranking."""
    found = _Found("last_place")
    for ranking in rows.rankings:
        if ranking.kind not in ("assessment", "innovation"):
            continue
        for line in rankings.last_place(_lines(ranking.rows)):
            row = line.detail["row"]
            found.add(row.unit_id, ranking.period, [_ranking_source(ranking, [row])],
                      rank=row.rank, ranked_count=row.ranked_count)
    return found.candidates()


def persistently_low(rows: Rows, parameters: Parameters, as_of: date) -> list[Candidate]:
    """长期靠后: in the bottom share of a closed round and of the previous round in which it was ranked."""
    found = _Found("persistently_low")
    percent = parameters.bottom_percent
    rounds = rows.rounds
    bottom = [{line.unit_id for line in rankings.bottom_share(_lines(rnd.ranking.rows), percent)}
              for rnd in rounds]
    last_ranked: dict[int, int] = {}  # unit → index of the last round in which it was ranked
    for index, rnd in enumerate(rounds):
        for row in rnd.ranking.rows:
            if row.rank is None:
                continue  # listed, not ranked: skipped, the earlier ranked round stays "previous"
            previous = last_ranked.get(row.unit_id)
            if previous is not None and row.unit_id in bottom[index] and row.unit_id in bottom[previous]:
                before = rounds[previous].ranking
                before_row = next(r for r in before.rows if r.unit_id == row.unit_id)
                found.add(row.unit_id, rnd.period, [_ranking_source(rnd.ranking, [row]),
                                                    _ranking_source(before, [before_row])],
                          bottom_percent=percent)
            last_ranked[row.unit_id] = index
    return found.candidates()


def strong_dissent(rows: Rows, parameters: Parameters, as_of: date) -> list[Candidate]:
    """意见较大: enough ballots in a closed round and a dissatisfaction rate at or above the threshold."""
    found = _Found("strong_dissent")
    threshold = parameters.dissent_percent
    for rnd in rows.rounds:
        for row in rnd.ranking.rows:
            if row.ballots is not None:
                enough = row.ballots >= parameters.min_ballots
            else:
                enough = row.rank is not None
            if not enough or row.dissatisfaction_rate is None:
                continue
            if round(row.dissatisfaction_rate * 100, 6) >= threshold:
                found.add(row.unit_id, rnd.period, [_ranking_source(rnd.ranking, [row])],
                          dissent_percent=threshold)
    return found.candidates()


def _task_source(task_id: int, title: str, **extra: object) -> dict:
    return {"type": "task", "task_id": task_id, "title": title, "link": f"/tasks/{task_id}", **extra}


def poor_delivery(rows: Rows, parameters: Parameters, as_of: date) -> list[Candidate]:
    """落实不力: lagging in consecutive rounds held, or overdue for more than the allowed days."""
    found = _Found("poor_delivery")
    needed = parameters.lagging_rounds
    rounds = sorted((r for r in rows.supervision if r.as_of <= as_of), key=lambda r: (r.week_start, r.id))
    position = {rnd.id: index for index, rnd in enumerate(rounds)}
    lagging: dict[int, set[int]] = defaultdict(set)
    tasks: dict[int, LaggingFinding] = {}
    for finding in rows.lagging:
        if finding.round_id in position:
            lagging[finding.task_id].add(position[finding.round_id])
            tasks.setdefault(finding.task_id, finding)
    for task_id in sorted(lagging):
        task = tasks[task_id]
        run = 0
        previous = None
        for pos in sorted(lagging[task_id]):
            run = run + 1 if previous is not None and pos == previous + 1 else 1
            previous = pos
            if run == needed:
                streak = rounds[pos - needed + 1: pos + 1]
                met_on = rounds[pos].as_of
                found.add(task.unit_id, _month(met_on), [_task_source(
                    task.task_id, task.title, reason="lagging_rounds", met_on=met_on.isoformat(),
                    rounds=[{"round_id": rnd.id, "week_start": rnd.week_start.isoformat(),
                             "link": f"/supervision/{rnd.id}"} for rnd in streak])],
                    lagging_rounds=needed)
    days = parameters.task_overdue_days
    for task in sorted(rows.overdue, key=lambda t: t.task_id):
        if progress.days_overdue(task.due_on, as_of) <= days:
            continue
        met_on = task.due_on + timedelta(days=days + 1)
        found.add(task.unit_id, _month(met_on), [_task_source(
            task.task_id, task.title, reason="overdue", due_on=task.due_on.isoformat(),
            met_on=met_on.isoformat(), overdue_days=progress.days_overdue(task.due_on, as_of),
            actual_percent=task.actual_percent)], task_overdue_days=days)
    return found.candidates()


def long_overdue(rows: Rows, parameters: Parameters, as_of: date) -> list[Candidate]:
    """久拖不决: a notice still issued or acknowledged more than the allowed days after its deadline."""
    found = _Found("long_overdue")
    days = parameters.notice_overdue_days
    for notice in sorted(rows.notices, key=lambda n: n.id):
        if notice.status not in OPEN_NOTICE or progress.days_overdue(notice.due_on, as_of) <= days:
            continue
        met_on = notice.due_on + timedelta(days=days + 1)
        found.add(notice.unit_id, _month(met_on), [{
            "type": "notice", "notice_id": notice.id, "title": notice.doc_number,
            "link": f"/notices/{notice.id}", "issued_on": notice.issued_on.isoformat(),
            "due_on": notice.due_on.isoformat(), "status": notice.status,
            "met_on": met_on.isoformat(), "overdue_days": progress.days_overdue(notice.due_on, as_of)}],
            notice_overdue_days=days)
    return found.candidates()


def satisfaction_is_low(tally: MonthTally, parameters: Parameters) -> bool:
    """Enough ratings in the month and a satisfied share below the threshold."""
    return (tally.rated >= parameters.satisfaction_min_rated
            and tally.satisfied * 100 < parameters.satisfaction_percent * tally.rated)


def low_satisfaction(rows: Rows, parameters: Parameters, as_of: date) -> list[Candidate]:
    """投诉满意率低: a unit's complaints first dispatched in one month, rated and mostly not satisfied."""
    found = _Found("low_satisfaction")
    for tally in sorted(rows.tallies, key=lambda t: (t.unit_id, t.month)):
        if not satisfaction_is_low(tally, parameters):
            continue
        cases = rows.complaints.get((tally.unit_id, tally.month), ())
        found.add(tally.unit_id, tally.month, [{
            "type": "complaints", "title": tally.month, "rated": tally.rated,
            "satisfied": tally.satisfied, "satisfaction_rate": round(tally.satisfied / tally.rated, 4),
            "rows": [{"complaint_id": case.id, "link": f"/complaints/{case.id}",
                      "first_dispatched_on": case.first_dispatched_on.isoformat(),
                      "rating": case.rating} for case in cases]}],
            satisfaction_percent=parameters.satisfaction_percent,
            min_rated=parameters.satisfaction_min_rated)
    return found.candidates()


RULES: dict[str, Callable[[Rows, Parameters, date], list[Candidate]]] = {
    "last_place": last_place,
    "persistently_low": persistently_low,
    "strong_dissent": strong_dissent,
    "poor_delivery": poor_delivery,
    "long_overdue": long_overdue,
    "low_satisfaction": low_satisfaction,
}


def find(rows: Rows, parameters: Parameters, as_of: date) -> list[Candidate]:
    """Every (rule, unit, period) the six rules find in ``rows``, in rule, period and unit order."""
    found = [candidate for rule in FLAG_RULES for candidate in RULES[rule](rows, parameters, as_of)]
    return sorted(found, key=lambda c: (FLAG_RULES.index(c.rule), c.period, c.unit_id))


# The loader -------------------------------------------------------------------------


def _ranking_rows(ranking_ids: list[int]) -> dict[int, tuple[RankedRow, ...]]:
    found: dict[int, list[RankedRow]] = defaultdict(list)
    if ranking_ids:
        for ranking_id, *values in db.session.execute(
                select(RankingRow.ranking_id, RankingRow.id, RankingRow.unit_id, RankingRow.unit_name,
                       RankingRow.peer_group, RankingRow.rank, RankingRow.ranked_count, RankingRow.score,
                       RankingRow.ballots, RankingRow.dissatisfaction_rate, RankingRow.veto)
                .where(RankingRow.ranking_id.in_(ranking_ids))
                .order_by(RankingRow.ranking_id, RankingRow.position, RankingRow.id)):
            found[ranking_id].append(RankedRow(*values))
    return {ranking_id: tuple(rows) for ranking_id, rows in found.items()}


_RANKING_COLUMNS = (Ranking.id, Ranking.kind, Ranking.title, Ranking.period, Ranking.rating_round_id,
                    Ranking.assessment_id, Ranking.year)


def published_rankings(*kinds: str) -> list[PublishedRanking]:
    """Published rankings of the kinds, with their rows, in the order they were made."""
    found = db.session.execute(select(*_RANKING_COLUMNS).where(
        Ranking.kind.in_(kinds), Ranking.status == "published").order_by(Ranking.id)).all()
    rows = _ranking_rows([values[0] for values in found])
    return [PublishedRanking(*values, rows=rows.get(values[0], ())) for values in found]


def closed_rounds() -> list[ClosedRound]:
    """Published rankings of closed rating rounds, oldest round first."""
    found = db.session.execute(
        select(*_RANKING_COLUMNS, RatingRound.period)
        .join(RatingRound, RatingRound.id == Ranking.rating_round_id)
        .where(Ranking.kind == "rating", Ranking.status == "published", RatingRound.status == "closed")
        .order_by(RatingRound.closed_at, RatingRound.id)).all()
    rows = _ranking_rows([values[0] for values in found])
    return [ClosedRound(values[-1], PublishedRanking(*values[:-1], rows=rows.get(values[0], ())))
            for values in found]


def supervision(as_of: date) -> tuple[list[SupervisionRow], list[LaggingFinding]]:
    """The rounds held by ``as_of`` and their lagging findings."""
    rounds = [SupervisionRow(*values) for values in db.session.execute(
        select(SupervisionRound.id, SupervisionRound.week_start, SupervisionRound.as_of)
        .where(SupervisionRound.as_of <= as_of).order_by(SupervisionRound.week_start))]
    lagging = [LaggingFinding(*values) for values in db.session.execute(
        select(Finding.task_id, Task.title, Task.owner_unit_id, Finding.round_id)
        .join(Task, Task.id == Finding.task_id)
        .join(SupervisionRound, SupervisionRound.id == Finding.round_id)
        .where(Finding.kind == "lagging", SupervisionRound.as_of <= as_of)
        .order_by(Finding.task_id, Finding.round_id))] if rounds else []
    return rounds, lagging


def overdue_tasks(as_of: date, days: int) -> list[OverdueTask]:
    """Tasks of active plans overdue as of ``as_of`` and due more than ``days`` days before it."""
    view = task_states.view(as_of, progress.Thresholds.from_settings(), [
        Task.in_force(), Task.due_on < as_of - timedelta(days=days)])
    return [OverdueTask(*values) for values in db.session.execute(
        select(Task.id, Task.title, Task.owner_unit_id, Task.due_on, view.c.actual_percent)
        .join(view, view.c.task_id == Task.id).where(view.c.status == "overdue")
        .order_by(Task.id))]


def open_notices(as_of: date, days: int) -> list[OpenNotice]:
    """Notices still issued or acknowledged whose deadline is more than ``days`` days before ``as_of``."""
    return [OpenNotice(n.id, n.doc_number, n.unit_id, n.issued_on, n.due_on, n.status)
            for n in db.session.scalars(select(Notice).where(
                Notice.status.in_(OPEN_NOTICE), Notice.due_on < as_of - timedelta(days=days))
                .order_by(Notice.id))]


def _dispatched_rated(as_of: date):
    return (Complaint.dispatched_unit_id.is_not(None), Complaint.first_dispatched_on.is_not(None),
            Complaint.first_dispatched_on <= as_of, Complaint.rating.is_not(None))


def rated_by_month(as_of: date) -> list[MonthTally]:
    """Rated complaints counted by (unit first dispatched to, month of the first dispatch), in SQL."""
    year = cast(extract("year", Complaint.first_dispatched_on), Integer)
    month = cast(extract("month", Complaint.first_dispatched_on), Integer)
    satisfied = func.sum(case((Complaint.rating.in_(SATISFIED), 1), else_=0))
    return [MonthTally(unit_id, f"{y}-{m:02d}", rated, int(happy or 0)) for unit_id, y, m, rated, happy in
            db.session.execute(
                select(Complaint.dispatched_unit_id, year, month, func.count(), satisfied)
                .where(*_dispatched_rated(as_of))
                .group_by(Complaint.dispatched_unit_id, year, month)
                .order_by(Complaint.dispatched_unit_id, year, month))]


def _month_bounds(month: str) -> tuple[date, date]:
    start = date.fromisoformat(f"{month}-01")
    after = date(start.year + start.month // 12, start.month % 12 + 1, 1)
    return start, after


def rated_complaints(as_of: date, months: list[tuple[int, str]],
                     ) -> dict[tuple[int, str], tuple[RatedComplaint, ...]]:
    """The rated complaints of these (unit, month) pairs, oldest first: a flag's evidence."""
    found: dict[tuple[int, str], list[RatedComplaint]] = defaultdict(list)
    for chunk in range(0, len(months), 200):
        ranges = [and_(Complaint.dispatched_unit_id == unit_id,
                       Complaint.first_dispatched_on >= _month_bounds(month)[0],
                       Complaint.first_dispatched_on < _month_bounds(month)[1])
                  for unit_id, month in months[chunk:chunk + 200]]
        for cid, unit_id, on, rating in db.session.execute(
                select(Complaint.id, Complaint.dispatched_unit_id, Complaint.first_dispatched_on,
                       Complaint.rating)
                .where(*_dispatched_rated(as_of), or_(*ranges)).order_by(Complaint.id)):
            found[(unit_id, _month(on))].append(RatedComplaint(cid, on, rating))
    return {key: tuple(cases) for key, cases in found.items()}


def load(as_of: date, parameters: Parameters) -> Rows:
    """The rows the rules read as of ``as_of``.

    The parameters only narrow what is read (overdue tasks and notices past the
    allowed days; the complaints of the months whose tally is low); the rules
    themselves decide.
    """
    rounds, lagging = supervision(as_of)
    tallies = rated_by_month(as_of)
    low = [(t.unit_id, t.month) for t in tallies if satisfaction_is_low(t, parameters)]
    return Rows(rankings=tuple(published_rankings("assessment", "innovation")),
                rounds=tuple(closed_rounds()), supervision=tuple(rounds), lagging=tuple(lagging),
                overdue=tuple(overdue_tasks(as_of, parameters.task_overdue_days)),
                notices=tuple(open_notices(as_of, parameters.notice_overdue_days)),
                tallies=tuple(tallies), complaints=rated_complaints(as_of, low))


def candidates(as_of: date) -> list[Candidate]:
    """Every (rule, unit, period) the rules find as of ``as_of``, with its evidence."""
    parameters = Parameters.from_settings()
    return find(load(as_of, parameters), parameters, as_of)


def evaluate(actor: audit.Actor, as_of: date) -> list[Flag]:
    """Raise the flags the rules find as of ``as_of``; return those newly raised.

    At most one flag per rule, unit and period, however often and however
    concurrently this runs: each insert sits in a savepoint and a duplicate of
    the unique key is skipped.
    """
    found = candidates(as_of)
    existing = {tuple(row) for row in db.session.execute(select(Flag.rule, Flag.unit_id, Flag.period))}
    fresh = [c for c in found if (c.rule, c.unit_id, c.period) not in existing]
    if not fresh:
        return []
    units = {unit.id: unit for unit in db.session.scalars(
        select(Unit).where(Unit.id.in_({c.unit_id for c in fresh})))}
    raised: list[Flag] = []
    for candidate in fresh:
        unit = units.get(candidate.unit_id)
        if unit is None:
            continue
        person = unit.leader_user_id if candidate.rule == "persistently_low" else unit.head_user_id
        evidence = {"rule": candidate.rule, "as_of": as_of.isoformat(),
                    "unit": {"id": unit.id, "name": unit.name, "link": f"/accountability/units/{unit.id}"},
                    "parameters": candidate.summary, "sources": candidate.sources}
        try:
            with db.session.begin_nested():
                flag = Flag(rule=candidate.rule, unit_id=unit.id, person_user_id=person,
                            period=candidate.period, evidence=evidence,
                            proposed_action=PROPOSED_ACTIONS[candidate.rule], status="raised",
                            raised_at=actor.now)
                db.session.add(flag)
                db.session.flush()
        except IntegrityError:
            continue  # raised meanwhile by another evaluation
        flag.events.append(FlagEvent(action="raise", from_status=None, to_status="raised", at=actor.now,
                                     user_id=_uid(actor)))
        audit.record(actor, "flag.raise", flag, {
            "rule": [None, flag.rule], "unit_id": [None, flag.unit_id], "period": [None, flag.period],
            "status": [None, "raised"]})
        notifications.flag_raised(flag, actor.now)
        raised.append(flag)
    return raised


# Workflow --------------------------------------------------------------------------


# The flag workflow: which step may start from which state, and where it leads.
WORKFLOW = workflow.Workflow(
    "flag", FlagEvent, {
        "review": workflow.Step(("raised",), "under_review",
                                _l("Only a raised flag can be taken under review.")),
        "decide": workflow.Step(("under_review",), "decided",
                                _l("Only a flag under review can be decided.")),
        "propose_exemption": workflow.Step(
            ("under_review",), None, _l("An exemption can be proposed only for a flag under review.")),
        "approve_exemption": workflow.Step(("under_review",), "exempted",
                                           _l("Only a flag under review can be exempted.")),
        "reject_exemption": workflow.Step(
            ("under_review",), None,
            _l("Only an exemption proposed for a flag under review can be rejected.")),
    },
    _l("This is not possible in the flag's present state."))


def _uid(actor: audit.Actor) -> int | None:
    return actor.user.id if actor.user else None


def exemption_pending(flag: Flag) -> bool:
    return (flag.status == "under_review" and flag.exemption_proposed_at is not None
            and flag.exemption_approved_at is None and flag.exemption_rejected_at is None)


def review(actor: audit.Actor, flag: Flag, opinion: str | None) -> Flag:
    """The office starts the review with its opinion: raised → under_review."""
    errors: dict[str, str] = {}
    text = _reasons(errors, "opinion", opinion)
    validation.raise_if(errors)
    WORKFLOW.require(flag, "review")
    flag.reviewed_at, flag.reviewed_by_id = actor.now, _uid(actor)
    flag.review_opinion = text
    WORKFLOW.move(actor, flag, "review", text=text, changes={"review_opinion": [None, text]})
    notifications.flag_awaits_decision(flag, actor.now)
    return flag


def _reasons(errors: dict[str, str], field_name: str, value: str | None) -> str | None:
    return validation.text(errors, field_name, value, max_length=REASONS_MAX, multiline=True)


def decide(actor: audit.Actor, flag: Flag, *, action: str, reasons: str) -> Flag:
    """A leader decides the action, with reasons: under_review → decided."""
    errors: dict[str, str] = {}
    if action not in FLAG_ACTIONS:
        errors["action"] = _("Choose one of: %(values)s.", values=", ".join(FLAG_ACTIONS))
    text = _reasons(errors, "reasons", reasons)
    validation.raise_if(errors)
    WORKFLOW.require(flag, "decide")
    flag.action, flag.reasons = action, text
    flag.decided_at, flag.decided_by_id = actor.now, _uid(actor)
    WORKFLOW.move(actor, flag, "decide", text=text,
                  changes={"action": [None, action], "reasons": [None, text]})
    return flag


def propose_exemption(actor: audit.Actor, flag: Flag, justification: str | None) -> Flag:
    """The office proposes 容错免责 with a written justification; the flag stays under review."""
    errors: dict[str, str] = {}
    text = _reasons(errors, "justification", justification)
    validation.raise_if(errors)
    WORKFLOW.require(flag, "propose_exemption")
    if flag.exemption_proposed_at is not None:
        raise Conflict(_("An exemption has already been proposed for this flag."))
    flag.exemption_justification = text
    flag.exemption_proposed_at, flag.exemption_proposed_by_id = actor.now, _uid(actor)
    WORKFLOW.move(actor, flag, "propose_exemption", text=text,
                  changes={"exemption_justification": [None, text]})
    notifications.exemption_proposed(flag, actor.now)
    return flag


def approve_exemption(actor: audit.Actor, flag: Flag, justification: str | None = None) -> Flag:
    """A leader approves the proposed exemption (or grants one directly, with a justification)."""
    errors: dict[str, str] = {}
    proposed = flag.exemption_proposed_at is not None
    if proposed:
        text = validation.text(errors, "justification", justification, max_length=REASONS_MAX,
                               required=False, multiline=True)
    else:
        text = _reasons(errors, "justification", justification)
    validation.raise_if(errors)
    WORKFLOW.require(flag, "approve_exemption")
    if flag.exemption_rejected_at is not None:
        raise Conflict(_("The exemption of this flag has been rejected."))
    changes: dict[str, list] = {}
    if not proposed:
        flag.exemption_justification = text
        flag.exemption_proposed_at, flag.exemption_proposed_by_id = actor.now, _uid(actor)
        changes["exemption_justification"] = [None, text]
    flag.exemption_approved_at, flag.exemption_approved_by_id = actor.now, _uid(actor)
    WORKFLOW.move(actor, flag, "approve_exemption", text=text, changes=changes)
    return flag


def reject_exemption(actor: audit.Actor, flag: Flag, reason: str | None) -> Flag:
    """A leader rejects the proposed exemption, with a reason; the flag stays under review."""
    errors: dict[str, str] = {}
    text = _reasons(errors, "reason", reason)
    validation.raise_if(errors)
    WORKFLOW.require(flag, "reject_exemption")
    if not exemption_pending(flag):
        raise Conflict(_("No exemption awaits a decision on this flag."))
    flag.exemption_rejection_reason = text
    flag.exemption_rejected_at, flag.exemption_rejected_by_id = actor.now, _uid(actor)
    WORKFLOW.move(actor, flag, "reject_exemption", text=text,
                  changes={"exemption_rejection_reason": [None, text]})
    return flag


def exempt(actor: audit.Actor, flag: Flag, justification: str | None) -> Flag:
    """``POST /flags/{id}/exempt``: the office proposes, a leader approves."""
    user = actor.user
    if permissions.can(user, "flag.approve_exemption", flag):
        return approve_exemption(actor, flag, justification)
    if permissions.can(user, "flag.propose_exemption", flag):
        return propose_exemption(actor, flag, justification)
    raise Conflict(_("You may not exempt this flag."))


# Reading ---------------------------------------------------------------------------


EXEMPTION_FILTERS = ("proposed", "none")


def flags_query(user: User | None, *, status: str | None = None, rule: str | None = None,
                unit_id: int | None = None, period: str | None = None,
                exemption: str | None = None) -> Select:
    """The register: newest first, scoped, filtered; unit and person loaded with it.

    ``exemption``: ``proposed`` keeps the flags whose proposed exemption awaits a leader,
    ``none`` those with no exemption proposed.
    """
    stmt = (select(Flag).where(permissions.own_unit_scope(user, Flag.unit_id) if user else false())
            .options(joinedload(Flag.unit), joinedload(Flag.person))
            .order_by(Flag.raised_at.desc(), Flag.id.desc()))
    if validation.holds_nul(status, rule, period):
        return stmt.where(false())
    if status:
        stmt = stmt.where(Flag.status == status)
    if rule:
        stmt = stmt.where(Flag.rule == rule)
    if unit_id:
        stmt = stmt.where(Flag.unit_id == unit_id)
    if period:
        stmt = stmt.where(Flag.period == period)
    if exemption == "proposed":
        stmt = stmt.where(Flag.exemption_proposed_at.is_not(None), Flag.exemption_approved_at.is_(None),
                          Flag.exemption_rejected_at.is_(None))
    elif exemption == "none":
        stmt = stmt.where(Flag.exemption_proposed_at.is_(None))
    return stmt


def waiting_for(user: User | None) -> int:
    """How many flags wait on ``user``: reviews for the office, decisions for leaders."""
    if user is None:
        return 0
    if user.role == "office":
        stmt = select(func.count()).select_from(Flag).where(Flag.status == "raised")
    elif user.role == "leader":
        stmt = select(func.count()).select_from(Flag).where(Flag.status == "under_review")
    else:
        return 0
    return db.session.scalar(stmt) or 0


# Reminders -------------------------------------------------------------------------


def remind(today: date, now: datetime) -> int:
    """Notify leaders of flags waiting on them: one per flag and state."""
    waiting = db.session.scalars(select(Flag).where(Flag.status == "under_review")
                                 .options(joinedload(Flag.unit)).order_by(Flag.id)).all()
    if not waiting:
        return 0
    leaders = list(db.session.scalars(select(User.id).where(User.role == "leader",
                                                           User.is_active.is_(True))))
    active_leaders = set(leaders)
    sent = 0
    for flag in waiting:
        in_charge = flag.unit.leader_user_id
        recipients = [in_charge] if in_charge in active_leaders else leaders
        what = f"{flag.unit.name}（{FlagRule.zh_of(flag.rule)}，{flag.period}）"
        if exemption_pending(flag):
            key, title = f"flag:{flag.id}:exemption", f"容错免责待审批：{what}"
        else:
            key, title = f"flag:{flag.id}:under_review", f"问责标记待决定：{what}"
        sent += notifications.notify(recipients, kind="flag", event_key=key, title=title,
                                     link=f"/accountability/{flag.id}", now=now, chat_office=True)
    return sent


# The bulletin's flags section ------------------------------------------------------


def bulletin_section(period) -> list[dict]:
    """Flags raised or decided (or exempted) within a bulletin's period, as plain data."""
    from tracker import clock

    zone = clock.zone()
    start = datetime.combine(period.starts_on, time(), tzinfo=zone)
    end = datetime.combine(period.ends_on + timedelta(days=1), time(), tzinfo=zone)

    def within(column):
        return and_(column >= start, column < end)

    flags = db.session.scalars(
        select(Flag).where(or_(within(Flag.raised_at), within(Flag.decided_at),
                               within(Flag.exemption_approved_at)))
        .options(joinedload(Flag.unit)).order_by(Flag.raised_at, Flag.id)).all()
    return [{"flag_id": f.id, "unit_id": f.unit_id, "unit": f.unit.name, "rule": f.rule,
             "rule_name": FlagRule.zh_of(f.rule), "period": f.period, "status": f.status,
             "proposed_action": f.proposed_action, "action": f.action,
             "exempted": f.status == "exempted",
             "exemption_justification": f.exemption_justification if f.status == "exempted" else None}
            for f in flags]



def docx_section(rows: list[dict], heading: str) -> list[official_docx.Block]:
    """The flags section, as blocks of a bulletin's .docx."""
    if not rows:
        return [official_docx.Heading(heading), official_docx.Paragraph("无。")]

    def outcome(row: dict) -> str:
        if row.get("exempted"):
            return "容错免责"
        if row.get("action"):
            return FlagAction.zh_of(row["action"])
        return "拟" + proposed_name(row.get("proposed_action", ""))

    return [official_docx.Heading(heading), official_docx.Table(
        ("单位", "问责情形", "期间", "状态", "处理"),
        [(row["unit"], FlagRule.zh_of(row["rule"]), row["period"],
          FlagStatus.zh_of(row["status"]), outcome(row)) for row in rows])]


def on_ranking_published(actor: audit.Actor) -> list[Flag]:
    """docs/domain.md: the rules are evaluated when a ranking is published (and daily, and on demand)."""
    return evaluate(actor, actor.today)
