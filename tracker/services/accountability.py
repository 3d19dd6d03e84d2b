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
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, and_, false, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from tracker.extensions import db
from tracker.models import (
    Complaint,
    Finding,
    Notice,
    Plan,
    Ranking,
    RankingRow,
    RatingRound,
    SupervisionRound,
    Task,
    Unit,
    User,
)
from tracker.models.accountability import FLAG_ACTIONS, FLAG_RULES, Flag, FlagEvent
from tracker.services import (
    audit,
    notifications,
    permissions,
    progress,
    rankings,
    settings,
    task_states,
    validation,
)
from tracker.services.errors import Conflict, InvalidInput

RULE_LABELS = {
    "last_place": _l("Last place 末位问责"),
    "persistently_low": _l("Persistently low 长期靠后"),
    "strong_dissent": _l("Strong dissent 意见较大"),
    "poor_delivery": _l("Poor delivery 落实不力"),
    "long_overdue": _l("Long overdue 久拖不决"),
    "low_satisfaction": _l("Low complaint satisfaction 投诉满意率低"),
}
RULE_NAMES = {
    "last_place": "末位问责",
    "persistently_low": "长期靠后",
    "strong_dissent": "意见较大",
    "poor_delivery": "落实不力",
    "long_overdue": "久拖不决",
    "low_satisfaction": "投诉满意率低",
}
STATUS_LABELS = {
    "raised": _l("Raised"),
    "under_review": _l("Under review"),
    "decided": _l("Decided"),
    "exempted": _l("Exempted (fault tolerance)"),
}
STATUS_NAMES = {"raised": "已标记", "under_review": "审核中", "decided": "已决定", "exempted": "容错免责"}
ACTION_LABELS = {
    "interview": _l("Interview 约谈"),
    "criticism": _l("Public criticism 通报批评"),
    "admonition": _l("Admonition 诫勉"),
    "accountability": _l("Accountability 问责"),
    "adjustment": _l("Organisational adjustment 组织调整"),
    "none": _l("No action 不予处理"),
}
ACTION_NAMES = {
    "interview": "约谈",
    "criticism": "通报批评",
    "admonition": "诫勉",
    "accountability": "问责",
    "adjustment": "组织调整",
    "none": "不予处理",
}
# The proposed action of each rule: action codes joined by "/".
PROPOSED_ACTIONS = {
    "last_place": "accountability/adjustment",
    "persistently_low": "accountability/adjustment",
    "strong_dissent": "interview",
    "poor_delivery": "criticism",
    "long_overdue": "accountability",
    "low_satisfaction": "interview",
}
EVENT_LABELS = {
    "raise": _l("Raised"),
    "review": _l("Review started"),
    "decide": _l("Decided"),
    "propose_exemption": _l("Exemption proposed"),
    "approve_exemption": _l("Exemption approved"),
}
REASONS_MAX = 2000
HEAD_RULES = frozenset(FLAG_RULES) - {"persistently_low"}


def proposed_label(code: str) -> str:
    return " / ".join(str(ACTION_LABELS.get(part, part)) for part in (code or "").split("/"))


def proposed_name(code: str) -> str:
    return "/".join(ACTION_NAMES.get(part, part) for part in (code or "").split("/"))


# Evaluation ------------------------------------------------------------------------


@dataclass
class Candidate:
    rule: str
    unit_id: int
    period: str
    sources: list[dict] = field(default_factory=list)
    summary: dict = field(default_factory=dict)


class _Candidates:
    """Candidates keyed by (rule, unit, period): triggers of one key merge their evidence."""

    def __init__(self) -> None:
        self.found: dict[tuple[str, int, str], Candidate] = {}

    def add(self, rule: str, unit_id: int, period: str, source: dict, **summary: Any) -> None:
        key = (rule, unit_id, period)
        candidate = self.found.setdefault(key, Candidate(rule, unit_id, period))
        candidate.sources.append(source)
        for name, value in summary.items():
            candidate.summary.setdefault(name, value)


