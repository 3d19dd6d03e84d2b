"""Hand-built frozen rankings, rounds, notices and complaints for the accountability tests.

The rating, assessment and innovation services build these rows for real; the
accountability rules only read them, so the tests write them directly.
"""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta

from tracker.extensions import db
from tracker.models import (
    Assessment,
    Complaint,
    Notice,
    Ranking,
    RankingRow,
    RatingRound,
    Unit,
)
from tracker.services import rankings

_seq = itertools.count(1)
NOW = datetime(2026, 7, 1, 2, 0, tzinfo=UTC)


def rows_for(units_scores: list[tuple[Unit, float | None]], *, ballots: int | dict | None = None,
             dissent: dict | None = None, vetoed: set[int] = frozenset(),
             unranked: set[int] = frozenset()) -> list[dict]:
    """Rank (unit, score) pairs per peer group, as the ranking services do."""
    lines = [rankings.Line(unit_id=unit.id, peer_group=unit.peer_group, score=score,
                           eligible=unit.id not in unranked, veto=unit.id in vetoed,
                           detail={"unit": unit}) for unit, score in units_scores]
    result = []
    for position, line in enumerate(rankings.rank_lines(lines)):
        unit = line.detail["unit"]
        count = ballots.get(unit.id, 20) if isinstance(ballots, dict) else ballots
        result.append({"unit_id": unit.id, "unit_name": unit.name, "peer_group": unit.peer_group,
                       "position": position, "score": line.score, "rank": line.rank,
                       "ranked_count": line.ranked_count, "ballots": count,
                       "dissatisfaction_rate": (dissent or {}).get(unit.id, 0.0),
                       "veto": line.veto})
    return result


def _store(ranking: Ranking, rows: list[dict]) -> Ranking:
    db.session.add(ranking)
    db.session.flush()
    for row in rows:
        db.session.add(RankingRow(ranking_id=ranking.id, detail={}, **row))
    db.session.commit()
    return ranking


def rating_round(period: str, rows: list[dict], *, closed_at: datetime | None = None,
                 status: str = "closed", published: bool = True) -> RatingRound:
    """A closed rating round with its frozen, published ranking."""
    n = next(_seq)
    closed_at = closed_at or NOW - timedelta(days=400) + timedelta(days=n)
    rnd = RatingRound(title=f"作风评议{n}", period=period, status=status, created_at=closed_at,
                      opened_at=closed_at, closed_at=closed_at if status == "closed" else None)
    db.session.add(rnd)
    db.session.flush()
    _store(Ranking(kind="rating", subject_key=f"round:{rnd.id}", rating_round_id=rnd.id,
                   period=period, title=rnd.title, status="published" if published else "draft",
                   published_at=closed_at, created_at=closed_at), rows)
    return rnd


def assessment_ranking(period: str, rows: list[dict], theme: str = "teaching",
                       status: str = "published") -> Ranking:
    assessment = Assessment(theme=theme, period=period, created_at=NOW)
    db.session.add(assessment)
    db.session.flush()
    return _store(Ranking(kind="assessment", subject_key=f"assessment:{assessment.id}",
                          assessment_id=assessment.id, period=period, title=f"专项考核 {theme} {period}",
                          status=status, published_at=NOW, created_at=NOW), rows)


def innovation_ranking(year: int, rows: list[dict], status: str = "published") -> Ranking:
    return _store(Ranking(kind="innovation", subject_key=f"innovation:{year}", year=year,
                          period=str(year), title=f"{year}年一招鲜", status=status,
                          published_at=NOW if status == "published" else None, created_at=NOW), rows)


def notice(unit: Unit, due_on: date, status: str = "issued") -> Notice:
    n = next(_seq)
    item = Notice(number_year=due_on.year, number=n, unit_id=unit.id, source_type="inspection",
                  problems="上班时间玩手机", requirements="立即整改", issued_on=due_on - timedelta(days=10),
                  due_on=due_on, status=status, issued_at=NOW)
    db.session.add(item)
    db.session.commit()
    return item


def complaints(unit: Unit, dispatched_on: date, ratings: list[str | None]) -> list[Complaint]:
    made = []
    for rating in ratings:
        n = next(_seq)
        item = Complaint(tracking_code=f"T{n:08d}X{unit.id}", category="other", description="投诉内容",
                         submitted_at=NOW, status="closed" if rating else "dispatched",
                         dispatched_unit_id=unit.id, first_dispatched_on=dispatched_on,
                         first_dispatched_at=NOW, rating=rating, rated_at=NOW if rating else None)
        db.session.add(item)
        made.append(item)
    db.session.commit()
    return made
