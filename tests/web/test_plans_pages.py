"""The plan, ledger and task pages as each role uses them."""

import io
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from flask import g
from openpyxl import load_workbook
from sqlalchemy import func, select

from tests.querycount import count_queries
from tracker import clock
from tracker.extensions import db
from tracker.models import EvidenceFile, LedgerEntry, Measure, Milestone, Plan, Task, Unit

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
TODAY = datetime.now(ZoneInfo("Asia/Shanghai")).date()  # the app's "today"


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_office_builds_a_plan_through_the_pages(client, make, login):
    office = make.user("office")
    unit = make.unit()
    login(office)
    response = client.post("/plans/new", data={"title": "作风整顿实施方案", "year": "2026",
                                               "doc_number": "区教发〔2026〕8号", "issuing_unit_id": "0"})
    assert response.status_code == 302
    plan = db.session.scalar(select(Plan))
    response = client.post(f"/plans/{plan.id}/measures/new",
                           data={"heading": "build_system", "title": "构建工作责任体系"})
    assert response.status_code == 302
    measure = db.session.scalar(select(Measure))
    form = {"measure_id": str(measure.id), "title": "建立工作总台账", "standard": "覆盖全部任务",
            "owner_unit_id": str(unit.id), "owner_user_id": "0", "leader_user_id": "0",
            "starts_on": "2026-10-01", "due_on": "2026-10-31", "weight": "2",
            "recurrence": "none", "milestones": "2026-10-10 30% 梳理\n2026-10-20 60%"}
    # a milestone percent going down is refused and nothing is stored
    bad = client.post(f"/plans/{plan.id}/tasks/new", data={**form, "milestones": "2026-10-10 50%\n2026-10-20 40%"})
    assert bad.status_code == 400 and count(Task) == 0
    bad = client.post(f"/plans/{plan.id}/tasks/new", data={**form, "milestones": "tomorrow 50"})
    assert bad.status_code == 400 and count(Task) == 0
    response = client.post(f"/plans/{plan.id}/tasks/new", data=form)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    task = db.session.scalar(select(Task))
    assert [(m.on.day, m.percent, m.title) for m in db.session.scalars(select(Milestone))] == [
        (10, 30, "梳理"), (20, 60, None)]
    assert task.weight == 2
    response = client.post(f"/plans/{plan.id}/status", data={"status": "active"})
    assert db.session.get(Plan, plan.id).status == "active"
    page = client.get(f"/plans/{plan.id}?as_of=2026-10-20").get_data(as_text=True)
    assert "建立工作总台账" in page and "构建工作责任体系" in page


@pytest.fixture
def school_task(make):
    school = make.unit()
    plan = make.plan()
    task = make.task(make.measure(plan), school, starts_on=(TODAY - timedelta(days=20)).isoformat(),
                     due_on=(TODAY + timedelta(days=20)).isoformat())
    return school, task


def test_head_reports_with_evidence_and_office_verifies(client, make, login, school_task):
    school, task = school_task
    head = make.user("unit_head", unit=school)
    login(head)
    page = client.get("/my-tasks").get_data(as_text=True)
    assert task.title in page
    response = client.post(f"/tasks/{task.id}/report", data={
        "percent": "100", "narrative": "全部完成，附照片", "back": "mine",
        "files": [(io.BytesIO(PNG), "现场.png"), (io.BytesIO(PDF), "总结.pdf")]},
        content_type="multipart/form-data")
    assert response.status_code == 302 and response.location.endswith("/my-tasks")
    entry = db.session.scalar(select(LedgerEntry))
    assert entry.percent == 100 and entry.reported_on == clock.today()  # read now: the run may pass midnight
    files = db.session.scalars(select(EvidenceFile)).all()
    assert sorted(f.original_name for f in files) == ["总结.pdf", "现场.png"]
    download = client.get(f"/evidence/{files[0].id}")
    assert download.status_code == 200 and download.data in (PNG, PDF)
    download.close()
    assert client.post(f"/tasks/{task.id}/verify", data={"decision": "accept"}).status_code == 403
    client.post("/logout")

    login(make.user("office"))
    queue = client.get("/verification").get_data(as_text=True)
    assert task.title in queue
    response = client.post(f"/tasks/{task.id}/verify", data={"decision": "accept", "back": "queue"})
    assert response.status_code == 302
    assert db.session.get(Task, task.id).verified_on == clock.today()
    assert task.title not in client.get("/verification").get_data(as_text=True)