def _month(day: date) -> str:
    return f"{day.year}-{day.month:02d}"


def _number(value: Any) -> Any:
    return round(value, 4) if isinstance(value, float) else value


def _row_evidence(row: RankingRow) -> dict:
    return {"row_id": row.id, "unit_id": row.unit_id, "unit_name": row.unit_name,
            "peer_group": row.peer_group, "rank": row.rank, "ranked_count": row.ranked_count,
            "score": _number(row.score), "ballots": row.ballots,
            "dissatisfaction_rate": _number(row.dissatisfaction_rate), "veto": bool(row.veto)}


def ranking_link(ranking: Ranking) -> str:
    if ranking.kind == "rating" and ranking.rating_round_id:
        return f"/ratings/{ranking.rating_round_id}"
    if ranking.kind == "assessment" and ranking.assessment_id:
        return f"/assessments/{ranking.assessment_id}"
    return f"/innovations/ranking?year={ranking.year or ranking.period}"


RANKING_COLUMNS = ["unit_name", "peer_group", "score", "rank", "ranked_count", "ballots",
                   "dissatisfaction_rate", "veto"]


def _ranking_source(ranking: Ranking, rows: list[RankingRow]) -> dict:
    return {"type": "ranking", "ranking_id": ranking.id, "kind": ranking.kind,
            "title": ranking.title, "period": ranking.period, "link": ranking_link(ranking),
            "rating_round_id": ranking.rating_round_id, "assessment_id": ranking.assessment_id,
            "year": ranking.year, "columns": RANKING_COLUMNS,
            "rows": [_row_evidence(row) for row in rows]}


def _lines(rows: list[RankingRow]) -> list[rankings.Line]:
    """Lines holding the frozen ranks (not recomputed)."""
    return [rankings.Line(unit_id=row.unit_id, peer_group=row.peer_group, score=row.score,
                          eligible=row.rank is not None, veto=bool(row.veto), rank=row.rank,
                          ranked_count=row.ranked_count, detail={"row": row}) for row in rows]


def _published_rankings(*kinds: str) -> list[tuple[Ranking, list[RankingRow]]]:
    found = db.session.scalars(
        select(Ranking).where(Ranking.kind.in_(kinds), Ranking.status == "published")
        .order_by(Ranking.id)).all()
    rows: dict[int, list[RankingRow]] = defaultdict(list)
    if found:
        for row in db.session.scalars(select(RankingRow).where(
                RankingRow.ranking_id.in_([r.id for r in found]))
                .order_by(RankingRow.ranking_id, RankingRow.position, RankingRow.id)):
            rows[row.ranking_id].append(row)
    return [(ranking, rows[ranking.id]) for ranking in found]


def _closed_rating_rankings() -> list[tuple[Ranking, list[RankingRow], RatingRound]]:
    """Published rankings of closed rating rounds, oldest round first."""
    pairs = db.session.execute(
        select(Ranking, RatingRound).join(RatingRound, RatingRound.id == Ranking.rating_round_id)
        .where(Ranking.kind == "rating", Ranking.status == "published", RatingRound.status == "closed")
        .order_by(RatingRound.closed_at, RatingRound.id)).all()
    rows: dict[int, list[RankingRow]] = defaultdict(list)
    if pairs:
        for row in db.session.scalars(select(RankingRow).where(
                RankingRow.ranking_id.in_([r.id for r, _ in pairs]))
                .order_by(RankingRow.ranking_id, RankingRow.position, RankingRow.id)):
            rows[row.ranking_id].append(row)
    return [(ranking, rows[ranking.id], rnd) for ranking, rnd in pairs]


def _last_place(found: _Candidates) -> None:
    for ranking, rows in _published_rankings("assessment", "innovation"):
        for line in rankings.last_place(_lines(rows)):
            row = line.detail["row"]
            found.add("last_place", row.unit_id, ranking.period, _ranking_source(ranking, [row]),
                      rank=row.rank, ranked_count=row.ranked_count)


