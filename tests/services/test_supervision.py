"""Weekly rounds on hand-built ledgers (docs/domain.md "Supervision cadence")."""

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from tests.races import race
from tracker.extensions import db
from tracker.models import Finding, RoundSnapshot, SupervisionRound
from tracker.services import supervision
from tracker.services.audit import Actor
from tracker.services.errors import Conflict, InvalidInput

W = date(2026, 10, 12)  # a Monday; the round judges as of Sunday 2026-10-18


def act() -> Actor:
    return Actor(None, "127.0.0.1", datetime(2026, 10, 19, 0, 0, tzinfo=UTC))


def test_scope_statuses_and_findings(make):
    plan = make.plan()
    measure = make.measure(plan)
    unit = make.unit()
    done_before = make.task(measure, unit, title="已兑账在前", starts_on="2026-09-01", due_on="2026-10-05")
    done_before.verified_on = date(2026, 10, 11)
    done_during = make.task(measure, unit, title="本周兑账", starts_on="2026-09-01", due_on="2026-10-20")
    done_during.verified_on = date(2026, 10, 14)
    lagging = make.task(measure, unit, title="进展缓慢", starts_on="2026-10-01", due_on="2026-10-31")
    make.entry(lagging, 10, "2026-10-17")
    make.entry(lagging, 90, "2026-10-19")  # after W+6: ignored
    overdue = make.task(measure, unit, title="逾期", starts_on="2026-09-01", due_on="2026-10-15")
    make.entry(overdue, 80, "2026-10-16")
    stale = make.task(measure, unit, title="未交账", starts_on="2026-10-01", due_on="2026-12-31",
                      milestones=[{"on": "2026-12-31", "percent": 100}])
    make.entry(stale, 5, "2026-10-10")
    later = make.task(measure, unit, title="下周开始", starts_on="2026-10-19", due_on="2026-10-31")
    draft_task = make.task(make.measure(make.plan(status="draft")), unit, title="草案任务")
    db.session.commit()

    rnd, created = supervision.start_round(act(), W)
    db.session.commit()
    assert created and rnd.as_of == date(2026, 10, 18)
    snapshots = {s.task_id: s for s in db.session.scalars(select(RoundSnapshot))}
    assert done_before.id not in snapshots and later.id not in snapshots
    assert draft_task.id not in snapshots
    assert snapshots[done_during.id].status == "verified"
    assert (snapshots[lagging.id].actual_percent, snapshots[lagging.id].status) == (10, "lagging")
    assert snapshots[overdue.id].status == "overdue" and snapshots[overdue.id].light == "red"
    assert snapshots[stale.id].status == "stale"
    findings = {f.task_id: f.kind for f in db.session.scalars(select(Finding))}
    assert findings == {lagging.id: "lagging", overdue.id: "overdue", stale.id: "stale"}

    # running it again changes nothing, even after the ledger moved on
    make.entry(stale, 50, "2026-10-17")
    again, created = supervision.start_round(act(), W)
    assert again.id == rnd.id and not created
    assert db.session.scalar(select(func.count()).select_from(RoundSnapshot)) == len(snapshots)
    counts = supervision.round_counts([rnd.id])[rnd.id]
    # the lagging task (+10 in 16 days) and the stale one (+5 in 9 days) would also finish late
    assert counts == {"tasks": 4, "findings": 3, "lagging": 1, "overdue": 1, "stale": 1, "risk": 2}


def test_week_start_must_be_a_monday(app):
    with pytest.raises(InvalidInput) as caught:
        supervision.start_round(act(), date(2026, 10, 13))
    assert "week_start" in caught.value.fields


def test_closed_round_never_changes(make):
    task = make.task(starts_on="2026-10-01", due_on="2026-10-10")
    rnd, _ = supervision.start_round(act(), W)
    finding = db.session.scalars(select(Finding)).one()
    supervision.annotate(act(), finding, "已电话督促")
    supervision.close_round(act(), rnd)
    db.session.commit()
    with pytest.raises(Conflict):
        supervision.annotate(act(), finding, "再改")
    with pytest.raises(Conflict):
        supervision.close_round(act(), rnd)
    assert finding.note == "已电话督促" and task.id == finding.task_id


