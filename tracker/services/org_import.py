"""Import units and users from the .xlsx template: all rows or none."""

from __future__ import annotations

from typing import IO, Any

from flask_babel import gettext as _
from sqlalchemy import select

from tracker.extensions import db
from tracker.models import PeerGroup, Role, Unit, UnitKind, User
from tracker.services import audit, organisation, spreadsheets
from tracker.services.errors import InvalidInput, RowErrors

UNIT_SHEET, USER_SHEET = "单位", "用户"
UNIT_HEADERS = ("单位名称", "类型", "同类组", "包校股室", "分管领导用户名")
USER_HEADERS = ("用户名", "姓名", "角色", "所属单位", "初始密码")
UNIT_COLUMNS = dict(zip(("name", "kind", "peer_group", "liaison_unit_id", "leader_user_id"),
                        UNIT_HEADERS, strict=True))
USER_COLUMNS = dict(zip(("username", "display_name", "role", "unit_id", "password"),
                        USER_HEADERS, strict=True))
# the Chinese terms the workbook uses, to the codes
KIND_NAMES = {kind.zh: kind.value for kind in UnitKind}
ROLE_NAMES = {role.zh: role.value for role in Role}
PEER_GROUP_NAMES = {group.zh: group.value for group in PeerGroup}


def template() -> bytes:
    """Return the import template with one example row per sheet."""
    return spreadsheets.write_workbook([
        (UNIT_SHEET, UNIT_HEADERS, [("示例小学", "学校", "小学", "基础教育股", "")]),
        (USER_SHEET, USER_HEADERS, [("zhangsan", "张三", "单位负责人", "示例小学", "请改为初始密码")]),
        ("说明", ("项目", "可填写的值"), [
            ("类型", "、".join(KIND_NAMES)),
            ("角色", "、".join(ROLE_NAMES)),
            ("同类组", "、".join(PEER_GROUP_NAMES) + "，或自定义名称"),
            ("包校股室", "已有的或本表前面各行中的股室名称，可空"),
            ("所属单位", "已有的或“单位”表中的单位名称；单位负责人和工作人员必填"),
            ("初始密码", "至少8位；用户首次登录后应自行修改"),
        ]),
    ])


def _unit_id_by_name(name: Any, field: str, errors: dict[str, str]) -> int | None:
    if name is None:
        return None
    unit_id = db.session.scalar(select(Unit.id).where(Unit.name == str(name)))
    if unit_id is None:
        errors[field] = _("No unit named “%(name)s”.", name=str(name)[:100])
    return unit_id


def _create(create, check, actor: audit.Actor, values: dict, lookup_errors: dict) -> None:
    """Create one row's record, or raise InvalidInput with every problem of the row."""
    if not lookup_errors:
        create(actor, **values)
        return
    try:
        check({k: v for k, v in values.items() if k not in lookup_errors})
    except InvalidInput as error:
        lookup_errors = {**error.fields, **lookup_errors}
    raise InvalidInput("", lookup_errors)


def _row_message(row: int, error: InvalidInput, columns: dict[str, str], sheet: str) -> list[dict]:
    fields = error.fields or {"": error.message}
    return [
        {"sheet": sheet, "row": row, "column": columns.get(field, ""),
         "message": f"{columns.get(field, field)}：{message}" if field else message}
        for field, message in fields.items()
    ]


def import_organisation(actor: audit.Actor, stream: IO[bytes]) -> dict[str, int]:
    """Create the units and users of a workbook; raise RowErrors and create nothing on any error."""
    unit_rows = spreadsheets.read_sheet(stream, UNIT_SHEET, UNIT_HEADERS, required=False)
    user_rows = spreadsheets.read_sheet(stream, USER_SHEET, USER_HEADERS, required=False)
    if not unit_rows and not user_rows:
        message = _("The workbook has no rows to import.")
        raise InvalidInput(message, {"file": message})
    problems: list[dict] = []
    created = {"units": 0, "users": 0}
    for number, cells in unit_rows:
        errors: dict[str, str] = {}
        kind = cells["类型"]
        values = {
            "name": spreadsheets.as_text(cells["单位名称"]),
            "kind": KIND_NAMES.get(kind, kind),
            "peer_group": PEER_GROUP_NAMES.get(cells["同类组"], spreadsheets.as_text(cells["同类组"])),
            "liaison_unit_id": _unit_id_by_name(cells["包校股室"], "liaison_unit_id", errors),
        }
        leader_name = cells["分管领导用户名"]
        if leader_name is not None:
            values["leader_user_id"] = db.session.scalar(
                select(User.id).where(User.username == str(leader_name)))
            if values["leader_user_id"] is None:
                errors["leader_user_id"] = _("No user named “%(name)s”.", name=str(leader_name)[:50])
        try:
            _create(organisation.create_unit, organisation.check_unit, actor, values, errors)
            created["units"] += 1
        except InvalidInput as error:
            problems += _row_message(number, error, UNIT_COLUMNS, UNIT_SHEET)
    for number, cells in user_rows:
        errors = {}
        role = cells["角色"]
        values = {
            "username": spreadsheets.as_text(cells["用户名"]),
            "display_name": spreadsheets.as_text(cells["姓名"]),
            "role": ROLE_NAMES.get(role, role),
            "unit_id": _unit_id_by_name(cells["所属单位"], "unit_id", errors),
            "password": spreadsheets.as_text(cells["初始密码"]),
        }
        try:
            _create(organisation.create_user, organisation.check_user, actor, values, errors)
            created["users"] += 1
        except InvalidInput as error:
            problems += _row_message(number, error, USER_COLUMNS, USER_SHEET)
    if problems:
        raise RowErrors(_("Nothing was imported: %(n)d problems found.", n=len(problems)), problems)
    return created