def _persistently_low(found: _Candidates, values: dict, rated: list) -> None:
    percent = values["rules.bottom_percent"]
    bottom: list[set[int]] = []
    for _ranking, rows, _rnd in rated:
        bottom.append({line.unit_id for line in rankings.bottom_share(_lines(rows), percent)})
    last_ranked: dict[int, int] = {}  # unit → index of the last round in which it was ranked
    for index, (ranking, rows, rnd) in enumerate(rated):
        for row in rows:
            if row.rank is None:
                continue  # listed, not ranked: skipped, the earlier ranked round stays "previous"
            previous = last_ranked.get(row.unit_id)
            if previous is not None and row.unit_id in bottom[index] and row.unit_id in bottom[previous]:
                before, before_rows, _before_round = rated[previous]
                before_row = next(r for r in before_rows if r.unit_id == row.unit_id)
                found.add("persistently_low", row.unit_id, rnd.period,
                          _ranking_source(ranking, [row]), bottom_percent=percent)
                found.found[("persistently_low", row.unit_id, rnd.period)].sources.append(
                    _ranking_source(before, [before_row]))
            last_ranked[row.unit_id] = index


def _strong_dissent(found: _Candidates, values: dict, rated: list) -> None:
    threshold = float(values["rules.dissent_percent"])
    minimum = values["ratings.min_ballots"]
    for ranking, rows, rnd in rated:
        for row in rows:
            enough = row.ballots >= minimum if row.ballots is not None else row.rank is not None
            if not enough or row.dissatisfaction_rate is None:
                continue
            if round(row.dissatisfaction_rate * 100, 6) >= threshold:
                found.add("strong_dissent", row.unit_id, rnd.period, _ranking_source(ranking, [row]),
                          dissent_percent=threshold)


def _task_source(task_id: int, title: str, **extra: Any) -> dict:
    return {"type": "task", "task_id": task_id, "title": title, "link": f"/tasks/{task_id}", **extra}


def _poor_delivery(found: _Candidates, values: dict, as_of: date) -> None:
    needed = values["rules.lagging_rounds"]
    rounds = db.session.execute(
        select(SupervisionRound.id, SupervisionRound.week_start, SupervisionRound.as_of)
        .where(SupervisionRound.as_of <= as_of).order_by(SupervisionRound.week_start)).all()
    position = {rid: index for index, (rid, _w, _a) in enumerate(rounds)}
    lagging: dict[int, list[int]] = defaultdict(list)
    if rounds:
        for task_id, round_id in db.session.execute(
                select(Finding.task_id, Finding.round_id)
                .where(Finding.kind == "lagging", Finding.round_id.in_(list(position)))):
            lagging[task_id].append(position[round_id])
    tasks = {}
    wanted = set(lagging)
    days = values["rules.task_overdue_days"]
    view = task_states.view(as_of, progress.Thresholds.from_settings(), [
        Task.plan.has(Plan.status == "active"), Task.due_on < as_of - timedelta(days=days)])
    overdue = db.session.execute(
        select(Task.id, Task.title, Task.owner_unit_id, Task.due_on, view.c.actual_percent)
        .join(view, view.c.task_id == Task.id).where(view.c.status == "overdue")).all()
    if wanted:
        tasks = {t.id: t for t in db.session.execute(
            select(Task.id, Task.title, Task.owner_unit_id).where(Task.id.in_(wanted)))}
    for task_id, positions in lagging.items():
        task = tasks.get(task_id)
        if task is None:
            continue
        run = 0
        previous = None
        for pos in sorted(set(positions)):
            run = run + 1 if previous is not None and pos == previous + 1 else 1
            previous = pos
            if run == needed:
                streak = rounds[pos - needed + 1: pos + 1]
                met_on = rounds[pos][2]
                found.add("poor_delivery", task.owner_unit_id, _month(met_on), _task_source(
                    task.id, task.title, reason="lagging_rounds", met_on=met_on.isoformat(),
                    rounds=[{"round_id": rid, "week_start": week.isoformat(),
                             "link": f"/supervision/{rid}"} for rid, week, _a in streak]),
                    lagging_rounds=needed)
    for task_id, title, unit_id, due_on, actual in overdue:
        met_on = due_on + timedelta(days=days + 1)
        found.add("poor_delivery", unit_id, _month(met_on), _task_source(
            task_id, title, reason="overdue", due_on=due_on.isoformat(), met_on=met_on.isoformat(),
            overdue_days=(as_of - due_on).days, actual_percent=actual), task_overdue_days=days)


