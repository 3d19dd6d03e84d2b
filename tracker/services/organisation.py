"""Units and users: create, change, archive (docs/domain.md "Organisation")."""

from __future__ import annotations

import re
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Select, false, func, or_, select
from werkzeug.security import check_password_hash

from tracker.extensions import db
from tracker.models import ROLES, UNIT_KINDS, UNIT_ROLES, PeerGroup, Unit, UnitKind, User
from tracker.services import audit, auth, validation
from tracker.services.collation import name_key
from tracker.services.errors import Conflict, InvalidInput

UNIT_FIELDS = ("name", "kind", "peer_group", "liaison_unit_id", "head_user_id", "leader_user_id")
USERNAME_PATTERN = re.compile(r"^[A-Za-z0-9_.-]{3,50}$")
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def peer_group_label(code: str | None) -> str:
    """The label of a usual peer group, or the bureau's own name of one; "—" for none."""
    return str(PeerGroup.label_of(code) or "—")


# Units ---------------------------------------------------------------------


def check_unit(values: dict[str, Any], unit: Unit | None = None) -> dict[str, Any]:
    """Validate unit fields (all for a new unit, the given ones for a change)."""
    errors: dict[str, str] = {}
    clean: dict[str, Any] = {}
    if unit is None or "name" in values:
        clean["name"] = validation.text(errors, "name", values.get("name"), max_length=100)
        if "name" not in errors:
            same = select(Unit.id).where(Unit.name == clean["name"])
            if unit is not None:
                same = same.where(Unit.id != unit.id)
            if db.session.scalar(same) is not None:
                errors["name"] = _("A unit with this name already exists.")
    if unit is None or "kind" in values:
        clean["kind"] = values.get("kind")
        if clean["kind"] not in UNIT_KINDS:
            errors["kind"] = _("Choose one of the listed kinds.")
    if "peer_group" in values:
        clean["peer_group"] = validation.text(
            errors, "peer_group", values.get("peer_group"), max_length=50, required=False
        )
    if "liaison_unit_id" in values:
        clean["liaison_unit_id"] = liaison_id = values["liaison_unit_id"]
        if liaison_id is not None:
            liaison = db.session.get(Unit, liaison_id)
            if liaison is None or liaison.is_archived:
                errors["liaison_unit_id"] = _("No such unit.")
            elif liaison.kind != "department":
                errors["liaison_unit_id"] = _("The liaison must be a department.")
            elif unit is not None and liaison.id == unit.id:
                errors["liaison_unit_id"] = _("A unit cannot liaise for itself.")
    for field, role in (("head_user_id", None), ("leader_user_id", "leader")):
        if field in values:
            clean[field] = user_id = values[field]
            if user_id is not None:
                person = db.session.get(User, user_id)
                if person is None or not person.is_active:
                    errors[field] = _("No such user.")
                elif role and person.role != role:
                    errors[field] = _("The leader in charge must have the leader role.")
    validation.raise_if(errors)
    return clean


def create_unit(actor: audit.Actor, **values: Any) -> Unit:
    """Create a unit."""
    clean = check_unit(values)
    unit = Unit(created_at=actor.now, is_archived=False, **clean)
    db.session.add(unit)
    db.session.flush()
    audit.record(actor, "unit.create", unit, {k: [None, v] for k, v in clean.items()})
    return unit


def update_unit(actor: audit.Actor, unit: Unit, **values: Any) -> Unit:
    """Change the given fields of a unit."""
    values = {k: v for k, v in values.items() if k in UNIT_FIELDS}
    clean = check_unit(values, unit)
    changes = audit.diff(unit, clean)
    for field, value in clean.items():
        setattr(unit, field, value)
    if changes:
        audit.record(actor, "unit.update", unit, changes)
    return unit


def set_unit_archived(actor: audit.Actor, unit: Unit, archived: bool) -> Unit:
    """Archive or restore a unit; units are never deleted once referenced."""
    if unit.is_archived != archived:
        audit.record(actor, "unit.archive" if archived else "unit.restore", unit,
                     {"is_archived": [unit.is_archived, archived]})
        unit.is_archived = archived
    return unit


def units_query(
    *, q: str | None = None, kind: str | None = None, peer_group: str | None = None,
    include_archived: bool = False,
) -> Select:
    """Build the filtered query of units, by kind then name."""
    stmt = select(Unit).order_by(Unit.kind, Unit.peer_group, Unit.name)
    if validation.holds_nul(q, peer_group):
        return stmt.where(false())
    if not include_archived:
        stmt = stmt.where(Unit.is_archived.is_(False))
    if kind:
        stmt = stmt.where(Unit.kind == kind)
    if peer_group:
        stmt = stmt.where(Unit.peer_group == peer_group)
    if q:
        stmt = stmt.where(Unit.name.contains(q.strip(), autoescape=True))
    return stmt


