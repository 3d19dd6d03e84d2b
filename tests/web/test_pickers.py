"""The type-ahead unit and person pickers, and the filters they feed (ledger, complaint queue, audit log).

The pickers answer a few matches within what the user may read; the filters
resolve a typed name without script, keep it in the pager links, and no page
carries a drop-down of every unit or person any more.
"""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import g

from tests.factories import complaint_input
from tests.querycount import count_queries
from tests.web.test_long_lists import add_complaints, english, link, shown
from tracker.extensions import db
from tracker.models import Unit


@pytest.fixture
def org(make):
    department = make.unit(name="教育股", kind="department", peer_group="departments")
    school = make.unit(name="第一小学", liaison_unit_id=department.id)
    other = make.unit(name="实验第一中学", peer_group="middle_schools")
    archived = make.unit(name="第一幼儿园（旧）", kind="kindergarten", peer_group="kindergartens")
    archived.is_archived = True
    db.session.commit()
    return {
        "department": department, "school": school, "other": other, "archived": archived,
        "office": make.user("office", display_name="办公室王"),
        "dept_head": make.user("unit_head", unit=department, display_name="股长李"),
        "school_head": make.user("unit_head", unit=school, display_name="校长张", username="zhang.head"),
        "school_member": make.user("unit_member", unit=school, display_name="张老师"),
        "other_head": make.user("unit_head", unit=other, display_name="校长张"),  # the same name
    }


def picked(client, path: str, **query) -> list[tuple[int, str]]:
    response = client.get(path, query_string=query)
    assert response.status_code == 200 and response.mimetype == "application/json", response.data[:300]
    return [(item["id"], item["label"]) for item in response.json["items"]]


def test_the_unit_picker_lists_prefix_matches_first_and_no_archived_unit(client, login, org):
    login(org["office"])
    assert picked(client, "/pickers/units", q="第一") == [
        (org["school"].id, "第一小学"), (org["other"].id, "实验第一中学")]
    answer = client.get("/pickers/units?q=").json
    assert {item["id"] for item in answer["items"]} == {
        org["department"].id, org["school"].id, org["other"].id}
    assert answer["more"] is False and answer["items"][0]["detail"]


def test_the_pickers_answer_at_most_twenty_and_say_there_are_more(client, login, make, org):
    for number in range(25):
        make.unit(name=f"批量学校{number:02d}")
    login(org["office"])
    answer = client.get("/pickers/units?q=批量").json
    assert len(answer["items"]) == 20 and answer["more"] is True
    assert [item["label"] for item in answer["items"]][:2] == ["批量学校00", "批量学校01"]


def test_a_unit_head_gets_only_the_units_and_people_the_policy_lets_them_read(client, login, org):
    login(org["school_head"])
    assert picked(client, "/pickers/units", q="") == [(org["school"].id, "第一小学")]
    people = picked(client, "/pickers/users", q="")
    assert {name for _id, name in people} == {"校长张", "张老师"}
    assert org["other_head"].id not in {ident for ident, _name in people}  # same name, other unit
    assert picked(client, "/pickers/users", q="", unit_id=org["other"].id) == []
    client.post("/logout")
    # a department also reads the schools it liaises for (包校股室)
    login(org["dept_head"])
    assert {name for _id, name in picked(client, "/pickers/units", q="")} == {"教育股", "第一小学"}
    assert {name for _id, name in picked(client, "/pickers/users", q="张")} == {"校长张", "张老师"}
    assert picked(client, "/pickers/users", q="张", unit_id=org["school"].id) == [
        (org["school_member"].id, "张老师"), (org["school_head"].id, "校长张")]  # the prefix first


def test_the_office_finds_anyone_by_name_or_username(client, login, org):
    login(org["office"])
    assert {ident for ident, _name in picked(client, "/pickers/users", q="校长张")} == {
        org["school_head"].id, org["other_head"].id}
    assert picked(client, "/pickers/users", q="zhang.head") == [(org["school_head"].id, "校长张")]
    assert picked(client, "/pickers/users", q="100%_") == []  # LIKE wildcards are plain text


def test_anonymous_is_sent_to_log_in(client, org):
    for path in ("/pickers/units?q=第一", "/pickers/users?q=张"):
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize(("path", "query", "field"), [
    ("/pickers/units", {"q": "第一\x00"}, "q"),
    ("/pickers/users", {"q": "\x00"}, "q"),
    ("/pickers/users", {"q": "a\x07b"}, "q"),
    ("/pickers/users", {"unit_id": "abc"}, "unit_id"),
    ("/pickers/users", {"unit_id": "²"}, "unit_id"),
    ("/pickers/users", {"unit_id": "9" * 30}, "unit_id"),
    ("/pickers/users", {"unit_id": "-1"}, "unit_id"),
])
def test_bad_picker_input_is_400_naming_the_field(client, login, org, path, query, field):
    login(org["office"])
    response = client.get(path, query_string=query)
    assert response.status_code == 400 and response.json["error"]["fields"].keys() == {field}


