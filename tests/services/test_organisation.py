"""Units, users, settings, the audit trail, the organisation import and the demo."""

import io
from datetime import UTC, datetime

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from tracker import demo
from tracker.extensions import db
from tracker.models import AuditEvent, Setting, Unit, User
from tracker.services import org_import, organisation, settings
from tracker.services.audit import Actor
from tracker.services.errors import Conflict, InvalidInput, RowErrors

NOW = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def actor(user=None) -> Actor:
    return Actor(user, "192.0.2.7", NOW)


def test_create_unit_is_audited_in_the_same_transaction(app):
    unit = organisation.create_unit(actor(), name="城关小学", kind="school", peer_group="primary_schools")
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.object_type == "units"))
    assert event.action == "unit.create" and event.object_id == unit.id and event.ip == "192.0.2.7"
    assert event.changes["name"] == [None, "城关小学"]
    db.session.rollback()
    assert count(Unit) == 0 and count(AuditEvent) == 0


def test_update_records_old_and_new_values(make):
    unit = make.unit(name="甲")
    organisation.update_unit(actor(), unit, name="乙", peer_group="middle_schools")
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "unit.update")).one()
    assert event.changes == {"name": ["甲", "乙"], "peer_group": ["primary_schools", "middle_schools"]}


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"name": "", "kind": "school"}, "name"),
        ({"name": "x" * 101, "kind": "school"}, "name"),
        ({"name": "a\x00b", "kind": "school"}, "name"),
        ({"name": "新单位", "kind": "zoo"}, "kind"),
        ({"name": "新单位", "kind": "school", "liaison_unit_id": 999}, "liaison_unit_id"),
        ({"name": "新单位", "kind": "school", "leader_user_id": 999}, "leader_user_id"),
    ],
)
def test_bad_unit_values_name_the_field(app, values, field):
    with pytest.raises(InvalidInput) as caught:
        organisation.create_unit(actor(), **values)
    assert field in caught.value.fields
    assert count(Unit) == 0


def test_unit_names_are_unique_and_liaison_must_be_a_department(make):
    school = make.unit(name="一中")
    with pytest.raises(InvalidInput) as caught:
        organisation.create_unit(actor(), name="一中", kind="school")
    assert "name" in caught.value.fields
    with pytest.raises(InvalidInput) as caught:
        organisation.create_unit(actor(), name="二中", kind="school", liaison_unit_id=school.id)
    assert "liaison_unit_id" in caught.value.fields


def test_leader_in_charge_must_be_a_leader(make):
    head = make.user("unit_head")
    with pytest.raises(InvalidInput) as caught:
        organisation.create_unit(actor(), name="二中", kind="school", leader_user_id=head.id)
    assert "leader_user_id" in caught.value.fields


def test_archive_instead_of_delete(make):
    unit = make.unit()
    organisation.set_unit_archived(actor(), unit, True)
    assert unit.is_archived
    assert unit.id not in [i for i, _ in organisation.unit_choices()]
    with pytest.raises(InvalidInput):
        organisation.create_user(actor(), username="newbie", password="long-enough",
                                 display_name="新人", role="unit_head", unit_id=unit.id)


def test_unit_roles_need_a_unit_and_usernames_are_unique(make):
    with pytest.raises(InvalidInput) as caught:
        organisation.create_user(actor(), username="abc", password="long-enough",
                                 display_name="某人", role="unit_head")
    assert "unit_id" in caught.value.fields
    make.user("office", username="Office1")
    with pytest.raises(InvalidInput) as caught:
        organisation.create_user(actor(), username="office1", password="long-enough",
                                 display_name="某人", role="office")
    assert "username" in caught.value.fields


def test_admin_cannot_lock_themselves_out(make):
    admin = make.user("admin")
    with pytest.raises(Conflict):
        organisation.set_user_active(actor(admin), admin, False)
    with pytest.raises(Conflict):
        organisation.update_user(actor(admin), admin, role="office")


def test_password_reset_lifts_lockout_and_is_audited_without_the_hash(make):
    user = make.user("office")
    user.locked_until, user.failed_logins = NOW, 3
    organisation.set_password(actor(), user, "another-pass")
    assert user.locked_until is None and user.failed_logins == 0
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "user.password")).one()
    assert "$" not in str(event.changes)


