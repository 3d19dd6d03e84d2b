"""The unit and person pickers of the remaining forms: the plan's issuing unit, the notice's and
the inspection's unit, the user's unit, the unit's liaison department and head, the office's
complaint form and the dispatch of a complaint.

Each is a select grouped by kind (people by unit) in pinyin order that js/unit-picker.js types
ahead in, asking /pickers/units or /pickers/users narrowed to what the select offers; a unit
outside the offered set is refused, the form shown again with the message under the field.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from tests.factories import complaint_input
from tracker.extensions import db
from tracker.models import Complaint, Inspection, Notice, Plan, Unit, User
from tracker.services import complaints, organisation


@pytest.fixture
def org(make):
    units = {
        "dept_b": make.unit(name="办公室股", kind="department", peer_group="departments"),
        "dept_a": make.unit(name="安全股", kind="department", peer_group="departments"),
        "school_y": make.unit(name="一中", kind="school", peer_group="high_schools"),
        "school_s": make.unit(name="实验小学", kind="school", peer_group="primary_schools"),
        "group": make.unit(name="督导工作组", kind="working_group"),
        "old": make.unit(name="撤并小学", kind="school"),
    }
    organisation.set_unit_archived(make.actor(), units["old"], True)
    people = {
        "admin": make.user("admin", display_name="管理员"),
        "office": make.user("office", display_name="办公室王"),
        "leader": make.user("leader", display_name="局领导赵"),
        "head_a": make.user("unit_head", unit=units["dept_a"], display_name="股长安"),
    }
    db.session.commit()
    return {**units, **people, "make": make}


def _select(page: str, name: str) -> str:
    match = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', page, re.S)
    assert match, name
    return match.group(0)


def _groups(select_html: str) -> list[str]:
    return re.findall(r'<optgroup label="([^"]+)"', select_html)


def _options(select_html: str) -> list[str]:
    return [
        label
        for value, label in re.findall(r'<option[^>]*value="([^"]*)"[^>]*>([^<]+)</option>', select_html)
        if value not in ("", "0")
    ]


UNITS_IN_ORDER = ["安全股", "办公室股", "实验小学", "一中", "督导工作组"]
# (page, field): every such field is a unit picker of the active units
UNIT_PICKERS = [
    ("/plans/new", "issuing_unit_id", "office"),
    ("/notices/new", "unit_id", "office"),
    ("/notices/inspections/new", "unit_id", "office"),
    ("/admin/users/new", "unit_id", "admin"),
    ("/complaints/new", "unit_id", "office"),
]


@pytest.mark.parametrize(("path", "name", "role"), UNIT_PICKERS)
def test_each_unit_field_is_a_grouped_picker_in_pinyin_order(client, login, org, path, name, role):
    login(org[role])
    page = client.get(path).get_data(as_text=True)
    field = _select(page, name)
    assert _groups(field) == ["股室", "学校", "工作组"]
    assert _options(field) == UNITS_IN_ORDER  # the archived unit is not offered
    assert 'data-unit-picker="one"' in field and 'data-picker="/pickers/units"' in field
    assert "js/unit-picker.js" in page


def test_the_dispatch_of_a_complaint_picks_its_unit_alike(client, login, org):
    complaint = _accepted(org)
    login(org["office"])
    page = client.get(f"/complaints/{complaint.id}").get_data(as_text=True)
    field = _select(page, "unit_id")
    assert _groups(field) == ["股室", "学校", "工作组"] and _options(field) == UNITS_IN_ORDER
    assert 'data-picker="/pickers/units"' in field and "js/unit-picker.js" in page


def test_the_unit_form_picks_a_department_and_a_person(client, login, org):
    login(org["admin"])
    page = client.get("/admin/units/new").get_data(as_text=True)
    liaison = _select(page, "liaison_unit_id")
    assert _options(liaison) == ["安全股", "办公室股"]
    assert 'data-picker="/pickers/units?kind=department"' in liaison
    head = _select(page, "head_user_id")
    assert 'data-picker="/pickers/users"' in head and 'data-unit-picker="one"' in head
    assert _groups(head)[:1] == ["安全股"]  # people grouped by their unit, units by kind and pinyin
    assert any(label.startswith("股长安") for label in _options(head))


def test_the_pickers_answer_only_the_kinds_and_roles_asked_for(client, login, org):
    login(org["admin"])
    answer = client.get("/pickers/units?kind=department").json
    assert [item["label"] for item in answer["items"]] == ["安全股", "办公室股"]
    answer = client.get("/pickers/units?kind=school&kind=working_group&q=").json
    assert [item["label"] for item in answer["items"]] == ["实验小学", "一中", "督导工作组"]
    answer = client.get("/pickers/users?role=leader").json
    assert [item["id"] for item in answer["items"]] == [org["leader"].id]
    bad = client.get("/pickers/units?kind=nonsense")
    assert bad.status_code == 400 and "kind" in bad.json["error"]["fields"]
    bad = client.get("/pickers/users?role=nonsense")
    assert bad.status_code == 400 and "role" in bad.json["error"]["fields"]


def _errors_under(page: str, name: str) -> str:
    """The text shown from the field ``name`` to the next field."""
    start = page.index(f'name="{name}"')
    return page[start : start + 4000]


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _accepted(org) -> Complaint:
    make = org["make"]
    complaint = complaints.submit(
        make.actor(org["office"]),
        complaint_input(category="business_tutoring", description="老师办班补课", channel="hotline"),
    )
    complaints.accept(make.actor(org["office"]), complaint)
    db.session.commit()
    return complaint


def _posts(org):
    """(role, path, form, field, model): a form that names a unit that is not offered."""
    old, missing = org["old"].id, 987654
    return [
        (
            "office",
            "/plans/new",
            {"title": "整治方案", "year": "2026", "issuing_unit_id": old},
            "issuing_unit_id",
            Plan,
        ),
        (
            "office",
            "/notices/new",
            {
                "unit_id": missing,
                "source_type": "inspection",
                "problems": "迟到",
                "requirements": "整改",
                "due_on": "2026-12-31",
            },
            "unit_id",
            Notice,
        ),
        (
            "office",
            "/notices/inspections/new",
            {
                "unit_id": old,
                "inspected_on": "2026-10-01",
                "place": "一楼",
                "inspectors": "王",
                "findings": "无",
            },
            "unit_id",
            Inspection,
        ),
        (
            "admin",
            "/admin/users/new",
            {
                "username": "new.user",
                "display_name": "新人",
                "role": "unit_head",
                "unit_id": missing,
                "password": "a-long-password",
            },
            "unit_id",
            User,
        ),
        (
            "admin",
            "/admin/units/new",
            {"name": "新学校", "kind": "school", "liaison_unit_id": org["school_y"].id},
            "liaison_unit_id",
            Unit,
        ),
        (
            "admin",
            "/admin/units/new",
            {"name": "新学校", "kind": "school", "head_user_id": missing},
            "head_user_id",
            Unit,
        ),
        (
            "office",
            "/complaints/new",
            {
                "channel": "hotline",
                "category": "business_tutoring",
                "description": "办班补课",
                "unit_id": old,
            },
            "unit_id",
            Complaint,
        ),
    ]


def test_a_unit_not_offered_is_refused_and_the_form_shown_again(client, login, org):
    for role, path, form, field, model in _posts(org):
        login(org[role])
        before = _count(model)
        response = client.post(path, data=form)
        page = response.get_data(as_text=True)
        assert response.status_code == 400, path
        expected = "请从列表中选择人员。" if field == "head_user_id" else "请从列表中选择单位。"
        assert expected in _errors_under(page, field), (path, field)
        assert 'data-picker="/pickers/' in _select(page, field), path  # still the picker
        db.session.rollback()
        assert _count(model) == before, path
        client.post("/logout")


def test_a_dispatch_to_a_unit_not_offered_is_refused_under_the_field(client, login, org):
    complaint = _accepted(org)
    login(org["office"])
    for unit_id in (org["old"].id, 987654, "abc"):
        response = client.post(f"/complaints/{complaint.id}/dispatch", data={"unit_id": unit_id})
        page = response.get_data(as_text=True)
        assert response.status_code == 400, unit_id
        assert 'class="invalid-feedback' in _errors_under(page, "unit_id"), unit_id
        db.session.refresh(complaint)
        assert complaint.status == "accepted" and complaint.dispatched_unit_id is None
    response = client.post(f"/complaints/{complaint.id}/dispatch", data={"unit_id": org["school_s"].id})
    assert response.status_code == 302
    db.session.refresh(complaint)
    assert complaint.dispatched_unit_id == org["school_s"].id


def test_the_innovation_form_picks_an_assessed_unit(client, login, org):
    from tracker.models import Innovation

    login(org["office"])
    page = client.get("/innovations/new").get_data(as_text=True)
    field = _select(page, "unit_id")
    assert _groups(field) == ["股室", "学校"]  # the assessed kinds: no working group
    assert _options(field) == ["安全股", "办公室股", "实验小学", "一中"]
    assert 'data-picker="/pickers/units?kind=department&amp;kind=school&amp;kind=kindergarten"' in field
    assert "js/unit-picker.js" in page
    before = _count(Innovation)
    for unit_id in (org["group"].id, org["old"].id, 987654):
        response = client.post(
            "/innovations/new", data={"unit_id": unit_id, "title": "一招鲜", "year": "2026"}
        )
        assert response.status_code == 400, unit_id
        assert 'class="invalid-feedback' in _errors_under(response.get_data(as_text=True), "unit_id")
        assert _count(Innovation) == before