def test_long_or_hostile_text_is_cut_and_harmless(client, login, org):
    login(org["office"])
    for text in ("第" * 5000, "<script>alert(1)</script>", "' OR 1=1 --", "%", "_"):
        response = client.get("/pickers/units", query_string={"q": text})
        assert response.status_code == 200 and response.json["items"] == [], text


# The filters --------------------------------------------------------------------------


@pytest.fixture
def ledger_world(make, org):
    plan = make.plan()
    measure = make.measure(plan)
    tasks = {
        "school": make.task(measure, unit=org["school"], title="一小任务", owner_user_id=org["school_head"].id),
        "other": make.task(measure, unit=org["other"], title="实验任务", owner_user_id=org["other_head"].id),
        "dept": make.task(measure, unit=org["department"], title="股室任务", owner_user_id=org["dept_head"].id),
    }
    return {"plan": plan, "tasks": tasks}


def titles(page: str) -> set[str]:
    return set(re.findall(r'<a href="/tasks/\d+[^"]*">([^<]+)</a>', page))


def test_the_ledger_carries_no_list_of_every_unit_or_owner(client, login, make, org, ledger_world):
    for number in range(30):
        make.unit(name=f"无关学校{number:02d}")
    login(org["office"])
    other_id = org["other"].id
    db.session.close()
    g.pop("_login_user", None)
    with count_queries() as statements:
        page = client.get("/ledger").get_data(as_text=True)
    assert "无关学校" not in page and f'<option value="{other_id}"' not in page
    assert not [s for s in statements if "DISTINCT" in s.upper()]  # no SELECT DISTINCT owners
    assert 'data-picker="/pickers/units"' in page and 'data-picker="/pickers/users"' in page
    assert "js/picker.js" in page


def test_the_ledger_filters_by_a_typed_name_and_keeps_it_in_the_links(client, login, org, ledger_world):
    login(org["office"])
    page = client.get("/ledger?unit=第一小学&unit_id=").get_data(as_text=True)
    assert titles(page) == {"一小任务"}
    assert f'name="unit_id" value="{org["school"].id}"' in page  # resolved: the id goes along
    by_part = client.get("/ledger?unit=教育&unit_id=").get_data(as_text=True)  # the only unit holding it
    assert titles(by_part) == {"股室任务"}
    # the owner picker: the same display name in two units is ambiguous, the username is not
    ambiguous = client.get("/ledger?owner=校长张&owner_user_id=").get_data(as_text=True)
    assert titles(ambiguous) == set() and "is-invalid" in ambiguous
    assert titles(client.get("/ledger?owner=zhang.head").get_data(as_text=True)) == {"一小任务"}
    chosen = client.get(f"/ledger?owner=校长张&owner_user_id={org['other_head'].id}").get_data(as_text=True)
    assert titles(chosen) == {"实验任务"}
    # a link with the id alone shows the name in the box
    linked = client.get(f"/ledger?unit_id={org['other'].id}").get_data(as_text=True)
    assert titles(linked) == {"实验任务"} and 'value="实验第一中学"' in linked
    # typed over the chosen unit's name: the new name wins
    retyped = client.get(f"/ledger?unit=第一小学&unit_id={org['other'].id}").get_data(as_text=True)
    assert titles(retyped) == {"一小任务"}
    assert titles(client.get("/ledger?unit=&unit_id=" + str(org["other"].id)).get_data(as_text=True)) == {
        "一小任务", "实验任务", "股室任务"}  # the box emptied: no unit filter
    assert titles(client.get("/ledger?unit=无此单位").get_data(as_text=True)) == set()


def test_the_ledger_pager_and_export_keep_the_picked_unit(client, login, make, org, ledger_world):
    measure = ledger_world["tasks"]["school"].measure
    for index in range(3):
        make.task(measure, unit=org["school"], title=f"一小分页{index}")
    login(org["office"])
    page = client.get("/ledger?unit=第一小学&per_page=2").get_data(as_text=True)
    nexts = [html.unescape(u) for u in re.findall(r'href="([^"]*page=2[^"]*)"', page)]
    assert nexts and parse_qs(urlsplit(nexts[0]).query)["unit"] == ["第一小学"]
    export = re.search(r'href="([^"]+)" data-testid="export"', page).group(1)
    assert parse_qs(urlsplit(html.unescape(export)).query)["unit"] == ["第一小学"]


def test_a_unit_head_cannot_reach_another_unit_by_typing_its_name(client, login, org, ledger_world):
    login(org["school_head"])
    assert titles(client.get("/ledger?unit=实验第一中学").get_data(as_text=True)) == set()
    assert titles(client.get("/ledger?owner=校长张").get_data(as_text=True)) == {"一小任务"}
    page = client.get(f"/ledger?owner_user_id={org['other_head'].id}").get_data(as_text=True)
    box = re.search(r'<input[^>]*name="owner"[^>]*>', page).group(0)
    assert 'value=""' in box and titles(page) == set()  # another unit's person: never named