def test_a_file_that_lies_about_its_type_is_refused(client, make, login, school_task):
    school, task = school_task
    login(make.user("unit_head", unit=school))
    client.post(f"/tasks/{task.id}/report", data={
        "percent": "50", "narrative": "x", "files": [(io.BytesIO(b"MZ\x90\x00 not a pdf"), "病毒.pdf")]},
        content_type="multipart/form-data")
    assert count(LedgerEntry) == 0 and count(EvidenceFile) == 0


def test_other_units_see_neither_task_nor_evidence(client, make, login, school_task):
    school, task = school_task
    make.entry(task, 40, TODAY)
    head = make.user("unit_head", unit=school)
    login(head)
    client.post(f"/tasks/{task.id}/report", data={"percent": "50", "narrative": "x",
                "files": [(io.BytesIO(PNG), "a.png")]}, content_type="multipart/form-data")
    file_id = db.session.scalar(select(EvidenceFile.id))
    client.post("/logout")
    login(make.user("unit_head"))
    assert client.get(f"/tasks/{task.id}").status_code == 404
    assert client.get(f"/evidence/{file_id}").status_code == 404
    assert client.post(f"/tasks/{task.id}/report", data={"percent": "60", "narrative": "x"}).status_code == 404
    assert task.title not in client.get("/ledger").get_data(as_text=True)
    assert count(LedgerEntry) == 2


def test_unit_head_cannot_backdate(client, make, login, school_task):
    school, task = school_task
    login(make.user("unit_head", unit=school))
    client.post(f"/tasks/{task.id}/report", data={
        "percent": "30", "narrative": "补报", "reported_on": (TODAY - timedelta(days=5)).isoformat()})
    assert db.session.scalar(select(LedgerEntry.reported_on)) == clock.today()


def test_ledger_export_matches_the_page(client, make, login):
    plan = make.plan()
    measure = make.measure(plan)
    for index in range(3):
        task = make.task(measure, starts_on="2026-10-01", due_on="2026-10-31", title=f"任务{index}")
        make.entry(task, 30 * index, "2026-10-15")
    login(make.user("office"))
    page = client.get(f"/ledger?plan_id={plan.id}&as_of=2026-10-16").get_data(as_text=True)
    export = client.get(f"/ledger.xlsx?plan_id={plan.id}&as_of=2026-10-16")
    sheet = load_workbook(io.BytesIO(export.data))["工作总台账"]
    assert sheet["A2"].value == f"筛选条件：计划：{plan.title}"
    assert sheet.freeze_panes == "A4" and sheet.auto_filter.ref == "A3:O6"
    rows = list(sheet.iter_rows(min_row=4, values_only=True))
    assert [r[3] for r in rows] == ["任务0", "任务1", "任务2"]
    assert [(r[10], r[11], r[12]) for r in rows] == [(50, 0, "进展缓慢"), (50, 30, "进展缓慢"),
                                                     (50, 60, "正常")]
    for r in rows:
        assert r[3] in page
    colours = [sheet.cell(row=i, column=14).fill.fgColor.rgb for i in range(4, 7)]
    assert colours == ["FFFFEB9C", "FFFFEB9C", "FFC6EFCE"]


@pytest.mark.parametrize("path", ["/ledger?as_of=2026-10-16", "/my-tasks", "/verification",
                                  "/plans/{plan}?as_of=2026-10-16",
                                  "/api/v1/tasks?as_of=2026-10-16"])
