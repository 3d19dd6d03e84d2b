"""The demo plan of seed 003: its list, every status and light, and running twice."""

from datetime import UTC, date, datetime, time

import pytest
from sqlalchemy import func, select

from tracker import clock, demo
from tracker.demo import cadence as demo_cadence
from tracker.extensions import db
from tracker.models import (
    AuditEvent,
    Bulletin,
    Finding,
    LedgerEntry,
    Measure,
    Milestone,
    Plan,
    Task,
    User,
    Verification,
)
from tracker.services import ledger, ledger_view, progress
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


EXPECTED = {"verified": 7, "awaiting_verification": 3, "not_started": 5, "overdue": 3,
            "lagging": 4, "stale": 4, "on_track": 10}


@pytest.mark.parametrize("today", ["2026-11-02", "2026-11-08", "2027-03-31", "2028-02-29"])
def test_demo_plan_is_the_same_whatever_the_day(app, today):
    """Monday, Sunday, a month's end, a leap day: the same statuses, Python and SQL agreeing."""
    today = date.fromisoformat(today)
    now = datetime.combine(today, time(9), clock.zone()).astimezone(UTC)
    actor = Actor(None, "cli", now)
    assert demo.load(actor)
    db.session.commit()
    plan = db.session.scalar(select(Plan))
    assert plan.title.startswith(f"{today.year}年") and plan.issuing_unit.name == "局党政办公室"
    office = db.session.scalar(select(User).where(User.username == "office"))
    counts = ledger_view.status_counts(office, ledger_view.LedgerFilter(plan_id=plan.id), today)
    assert counts == EXPECTED
    rows = db.session.execute(ledger_view.query(
        office, ledger_view.LedgerFilter(plan_id=plan.id), today)).all()
    for task, planned, actual, status, light, _last in rows:
        assert ledger.task_progress(task, today) == progress.Progress(planned, actual, status, light)
        assert task.owner_user_id == task.owner_unit.head_user_id
        assert task.leader_user_id == task.owner_unit.leader_user_id
    assert {light for *_r, light, _last in rows} == {"green", "yellow", "red", None}
    returned = db.session.scalars(select(Verification).where(Verification.accepted.is_(False))).all()
    assert len(returned) == 1 and returned[0].reason
    assert db.session.scalar(select(func.count()).where(LedgerEntry.is_return)) == 1
    assert {t.recurrence for t in db.session.scalars(select(Task))} >= {"weekly", "monthly"}
    with_milestones = db.session.scalar(select(func.count(func.distinct(Milestone.task_id))))
    assert 12 <= with_milestones <= 24
    models = (Plan, Measure, Task, Milestone, LedgerEntry, Verification, AuditEvent)
    before = [db.session.scalar(select(func.count()).select_from(m)) for m in models]
    assert demo.load(actor) is False and demo.plan.load_plan(actor, today) is None
    assert [db.session.scalar(select(func.count()).select_from(m)) for m in models] == before
