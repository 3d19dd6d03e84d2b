"""Foresight 预警: the projected completion of a task from its own reports, case by case."""

from __future__ import annotations

from datetime import date

import pytest

from tracker.services.forecast import Basis, forecast

D = date.fromisoformat


def reports(*pairs: tuple[str, int]) -> list[tuple[date, int, int]]:
    return [(D(on), ident, percent) for ident, (on, percent) in enumerate(pairs, start=1)]


# starts 10-01, due 11-30, as of 11-01, window 28 days (base: the latest report on or before 10-04)
CASES = [
    # (name, entries, projected, late, basis)
    ("no reports yet", [], None, False, Basis.NO_REPORTS),
    ("one report: 30 % in 30 days → 70 more days", reports(("2026-10-31", 30)),
     "2027-01-09", True, Basis.PACE),
    ("one report: 60 % in 30 days → 20 more days", reports(("2026-10-31", 60)), "2026-11-20", False,
     Basis.PACE),
    ("one report ahead: 80 % in 30 days", reports(("2026-10-31", 80)), "2026-11-08", False, Basis.PACE),
    ("steady: the window's pace", reports(("2026-10-04", 10), ("2026-10-18", 40), ("2026-10-31", 64)),
     "2026-11-18", False, Basis.PACE),
    ("accelerating: the slow start before the window does not count",
     reports(("2026-10-02", 2), ("2026-10-04", 4), ("2026-10-31", 58)), "2026-11-21", False, Basis.PACE),
    ("slowing down: projected after the due date",
     reports(("2026-10-04", 40), ("2026-10-31", 52)), "2027-02-16", True, Basis.PACE),
    ("stalled: no gain in the window", reports(("2026-10-04", 50), ("2026-10-31", 50)),
     None, True, Basis.STALLED),
    ("lowered: a correction downwards is no gain", reports(("2026-10-04", 50), ("2026-10-20", 40)),
     None, True, Basis.STALLED),
    ("already done: the day it reached 100 %", reports(("2026-10-20", 100), ("2026-10-25", 100)),
     "2026-10-20", False, Basis.DONE),
    ("a report after the day asked does not count", reports(("2026-10-31", 80), ("2026-11-02", 100)),
     "2026-11-08", False, Basis.PACE),
]


@pytest.mark.parametrize(("name", "entries", "projected", "late", "basis"), CASES, ids=[c[0] for c in CASES])
def test_forecast(name, entries, projected, late, basis):
    result = forecast(starts_on=D("2026-10-01"), due_on=D("2026-11-30"), entries=entries,
                      as_of=D("2026-11-01"), window_days=28)
    assert (result.projected_on, result.late, result.basis) == (
        D(projected) if projected else None, late, basis)


@pytest.mark.parametrize(("as_of", "basis"), [("2026-09-30", Basis.NOT_STARTED), ("2026-12-01", Basis.OVERDUE)])
def test_outside_its_dates_a_task_has_no_forecast(as_of, basis):
    result = forecast(starts_on=D("2026-10-01"), due_on=D("2026-11-30"), entries=reports(("2026-09-30", 10)),
                      as_of=D(as_of))
    assert (result.projected_on, result.late, result.basis) == (None, False, basis)


def test_a_recurring_occurrence_is_paced_from_its_own_start():
    """Each occurrence of a recurring task is a task of its own: its pace starts on its own day."""
    march = forecast(starts_on=D("2027-03-01"), due_on=D("2027-03-31"), as_of=D("2027-03-11"),
                     entries=reports(("2027-03-11", 50)))
    assert (march.projected_on, march.late) == (D("2027-03-21"), False)


@pytest.mark.parametrize(("margin", "late"), [(0, True), (9, True), (10, False)])
def test_a_margin_forgives_a_few_days(margin, late):
    """50 % in 30 days: 30 more days, done 11-30 against a due date of 11-20."""
    result = forecast(starts_on=D("2026-10-01"), due_on=D("2026-11-20"), as_of=D("2026-11-01"),
                      entries=reports(("2026-10-31", 50)), margin_days=margin)
    assert result.projected_on == D("2026-11-30") and result.late is late