def _long_overdue(found: _Candidates, values: dict, as_of: date) -> None:
    days = values["rules.notice_overdue_days"]
    notices = db.session.scalars(select(Notice).where(
        Notice.status.in_(("issued", "acknowledged")),
        Notice.due_on < as_of - timedelta(days=days)).order_by(Notice.id)).all()
    for notice in notices:
        met_on = notice.due_on + timedelta(days=days + 1)
        found.add("long_overdue", notice.unit_id, _month(met_on), {
            "type": "notice", "notice_id": notice.id, "title": notice.doc_number,
            "link": f"/notices/{notice.id}", "issued_on": notice.issued_on.isoformat(),
            "due_on": notice.due_on.isoformat(), "status": notice.status,
            "met_on": met_on.isoformat(), "overdue_days": (as_of - notice.due_on).days},
            notice_overdue_days=days)


def rated_by_month(as_of: date) -> dict[tuple[int, str], list[tuple[int, date, str]]]:
    """Rated complaints by (unit first dispatched to, month of the first dispatch)."""
    groups: dict[tuple[int, str], list[tuple[int, date, str]]] = defaultdict(list)
    for cid, unit_id, on, rating in db.session.execute(
            select(Complaint.id, Complaint.dispatched_unit_id, Complaint.first_dispatched_on,
                   Complaint.rating)
            .where(Complaint.dispatched_unit_id.is_not(None), Complaint.first_dispatched_on.is_not(None),
                   Complaint.first_dispatched_on <= as_of, Complaint.rating.is_not(None))
            .order_by(Complaint.id)):
        groups[(unit_id, _month(on))].append((cid, on, rating))
    return groups


def _low_satisfaction(found: _Candidates, values: dict, as_of: date) -> None:
    threshold = float(values["rules.satisfaction_percent"])
    minimum = values["rules.satisfaction_min_rated"]
    for (unit_id, month), cases in sorted(rated_by_month(as_of).items()):
        rated = len(cases)
        satisfied = sum(1 for _c, _on, rating in cases if rating in ("satisfied", "basically_satisfied"))
        if rated < minimum or satisfied * 100 >= threshold * rated:
            continue
        found.add("low_satisfaction", unit_id, month, {
            "type": "complaints", "title": month, "rated": rated, "satisfied": satisfied,
            "satisfaction_rate": round(satisfied / rated, 4),
            "rows": [{"complaint_id": cid, "link": f"/complaints/{cid}",
                      "first_dispatched_on": on.isoformat(), "rating": rating}
                     for cid, on, rating in cases]},
            satisfaction_percent=threshold, min_rated=minimum)


def candidates(as_of: date) -> list[Candidate]:
    """Every (rule, unit, period) the rules find as of ``as_of``, with its evidence."""
    values = settings.values()
    found = _Candidates()
    _last_place(found)
    rated = _closed_rating_rankings()
    _persistently_low(found, values, rated)
    _strong_dissent(found, values, rated)
    _poor_delivery(found, values, as_of)
    _long_overdue(found, values, as_of)
    _low_satisfaction(found, values, as_of)
    return sorted(found.found.values(), key=lambda c: (FLAG_RULES.index(c.rule), c.period, c.unit_id))


