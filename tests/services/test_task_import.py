"""The responsibility-list import: all rows or none, every problem by row and column."""

import io
from datetime import UTC, date, datetime

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from tracker.extensions import db
from tracker.models import AuditEvent, Measure, Milestone, Task
from tracker.services import task_import
from tracker.services.audit import Actor
from tracker.services.errors import Conflict, InvalidInput, RowErrors

NOW = datetime(2026, 9, 20, 2, 0, tzinfo=UTC)
H = task_import.HEADERS


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def actor() -> Actor:
    return Actor(None, "192.0.2.8", NOW)


def workbook(*rows, headers=H, sheet=task_import.SHEET) -> io.BytesIO:
    book = Workbook()
    book.active.title = sheet
    book.active.append(list(headers))
    for row in rows:
        book.active.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    return buffer


def row(**changes):
    """A good row (as a tuple in the template's column order), with some cells changed."""
    values = {
        "重点措施类别": "建体系", "重点措施": "构建工作责任体系", "任务": "建立工作总台账",
        "标准": "台账覆盖全部重点工作，每周交账", "责任单位": "局党政办公室", "责任人": "dzb.head",
        "分管领导": "wangdongshu", "开始日期": "2026-10-01", "完成时限": "2026-10-31",
        "节点": None, "权重": None,
    }
    values.update(changes)
    return tuple(values[h] for h in H)


@pytest.fixture
def bureau(make):
    office = make.unit(name="局党政办公室", kind="office", peer_group="bureau")
    school = make.unit(name="城关小学", kind="school", peer_group="primary_schools")
    head = make.user("unit_head", unit=office, username="dzb.head", display_name="刘晓东")
    leader = make.user("leader", username="wangdongshu", display_name="王东塾")
    plan = make.plan(status="active")
    return {"office": office, "school": school, "head": head, "leader": leader, "plan": plan}


def nothing_created(before_events: int) -> bool:
    return (not db.session.new and count(Task) == 0 and count(Milestone) == 0
            and count(AuditEvent) == before_events)


def test_a_good_file_creates_measures_and_tasks(make, bureau):
    plan = bureau["plan"]
    existing = make.measure(plan, heading="build_system", title="构建工作责任体系")
    stream = workbook(
        row(节点="2026-10-15 30% 完成方案; 2026-10-31 100%", 权重=2),
        row(重点措施类别="强素质", 重点措施="深入开展“四个意识”专题教育", 任务="第一专题学习研讨",
            责任单位="局党政办公室", 责任人="刘晓东", 分管领导="王东塾",
            开始日期=datetime(2026, 10, 8), 完成时限=date(2026, 12, 20),
            节点="2026-10-20 25％ 第一专题；2026-11-10 50％\n2026年12月20日 100％ 第四专题", 权重="1.5"),
        row(重点措施类别="强素质", 重点措施="深入开展“四个意识”专题教育", 任务="第二专题学习研讨"),
    )
    assert task_import.import_tasks(actor(), plan, stream) == 3
    db.session.commit()
    measures = db.session.scalars(select(Measure).where(Measure.plan_id == plan.id)).all()
    assert len(measures) == 2  # the existing one was reused, the new one made once
    tasks = {t.title: t for t in db.session.scalars(select(Task))}
    ledger = tasks["建立工作总台账"]
    assert ledger.measure_id == existing.id and ledger.weight == 2.0
    assert ledger.owner_user_id == bureau["head"].id and ledger.leader_user_id == bureau["leader"].id
    assert [(m.on, m.percent, m.title) for m in ledger.milestones] == [
        (date(2026, 10, 15), 30, "完成方案"), (date(2026, 10, 31), 100, None)]
    study = tasks["第一专题学习研讨"]
    assert study.measure.heading == "strengthen_quality" and study.measure.plan_id == plan.id
    assert study.owner_unit_id == bureau["head"].unit_id and study.weight == 1.5
    assert (study.starts_on, study.due_on) == (date(2026, 10, 8), date(2026, 12, 20))
    assert [(m.on, m.percent, m.title) for m in study.milestones] == [
        (date(2026, 10, 20), 25, "第一专题"), (date(2026, 11, 10), 50, None),
        (date(2026, 12, 20), 100, "第四专题")]
    assert tasks["第二专题学习研讨"].measure_id == study.measure_id
    assert tasks["第二专题学习研讨"].weight == 1.0
    actions = [a for a, in db.session.execute(select(AuditEvent.action))]
    assert actions.count("task.create") == 3 and actions.count("measure.create") == 2


