"""Bulletins on hand-built ledgers (docs/domain.md "Supervision cadence": 月通报)."""

import io
from datetime import UTC, date, datetime

import pytest
from docx import Document

from tracker.extensions import db
from tracker.services import bulletins, periods, settings, supervision
from tracker.services.audit import Actor
from tracker.services.errors import Conflict, InvalidInput

NOW = datetime(2026, 11, 1, 0, 0, tzinfo=UTC)


def act() -> Actor:
    return Actor(None, "127.0.0.1", NOW)


@pytest.mark.parametrize(("kind", "key", "start", "end"), [
    ("monthly", "2026-10", date(2026, 10, 1), date(2026, 10, 31)),
    ("monthly", "2026-02", date(2026, 2, 1), date(2026, 2, 28)),
    ("quarterly", "2026-Q4", date(2026, 10, 1), date(2026, 12, 31)),
    ("half_year", "2026-H1", date(2026, 1, 1), date(2026, 6, 30)),
])
def test_periods(kind, key, start, end):
    period = periods.parse_period(kind, key)
    assert (period.starts_on, period.ends_on) == (start, end)


@pytest.mark.parametrize(("kind", "key", "field"), [
    ("monthly", "2026-13", "period"), ("monthly", "2026-Q1", "period"), ("weekly", "2026-10", "kind"),
    ("quarterly", "2026-Q5", "period"), ("half_year", None, "period")])
def test_bad_periods(kind, key, field):
    with pytest.raises(InvalidInput) as caught:
        periods.parse_period(kind, key)
    assert field in caught.value.fields


def test_previous_period():
    assert periods.previous_period("monthly", date(2026, 11, 1)).key == "2026-10"
    assert periods.previous_period("monthly", date(2026, 1, 1)).key == "2025-12"
    assert periods.previous_period("quarterly", date(2026, 10, 1)).key == "2026-Q3"
    assert periods.previous_period("quarterly", date(2026, 2, 1)).key == "2025-Q4"
    assert periods.previous_period("half_year", date(2026, 7, 1)).key == "2026-H1"
    assert periods.previous_period("half_year", date(2026, 3, 1)).key == "2025-H2"


@pytest.mark.parametrize(("kind", "today", "key"), [
    ("monthly", date(2026, 11, 1), "2026-11"), ("monthly", date(2026, 12, 31), "2026-12"),
    ("quarterly", date(2026, 9, 30), "2026-Q3"), ("quarterly", date(2026, 10, 1), "2026-Q4"),
    ("half_year", date(2026, 6, 30), "2026-H1"), ("half_year", date(2026, 7, 1), "2026-H2"),
])
def test_current_period_holds_today(kind, today, key):
    period = periods.current_period(kind, today)
    assert period.key == key and period.starts_on <= today <= period.ends_on
    assert periods.previous_period(kind, today).ends_on < period.starts_on


@pytest.fixture
def october(make):
    """Three schools with tasks due in October 2026, worked out by hand."""
    plan = make.plan()
    measure = make.measure(plan)
    a, b, c, d = (make.unit(name=n) for n in ("甲校", "乙校", "丙校", "丁校"))
    # 甲校: 2 due, both done by the due date and verified → 100 %, commended (a single
    # milestone on the due date keeps planned at 0 before it: never lagging)
    for due in ("2026-10-10", "2026-10-20"):
        task = make.task(measure, a, starts_on="2026-10-01", due_on=due,
                         milestones=[{"on": due, "percent": 100}])
        make.entry(task, 100, due)
        task.verified_on = date(2026, 10, 25)
    # 乙校: 2 due; one done late (100 % after the due date), one on time → 50 %
    late = make.task(measure, b, starts_on="2026-10-01", due_on="2026-10-10", title="迟交任务")
    make.entry(late, 100, "2026-10-12")
    late.verified_on = date(2026, 10, 13)
    ok = make.task(measure, b, starts_on="2026-10-01", due_on="2026-10-15")
    make.entry(ok, 100, "2026-10-15")
    ok.verified_on = date(2026, 10, 16)
    # 丙校: 2 due; one on time, one never reported: lagging in every round (planned 34, 58, 86
    # vs 0) and overdue at the month's end → 50 %, tied with 乙校
    good = make.task(measure, c, starts_on="2026-10-01", due_on="2026-10-05")
    make.entry(good, 100, "2026-10-05")
    good.verified_on = date(2026, 10, 6)
    make.task(measure, c, starts_on="2026-10-01", due_on="2026-10-30", title="逾期任务")
    # 丁校: nothing due in October; a task lagging in the rounds of 10-12 and 10-19, not in 10-05
    slow = make.task(measure, d, starts_on="2026-10-01", due_on="2026-12-31", title="缓慢任务")
    make.entry(slow, 0, "2026-10-04")
    make.entry(slow, 40, "2026-10-10")  # on 10-11: planned 10, actual 40 → on track
    make.entry(slow, 0, "2026-10-17")   # corrected down: 18 and 26 points behind on 10-18, 10-25
    db.session.commit()
    for week in (date(2026, 10, 5), date(2026, 10, 12), date(2026, 10, 19)):
        supervision.start_round(act(), week)
    db.session.commit()
    return a, b, c, d


