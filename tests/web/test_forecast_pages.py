"""The task page says when the task will be done at its recent pace, and marks 预计逾期 early."""

from __future__ import annotations

from datetime import timedelta

from tracker import clock


def test_the_task_page_projects_completion_and_warns_before_the_task_lags(client, login, make):
    today = clock.today()
    school = make.unit()
    measure = make.measure(make.plan())
    slow = make.task(measure, school, title="进度偏慢的任务", starts_on=today - timedelta(days=20),
                     due_on=today + timedelta(days=20))
    make.entry(slow, 40, today - timedelta(days=1))  # 40 % in 19 days: 29 more days, due in 20
    brisk = make.task(measure, school, title="进度正常的任务", starts_on=today - timedelta(days=20),
                      due_on=today + timedelta(days=20))
    make.entry(brisk, 95, today - timedelta(days=1))
    login(make.user("office"))

    page = client.get(f"/tasks/{slow.id}").get_data(as_text=True)
    assert "预计逾期" in page and (today + timedelta(days=28)).isoformat() in page
    page = client.get(f"/tasks/{brisk.id}").get_data(as_text=True)
    assert "预计逾期" not in page and (today).isoformat() in page


def test_the_ledger_lists_the_tasks_projected_late(client, login, make):
    today = clock.today()
    school, measure = make.unit(), make.measure(make.plan())
    tasks = {}
    for title, percent in (("进度偏慢的任务", 40), ("进度正常的任务", 95)):
        tasks[title] = make.task(measure, school, title=title, starts_on=today - timedelta(days=20),
                                 due_on=today + timedelta(days=20))
        make.entry(tasks[title], percent, today - timedelta(days=1))
    login(make.user("office"))
    page = client.get("/ledger?projected=late").get_data(as_text=True)
    assert "进度偏慢的任务" in page and "进度正常的任务" not in page
    assert "进度正常的任务" in client.get("/ledger").get_data(as_text=True)
