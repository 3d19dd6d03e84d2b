"""The demo rating rounds: two closed, one open; the units the accountability rules need."""

from datetime import UTC, date, datetime

from sqlalchemy import func, select

from tracker import demo
from tracker.demo import ratings as demo_ratings
from tracker.extensions import db
from tracker.models import Ballot, Invitation, RankingRow, RatingRound
from tracker.services import rankings, ratings
from tracker.services.audit import Actor


def test_demo_rounds(app):
    actor = Actor(None, "127.0.0.1", datetime(2026, 11, 20, 2, tzinfo=UTC))
    assert demo.load(actor)
    assert demo_ratings.load(actor, date(2026, 11, 20))
    db.session.commit()
    rounds = db.session.scalars(select(RatingRound).order_by(RatingRound.period)).all()
    assert [(r.period, r.status, r.results_public) for r in rounds] == [
        ("2025-H2", "closed", True), ("2026-H1", "closed", True), ("2026-H2", "open", False)]
    for rnd in rounds[:2]:
        rows = db.session.scalars(select(RankingRow).join(RankingRow.unit).where(
            RankingRow.ranking_id == ratings.ranking_of(rnd).id)).all()
        by_name = {row.unit_name: row for row in rows}
        lines = [rankings.Line(r.unit_id, r.peer_group, r.score, rank=r.rank) for r in rows]
        bottom = {line.unit_id for line in rankings.bottom_share(lines, 10)}
        assert by_name[demo_ratings.LOW].unit_id in bottom
        assert by_name[demo_ratings.FEW].rank is None and by_name[demo_ratings.FEW].ballots < 10
        assert sum(1 for r in rows if r.rank is not None) >= len(rows) - 1
    later = {r.unit_name: r for r in ratings.ranking_of(rounds[1]).rows}
    assert later[demo_ratings.DISSENT].dissatisfaction_rate >= 0.2
    assert later[demo_ratings.DISSENT].ballots >= 10
    open_round = rounds[2]
    used = db.session.scalar(select(func.count()).select_from(Invitation).where(
        Invitation.round_id == open_round.id, Invitation.used_at.is_not(None)))
    assert used == db.session.scalar(select(func.count()).select_from(Ballot).where(
        Ballot.round_id == open_round.id)) > 0
    assert len(ratings.batches(open_round)) == 3
    assert not demo_ratings.load(actor, date(2026, 11, 20))