def test_monthly_tables_by_hand(october):
    a, b, c, d = october
    bulletin, created = bulletins.generate(act(), "monthly", "2026-10")
    assert created
    table = {row["unit"]: (row["due"], row["on_time"], row["on_time_rate"], row["rank"])
             for row in bulletin.content["unit_table"]}
    assert table == {"甲校": (2, 2, 1.0, 1), "乙校": (2, 1, 0.5, 2), "丙校": (2, 1, 0.5, 2),
                     "丁校": (0, 0, None, None)}
    assert bulletin.content["commended"] == [{"unit_id": a.id, "unit": "甲校"}]
    criticised = {(r["unit"], r["task"], r["reason"]) for r in bulletin.content["criticised"]}
    assert criticised == {("丙校", "逾期任务", "overdue"), ("丙校", "逾期任务", "lagging_repeatedly"),
                          ("丁校", "缓慢任务", "lagging_repeatedly")}


def test_one_lagging_round_is_not_enough(make):
    task = make.task(starts_on="2026-10-01", due_on="2026-12-31", title="偶尔落后")
    make.entry(task, 0, "2026-10-17")
    make.entry(task, 60, "2026-10-20")
    for week in (date(2026, 10, 12), date(2026, 10, 19)):
        supervision.start_round(act(), week)
    bulletin, _ = bulletins.generate(act(), "monthly", "2026-10")
    assert bulletin.content["criticised"] == []


def test_lifecycle_numbering_and_freezing(october):
    first, _ = bulletins.generate(act(), "monthly", "2026-10")
    again, created = bulletins.generate(act(), "monthly", "2026-10")
    assert again.id == first.id and not created
    with pytest.raises(Conflict):
        bulletins.publish(act(), first, 2026)
    bulletins.edit(act(), first, title="2026年10月作风整顿工作通报", narrative="十月份总体推进有序。")
    bulletins.approve(act(), first)
    with pytest.raises(Conflict):
        bulletins.edit(act(), first, title="改", narrative="")
    bulletins.publish(act(), first, 2026)
    assert first.doc_number == "〔2026〕1号"
    quarter, _ = bulletins.generate(act(), "quarterly", "2026-Q3")
    bulletins.approve(act(), quarter)
    bulletins.publish(act(), quarter, 2026)
    assert quarter.doc_number == "〔2026〕2号"
    with pytest.raises(Conflict):
        bulletins.regenerate(act(), first)
    public = bulletins.public_version(first)
    assert public["number"] == "教作整通〔2026〕1号"  # shown with the prefix of the settings
    text = str(public)
    assert "display_name" not in text and "user" not in text


def test_docx_reads_back(october):
    bulletin, _ = bulletins.generate(act(), "monthly", "2026-10")
    bulletins.approve(act(), bulletin)
    bulletins.publish(act(), bulletin, 2026)
    settings.update(act(), {"documents.organ_name": "区教育局作风整顿办公室"})
    document = Document(io.BytesIO(bulletins.to_docx(bulletin)))
    paragraphs = [p.text for p in document.paragraphs]
    assert bulletin.title in paragraphs and "教作整通〔2026〕1号" in paragraphs
    assert paragraphs[0] == "区教育局作风整顿办公室" and "区教育局作风整顿办公室" in paragraphs[4:]
    rows = [[c.text for c in row.cells] for row in document.tables[0].rows]
    assert rows[0] == ["排名", "单位", "到期任务", "按期完成", "按期完成率"]
    assert rows[1] == ["1", "甲校", "2", "2", "100.0%"]
    criticised = {tuple(c.text for c in row.cells) for row in document.tables[1].rows}
    assert ("丙校", "逾期任务", "逾期未完成") in criticised and ("丁校", "缓慢任务", "多次进展缓慢") in criticised


@pytest.mark.parametrize(("kind", "key", "now", "allowed"), [
    ("monthly", "2026-10", datetime(2026, 10, 31, 15, 0, tzinfo=UTC), False),  # 10-31 23:00 in Shanghai
    ("monthly", "2026-10", datetime(2026, 10, 31, 16, 0, tzinfo=UTC), True),   # 11-01 00:00 in Shanghai
    ("quarterly", "2026-Q4", datetime(2026, 11, 28, 2, 0, tzinfo=UTC), False),
    ("half_year", "2026-H1", datetime(2026, 7, 1, 2, 0, tzinfo=UTC), True),
    ("monthly", "2027-01", datetime(2026, 11, 28, 2, 0, tzinfo=UTC), False),
])
def test_a_bulletin_reports_only_a_period_that_has_ended(app, kind, key, now, allowed):
    actor = Actor(None, "127.0.0.1", now)
    if allowed:
        assert bulletins.generate(actor, kind, key)[1]
    else:
        with pytest.raises(InvalidInput) as refused:
            bulletins.generate(actor, kind, key)
        assert "period" in refused.value.fields