def test_list_pages_run_a_fixed_number_of_queries(client, make, login, token, path):
    office = make.user("office")
    unit = make.unit()
    head = make.user("unit_head", unit=unit)
    plan = make.plan()
    measure = make.measure(plan)

    ids = {"measure": measure.id, "unit": unit.id, "head": head.id, "plan": plan.id}

    def add(n):
        for _ in range(n):
            task = make.task(db.session.get(Measure, ids["measure"]), db.session.get(Unit, ids["unit"]),
                             starts_on="2026-10-01", due_on="2026-12-31", owner_user_id=ids["head"])
            make.entry(task, 100, "2026-10-10")

    user = head if path == "/my-tasks" else office
    headers = token(user) if path.startswith("/api") else {}
    if not headers:
        login(user)
    url = path.format(plan=ids["plan"])

    def measure_request() -> list[str]:
        db.session.close()  # nothing cached from the test's own session …
        g.pop("_login_user", None)  # … nor in the app context the test shares with requests
        with count_queries() as statements:
            assert client.get(url, headers=headers).status_code == 200
        return statements

    add(2)
    few = measure_request()
    add(20)
    many = measure_request()
    assert len(many) == len(few), many


def test_the_ledger_pages_through_long_lists_keeping_the_filters(client, make, login):
    plan = make.plan()
    measure = make.measure(plan)
    for index in range(3):
        make.task(measure, title=f"分页任务{index}")
    login(make.user("office"))
    page = client.get(f"/ledger?plan_id={plan.id}&per_page=2")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert f"plan_id={plan.id}" in html and "page=2" in html
    second = client.get(f"/ledger?plan_id={plan.id}&per_page=2&page=2").get_data(as_text=True)
    assert "分页任务2" in second and "分页任务0" not in second


def test_my_tasks_come_twenty_to_a_page_most_urgent_first(client, make, login):
    school = make.unit()
    measure = make.measure(make.plan())
    for index in range(23):  # the last three overdue: red, first
        starts = TODAY - timedelta(days=30)
        due = TODAY - timedelta(days=1) if index >= 20 else TODAY + timedelta(days=20 + index)
        make.task(measure, school, title=f"本单位任务{index:02d}", starts_on=starts.isoformat(),
                  due_on=due.isoformat())
    login(make.user("unit_head", unit=school))
    first = client.get("/my-tasks").get_data(as_text=True)
    assert first.count('class="card mb-3 task-card') == 20
    assert first.index("本单位任务20") < first.index("本单位任务00")
    assert "23" in first and "?page=2" in first
    second = client.get("/my-tasks?page=2").get_data(as_text=True)
    assert second.count('class="card mb-3 task-card') == 3
    assert "本单位任务19" in second and "本单位任务00" not in second


# Bad values in the plan and task forms: the form again (400) marking the field, nothing stored.


@pytest.fixture
def task_form_world(client, make, login):
    from tests.web.test_bad_input import english

    office = make.user("office")
    plan = make.plan(status="draft")
    measure = make.measure(plan)
    other_measure = make.measure(make.plan(title="另一个方案"))
    unit, elsewhere, archived = make.unit(), make.unit(), make.unit()
    archived.is_archived = True
    stranger = make.user("unit_head", unit=elsewhere)
    db.session.commit()
    login(office)
    english(client)
    base = {"measure_id": str(measure.id), "title": "建立工作总台账", "standard": "覆盖全部任务",
            "owner_unit_id": str(unit.id), "owner_user_id": "0", "leader_user_id": "0",
            "starts_on": "2026-10-01", "due_on": "2026-10-31", "weight": "1",
            "recurrence": "none", "milestones": "2026-10-10 30%"}
    refs = {"other_measure": other_measure.id, "archived": archived.id, "stranger": stranger.id,
            "office": office.id}
    return plan, base, refs