def test_settings_have_domain_defaults_and_validate(app):
    values = settings.values()
    assert values["ledger.lagging_points"] == 15
    assert values["complaints.reply_working_days"] == 5
    assert values["rules.dissent_percent"] == 20
    assert values["ratings.dimensions"] == ["精神状态", "工作作风", "任务落实"]
    with pytest.raises(InvalidInput) as caught:
        settings.update(actor(), {"ledger.lagging_points": "abc", "ledger.due_soon_days": "-1",
                                  "complaints.extra_holidays": "2026-13-01"})
    assert set(caught.value.fields) == {"ledger.lagging_points", "ledger.due_soon_days",
                                        "complaints.extra_holidays"}
    assert count(Setting) == 0
    changes = settings.update(actor(), {"ledger.lagging_points": "20",
                                        "complaints.extra_holidays": "2026-10-09\n2026-10-08"})
    assert changes["ledger.lagging_points"] == [15, 20]
    assert settings.get("ledger.lagging_points") == 20
    assert settings.get("complaints.extra_holidays") == ["2026-10-08", "2026-10-09"]
    assert settings.update(actor(), {"ledger.lagging_points": "20"}) == {}


def _workbook(units=(), users=()) -> io.BytesIO:
    book = Workbook()
    sheet = book.active
    sheet.title = org_import.UNIT_SHEET
    sheet.append(org_import.UNIT_HEADERS)
    for row in units:
        sheet.append(row)
    sheet = book.create_sheet(org_import.USER_SHEET)
    sheet.append(org_import.USER_HEADERS)
    for row in users:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    return buffer


def test_import_creates_units_then_users(make):
    make.unit(name="基础教育股", kind="department", peer_group="departments")
    make.user("leader", username="lijianguo")
    stream = _workbook(
        units=[("新华小学", "学校", "小学", "基础教育股", "lijianguo"),
               ("阳光幼儿园", "kindergarten", "幼儿园", None, None)],
        users=[("xh.head", "王校长", "单位负责人", "新华小学", "long-enough-1")],
    )
    assert org_import.import_organisation(actor(), stream) == {"units": 2, "users": 1}
    school = db.session.scalar(select(Unit).where(Unit.name == "新华小学"))
    assert school.peer_group == "primary_schools" and school.liaison_unit.name == "基础教育股"
    assert school.leader.username == "lijianguo"
    head = db.session.scalar(select(User).where(User.username == "xh.head"))
    assert head.unit_id == school.id and head.role == "unit_head"


def test_import_is_all_or_nothing_with_errors_by_row(app):
    stream = _workbook(
        units=[("新华小学", "学校", "小学", None, None), ("坏单位", "动物园", None, "不存在股", None)],
        users=[("ok.user", "某人", "单位负责人", "新华小学", "long-enough-1"),
               ("x", "某人", "局长", "无此单位", "short")],
    )
    with pytest.raises(RowErrors) as caught:
        org_import.import_organisation(actor(), stream)
    db.session.rollback()
    rows = {(p["sheet"], p["row"], p["column"]) for p in caught.value.rows}
    assert ("单位", 3, "类型") in rows and ("单位", 3, "包校股室") in rows
    assert ("用户", 3, "用户名") in rows and ("用户", 3, "角色") in rows
    assert ("用户", 3, "所属单位") in rows and ("用户", 3, "初始密码") in rows
    assert count(Unit) == 0 and count(User) == 0


def test_import_rejects_files_that_are_not_workbooks(app):
    with pytest.raises(InvalidInput) as caught:
        org_import.import_organisation(actor(), io.BytesIO(b"%PDF-1.4 not a workbook"))
    assert "file" in caught.value.fields


def test_template_has_the_chinese_headers():
    book = load_workbook(io.BytesIO(org_import.template()))
    assert [c.value for c in book["单位"][1]] == list(org_import.UNIT_HEADERS)
    assert [c.value for c in book["用户"][1]] == list(org_import.USER_HEADERS)


def test_demo_loads_once(app):
    assert demo.load(actor()) is True
    db.session.commit()
    counts = (count(Unit), count(User), count(AuditEvent))
    assert demo.load(actor()) is False
    assert (count(Unit), count(User), count(AuditEvent)) == counts
    kinds = dict(db.session.execute(select(Unit.kind, func.count()).group_by(Unit.kind)).all())
    assert kinds["department"] >= 10 and kinds["working_group"] == 7
    assert kinds["school"] + kinds["kindergarten"] >= 24
    roles = {role for role, in db.session.execute(select(User.role).distinct())}
    assert roles == {"admin", "office", "leader", "unit_head", "unit_member"}
    schools = db.session.scalars(select(Unit).where(Unit.kind.in_(["school", "kindergarten"])))
    assert all(s.liaison_unit_id and s.leader_user_id and s.head_user_id for s in schools)
    assert [row[0] for row in demo.logins()][:3] == ["admin", "office", "wangdongshu"]
