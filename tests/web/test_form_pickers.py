"""The pickers of the task form and the marks of required fields.

Units are offered grouped by kind (departments, schools, working groups) and by
pinyin, with no default owner unit; the owner person is one of the chosen
unit's people (/pickers/users?unit_id=), and an owner outside it is refused,
naming the field, on the form and through the API. Every required field's
label carries the mark, and a missing value reads the same everywhere.
"""

from __future__ import annotations

import re

import pytest

from tracker.extensions import db
from tracker.models import Task
from tracker.services.collation import name_key


@pytest.fixture
def org(make):
    units = {
        "dept_b": make.unit(name="办公室股", kind="department", peer_group="departments"),
        "dept_a": make.unit(name="安全股", kind="department", peer_group="departments"),
        "school_y": make.unit(name="一中", kind="school", peer_group="high_schools"),
        "school_s": make.unit(name="实验小学", kind="school", peer_group="primary_schools"),
        "group": make.unit(name="督导工作组", kind="working_group"),
    }
    people = {
        "office": make.user("office", display_name="办公室王"),
        "head_a": make.user("unit_head", unit=units["dept_a"], display_name="股长安"),
        "member_a": make.user("unit_member", unit=units["dept_a"], display_name="科员周"),
        "head_y": make.user("unit_head", unit=units["school_y"], display_name="校长杨"),
    }
    plan = make.plan()
    measure = make.measure(plan)
    db.session.commit()
    return {**units, **people, "plan": plan, "measure": measure, "make": make}


def test_names_sort_by_pinyin():
    names = ["一中", "实验小学", "安全股", "办公室股", "督导工作组"]
    assert sorted(names, key=name_key) == ["安全股", "办公室股", "督导工作组", "实验小学", "一中"]


def test_the_unit_picker_groups_by_kind_and_sorts_by_pinyin(client, login, org):
    login(org["office"])
    items = client.get("/pickers/units?q=").json["items"]
    assert [item["label"] for item in items] == ["安全股", "办公室股", "实验小学", "一中", "督导工作组"]
    assert [item["group"] for item in items] == ["股室", "股室", "学校", "学校", "工作组"]


def _select(page: str, name: str) -> str:
    match = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', page, re.S)
    assert match, name
    return match.group(0)


def test_the_task_form_groups_units_and_has_no_default_owner_unit(client, login, org):
    login(org["office"])
    page = client.get(f"/plans/{org['plan'].id}/tasks/new").get_data(as_text=True)
    owner_unit = _select(page, "owner_unit_id")
    assert re.findall(r'<optgroup label="([^"]+)"', owner_unit) == ["股室", "学校", "工作组"]
    assert re.findall(r"<option[^>]*>([^<]+)</option>", owner_unit)[1:] == [
        "安全股", "办公室股", "实验小学", "一中", "督导工作组"]
    assert re.findall(r"<option([^>]*)\bselected\b([^>]*)>", owner_unit) in (
        [(" ", ' value=""')], [("", ' value=""')])  # only the empty choice
    co_units = _select(page, "co_unit_ids")
    assert "multiple" in co_units and 'data-unit-picker="many"' in co_units
    assert 'data-picker="/pickers/units"' in co_units
    assert 'data-owner-of="owner_unit_id"' in _select(page, "owner_user_id")
    assert "js/unit-picker.js" in page


def test_the_owner_picker_lists_the_chosen_units_people(client, login, org):
    login(org["office"])
    answer = client.get(f"/pickers/users?unit_id={org['dept_a'].id}").json
    assert [item["id"] for item in answer["items"]] == [org["head_a"].id, org["member_a"].id]
    page = client.get(f"/tasks/{_task(org).id}/edit").get_data(as_text=True)
    owners = re.findall(r'<option[^>]*value="(\d+)"', _select(page, "owner_user_id"))
    assert sorted(int(value) for value in owners if value != "0") == sorted(
        [org["head_a"].id, org["member_a"].id])