TASK_FORM = {  # field → (value, the field marked, a fragment of its message)
    "measure_id": [("abc", "measure_id", None), ("999999", "measure_id", None),
                   ("{other_measure}", "measure_id", None)],
    "title": [("", "title", "required"), ("x" * 201, "title", None),
              ("a\x07b", "title", "not allowed")],
    "standard": [("", "standard", "required"), ("a\x00b", "standard", "not allowed")],
    "owner_unit_id": [("abc", "owner_unit_id", None), ("999999", "owner_unit_id", None),
                      ("{archived}", "owner_unit_id", None)],
    "owner_user_id": [("abc", "owner_user_id", None),
                      ("{stranger}", "owner_user_id", "work in the owner unit")],
    "leader_user_id": [("abc", "leader_user_id", None), ("{office}", "leader_user_id", None)],
    "co_unit_ids": [("abc", "co_unit_ids", None), ("999999", "co_unit_ids", None)],
    "starts_on": [("", "starts_on", None), ("2026-13-01", "starts_on", None),
                  ("tomorrow", "starts_on", None)],
    "due_on": [("2026-09-30", "due_on", "before the start"), ("31/10/2026", "due_on", None)],
    "weight": [("abc", "weight", None), ("0", "weight", None), ("101", "weight", None),
               ("nan", "weight", None), ("inf", "weight", None)],
    "category": [("x" * 51, "category", None)],
    "recurrence": [("yearly", "recurrence", None)],
    "milestones": [("tomorrow 50", "milestones", "Line 1"),
                   ("2026-11-10 50%", "milestones", "outside"),
                   ("2026-10-10 130%", "milestones", "0 to 100"),
                   ("2026-10-10 50%\n2026-10-10 60%", "milestones", "share the date"),
                   ("2026-10-10 50%\n2026-10-20 40%", "milestones", "increase")],
}


@pytest.mark.parametrize("field", TASK_FORM)
def test_task_forms_refuse_and_change_nothing(client, make, task_form_world, field):
    from tests.web.test_bad_input import send_each

    plan, base, refs = task_form_world
    assert send_each(client, f"/plans/{plan.id}/tasks/new", base, field, TASK_FORM[field],
                     refs) == []
    task = make.task(db.session.get(Measure, int(base["measure_id"])),
                     unit=db.session.get(Unit, int(base["owner_unit_id"])), title="原任务")
    assert send_each(client, f"/tasks/{task.id}/edit", base, field, TASK_FORM[field], refs) == []
    db.session.expire_all()
    task = db.session.get(Task, task.id)
    assert (task.title, task.due_on.isoformat(), task.weight, task.milestones) == (
        "原任务", "2026-10-31", 1.0, [])


PLAN_FORM = {
    "title": [("", "title", "required"), ("x" * 201, "title", None), ("a\x07b", "title", "not allowed")],
    "year": [("", "year", None), ("abc", "year", None), ("1999", "year", None), ("2101", "year", None),
             ("2026.5", "year", None)],
    "doc_number": [("x" * 101, "doc_number", None), ("a\x00b", "doc_number", "not allowed")],
    "issuing_unit_id": [("abc", "issuing_unit_id", None), ("999999", "issuing_unit_id", None)],
}


@pytest.mark.parametrize("field", PLAN_FORM)
def test_plan_forms_refuse_and_change_nothing(client, make, task_form_world, field):
    from tests.web.test_bad_input import send_each

    plan, _base, _refs = task_form_world
    base = {"title": "作风整顿实施方案", "year": "2026", "doc_number": "", "issuing_unit_id": "0"}
    assert send_each(client, "/plans/new", base, field, PLAN_FORM[field]) == []
    assert send_each(client, f"/plans/{plan.id}/edit", base, field, PLAN_FORM[field]) == []
    db.session.expire_all()
    assert db.session.get(Plan, plan.id).title == "深化机关作风整顿实施方案"
