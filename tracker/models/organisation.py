"""Units and the people who work in them (docs/domain.md "Organisation")."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.models.base import Base
from tracker.models.choices import Choice


class UnitKind(Choice):
    OFFICE = "office", _l("Bureau office"), "局办公室"
    DEPARTMENT = "department", _l("Department"), "股室"
    WORKING_GROUP = "working_group", _l("Working group"), "工作组"
    SCHOOL = "school", _l("School"), "学校"
    KINDERGARTEN = "kindergarten", _l("Kindergarten"), "幼儿园"


class Role(Choice):
    ADMIN = "admin", _l("System administrator"), "系统管理员"
    OFFICE = "office", _l("Rectification office"), "作风整顿办公室"
    LEADER = "leader", _l("Bureau leader"), "局领导"
    UNIT_HEAD = "unit_head", _l("Unit head"), "单位负责人"
    UNIT_MEMBER = "unit_member", _l("Unit staff"), "单位工作人员"


class PeerGroup(Choice):
    """The usual peer groups 同类组; a unit may also be given a group of the bureau's own naming."""

    BUREAU = "bureau", _l("Bureau organs"), "局机关"
    DEPARTMENTS = "departments", _l("Departments"), "股室"
    HIGH_SCHOOLS = "high_schools", _l("High schools"), "高中"
    MIDDLE_SCHOOLS = "middle_schools", _l("Middle schools"), "初中"
    PRIMARY_SCHOOLS = "primary_schools", _l("Primary schools"), "小学"
    KINDERGARTENS = "kindergartens", _l("Kindergartens"), "幼儿园"


UNIT_KINDS = UnitKind.codes()
# the units that are assessed, rated and ranked (and register innovations)
ASSESSED_KINDS = ("department", "school", "kindergarten")
ROLES = Role.codes()
UNIT_ROLES = ("unit_head", "unit_member")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Unit(Base):
    __tablename__ = "units"
    __table_args__ = (
        CheckConstraint(_in("kind", UNIT_KINDS), name="kind"),
        Index("ix_units_kind_peer_group", "kind", "peer_group"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    peer_group: Mapped[str | None] = mapped_column(String(50), index=True)
    liaison_unit_id: Mapped[int | None] = mapped_column(
        ForeignKey("units.id", ondelete="RESTRICT"), index=True
    )
    head_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="RESTRICT", use_alter=True)
    )
    leader_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="RESTRICT", use_alter=True), index=True
    )
    is_archived: Mapped[bool] = mapped_column(default=False, index=True)
    created_at: Mapped[datetime]

    liaison_unit: Mapped[Unit | None] = relationship(remote_side=[id], lazy="joined")
    head: Mapped[User | None] = relationship(foreign_keys=[head_user_id])
    leader: Mapped[User | None] = relationship(foreign_keys=[leader_user_id])

    def __repr__(self) -> str:
        return f"<Unit {self.id} {self.name}>"


class User(UserMixin, Base):
    __tablename__ = "users"
    __table_args__ = (CheckConstraint(_in("role", ROLES), name="role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(50), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    email: Mapped[str | None] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20), index=True)
    unit_id: Mapped[int | None] = mapped_column(
        ForeignKey("units.id", ondelete="RESTRICT"), index=True
    )
    password_hash: Mapped[str] = mapped_column(String(255))
    is_active: Mapped[bool] = mapped_column(default=True)
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None]
    last_login_at: Mapped[datetime | None]
    created_at: Mapped[datetime]

    unit: Mapped[Unit | None] = relationship(foreign_keys=[unit_id], lazy="joined")

    def __repr__(self) -> str:
        return f"<User {self.id} {self.username}>"