def _task(org) -> Task:
    return org["make"].task(org["measure"], unit=org["dept_a"])


def _form(org, **values) -> dict:
    form = {"measure_id": org["measure"].id, "title": "排查隐患", "standard": "形成台账",
            "owner_unit_id": org["dept_a"].id, "owner_user_id": "", "leader_user_id": "",
            "starts_on": "2026-10-01", "due_on": "2026-12-31", "weight": "1",
            "recurrence": "none", "milestones": ""}
    form.update(values)
    return form


def _field_errors(page: str, name: str) -> str:
    """The feedback shown under the field ``name``."""
    start = page.index(f'name="{name}"')
    return page[start:start + 1500]


def test_an_owner_outside_the_chosen_unit_is_refused_naming_the_field(client, login, org):
    login(org["office"])
    before = db.session.query(Task).count()
    response = client.post(f"/plans/{org['plan'].id}/tasks/new",
                           data=_form(org, owner_user_id=org["head_y"].id))
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "责任人须为责任单位的人员。" in _field_errors(page, "owner_user_id")
    db.session.rollback()
    assert db.session.query(Task).count() == before
    response = client.post(f"/plans/{org['plan'].id}/tasks/new",
                           data=_form(org, owner_user_id=org["member_a"].id))
    assert response.status_code == 302


def test_the_api_refuses_an_owner_outside_the_unit_naming_the_field(client, token, org):
    headers = token(org["office"])
    body = {"measure_id": org["measure"].id, "title": "排查", "standard": "台账",
            "owner_unit_id": org["dept_a"].id, "owner_user_id": org["head_y"].id,
            "starts_on": "2026-10-01", "due_on": "2026-12-31"}
    response = client.post("/api/v1/tasks", json=body, headers=headers)
    assert response.status_code == 400 and "owner_user_id" in response.json["error"]["fields"]


def test_the_owner_unit_is_required(client, login, org):
    login(org["office"])
    response = client.post(f"/plans/{org['plan'].id}/tasks/new", data=_form(org, owner_unit_id=""))
    assert response.status_code == 400
    assert "此项为必填项。" in _field_errors(response.get_data(as_text=True), "owner_unit_id")


LABEL = re.compile(r'<label[^>]*for="([^"]+)"[^>]*>(.*?)</label>', re.S)
MAIN_FORMS = ["/plans/new", "/plans/{plan}/tasks/new", "/plans/{plan}/measures/new",
              "/admin/units/new", "/admin/users/new", "/notices/new", "/account/password"]


def _required_ids(page: str) -> set[str]:
    """The ids of the fields the browser is told are required."""
    return {match.group(1) for match in re.finditer(r'<(?:input|select|textarea)[^>]*\bid="([^"]+)"[^>]*>',
                                                    page) if re.search(r"\brequired\b", match.group(0))
            and 'type="hidden"' not in match.group(0) and 'type="submit"' not in match.group(0)}


@pytest.mark.parametrize("path", MAIN_FORMS)
def test_every_required_fields_label_is_marked(app, client, login, org, make, path):
    admin = make.user("admin")
    login(admin if path.startswith("/admin") else org["office"])
    response = client.get(path.format(plan=org["plan"].id))
    page = response.get_data(as_text=True)
    assert response.status_code == 200, path
    labels = {ident: text for ident, text in LABEL.findall(page)}
    required = _required_ids(page)
    assert required, f"{path} has no required field"
    for ident in required:
        assert ident in labels, f"{path}: no label for {ident}"
        assert 'class="required-mark"' in labels[ident], f"{path}: {ident}'s label is not marked"
    for ident, text in labels.items():
        if 'class="required-mark"' in text:
            assert ident in required, f"{path}: {ident} is marked but not required"


def test_a_missing_value_reads_the_same_in_every_form(client, login, org):
    login(org["office"])
    page = client.post("/plans/new", data={"title": "", "year": ""}).get_data(as_text=True)
    assert page.count("此项为必填项。") == 2 and "该字段是必填字段" not in page