def test_the_ledger_filter_agrees_with_the_rule_on_random_histories(make):
    """SQL twin: the ledger's 预计逾期 filter lists exactly the tasks :func:`forecast` calls late —
    seeded random tasks and reports (none, one, several, stalled, lowered, done, corrected), as of
    several days and under two windows."""
    import random
    from datetime import UTC, datetime, timedelta

    from tracker.extensions import db
    from tracker.models import LedgerEntry
    from tracker.services import ledger_view, progress, settings
    from tracker.services.ledger_view import LedgerFilter

    rng = random.Random(20261128)
    unit, measure = make.unit(), make.measure(make.plan())
    office = make.user("office")
    tasks = []
    for _n in range(40):
        starts = D("2026-09-01") + timedelta(days=rng.randrange(0, 40))
        task = make.task(measure, unit, starts_on=starts, due_on=starts + timedelta(days=rng.randrange(10, 90)))
        percent, on = 0, starts
        for _r in range(rng.choice([0, 1, 2, 3, 5, 8])):
            on += timedelta(days=rng.randrange(0, 12))
            percent = max(0, min(100, percent + rng.choice([-5, 0, 0, 5, 10, 20, 35])))
            db.session.add(LedgerEntry(task_id=task.id, percent=percent, narrative="进展", reported_on=on,
                                       created_at=datetime.now(UTC)))
        tasks.append(task)
    boundary = make.task(measure, unit, starts_on="2026-10-01", due_on="2026-11-30")
    db.session.add(LedgerEntry(task_id=boundary.id, percent=50, narrative="进展", reported_on=D("2026-10-31"),
                               created_at=datetime.now(UTC)))  # done on 11-30 exactly: not late
    tasks.append(boundary)
    db.session.flush()
    corrected = db.session.scalars(db.select(LedgerEntry).limit(3)).all()
    for entry in corrected:  # a correction supersedes the entry it corrects
        db.session.add(LedgerEntry(task_id=entry.task_id, percent=max(0, entry.percent - 10), narrative="更正",
                                   reported_on=entry.reported_on, created_at=datetime.now(UTC),
                                   supersedes_id=entry.id, reason="填报有误"))
    db.session.commit()

    checked = 0
    for window in (14, 28):
        settings.update(make.actor(office), {"forecast.window_days": str(window)})
        for as_of in (D("2026-10-01"), D("2026-10-20"), D("2026-11-15"), D("2026-12-20")):
            listed = {task.id for task, *_rest in db.session.execute(
                ledger_view.query(office, LedgerFilter(projected_late=True), as_of))}
            expected = set()
            for task in tasks:
                entries = progress.counting(db.session.execute(
                    db.select(LedgerEntry.reported_on, LedgerEntry.id, LedgerEntry.percent,
                              LedgerEntry.supersedes_id).where(LedgerEntry.task_id == task.id)))
                if forecast(starts_on=task.starts_on, due_on=task.due_on, entries=entries, as_of=as_of,
                            window_days=window).late:
                    expected.add(task.id)
            assert listed == expected, (window, as_of)
            checked += len(expected)
    assert checked > 20  # the histories do reach late tasks


def test_the_bulletin_warns_of_the_tasks_projected_late_in_its_page_and_document(make):
    """风险预警: as of the period's last day, the tasks at risk, in the page's and the .docx's order."""
    import io
    from datetime import UTC, datetime

    from docx import Document

    from tracker.extensions import db
    from tracker.services import bulletins
    from tracker.services.audit import Actor

    school = make.unit(name="城关小学")
    measure = make.measure(make.plan())
    slow = make.task(measure, school, title="偏慢的任务", starts_on="2026-10-01", due_on="2026-11-30")
    make.entry(slow, 20, "2026-10-19")  # 20 % in 18 days: 72 more days → 2026-12-30
    brisk = make.task(measure, school, title="正常的任务", starts_on="2026-10-01", due_on="2026-11-30")
    make.entry(brisk, 60, "2026-10-30")
    bulletin, _created = bulletins.generate(Actor(None, "127.0.0.1", datetime(2026, 11, 2, tzinfo=UTC)),
                                            "monthly", "2026-10")
    db.session.commit()
    assert bulletin.content["risk"] == [{"task_id": slow.id, "task": "偏慢的任务", "unit_id": school.id,
                                         "unit": "城关小学", "due_on": "2026-11-30",
                                         "projected_on": "2026-12-30"}]
    headings = [heading for _key, heading in bulletins.outline(bulletin.content)]
    assert "五、风险预警：预计逾期的任务" in headings
    text = "\n".join(p.text for p in Document(io.BytesIO(bulletins.to_docx(bulletin))).paragraphs)
    assert "五、风险预警：预计逾期的任务" in text