@pytest.mark.parametrize("query", ["unit=%00", "owner=a%07b", "unit_id=²", "owner_user_id=abc",
                                   "unit=" + "长" * 500, "unit=%25&owner=_"])
def test_bad_filter_text_shows_the_ledger_never_a_500(client, login, org, ledger_world, query):
    login(org["office"])
    assert client.get(f"/ledger?{query}").status_code == 200
    assert client.get(f"/ledger.xlsx?{query}").status_code == 200


def test_the_complaint_queue_filters_by_a_typed_unit_and_keeps_it_in_the_links(client, login, org):
    school = db.session.get(Unit, org["school"].id)
    mine = add_complaints(55, unit=school, status="dispatched")
    add_complaints(5, unit=db.session.get(Unit, org["other"].id), status="dispatched", start=100)
    login(org["office"])
    english(client)
    first = client.get("/complaints/?unit=第一小学").get_data(as_text=True)
    assert len(shown(first)) == 50 and set(shown(first)) <= set(mine) and "55 in all" in first
    assert "实验第一中学" not in first  # no drop-down of every unit, in the filter or the dispatch
    older = link(first, "next")
    assert parse_qs(urlsplit(older).query)["unit"] == ["第一小学"]
    assert set(shown(client.get(older).get_data(as_text=True))) <= set(mine)
    nothing = client.get("/complaints/?unit=无此单位").get_data(as_text=True)
    assert shown(nothing) == [] and "is-invalid" in nothing


def test_the_audit_log_filters_by_a_typed_person(client, login, make, org):
    make.user("unit_member", unit=org["school"], display_name="被改的人")
    login(org["office"])
    page = client.get("/admin/audit?user=办公室王").get_data(as_text=True)
    # no drop-down of every person; the kinds of object are a short fixed list
    filters = re.sub(r'<select[^>]*name="object_type".*?</select>', "", page.split('name="user"')[1],
                     flags=re.S)
    assert "<option" not in filters.split("</form>")[0]
    assert client.get("/admin/audit?user=%00").status_code == 200
    assert client.get("/admin/audit?user=无此人").status_code == 200


def test_the_queue_dispatches_to_a_typed_unit(client, login, org, make):
    from tracker.models.complaints import Complaint
    from tracker.services import complaints

    office = make.actor(org["office"])
    first = complaints.submit(office, complaint_input(category="other", description="第一件投诉内容"))
    second = complaints.submit(office, complaint_input(category="other", description="第二件投诉内容"))
    for c in (first, second):
        complaints.accept(office, c)
    db.session.commit()
    ids = [str(first.id), str(second.id)]
    login(org["office"])
    for unit_id in ("9" * 30, "-1", "abc"):  # never a 500, nothing dispatched
        assert client.post("/complaints/bulk-dispatch", data={"ids": ids, "unit_id": unit_id}).status_code == 303
    refused = client.post("/complaints/bulk-dispatch", data={"ids": ids, "unit": "第一", "unit_id": ""})
    assert refused.status_code == 303  # two units hold "第一": nothing is dispatched
    assert {db.session.get(Complaint, int(i)).status for i in ids} == {"accepted"}
    done = client.post("/complaints/bulk-dispatch", data={"ids": ids, "unit": "第一小学", "unit_id": ""})
    assert done.status_code == 302
    db.session.expire_all()
    assert {db.session.get(Complaint, int(i)).dispatched_unit_id for i in ids} == {org["school"].id}


def test_the_pickers_run_the_same_statements_for_2_and_20_matches(client, login, make, org):
    def measure(path: str) -> int:
        db.session.close()
        g.pop("_login_user", None)
        with count_queries() as statements:
            assert client.get(path).status_code == 200
        return len(statements)

    login(org["dept_head"])
    few = [measure("/pickers/units?q=第"), measure("/pickers/users?q=张")]
    for number in range(20):
        school = make.unit(name=f"第{number}附属学校", liaison_unit_id=org["department"].id)
        make.user("unit_member", unit=school, display_name=f"张{number}")
    assert [measure("/pickers/units?q=第"), measure("/pickers/users?q=张")] == few


def test_a_unit_id_beyond_the_databases_integers_is_refused_not_a_500(client, login, org, make):
    from tracker.services import complaints

    office = make.actor(org["office"])
    complaint = complaints.submit(office, complaint_input(category="other", description="一件待下派的投诉"))
    complaints.accept(office, complaint)
    db.session.commit()
    login(org["office"])
    response = client.post(f"/complaints/{complaint.id}/dispatch", data={"unit_id": "9" * 30})
    assert response.status_code == 400
    form = client.post("/public/complaints/new", data={
        "category": "other", "unit_id": "9" * 30, "description": "一件投诉的内容"},
        content_type="multipart/form-data")
    assert form.status_code == 400