def test_weeks():
    assert supervision.week_of(date(2026, 10, 18)) == date(2026, 10, 12)
    assert supervision.last_full_week(date(2026, 10, 19)) == date(2026, 10, 12)
    assert supervision.last_full_week(date(2026, 10, 25)) == date(2026, 10, 12)


def test_two_processes_at_once_make_one_round(app, make):
    """Concurrent starts for one week, each in its own connection: one round results."""
    make.task(starts_on="2026-10-01", due_on="2026-10-10")

    def start(_client, _index):
        rnd, created = supervision.start_round(act(), W)
        db.session.commit()
        return rnd.id, created

    results = race(app, 2, start)
    assert len({rid for rid, _ in results}) == 1
    assert sorted(created for _, created in results) == [False, True]
    assert db.session.scalar(select(func.count()).select_from(SupervisionRound)) == 1
    assert db.session.scalar(select(func.count()).select_from(Finding)) == 1


@pytest.mark.parametrize(("now", "week_start", "allowed"), [
    (datetime(2026, 10, 18, 15, 0, tzinfo=UTC), date(2026, 10, 12), False),  # Sunday 23:00 in Shanghai
    (datetime(2026, 10, 18, 16, 0, tzinfo=UTC), date(2026, 10, 12), True),   # Monday 00:00 in Shanghai
    (datetime(2026, 10, 14, 2, 0, tzinfo=UTC), date(2026, 10, 19), False),   # a week to come
])
def test_a_round_judges_only_a_week_that_has_ended(app, now, week_start, allowed):
    actor = Actor(None, "127.0.0.1", now)
    if allowed:
        assert supervision.start_round(actor, week_start)[1]
    else:
        with pytest.raises(InvalidInput) as refused:
            supervision.start_round(actor, week_start)
        assert "week_start" in refused.value.fields
        assert db.session.scalar(select(func.count()).select_from(SupervisionRound)) == 0


def test_the_round_keeps_its_early_warning(make):
    """风险预警, worked by hand (forecast.window_days 28, margin 0): as of 2026-10-18 the window
    starts 2026-09-20."""
    measure, unit = make.measure(make.plan()), make.unit()
    slow = make.task(measure, unit, title="进度偏慢", starts_on="2026-09-01", due_on="2026-10-31")
    make.entry(slow, 10, "2026-09-10")  # the base: the last report before the window
    make.entry(slow, 20, "2026-10-15")  # +10 in 35 days, 80 to go: 280 days → 2027-07-22
    brisk = make.task(measure, unit, title="进度正常", starts_on="2026-10-01", due_on="2026-10-31")
    make.entry(brisk, 50, "2026-10-15")  # +50 in 14 days, 50 to go: 14 days → 2026-10-29
    stalled = make.task(measure, unit, title="停滞", starts_on="2026-09-01", due_on="2026-12-31")
    make.entry(stalled, 30, "2026-09-10")
    make.entry(stalled, 30, "2026-10-17")  # nothing gained in the window
    overdue = make.task(measure, unit, title="已逾期", starts_on="2026-09-01", due_on="2026-10-15")
    make.entry(overdue, 20, "2026-10-01")
    db.session.commit()

    rnd, _created = supervision.start_round(act(), W)
    db.session.commit()
    rows = {s.task_id: (s.projected_late, s.projected_on) for s in db.session.scalars(select(RoundSnapshot))}
    assert rows == {slow.id: (True, date(2027, 7, 22)), brisk.id: (False, None),
                    stalled.id: (True, None), overdue.id: (False, None)}
    assert supervision.round_counts([rnd.id])[rnd.id]["risk"] == 2
    listed = [task.id for _s, task, _u in db.session.execute(supervision.risk_query(make.user("office"), rnd))]
    assert listed == [slow.id, stalled.id]  # by unit, then due date

    make.entry(slow, 100, "2026-10-20")  # the ledger moves on; the round does not
    db.session.commit()
    assert db.session.scalar(select(RoundSnapshot).where(RoundSnapshot.task_id == slow.id)).projected_late
