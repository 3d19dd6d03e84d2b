"""The kept task state equals the pure rules for every task, every day (both databases)."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select, update

from tracker import clock
from tracker.extensions import db
from tracker.models import Task, TaskState
from tracker.services import ledger, ledger_view, plans, progress, task_states
from tracker.services import settings as settings_service
from tracker.services.audit import Actor
from tracker.services.errors import Conflict

START = date(2026, 9, 1)


# The day a state may change: the pure function alone -----------------------


@st.composite
def tasks(draw):
    starts_on = START + timedelta(days=draw(st.integers(0, 40)))
    due_on = starts_on + timedelta(days=draw(st.integers(0, 150)))
    span = (due_on - starts_on).days
    days = sorted(draw(st.sets(st.integers(0, span), max_size=4)))
    percents = sorted(draw(st.sets(st.integers(0, 100), min_size=len(days), max_size=len(days))))
    milestones = tuple((starts_on + timedelta(days=d), p) for d, p in zip(days, percents, strict=True))
    entries = tuple(
        (START + timedelta(days=draw(st.integers(0, 220))), ident, draw(st.integers(0, 100)))
        for ident in range(draw(st.integers(0, 5))))
    verified = draw(st.none() | st.integers(0, 220))
    return dict(starts_on=starts_on, due_on=due_on, milestones=milestones, entries=entries,
                verified_on=None if verified is None else START + timedelta(days=verified))


@settings(max_examples=300, deadline=None)
@given(task=tasks(), offset=st.integers(0, 220), lagging=st.integers(1, 40),
       stale=st.integers(1, 30), soon=st.integers(0, 10))
def test_the_state_holds_every_day_until_the_day_it_may_change(task, offset, lagging, stale, soon):
    thresholds = progress.Thresholds(lagging, stale, soon)
    as_of = START + timedelta(days=offset)
    state = progress.task_progress(**task, as_of=as_of, thresholds=thresholds)
    change = progress.changes_on(**task, as_of=as_of, thresholds=thresholds)
    assert change is None or change > as_of
    last = change or as_of + timedelta(days=400)
    day = as_of + timedelta(days=1)
    while day < last:
        assert progress.task_progress(**task, as_of=day, thresholds=thresholds) == state, day
        day += timedelta(days=1)


@pytest.mark.parametrize(("as_of", "expected"), [
    (date(2026, 9, 30), date(2026, 10, 1)),    # not started: the start
    (date(2026, 10, 1), date(2026, 10, 2)),    # 1 of 10 days: planned rises every day
    (date(2026, 10, 8), date(2026, 10, 9)),
    (date(2026, 10, 11), date(2026, 10, 12)),  # due: overdue from the next day
    (date(2026, 10, 12), None),                # overdue and nothing ahead
])
def test_changes_on_for_a_short_linear_task(as_of, expected):
    task = dict(starts_on=date(2026, 10, 1), due_on=date(2026, 10, 11), milestones=(),
                entries=((date(2026, 10, 1), 1, 10), (date(2026, 10, 9), 2, 80)),
                verified_on=None)
    if as_of >= date(2026, 10, 12):
        # reported 80 on 10-09: stale on 10-17, but overdue comes first and stays
        assert progress.changes_on(**task, as_of=as_of) == date(2026, 10, 17)
        return
    assert progress.changes_on(**task, as_of=as_of) == expected


# Kept rows against the records, through the services ----------------------


def _actor(user, day: date) -> Actor:
    return Actor(user, "127.0.0.1", datetime.combine(day, time(2, 0), tzinfo=UTC))


def _assert_exact(day: date) -> None:
    """Every kept row equals the pure rules on the task's records, and the ledger agrees."""
    assert task_states.check(day) == []
    assert task_states.usable_for(day)
    kept = {row.task_id: row for row in db.session.scalars(select(TaskState))}
    for task in db.session.scalars(select(Task)):
        expected = ledger.task_progress(task, day)
        row = kept[task.id]
        assert (row.status, row.light, row.planned_percent, row.actual_percent) == (
            expected.status, expected.light, expected.planned, expected.actual), (task.id, day)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_kept_state_equals_the_rules_every_day_under_random_operations(make, monkeypatch, tmp_path,
                                                                         seed):
    rng = random.Random(seed)
    office = make.user("office")
    measure = make.measure()
    units = [make.unit() for _ in range(3)]
    day = date(2026, 9, 25)
    monkeypatch.setattr(clock, "today", lambda: day)
    task_ids = []

    def new_task():
        starts = day + timedelta(days=rng.randint(-10, 10))
        values = dict(measure_id=measure.id, owner_unit_id=rng.choice(units).id,
                      title=f"任务{len(task_ids)}", standard="按期完成", starts_on=starts,
                      due_on=starts + timedelta(days=rng.randint(0, 40)))
        if rng.random() < 0.4:
            values["milestones"] = [plans.MilestoneInput(on=starts, percent=10),
                                    plans.MilestoneInput(on=values["due_on"], percent=100)
                                    ] if values["due_on"] != starts else []
        task_ids.append(plans.create_task(_actor(office, day), plans.TaskInput(**values)).id)

    for _ in range(4):
        new_task()
    db.session.commit()
    for _step in range(45):
        day += timedelta(days=1)
        # the daily job, first thing
        task_states.refresh(day)
        db.session.commit()
        _assert_exact(day)
        for _ in range(rng.randint(0, 4)):
            task = db.session.get(Task, rng.choice(task_ids))
            action = rng.random()
            try:
                if action < 0.38:
                    ledger.add_entry(_actor(office, day), task, percent=rng.choice((0, 20, 50, 80, 100)),
                                     narrative="进展", upload_folder=tmp_path, may_backdate=True,
                                     reported_on=day - timedelta(days=rng.choice((0, 0, 0, 3))),
                                     reason="复核后下调")
                elif action < 0.45:
                    # a correction supersedes the latest report (refused once the office acted)
                    latest = ledger.latest_entry(task)
                    if latest is None:
                        continue
                    ledger.correct(_actor(office, day), task, latest, upload_folder=tmp_path,
                                   percent=rng.choice((0, 50, 100)), narrative="更正", reason="填错")
                elif action < 0.65:
                    ledger.verify(_actor(office, day), task, accept=rng.random() < 0.6,
                                  reason="佐证不足")
                elif action < 0.8:
                    due = max(task.starts_on, day + timedelta(days=rng.randint(-5, 20)))
                    plans.update_task(_actor(office, day), task,
                                      plans.TaskChange(due_on=due, milestones=[]))
                elif action < 0.9:
                    if task.due_on > task.starts_on:
                        plans.update_task(_actor(office, day), task, plans.TaskChange(
                            milestones=[plans.MilestoneInput(on=task.due_on, percent=100)]))
                else:
                    new_task()
                db.session.commit()
            except Conflict:
                db.session.rollback()
            # every change is kept in its own transaction, at once
            _assert_exact(day)


