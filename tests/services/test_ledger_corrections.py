"""Corrections of the latest ledger report, and the reason a lower progress must give."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from tracker import clock
from tracker.extensions import db
from tracker.models import AuditEvent, LedgerEntry, Task, TaskState
from tracker.services import integrity, ledger, ledger_drafts, progress, task_states
from tracker.services.audit import Actor
from tracker.services.errors import Conflict, InvalidInput


@pytest.fixture
def today(monkeypatch):
    day = date(2026, 10, 20)
    monkeypatch.setattr(clock, "today", lambda: day)
    return day


def act(user, day) -> Actor:
    return Actor(user, "127.0.0.1", datetime.combine(day, time(2, 0), tzinfo=UTC))


@pytest.fixture
def unit(make):
    school = make.unit()
    head = make.user("unit_head", unit=school)
    task = make.task(unit=school, starts_on="2026-10-01", due_on="2026-12-31")
    return task, head, make.user("unit_member", unit=school), make.user("office")


def _kept_equals_recomputation(task, day):
    db.session.expire_all()
    row = db.session.get(TaskState, task.id)
    expected = ledger.task_progress(task, day)
    assert (row.status, row.actual_percent, row.planned_percent) == (
        expected.status, expected.actual, expected.planned)
    assert task_states.check(day) == []
    view = progress.progress_subquery(day, progress.Thresholds.from_settings(),
                                      [Task.id == task.id])
    assert db.session.execute(select(view.c.actual_percent, view.c.status)).one() == (
        expected.actual, expected.status)


def test_a_correction_supersedes_the_latest_report_and_both_are_kept(unit, today, tmp_path):
    task, head, _member, _office = unit
    first = ledger.add_entry(act(head, today - timedelta(days=2)), task, percent=55, narrative="推进中",
                             upload_folder=tmp_path)
    db.session.commit()
    correction = ledger.correct(act(head, today), task, first, percent=50, narrative="实际完成一半",
                                reason="上次多报了", upload_folder=tmp_path)
    db.session.commit()
    assert (correction.supersedes_id, correction.reported_on, correction.reason) == (
        first.id, first.reported_on, "上次多报了")
    assert db.session.scalar(select(func.count()).select_from(LedgerEntry)) == 2  # nothing updated
    assert ledger.task_progress(task, today).actual == 50
    _kept_equals_recomputation(task, today)
    audit = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "ledger.correct"))
    assert audit.changes["supersedes_id"] == [None, first.id] and audit.changes["percent_before"] == [None, 55]
    # the superseded one may not be corrected again; the correction may
    with pytest.raises(Conflict):
        ledger.correct(act(head, today), task, first, percent=45, narrative="再改", reason="x",
                       upload_folder=tmp_path)
    db.session.rollback()
    again = ledger.correct(act(head, today), task, correction, percent=100, narrative="已全部完成",
                           upload_folder=tmp_path)
    db.session.commit()
    assert ledger.task_progress(task, today).status == "awaiting_verification"
    _kept_equals_recomputation(task, today)
    assert integrity.check(tmp_path, today).problems == []
    assert again.supersedes_id == correction.id


def test_lowering_the_progress_needs_a_reason(unit, today, tmp_path):
    task, head, _member, _office = unit
    ledger.add_entry(act(head, today - timedelta(days=1)), task, percent=55, narrative="推进中",
                     upload_folder=tmp_path)
    db.session.commit()
    with pytest.raises(InvalidInput) as refused:
        ledger.add_entry(act(head, today), task, percent=50, narrative="复核", upload_folder=tmp_path)
    assert set(refused.value.fields) == {"reason"} and "55%" in refused.value.fields["reason"]
    db.session.rollback()
    lower = ledger.add_entry(act(head, today), task, percent=50, narrative="复核", reason="复核后下调",
                             upload_folder=tmp_path)
    db.session.commit()
    assert lower.reason == "复核后下调"
    same = ledger.add_entry(act(head, today), task, percent=50, narrative="持平", upload_folder=tmp_path)
    assert same.reason is None


def test_a_members_lower_draft_needs_the_heads_reason_on_submission(unit, today, tmp_path):
    task, head, member, _office = unit
    ledger.add_entry(act(head, today - timedelta(days=1)), task, percent=60, narrative="推进中",
                     upload_folder=tmp_path)
    draft = ledger_drafts.create(act(member, today), task, percent=40, narrative="重新核算",
                                 upload_folder=tmp_path)
    db.session.commit()
    with pytest.raises(InvalidInput) as refused:
        ledger_drafts.submit(act(head, today), draft)
    assert set(refused.value.fields) == {"reason"}
    db.session.rollback()
    assert draft.status == "pending"
    entry = ledger_drafts.submit(act(head, today), draft, reason="核减重复统计")
    db.session.commit()
    assert (entry.percent, entry.reason) == (40, "核减重复统计")


def test_no_correction_once_the_office_has_acted(unit, today, tmp_path):
    task, head, _member, office = unit
    claim = ledger.add_entry(act(head, today - timedelta(days=1)), task, percent=100, narrative="完成",
                             upload_folder=tmp_path)
    db.session.commit()
    ledger.verify(act(office, today), task, accept=False, reason="佐证不足")
    db.session.commit()
    assert not ledger.correctable(task, claim)
    with pytest.raises(Conflict):
        ledger.correct(act(head, today), task, claim, percent=90, narrative="改", reason="x",
                       upload_folder=tmp_path)
    db.session.rollback()
    returned = ledger.latest_entry(task)
    assert returned.is_return and not ledger.correctable(task, returned)