# the order of the kinds in a unit picker: departments, then schools, working groups last
PICKER_KINDS = ("office", "department", "school", "kindergarten", "working_group")


def kind_order(kind: str) -> int:
    return PICKER_KINDS.index(kind) if kind in PICKER_KINDS else len(PICKER_KINDS)


def unit_choices(*, kinds: tuple[str, ...] | None = None) -> list[tuple[int, str]]:
    """Return (id, name) of the active units, for pickers, by pinyin (services/collation.py)."""
    stmt = select(Unit.id, Unit.name).where(Unit.is_archived.is_(False))
    if kinds:
        stmt = stmt.where(Unit.kind.in_(kinds))
    return sorted((tuple(row) for row in db.session.execute(stmt)), key=lambda row: name_key(row[1]))


def grouped_unit_choices(*, kinds: tuple[str, ...] | None = None) -> dict[Any, list[tuple[int, str]]]:
    """The active units as ``{kind's label: [(id, name), …]}`` for a select's groups: the kinds
    in ``PICKER_KINDS`` order, each kind's units by pinyin."""
    stmt = select(Unit.id, Unit.name, Unit.kind).where(Unit.is_archived.is_(False))
    if kinds:
        stmt = stmt.where(Unit.kind.in_(kinds))
    rows = sorted(db.session.execute(stmt), key=lambda row: (kind_order(row.kind), name_key(row.name)))
    groups: dict[Any, list[tuple[int, str]]] = {}
    for row in rows:
        groups.setdefault(str(UnitKind.label_of(row.kind)), []).append((row.id, row.name))
    return groups


def peer_groups() -> list[str]:
    """Return the peer groups in use, with the known ones first."""
    used = db.session.scalars(select(Unit.peer_group).where(Unit.peer_group.is_not(None)).distinct())
    known = PeerGroup.codes()
    return sorted(set(used) | set(known), key=lambda g: (g not in known, g))


# Users ---------------------------------------------------------------------


def check_user(values: dict[str, Any], user: User | None = None) -> dict[str, Any]:
    errors: dict[str, str] = {}
    clean: dict[str, Any] = {}
    if user is None:
        username = values.get("username")
        if not isinstance(username, str) or not username.strip():
            errors["username"] = _("This field is required.")
        elif not USERNAME_PATTERN.match(username.strip()):
            errors["username"] = _("3 to 50 letters, digits, '.', '_' or '-'.")
        elif db.session.scalar(
            select(User.id).where(func.lower(User.username) == username.strip().lower())
        ):
            errors["username"] = _("This username is taken.")
        else:
            clean["username"] = username.strip()
    if user is None or "display_name" in values:
        clean["display_name"] = validation.text(
            errors, "display_name", values.get("display_name"), max_length=100
        )
    if user is None or "email" in values:
        email = validation.text(errors, "email", values.get("email"), max_length=200, required=False)
        if email and not EMAIL_PATTERN.match(email):
            errors["email"] = _("Enter an e-mail address like name@example.cn.")
        clean["email"] = email
    role = values.get("role", user.role if user else None)
    if user is None or "role" in values:
        if role not in ROLES:
            errors["role"] = _("Choose one of the listed roles.")
        clean["role"] = role
    unit_id = values.get("unit_id", user.unit_id if user else None)
    if user is None or "unit_id" in values:
        clean["unit_id"] = unit_id
        if unit_id is not None:
            unit = db.session.get(Unit, unit_id)
            if unit is None or unit.is_archived:
                errors["unit_id"] = _("No such unit.")
    if role in UNIT_ROLES and unit_id is None and "unit_id" not in errors:
        errors["unit_id"] = _("Unit heads and staff belong to a unit.")
    if user is None and not values.get("password_hash"):
        try:
            auth.check_new_password(values.get("password"))
        except InvalidInput as exc:
            errors.update(exc.fields)
    validation.raise_if(errors)
    return clean


def create_user(actor: audit.Actor, **values: Any) -> User:
    """Create an account (from a password, or a hash already made for bulk loads)."""
    clean = check_user(values)
    user = User(
        **clean,
        password_hash=values.get("password_hash") or auth.hash_password(values["password"]),
        is_active=True,
        failed_logins=0,
        created_at=actor.now,
    )
    db.session.add(user)
    db.session.flush()
    audit.record(actor, "user.create", user, {k: [None, v] for k, v in clean.items()})
    return user