def test_rebuild_state_check_finds_and_rebuild_mends(make, runner):
    task = make.task(starts_on=(clock.today() - timedelta(days=5)).isoformat(),
                     due_on=(clock.today() + timedelta(days=20)).isoformat())
    make.entry(task, 40, clock.today())
    result = runner.invoke(args=["rebuild-state", "--check"])
    assert result.exit_code == 0, result.output
    db.session.execute(update(TaskState).where(TaskState.task_id == task.id)
                       .values(status="overdue", actual_percent=3))
    db.session.commit()
    result = runner.invoke(args=["rebuild-state", "--check"])
    assert result.exit_code == 1
    assert f"task {task.id}:" in result.output and "1 kept task states differ" in result.output
    result = runner.invoke(args=["rebuild-state"])
    assert result.exit_code == 0 and "Recomputed the state of 1 tasks" in result.output
    assert runner.invoke(args=["rebuild-state", "--check"]).exit_code == 0
    # idempotent
    assert runner.invoke(args=["rebuild-state"]).exit_code == 0
    assert db.session.get(TaskState, task.id).actual_percent == 40


def test_a_task_without_a_kept_row_is_filled_by_init_db(make, runner):
    task = make.task()
    db.session.execute(TaskState.__table__.delete())
    db.session.commit()
    assert runner.invoke(args=["rebuild-state", "--check"]).exit_code == 1
    result = runner.invoke(args=["init-db"])
    assert "Kept the state of 1 tasks" in result.output
    assert db.session.get(TaskState, task.id) is not None


def test_changing_a_threshold_recomputes_every_kept_state(make):
    today = clock.today()
    task = make.task(starts_on=(today - timedelta(days=10)).isoformat(),
                     due_on=(today + timedelta(days=10)).isoformat())
    make.entry(task, 40, today)  # planned 50, actual 40: 10 points behind
    assert db.session.get(TaskState, task.id).status == "on_track"
    settings_service.update(make.actor(), {"ledger.lagging_points": "10"})
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(TaskState, task.id).status == "lagging"
    assert task_states.check(today) == []


def test_the_ledger_reads_kept_rows_for_today_and_the_records_for_a_past_date(make):
    today = clock.today()
    user = make.user("office")
    task = make.task(starts_on=(today - timedelta(days=30)).isoformat(),
                     due_on=(today + timedelta(days=10)).isoformat())
    make.entry(task, 90, today - timedelta(days=2))
    filters = ledger_view.LedgerFilter()
    assert task_states.usable_for(today)
    assert ledger_view.status_counts(user, filters, today)["on_track"] == 1
    past = today - timedelta(days=25)
    assert not task_states.usable_for(past)
    # 25 days ago nothing was reported yet and planned was 12 %: on track
    row = db.session.execute(ledger_view.query(user, filters, past)).one()
    assert (row.actual_percent, row.status) == (0, "on_track")
    row = db.session.execute(ledger_view.query(user, filters, today)).one()
    assert (row.actual_percent, row.status) == (90, "on_track")
    # a row that has not been refreshed makes the readers compute from the records
    db.session.execute(update(TaskState).values(changes_on=today, status="overdue"))
    db.session.commit()
    assert not task_states.usable_for(today)
    assert db.session.execute(ledger_view.query(user, filters, today)).one().status == "on_track"
