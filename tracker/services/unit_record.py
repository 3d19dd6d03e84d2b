"""A unit's record 单位档案: its performance over time, from every area, on one page.

Ledger performance (tasks now, findings per supervision round), complaints per
month, rating results, special assessments, innovations, rectification
notices, accountability flags (exemptions 容错免责 included), commendations in
published bulletins, and the history of its ranks. A fixed number of queries,
whatever the size of the record.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select

from tracker.extensions import db
from tracker.models import (
    Assessment,
    Bulletin,
    Finding,
    Flag,
    Innovation,
    Notice,
    Ranking,
    RankingRow,
    RoundSnapshot,
    SupervisionRound,
    Unit,
)
from tracker.services import charts, ledger_view

ROUNDS_SHOWN = 26
MONTHS_SHOWN = 12


@dataclass
class Record:
    unit: Unit
    as_of: date
    tasks: dict[str, int]
    rounds: list[dict]
    complaints: list[dict]
    ratings: list[dict]
    assessments: list[dict]
    innovations: list[Innovation]
    notices: list[Notice]
    flags: list[Flag]
    commendations: list[dict]
    history: list[dict] = field(default_factory=list)
    chart: dict | None = None


def _ledger(user, unit: Unit, as_of: date) -> dict[str, int]:
    counts = ledger_view.status_counts(user, ledger_view.LedgerFilter(unit_id=unit.id), as_of)
    return {"total": sum(counts.values()), **counts}


def _rounds(unit: Unit) -> list[dict]:
    """Per past supervision round: the unit's tasks seen and its findings (by kind)."""
    recent = select(SupervisionRound.id).order_by(SupervisionRound.week_start.desc()).limit(
        ROUNDS_SHOWN).subquery()
    seen = dict(db.session.execute(
        select(RoundSnapshot.round_id, func.count(RoundSnapshot.id))
        .where(RoundSnapshot.unit_id == unit.id, RoundSnapshot.round_id.in_(select(recent.c.id)))
        .group_by(RoundSnapshot.round_id)).all())
    found: dict[int, dict[str, int]] = defaultdict(dict)
    for round_id, kind, count in db.session.execute(
            select(Finding.round_id, Finding.kind, func.count(Finding.id))
            .where(Finding.unit_id == unit.id, Finding.round_id.in_(select(recent.c.id)))
            .group_by(Finding.round_id, Finding.kind)):
        found[round_id][kind] = count
    rounds = db.session.execute(select(SupervisionRound.id, SupervisionRound.week_start)
                                .where(SupervisionRound.id.in_(select(recent.c.id)))
                                .order_by(SupervisionRound.week_start.desc())).all()
    return [{"round_id": r.id, "week_start": r.week_start, "tasks": seen.get(r.id, 0),
             "findings": sum(found[r.id].values()), "by_kind": dict(found[r.id])}
            for r in rounds if r.id in seen or r.id in found]


def _months(as_of: date) -> list[str]:
    """The last ``MONTHS_SHOWN`` months up to ``as_of``'s, newest first."""
    year, month = as_of.year, as_of.month
    keys = []
    for _step in range(MONTHS_SHOWN):
        keys.append(f"{year}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return keys


def _complaints(unit: Unit, as_of: date) -> list[dict]:
    """The unit's complaint figures per month (by first dispatch), as the complaints area
    computes them (``complaint_stats``: rates, score, rank in the peer group).

    One grouped query per month shown: a fixed number, whatever the record holds.
    """
    from tracker.services import complaint_stats

    found = []
    for key in _months(as_of):
        rows = complaint_stats.stats(complaint_stats.parse_period(key), unit_id=unit.id)
        if rows:
            found.append({"month": key, **rows[0]})
    return found


def _ranking_rows(unit: Unit) -> list[tuple[RankingRow, Ranking, str | None]]:
    return db.session.execute(
        select(RankingRow, Ranking, Assessment.theme)
        .join(Ranking, Ranking.id == RankingRow.ranking_id)
        .outerjoin(Assessment, Assessment.id == Ranking.assessment_id)
        .where(RankingRow.unit_id == unit.id, Ranking.status == "published")
        .order_by(Ranking.published_at, Ranking.id)).all()


def _row(row: RankingRow, ranking: Ranking, theme: str | None) -> dict:
    return {"ranking_id": ranking.id, "kind": ranking.kind, "title": ranking.title,
            "period": ranking.period, "published_at": ranking.published_at, "theme": theme,
            "assessment_id": ranking.assessment_id, "year": ranking.year,
            "rating_round_id": ranking.rating_round_id, "score": row.score, "rank": row.rank,
            "ranked_count": row.ranked_count, "ballots": row.ballots,
            "dissatisfaction_rate": row.dissatisfaction_rate, "veto": row.veto,
            "detail": row.detail or {}}


def _commendations(unit: Unit) -> list[dict]:
    """Published bulletins naming the unit among those commended 树典型."""
    found = []
    for bulletin in db.session.scalars(select(Bulletin).where(Bulletin.status == "published")
                                       .order_by(Bulletin.published_at.desc()).limit(200)):
        for item in (bulletin.content or {}).get("commended", []):
            if isinstance(item, dict) and item.get("unit_id") == unit.id:
                found.append({"bulletin_id": bulletin.id, "title": bulletin.title,
                              "period": bulletin.period, "published_at": bulletin.published_at})
                break
    return found


def gather(user, unit: Unit, as_of: date) -> Record:
    """Bring the unit's record together (the caller has checked ``record.view``)."""
    history = [_row(*found) for found in _ranking_rows(unit)]
    return Record(
        unit=unit, as_of=as_of,
        tasks=_ledger(user, unit, as_of),
        rounds=_rounds(unit),
        complaints=_complaints(unit, as_of),
        ratings=[h for h in history if h["kind"] == "rating"],
        assessments=[h for h in history if h["kind"] == "assessment"],
        innovations=list(db.session.scalars(select(Innovation).where(Innovation.unit_id == unit.id)
                                            .order_by(Innovation.year.desc(), Innovation.id))),
        notices=list(db.session.scalars(select(Notice).where(Notice.unit_id == unit.id)
                                        .order_by(Notice.issued_on.desc(), Notice.id.desc()))),
        flags=list(db.session.scalars(select(Flag).where(Flag.unit_id == unit.id)
                                      .order_by(Flag.raised_at.desc(), Flag.id.desc()))),
        commendations=_commendations(unit),
        history=history,
        chart=charts.rank_chart(history),
    )

