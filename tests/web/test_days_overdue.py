"""逾期N天 is counted one way (progress.days_overdue) wherever a page shows it."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.factories import notice_input
from tests.web.test_bad_input import english
from tracker import clock
from tracker.extensions import db
from tracker.services import notices


@pytest.mark.parametrize(("lang", "shown"), [("zh_CN", "逾期5天"), ("en", "5 days overdue")])
def test_the_task_and_the_notice_show_the_same_count(client, login, make, lang, shown):
    school = make.unit(name="实验小学")
    office = make.user("office")
    today = clock.today()
    task = make.task(unit=school, starts_on=(today - timedelta(days=40)).isoformat(),
                     due_on=(today - timedelta(days=5)).isoformat())
    on_time = make.task(unit=school, starts_on=(today - timedelta(days=10)).isoformat(),
                        due_on=today.isoformat())
    notice = notices.issue(make.actor(office), notice_input(
        unit_id=school.id, source_type="inspection", problems="脱岗", requirements="整改",
        due_on=today + timedelta(days=7)))
    notice.due_on = today - timedelta(days=5)
    db.session.commit()
    login(office)
    if lang == "en":
        english(client)
    for url in (f"/tasks/{task.id}", f"/notices/{notice.id}"):
        page = client.get(url).get_data(as_text=True)
        assert 'data-testid="days-overdue"' in page and shown in page, url
    page = client.get(f"/tasks/{on_time.id}").get_data(as_text=True)  # due today: not overdue
    assert 'data-testid="days-overdue"' not in page
