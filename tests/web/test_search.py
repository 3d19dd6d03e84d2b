"""The staff search box: a few matches of each kind, each scoped as its list page is."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.factories import complaint_input, notice_input
from tests.querycount import count_queries
from tracker import clock
from tracker.extensions import db
from tracker.services import complaints, notices

NAME, CONTACT = "欧阳淑芬", "13900007777"


@pytest.fixture
def org(make):
    department = make.unit(name="基础教育股", kind="department", peer_group="departments")
    school = make.unit(name="城南小学")
    other = make.unit(name="城北中学", peer_group="middle_schools")
    office = make.user("office")
    plan = make.plan(status="active")
    measure = make.measure(plan)
    own = make.task(measure, unit=school, title="规范课后服务收费")
    foreign = make.task(measure, unit=other, title="规范食堂采购流程")
    complaint = complaints.submit(make.actor(), complaint_input(
        category="other", subject="食堂饭菜变质", description="学生反映饭菜变质", unit_id=school.id,
        name=NAME, contact=CONTACT))
    complaints.accept(make.actor(office), complaint)
    complaints.dispatch(make.actor(office), complaint, school.id)
    notice = notices.issue(make.actor(office), notice_input(
        unit_id=school.id, source_type="inspection", problems="值班脱岗", requirements="整改",
        due_on=clock.today() + timedelta(days=7)))
    db.session.commit()
    return {"department": department, "school": school, "other": other, "office": office,
            "own": own, "foreign": foreign, "complaint": complaint, "notice": notice,
            "head": make.user("unit_head", unit=school),
            "leader": make.user("leader")}


def page(client, q):
    response = client.get("/search", query_string={"q": q})
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_the_office_finds_a_task_a_complaint_by_number_and_a_notice_by_its_doc_number(client, login, org):
    login(org["office"])
    body = page(client, "课后服务")
    assert f'/tasks/{org["own"].id}"' in body and "规范课后服务收费" in body
    complaint = org["complaint"]
    for q in (f"#{complaint.id}", complaint.tracking_code, complaint.tracking_code[:6].lower(), "饭菜变质"):
        assert f'/complaints/{complaint.id}"' in page(client, q), q
    notice = org["notice"]
    for q in (notice.doc_number, f"{notice.number}号", "值班脱岗", f"教作整改{notice.doc_number}"):  # with the prefix
        assert f'/notices/{notice.id}"' in page(client, q), q
    assert f'/units/{org["school"].id}/record"' in page(client, "城南")
    # the office may search by the complainant's name, but the results never show it
    body = page(client, NAME)
    assert f'/complaints/{complaint.id}"' in body and body.count(NAME) == 1  # the box's own value
    assert CONTACT not in body


def test_a_unit_head_finds_its_own_records_and_nothing_of_another_unit(client, login, org):
    login(org["head"])
    assert f'/tasks/{org["own"].id}"' in page(client, "课后服务")
    body = page(client, "规范")
    assert "规范课后服务收费" in body and "规范食堂采购流程" not in body
    assert "城北中学" not in page(client, "城北")
    assert f'/notices/{org["notice"].id}"' in page(client, org["notice"].doc_number)


def test_a_unit_head_never_finds_or_sees_a_complainant(client, login, org):
    login(org["head"])
    body = page(client, NAME)
    assert f'/complaints/{org["complaint"].id}"' not in body and 'data-testid="search-none"' in body
    assert f'/complaints/{org["complaint"].id}"' not in page(client, CONTACT)
    body = page(client, "饭菜变质")  # the complaint itself is the unit's to answer
    assert f'/complaints/{org["complaint"].id}"' in body
    assert NAME not in body and CONTACT not in body


def test_a_short_or_empty_query_gives_a_hint_and_a_long_one_is_cut(client, login, org):
    login(org["office"])
    for q in ("", "规", "  a "):
        assert 'data-testid="search-hint"' in page(client, q)
    body = page(client, "课后服务" + "x" * 200)
    assert 'data-testid="search-none"' in body and 'value="课后服务' + "x" * 96 + '"' in body
    assert 'data-testid="search-none"' in page(client, "100%_\\")  # wildcards are matched as text


def test_the_box_is_in_the_top_bar_for_staff_and_the_anonymous_are_sent_to_log_in(client, login, org):
    response = client.get("/search?q=规范")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    login(org["leader"])
    assert 'data-testid="search-box"' in client.get("/").get_data(as_text=True)


def test_more_than_ten_tasks_show_ten_and_link_the_ledger(client, login, make, org):
    measure = org["own"].measure
    for number in range(12):
        make.task(measure, unit=org["school"], title=f"批量任务{number:02d}")
    login(org["office"])
    body = page(client, "批量任务")
    assert body.count('href="/tasks/') == 10
    assert 'data-testid="search-more-tasks"' in body and "/ledger?q=" in body


def test_the_number_of_statements_does_not_grow_with_the_data(client, login, make, org):
    login(org["head"])
    page(client, "规范")  # warm up: settings and the like
    with count_queries() as few:
        page(client, "规范")
    measure = org["own"].measure
    for number in range(15):
        make.task(measure, unit=org["school"], title=f"规范作业{number:02d}")
        make.unit(name=f"规范学校{number:02d}")
    for number in range(3):
        complaint = complaints.submit(make.actor(), complaint_input(
            category="other", subject=f"规范收费{number}", description="家长反映学校乱收费问题", unit_id=org["school"].id))
        complaints.accept(make.actor(org["office"]), complaint)
        complaints.dispatch(make.actor(org["office"]), complaint, org["school"].id)
    db.session.commit()
    with count_queries() as many:
        page(client, "规范")
    assert len(many) == len(few), many
