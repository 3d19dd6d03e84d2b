"""The basis 数据依据 of a figure: the records a count or rate was computed from (docs/domain.md).

Every figure of a bulletin, a rating ranking, the complaint-rates table and a
flag's evidence links to a page listing exactly the records behind it, as they
were when the figure was made; the number of records listed is the figure (for
a rate: the records of its denominator, those of its numerator marked).

Where the basis comes from:

- **a bulletin**: ``compute`` stores, next to the sections, ``content["basis"]``
  (:func:`bulletin_snapshot`, a short list of numbers per record): per unit the tasks
  due in the period with the due date, the first 100 % report, the verification and
  whether it counted on time, and the complaints first dispatched in the period with
  their dates, whether each was replied on time, closed, resolved and how it was
  rated — the values used, frozen, because
  tasks are edited and complaints re-rated after the bulletin; the criticised
  tasks are the section's own frozen rows;
- **a rating ranking**: recomputed from the ballots, which are immutable and of
  which a closed round takes no more; listed anonymously — no voter, code or
  time, and in an order that says nothing about when each was cast;
- **an innovation ranking**: the unit's innovations of the year, which can no
  longer change once the year's ranking is published;
- **the complaint-rates table**: computed live, as the table is, with the same
  conditions;
- **a flag**: its evidence, frozen when the flag was raised.

A bulletin drafted before the basis was kept has none: its figures show without a link.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, select

from tracker.extensions import db
from tracker.models import (
    Ballot,
    BallotAnswer,
    Bulletin,
    Complaint,
    Innovation,
    RatingRound,
    Task,
    Unit,
)
from tracker.models.accountability import Flag
from tracker.models.complaints import SatisfactionRating
from tracker.models.ratings import BALLOT_VALUES
from tracker.services import permissions, progress

SATISFIED = ("satisfied", "basically_satisfied")
RATINGS = SatisfactionRating.codes()  # a kept rating is its place here
ANSWER_CODES = {value: code for code, value in BALLOT_VALUES.items()}  # 100 → satisfied …

# A figure: which records it counts (``listed``) and, for a rate, which of them its numerator
# counts (``marked``). Task records: (id, due_on, done_on, verified_on, on_time); complaint
# records: (id, replied_on_time, closed, resolved, rating, first_dispatched_on, first_reply_due_on,
# first_replied_on).


@dataclass(frozen=True)
class Figure:
    source: str  # "tasks", "complaints", "criticised"
    label: Any
    listed: Any = None  # a predicate on a record, None: every record
    marked: Any = None  # a predicate on a listed record, None: not a rate


FIGURES: dict[str, Figure] = {
    "due": Figure("tasks", _l("Tasks due"), None, lambda r: r["on_time"]),
    "on_time": Figure("tasks", _l("Done on time"), lambda r: r["on_time"]),
    "on_time_rate": Figure("tasks", _l("On-time rate"), None, lambda r: r["on_time"]),
    "criticised": Figure("criticised", _l("Tasks criticised by name")),
    "dispatched": Figure("complaints", _l("Complaints dispatched")),
    "replied_on_time": Figure("complaints", _l("Replied on time"), lambda r: r["on_time"]),
    "closed": Figure("complaints", _l("Closed"), lambda r: r["closed"]),
    "resolved": Figure("complaints", _l("Resolved"), lambda r: r["closed"] and r["resolved"]),
    "rated": Figure("complaints", _l("Rated"), lambda r: r["rating"] is not None),
    "response_rate": Figure("complaints", _l("Response rate"), None, lambda r: r["on_time"]),
    "resolution_rate": Figure(
        "complaints", _l("Resolution rate"), lambda r: r["closed"], lambda r: r["resolved"]
    ),
    "satisfaction_rate": Figure(
        "complaints",
        _l("Satisfaction rate"),
        lambda r: r["rating"] is not None,
        lambda r: r["rating"] in SATISFIED,
    ),
}
BULLETIN_FIGURES = frozenset(FIGURES)
STATS_FIGURES = frozenset(name for name, figure in FIGURES.items() if figure.source == "complaints")


@dataclass
class Basis:
    """The records behind one figure. ``len(records)`` is the figure (a rate's denominator)."""

    kind: str  # tasks, criticised, complaints, ballots, ranking
    label: Any  # what the figure is
    unit_id: int | None
    unit: str | None
    records: list[dict] = field(default_factory=list)
    marked: int | None = None  # a rate's numerator, among the records
    as_of: str | None = None  # the day the figure was computed as of
    frozen: bool = True
    extra: dict = field(default_factory=dict)

    @property
    def count(self) -> int:
        return len(self.records)

    @property
    def rate(self) -> float | None:
        if self.marked is None or not self.records:
            return None
        return self.marked / len(self.records)


# What a bulletin keeps ---------------------------------------------------------------


def _tasks_due(period) -> dict[str, str]:
    """Per unit, the tasks due in the period as ``bulletins.on_time_table`` counts them:
    ``[id, due, first 100 % report, verified, on time]``, days counted from the period's start."""
    first_full = progress.first_full_reports()
    on_time = progress.done_on_time(first_full)
    found: dict[str, list] = {}
    for unit_id, task_id, due_on, done_on, verified_on, counted in db.session.execute(
        select(
            Task.owner_unit_id,
            Task.id,
            Task.due_on,
            first_full.c.done_on,
            Task.verified_on,
            case((on_time, 1), else_=0),
        )
        .outerjoin(first_full, first_full.c.task_id == Task.id)
        .where(Task.in_force(), Task.due_on >= period.starts_on, Task.due_on <= period.ends_on)
        .order_by(Task.owner_unit_id, Task.due_on, Task.id)
    ):
        start = period.starts_on
        found.setdefault(str(unit_id), []).append(
            [task_id, _day(due_on, start), _day(done_on, start), _day(verified_on, start), int(counted)]
        )
    return {unit: _pack(rows) for unit, rows in found.items()}


def _complaint_rows(period, unit_id: int | None = None):
    """The complaints ``complaint_stats.stats`` counts, one row each with the values it used."""
    on_time = and_(
        Complaint.first_replied_on.is_not(None), Complaint.first_replied_on <= Complaint.first_reply_due_on
    )
    closed = Complaint.status == "closed"
    stmt = (
        select(
            Complaint.dispatched_unit_id,
            Complaint.id,
            case((on_time, 1), else_=0),
            case((closed, 1), else_=0),
            case((and_(closed, Complaint.resolved.is_(True)), 1), else_=0),
            Complaint.rating,
            Complaint.first_dispatched_on,
            Complaint.first_reply_due_on,
            Complaint.first_replied_on,
        )
        .join(Unit, Unit.id == Complaint.dispatched_unit_id)
        .where(
            Complaint.dispatched_unit_id.is_not(None),
            Complaint.first_dispatched_on >= period.starts_on,
            Complaint.first_dispatched_on <= period.ends_on,
        )
        .order_by(Complaint.dispatched_unit_id, Complaint.id)
    )
    if unit_id is not None:
        stmt = stmt.where(Complaint.dispatched_unit_id == unit_id)
    return db.session.execute(stmt).all()


def _complaint_kept(values, start: date) -> list:
    """``[id, on time + 2 × closed + 4 × resolved, rating, first dispatched, first reply due,
    first replied]``: the rating as its place in ``RATINGS``, days counted from ``start``."""
    cid, on_time, closed, resolved, rating, dispatched_on, due_on, replied_on = values
    return [
        cid,
        on_time + 2 * closed + 4 * resolved,
        RATINGS.index(rating) if rating in RATINGS else None,
        _day(dispatched_on, start),
        _day(due_on, start),
        _day(replied_on, start),
    ]


def _complaints_dispatched(period) -> dict[str, str]:
    found: dict[str, list] = {}
    for unit_id, *values in _complaint_rows(period):
        found.setdefault(str(unit_id), []).append(_complaint_kept(values, period.starts_on))
    return {unit: _pack(rows) for unit, rows in found.items()}


def _pack(rows: list[list]) -> str:
    """Records as one string, ``;`` between records and ``,`` between numbers (None: empty): a
    bulletin of a city's half-year parses in milliseconds, its records only when one is read."""
    return ";".join(",".join("" if value is None else str(value) for value in row) for row in rows)


def _unpack(text: str) -> list[list]:
    return [[int(value) if value else None for value in row.split(",")] for row in text.split(";") if row]


def _day(value: date | None, start: date) -> int | None:
    """A date as days after ``start`` (compact in the bulletin's JSON), None as None."""
    return (value - start).days if value is not None else None


def _date(days: int | None, start: date) -> str | None:
    return (start + timedelta(days=days)).isoformat() if days is not None else None


def bulletin_snapshot(period) -> dict:
    """What a bulletin keeps of its records: per unit, the tasks due and the complaints dispatched,
    each a few numbers (:func:`_pack`), dates as days after ``from``."""
    return {
        "from": period.starts_on.isoformat(),
        "tasks": _tasks_due(period),
        "complaints": _complaints_dispatched(period),
    }


# Reading a basis ----------------------------------------------------------------------


def _task_records(rows: list, start: date) -> list[dict]:
    return [
        {
            "task_id": r[0],
            "due_on": _date(r[1], start),
            "done_on": _date(r[2], start),
            "verified_on": _date(r[3], start),
            "on_time": bool(r[4]),
        }
        for r in rows
    ]


def _complaint_records(rows: list, start: date) -> list[dict]:
    return [
        {
            "complaint_id": r[0],
            "on_time": bool(r[1] & 1),
            "closed": bool(r[1] & 2),
            "resolved": bool(r[1] & 4),
            "rating": RATINGS[r[2]] if r[2] is not None else None,
            "first_dispatched_on": _date(r[3], start),
            "first_reply_due_on": _date(r[4], start),
            "first_replied_on": _date(r[5], start),
        }
        for r in rows
    ]


def _choose(figure: Figure, records: list[dict]) -> tuple[list[dict], int | None]:
    listed = [r for r in records if figure.listed is None or figure.listed(r)]
    if figure.marked is None:
        return listed, None
    for record in listed:
        record["marked"] = bool(figure.marked(record))
    return listed, sum(1 for r in listed if r["marked"])


def _add_titles(records: list[dict]) -> None:
    """The tasks' titles, in one statement (what identifies a task, not a value the figure used)."""
    ids = [r["task_id"] for r in records]
    titles = (
        dict(db.session.execute(select(Task.id, Task.title).where(Task.id.in_(ids))).all()) if ids else {}
    )
    for record in records:
        record["title"] = titles.get(record["task_id"], "")


def _add_complaints(records: list[dict], user) -> None:
    """The complaints' subjects (what identifies them, not a value the figure used), in one
    statement; the complainant only for the office and leaders."""
    ids = [r["complaint_id"] for r in records]
    personal = permissions.can(user, "complaint.personal")
    found = (
        {
            row.id: row
            for row in db.session.execute(
                select(Complaint.id, Complaint.subject, Complaint.name).where(Complaint.id.in_(ids))
            )
        }
        if ids
        else {}
    )
    for record in records:
        row = found.get(record["complaint_id"])
        record["subject"] = row.subject if row else ""
        if personal:
            record["name"] = row.name if row else None


def _unit_name(unit_id: int) -> str | None:
    return db.session.scalar(select(Unit.name).where(Unit.id == unit_id))


def has_basis(bulletin: Bulletin) -> bool:
    """Whether the bulletin kept the records behind its figures (those drafted before did not)."""
    return "from" in ((bulletin.content or {}).get("basis") or {})


def bulletin_basis(bulletin: Bulletin, figure_name: str, unit_id: int, user) -> Basis | None:
    """The records behind a bulletin's figure for one unit, as the bulletin froze them (None: none)."""
    figure = FIGURES.get(figure_name)
    content = bulletin.content or {}
    if figure is None or not has_basis(bulletin):
        return None
    if figure.source == "criticised":
        rows = [row for row in content.get("criticised") or [] if row["unit_id"] == unit_id]
        records = [
            {
                "task_id": row["task_id"],
                "title": row["task"],
                "reason": row["reason"],
                "rounds": row.get("rounds"),
            }
            for row in rows
        ]
        unit = rows[0]["unit"] if rows else None
        marked = None
    else:
        kept = content["basis"].get(figure.source, {}).get(str(unit_id))
        table = content.get("unit_table" if figure.source == "tasks" else "complaints") or []
        unit = next((row["unit"] for row in table if row["unit_id"] == unit_id), None)
        if kept is None and unit is None:
            return None
        convert = _task_records if figure.source == "tasks" else _complaint_records
        records, marked = _choose(
            figure, convert(_unpack(kept or ""), date.fromisoformat(content["basis"]["from"]))
        )
        if figure.source == "tasks":
            _add_titles(records)
        else:
            _add_complaints(records, user)
    if unit is None:
        unit = _unit_name(unit_id)
        if unit is None:
            return None
    return Basis(
        figure.source,
        figure.label,
        unit_id,
        unit,
        records,
        marked,
        as_of=bulletin.ends_on.isoformat(),
        frozen=True,
    )


def bulletin_figure(content: dict, figure_name: str, unit_id: int):
    """The figure as the bulletin shows it (for checking a basis against it)."""
    if figure_name == "criticised":
        return sum(1 for row in content.get("criticised") or [] if row["unit_id"] == unit_id)
    source = "unit_table" if FIGURES[figure_name].source == "tasks" else "complaints"
    row = next((r for r in content.get(source) or [] if r["unit_id"] == unit_id), None)
    return row and row[figure_name]


def stats_basis(period, figure_name: str, unit_id: int, user) -> Basis | None:
    """The complaints behind a figure of the complaint-rates table, computed live as the table is."""
    figure = FIGURES.get(figure_name)
    if figure_name not in STATS_FIGURES or figure is None:
        return None
    unit = _unit_name(unit_id)
    if unit is None:
        return None
    records, marked = _choose(
        figure,
        _complaint_records(
            [
                _complaint_kept(values, period.starts_on)
                for _unit, *values in _complaint_rows(period, unit_id)
            ],
            period.starts_on,
        ),
    )
    _add_complaints(records, user)
    return Basis(
        "complaints",
        figure.label,
        unit_id,
        unit,
        records,
        marked,
        as_of=period.ends_on.isoformat(),
        frozen=False,
    )


def rating_basis(rnd: RatingRound, unit_id: int) -> Basis | None:
    """The ballots about a unit in a rating round: each ballot's group and answers, no voter.

    Ballots never change and a closed round takes no more, so the ballots read now are those
    its frozen ranking was computed from. They are numbered in an order of their own (group,
    then answers), never in the order they were cast.
    """
    if unit_id not in {unit.id for unit in rnd.units}:
        return None
    unit = next(unit.name for unit in rnd.units if unit.id == unit_id)
    dimensions = [d.id for d in rnd.dimensions]
    groups = {g.id: (g.position, g.name) for g in rnd.groups}
    ballots: dict[int, dict] = {}
    for ballot_id, group_id, dimension_id, value in db.session.execute(
        select(Ballot.id, Ballot.group_id, BallotAnswer.dimension_id, BallotAnswer.value)
        .join(BallotAnswer, BallotAnswer.ballot_id == Ballot.id)
        .where(Ballot.round_id == rnd.id, BallotAnswer.unit_id == unit_id)
    ):
        ballot = ballots.setdefault(ballot_id, {"group_id": group_id, "answers": {}})
        ballot["answers"][dimension_id] = value
    records = []
    for ballot in ballots.values():
        position, name = groups.get(ballot["group_id"], (0, ""))
        values = [ballot["answers"].get(d) for d in dimensions]
        records.append(
            {
                "group": name,
                "position": position,
                "values": values,
                "codes": [ANSWER_CODES.get(v) for v in values],
                "dissatisfied": sum(1 for v in values if v == 0),
                "answers": sum(1 for v in values if v is not None),
            }
        )
    records.sort(key=lambda r: (r["position"], [-1 if v is None else v for v in r["values"]]))
    for number, record in enumerate(records, start=1):
        record["number"] = number
    answers = sum(r["answers"] for r in records)
    dissatisfied = sum(r["dissatisfied"] for r in records)
    return Basis(
        "ballots",
        _l("Ballots"),
        unit_id,
        unit,
        records,
        None,
        as_of=None,
        frozen=rnd.status == "closed",
        extra={
            "answers": answers,
            "dissatisfied": dissatisfied,
            "dissatisfaction_rate": dissatisfied / answers if answers else None,
            "dimensions": [d.name for d in rnd.dimensions],
        },
    )


def flag_basis(flag: Flag, index: int, user) -> Basis | None:
    """The records behind one source of a flag's evidence, as frozen when it was raised."""
    sources = (flag.evidence or {}).get("sources") or []
    if not 0 <= index < len(sources):
        return None
    source = sources[index]
    as_of = (flag.evidence or {}).get("as_of")
    unit = ((flag.evidence or {}).get("unit") or {}).get("name") or flag.unit.name
    if source.get("type") == "complaints":
        records = [
            {
                "complaint_id": row["complaint_id"],
                "rating": row["rating"],
                "marked": row["rating"] in SATISFIED,
            }
            for row in source.get("rows") or []
        ]
        _add_complaints(records, user)
        for record, row in zip(records, source.get("rows") or [], strict=True):
            record["first_dispatched_on"] = row["first_dispatched_on"]  # as the rule read it
        return Basis(
            "complaints",
            _l("Rated complaints"),
            flag.unit_id,
            unit,
            records,
            sum(1 for r in records if r["marked"]),
            as_of=as_of,
            frozen=True,
            extra={"source": source},
        )
    if source.get("type") == "ranking":
        return Basis(
            "ranking",
            source.get("title"),
            flag.unit_id,
            unit,
            list(source.get("rows") or []),
            None,
            as_of=as_of,
            frozen=True,
            extra={"source": source},
        )
    return None


def innovation_basis(year: int, unit_id: int, *, published: bool) -> Basis | None:
    """The innovations behind a unit's count and total score in the year's ranking.

    Once the year's ranking is published its innovations can no longer change
    (``innovations._refuse_if_published``), so those read now are those it counted.
    """
    unit = _unit_name(unit_id)
    if unit is None:
        return None
    records = [
        {"innovation_id": row.id, "title": row.title, "score": row.score}
        for row in db.session.execute(
            select(Innovation.id, Innovation.title, Innovation.score)
            .where(Innovation.year == year, Innovation.unit_id == unit_id)
            .order_by(Innovation.id)
        )
    ]
    total = round(sum(float(r["score"] or 0) for r in records), 2)
    return Basis(
        "innovations",
        _l("Innovations"),
        unit_id,
        unit,
        records,
        None,
        as_of=None,
        frozen=published,
        extra={"total_score": total},
    )