@pytest.mark.parametrize(
    ("changes", "column"),
    [
        ({"责任单位": "无此单位"}, "责任单位"),
        ({"责任单位": None}, "责任单位"),
        ({"责任人": "nobody"}, "责任人"),
        ({"分管领导": "查无此人"}, "分管领导"),
        ({"分管领导": "dzb.head"}, "分管领导"),  # not a leader
        ({"开始日期": "2026-13-01"}, "开始日期"),
        ({"完成时限": "下个月"}, "完成时限"),
        ({"开始日期": None}, "开始日期"),
        ({"完成时限": "2026-09-30"}, "完成时限"),  # due before start
        ({"节点": "2026-10-10 60%; 2026-10-20 40%"}, "节点"),  # percents not increasing
        ({"节点": "2026-11-15 100%"}, "节点"),  # after the due date
        ({"节点": "2026-09-15 10%"}, "节点"),  # before the start
        ({"节点": "十月中旬 30%"}, "节点"),
        ({"节点": "2026-10-15 三成"}, "节点"),
        ({"节点": "2026-10-15 130%"}, "节点"),
        ({"任务": None}, "任务"),
        ({"标准": None}, "标准"),
        ({"重点措施": None}, "重点措施"),
        ({"重点措施类别": "抓落实"}, "重点措施类别"),
        ({"重点措施类别": None}, "重点措施类别"),
        ({"权重": 0}, "权重"),
        ({"权重": -1}, "权重"),
        ({"权重": "很重要"}, "权重"),
        ({"权重": 101}, "权重"),
    ],
)
def test_each_bad_cell_is_reported_by_row_and_column(bureau, changes, column):
    events = count(AuditEvent)
    stream = workbook(row(任务="好的一行"), row(**changes))
    with pytest.raises(RowErrors) as caught:
        task_import.import_tasks(actor(), bureau["plan"], stream)
    problems = caught.value.rows
    assert [(p["sheet"], p["row"], p["column"]) for p in problems] == [("责任清单", 3, column)]
    assert problems[0]["message"].startswith(column + "：")
    assert nothing_created(events) and count(Measure) == 0
    db.session.rollback()
    assert count(Task) == 0 and count(Measure) == 0


def test_every_problem_of_every_row_is_listed(bureau):
    events = count(AuditEvent)
    stream = workbook(
        row(责任单位="无此单位", 权重="重", 开始日期="明天"),
        row(),
        row(重点措施类别="其他", 任务=None, 节点="2026-10-20 50%; 2026-10-10 80%"),
    )
    with pytest.raises(RowErrors) as caught:
        task_import.import_tasks(actor(), bureau["plan"], stream)
    found = {(p["row"], p["column"]) for p in caught.value.rows}
    assert found == {(2, "责任单位"), (2, "权重"), (2, "开始日期"),
                     (4, "重点措施类别"), (4, "任务"), (4, "节点")}
    assert "6" in caught.value.message
    assert nothing_created(events) and count(Measure) == 0


def test_a_name_shared_by_two_people_asks_for_the_username(make, bureau):
    make.user("unit_head", unit=bureau["school"], username="cgxx.head", display_name="刘晓东")
    with pytest.raises(RowErrors) as caught:
        task_import.import_tasks(actor(), bureau["plan"], workbook(row(责任人="刘晓东")))
    assert [(p["row"], p["column"]) for p in caught.value.rows] == [(2, "责任人")]
    assert "cgxx.head" not in caught.value.rows[0]["message"]
    # the username is unambiguous
    assert task_import.import_tasks(actor(), bureau["plan"], workbook(row(责任人="cgxx.head", 责任单位="城关小学"))) == 1


def test_a_closed_plan_takes_no_import(make, bureau):
    plan = make.plan(status="closed")
    with pytest.raises(Conflict):
        task_import.import_tasks(actor(), plan, workbook(row()))
    assert count(Task) == 0


def test_an_empty_workbook_or_a_wrong_file_names_the_file(bureau):
    for stream in (workbook(), io.BytesIO(b"not a workbook"),
                   workbook(row(), headers=H[:-1]), workbook(row(), sheet="Sheet1")):
        with pytest.raises(InvalidInput) as caught:
            task_import.import_tasks(actor(), bureau["plan"], stream)
        assert not isinstance(caught.value, RowErrors)
        assert "file" in caught.value.fields
    assert count(Task) == 0


def test_the_template_reads_back_and_imports_cleanly(bureau):
    content = task_import.template()
    book = load_workbook(io.BytesIO(content))
    assert [c.value for c in book["责任清单"][1]] == list(H)
    notes = {r[0].value for r in book["说明"].iter_rows(min_row=2)}
    assert set(H) <= notes
    assert task_import.import_tasks(actor(), bureau["plan"], io.BytesIO(content)) == 1
    task = db.session.scalar(select(Task))
    assert task.owner_unit.name == "局党政办公室" and task.leader.display_name == "王东塾"
    assert task.measure.heading == "build_system" and len(task.milestones) == 2