def evaluate(actor: audit.Actor, as_of: Any) -> list[Flag]:
    """Raise the flags the rules find as of ``as_of``; return those newly raised.

    At most one flag per rule, unit and period, however often and however
    concurrently this runs: each insert sits in a savepoint and a duplicate of
    the unique key is skipped.
    """
    if not isinstance(as_of, date) or isinstance(as_of, datetime):
        raise InvalidInput(_("Please correct the marked fields."), {"as_of": _("Enter a date.")})
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
        _event(actor, flag, "raise", None, "raised")
        audit.record(actor, "flag.raise", flag, {
            "rule": [None, flag.rule], "unit_id": [None, flag.unit_id], "period": [None, flag.period],
            "status": [None, "raised"]})
        raised.append(flag)
    return raised


# Workflow --------------------------------------------------------------------------


def _event(actor: audit.Actor, flag: Flag, action: str, before: str | None, after: str,
           text: str | None = None) -> FlagEvent:
    event = FlagEvent(flag_id=flag.id, action=action, from_status=before, to_status=after,
                      at=actor.now, user_id=actor.user.id if actor.user else None, text=text)
    db.session.add(event)
    return event


def _uid(actor: audit.Actor) -> int | None:
    return actor.user.id if actor.user else None


def exemption_pending(flag: Flag) -> bool:
    return (flag.status == "under_review" and flag.exemption_proposed_at is not None
            and flag.exemption_approved_at is None)


def review(actor: audit.Actor, flag: Flag) -> Flag:
    """The office starts the review: raised → under_review."""
    if flag.status != "raised":
        raise Conflict(_("Only a raised flag can be taken under review."))
    flag.status, flag.reviewed_at, flag.reviewed_by_id = "under_review", actor.now, _uid(actor)
    _event(actor, flag, "review", "raised", "under_review")
    audit.record(actor, "flag.review", flag, {"status": ["raised", "under_review"]})
    return flag


def _reasons(errors: dict[str, str], field_name: str, value: Any) -> str | None:
    return validation.text(errors, field_name, value, max_length=REASONS_MAX, multiline=True)


def decide(actor: audit.Actor, flag: Flag, *, action: Any, reasons: Any) -> Flag:
    """A leader decides the action, with reasons: under_review → decided."""
    errors: dict[str, str] = {}
    if action not in FLAG_ACTIONS:
        errors["action"] = _("Choose one of: %(values)s.", values=", ".join(FLAG_ACTIONS))
    text = _reasons(errors, "reasons", reasons)
    validation.raise_if(errors)
    if flag.status != "under_review":
        raise Conflict(_("Only a flag under review can be decided."))
    flag.status, flag.action, flag.reasons = "decided", action, text
    flag.decided_at, flag.decided_by_id = actor.now, _uid(actor)
    _event(actor, flag, "decide", "under_review", "decided", text)
    audit.record(actor, "flag.decide", flag, {"status": ["under_review", "decided"],
                                              "action": [None, action], "reasons": [None, text]})
    return flag


def propose_exemption(actor: audit.Actor, flag: Flag, justification: Any) -> Flag:
    """The office proposes 容错免责 with a written justification; the flag stays under review."""
    errors: dict[str, str] = {}
    text = _reasons(errors, "justification", justification)
    validation.raise_if(errors)
    if flag.status != "under_review":
        raise Conflict(_("An exemption can be proposed only for a flag under review."))
    if flag.exemption_proposed_at is not None:
        raise Conflict(_("An exemption has already been proposed for this flag."))
    flag.exemption_justification = text
    flag.exemption_proposed_at, flag.exemption_proposed_by_id = actor.now, _uid(actor)
    _event(actor, flag, "propose_exemption", "under_review", "under_review", text)
    audit.record(actor, "flag.propose_exemption", flag, {"exemption_justification": [None, text]})
    return flag


