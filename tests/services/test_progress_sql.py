"""The SQL form of the status rules agrees with the Python reference, on this database."""

import random
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from tracker.extensions import db
from tracker.models import LedgerEntry, Milestone, Task
from tracker.services import progress


def test_sql_and_python_agree_on_random_tasks(make):
    rng = random.Random(20261121)
    measure = make.measure()
    unit = make.unit()
    base = date(2026, 9, 1)
    for _ in range(60):
        starts = base + timedelta(days=rng.randint(0, 40))
        due = starts + timedelta(days=rng.randint(0, 45))
        milestones = []
        if rng.random() < 0.4 and (due - starts).days >= 3:
            days = sorted(rng.sample(range((due - starts).days + 1), k=min(3, (due - starts).days)))
            percents = sorted(rng.sample(range(5, 101), k=len(days)))
            milestones = [{"on": (starts + timedelta(days=x)).isoformat(), "percent": p}
                          for x, p in zip(days, percents, strict=True)]
        task = make.task(measure, unit, starts_on=starts.isoformat(), due_on=due.isoformat(),
                         milestones=milestones)
        made = [make.entry(task, rng.choice([0, 10, 35, 50, 60, 85, 100]),
                           starts + timedelta(days=rng.randint(-3, 50)))
                for _ in range(rng.randint(0, 5))]
        if made and rng.random() < 0.4:
            # a correction of any entry, on any day: the superseded one no longer counts
            wrong = rng.choice(made)
            db.session.add(LedgerEntry(task_id=task.id, percent=rng.choice([0, 45, 100]), narrative="更正",
                                       reported_on=starts + timedelta(days=rng.randint(-3, 50)),
                                       created_at=datetime.now(UTC), supersedes_id=wrong.id))
            db.session.commit()
        if rng.random() < 0.15:
            task.verified_on = due + timedelta(days=rng.randint(-5, 5))
            db.session.commit()

    thresholds = progress.Thresholds()
    tasks = db.session.scalars(select(Task)).all()
    for as_of in [base + timedelta(days=n) for n in range(0, 100, 3)]:
        # LATERAL (one probe for the latest entry) is PostgreSQL's; SQLite reads it twice
        view = progress.progress_subquery(as_of, thresholds,
                                          lateral=db.engine.dialect.name == "postgresql")
        from_sql = {row.task_id: (row.planned_percent, row.actual_percent, row.status, row.light)
                    for row in db.session.execute(select(view))}
        for task in tasks:
            entries = progress.counting(db.session.execute(
                select(LedgerEntry.reported_on, LedgerEntry.id, LedgerEntry.percent,
                       LedgerEntry.supersedes_id).where(LedgerEntry.task_id == task.id)).all())
            milestones = db.session.execute(select(Milestone.on, Milestone.percent)
                                            .where(Milestone.task_id == task.id)).all()
            expected = progress.task_progress(
                starts_on=task.starts_on, due_on=task.due_on, milestones=[tuple(m) for m in milestones],
                entries=entries, verified_on=task.verified_on, as_of=as_of)
            assert from_sql[task.id] == (expected.planned, expected.actual, expected.status,
                                         expected.light), (task.id, as_of)
