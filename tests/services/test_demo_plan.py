"""The demo plan of seed 003: its list, every status and light, and running twice."""

from datetime import UTC, datetime

from sqlalchemy import func, select

from tracker import clock
from tracker.extensions import db
from tracker.models import Bulletin, Finding, Measure, Plan, Task, User
from tracker.services import demo, demo_cadence, ledger_view, progress
from tracker.services.audit import Actor


def test_demo_plan_shows_every_status_and_light(app):
    actor = Actor(None, "cli", datetime.now(UTC))
    assert demo.load(actor)
    demo_cadence.load(actor, clock.today())
    db.session.commit()
    plan = db.session.scalar(select(Plan))
    assert plan.status == "active" and "深化机关作风整顿实施方案" in plan.title
    assert 25 <= db.session.scalar(select(func.count()).select_from(Task)) <= 40
    headings = set(db.session.scalars(select(Measure.heading)))
    assert headings == {"strengthen_quality", "change_conduct", "build_system", "strict_rewards"}
    office = db.session.scalar(select(User).where(User.username == "office"))
    today = clock.today()
    counts = ledger_view.status_counts(office, ledger_view.LedgerFilter(plan_id=plan.id), today)
    assert all(counts[status] > 0 for status in progress.STATUSES), counts
    rows = db.session.execute(ledger_view.query(office, ledger_view.LedgerFilter(plan_id=plan.id),
                                                today)).all()
    assert {row[4] for row in rows} == {"green", "yellow", "red", None}
    assert db.session.scalar(select(func.count()).select_from(Finding)) > 0
    assert sorted(db.session.scalars(select(Bulletin.status))) == ["draft", "published"]
    before = [db.session.scalar(select(func.count()).select_from(m)) for m in (Task, Finding)]
    assert not demo.load(actor) and not demo_cadence.load(actor, today)
    assert [db.session.scalar(select(func.count()).select_from(m)) for m in (Task, Finding)] == before