def update_user(actor: audit.Actor, user: User, **values: Any) -> User:
    """Change a user's display name, role or unit."""
    values = {k: v for k, v in values.items() if k in ("display_name", "email", "role", "unit_id")}
    clean = check_user(values, user)
    if actor.user is not None and actor.user.id == user.id and clean.get("role", "admin") != "admin":
        raise Conflict(_("You cannot remove your own administrator role."))
    changes = audit.diff(user, clean)
    for field, value in clean.items():
        setattr(user, field, value)
    if changes:
        audit.record(actor, "user.update", user, changes)
    if "role" in changes or "unit_id" in changes:
        auth.end_everything(actor, user)  # what the old sessions may see has changed
    return user


def set_user_active(actor: audit.Actor, user: User, active: bool) -> User:
    """Deactivate or reactivate an account (accounts are never deleted)."""
    if actor.user is not None and actor.user.id == user.id and not active:
        raise Conflict(_("You cannot deactivate your own account."))
    if user.is_active != active:
        audit.record(actor, "user.activate" if active else "user.deactivate", user,
                     {"is_active": [user.is_active, active]})
        user.is_active = active
        if not active:
            auth.end_everything(actor, user)  # a reactivation revives none of them
    return user


def set_password(actor: audit.Actor, user: User, password: str) -> User:
    """Set a new password, lift any lockout and end every session and API token of the user."""
    auth.check_new_password(password)
    user.password_hash = auth.hash_password(password)
    auth.lift_locks(user)
    audit.record(actor, "user.password", user, {"password_hash": ["***", "***"]})
    auth.end_everything(actor, user)
    return user


def change_own_password(actor: audit.Actor, user: User, current: str, new: str) -> str:
    """Change one's own password after checking the current one.

    Every session and API token of the user ends, this one included; the key of
    the new session that replaces the one they changed it from is returned.
    """
    if not check_password_hash(user.password_hash, current or ""):
        validation.raise_if({"current_password": _("The current password is not correct.")})
    auth.check_new_password(new, "new_password")
    set_password(actor, user, new)
    return auth.start_session(actor, user)


def users_query(
    *, q: str | None = None, role: str | None = None, unit_id: int | None = None,
    include_inactive: bool = True,
) -> Select:
    """Build the filtered query of users."""
    stmt = select(User).order_by(User.role, User.username)
    if validation.holds_nul(q):
        return stmt.where(false())
    if role:
        stmt = stmt.where(User.role == role)
    if unit_id:
        stmt = stmt.where(User.unit_id == unit_id)
    if not include_inactive:
        stmt = stmt.where(User.is_active.is_(True))
    if q:
        pattern = q.strip()
        stmt = stmt.where(or_(User.username.contains(pattern, autoescape=True),
                              User.display_name.contains(pattern, autoescape=True)))
    return stmt


def user_choices(*, roles: tuple[str, ...] | None = None,
                 unit_id: int | None = None) -> list[tuple[int, str]]:
    """Return (id, "name（username）") of the active users, by pinyin; of one unit if ``unit_id``."""
    stmt = select(User.id, User.display_name, User.username).where(User.is_active.is_(True))
    if roles:
        stmt = stmt.where(User.role.in_(roles))
    if unit_id is not None:
        stmt = stmt.where(User.unit_id == unit_id)
    rows = sorted(db.session.execute(stmt), key=lambda row: (name_key(row.display_name), row.username))
    return [(uid, f"{name}（{username}）") for uid, name, username in rows]


def grouped_user_choices(*, roles: tuple[str, ...] | None = None) -> dict[Any, list[tuple[int, str]]]:
    """The active users as ``{unit name: [(id, "name（username）"), …]}``, the units in the order
    of ``grouped_unit_choices``, the people by pinyin."""
    stmt = (select(User.id, User.display_name, User.username, Unit.name.label("unit"), Unit.kind)
            .outerjoin(Unit, Unit.id == User.unit_id).where(User.is_active.is_(True)))
    if roles:
        stmt = stmt.where(User.role.in_(roles))
    rows = sorted(db.session.execute(stmt), key=lambda row: (
        row.unit is None, kind_order(row.kind or ""), name_key(row.unit), name_key(row.display_name)))
    groups: dict[Any, list[tuple[int, str]]] = {}
    for row in rows:
        groups.setdefault(row.unit or "—", []).append((row.id, f"{row.display_name}（{row.username}）"))
    return groups