def approve_exemption(actor: audit.Actor, flag: Flag, justification: Any = None) -> Flag:
    """A leader approves the proposed exemption (or grants one directly, with a justification)."""
    errors: dict[str, str] = {}
    proposed = flag.exemption_proposed_at is not None
    if proposed:
        text = validation.text(errors, "justification", justification, max_length=REASONS_MAX,
                               required=False, multiline=True)
    else:
        text = _reasons(errors, "justification", justification)
    validation.raise_if(errors)
    if flag.status != "under_review":
        raise Conflict(_("Only a flag under review can be exempted."))
    changes: dict[str, list] = {"status": ["under_review", "exempted"]}
    if not proposed:
        flag.exemption_justification = text
        flag.exemption_proposed_at, flag.exemption_proposed_by_id = actor.now, _uid(actor)
        changes["exemption_justification"] = [None, text]
    flag.status = "exempted"
    flag.exemption_approved_at, flag.exemption_approved_by_id = actor.now, _uid(actor)
    _event(actor, flag, "approve_exemption", "under_review", "exempted", text)
    audit.record(actor, "flag.approve_exemption", flag, changes)
    return flag


def exempt(actor: audit.Actor, flag: Flag, justification: Any) -> Flag:
    """``POST /flags/{id}/exempt``: the office proposes, a leader approves."""
    user = actor.user
    if permissions.can(user, "flag.approve_exemption", flag):
        return approve_exemption(actor, flag, justification)
    if permissions.can(user, "flag.propose_exemption", flag):
        return propose_exemption(actor, flag, justification)
    raise Conflict(_("You may not exempt this flag."))


# Reading ---------------------------------------------------------------------------


def flags_query(user: User | None, *, status: str | None = None, rule: str | None = None,
                unit_id: int | None = None, period: str | None = None) -> Select:
    """The register: newest first, scoped, filtered; unit and person loaded with it."""
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
    return stmt


def waiting_for(user: User | None) -> int:
    """How many flags wait on ``user``: reviews for the office, decisions for leaders."""
    if user is None:
        return 0
    from sqlalchemy import func

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
        what = f"{flag.unit.name}（{RULE_NAMES[flag.rule]}，{flag.period}）"
        if exemption_pending(flag):
            key, title = f"flag:{flag.id}:exemption", f"容错免责待审批：{what}"
        else:
            key, title = f"flag:{flag.id}:under_review", f"问责标记待决定：{what}"
        sent += notifications.notify(recipients, kind="flag", event_key=key, title=title,
                                     link=f"/accountability/{flag.id}", now=now)
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
             "rule_name": RULE_NAMES[f.rule], "period": f.period, "status": f.status,
             "proposed_action": f.proposed_action, "action": f.action,
             "exempted": f.status == "exempted",
             "exemption_justification": f.exemption_justification if f.status == "exempted" else None}
            for f in flags]



def docx_section(document, rows: list[dict], heading: str) -> None:
    """Write the flags section into a bulletin's .docx."""
    document.add_paragraph(heading)
    if not rows:
        document.add_paragraph("无。")
        return
    table = document.add_table(rows=1, cols=5)
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, ("单位", "问责情形", "期间", "状态", "处理"), strict=True):
        cell.text = text
    for row in rows:
        if row.get("exempted"):
            outcome = "容错免责"
        elif row.get("action"):
            outcome = ACTION_NAMES.get(row["action"], row["action"])
        else:
            outcome = "拟" + proposed_name(row.get("proposed_action", ""))
        cells = table.add_row().cells
        for cell, text in zip(cells, (row["unit"], RULE_NAMES.get(row["rule"], row["rule"]), row["period"],
                                      STATUS_NAMES.get(row["status"], row["status"]), outcome), strict=True):
            cell.text = text


def on_ranking_published(actor: audit.Actor) -> list[Flag]:
    """docs/domain.md: the rules are evaluated when a ranking is published (and daily, and on demand)."""
    return evaluate(actor, actor.today)
