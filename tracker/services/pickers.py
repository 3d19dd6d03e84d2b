"""Type-ahead pickers of units and people: a few matches of what was typed, within what the user reads.

Filters of long lists name a unit or a person by a text box instead of a
drop-down of every unit (2,000 at city scale): the browser asks for the
matches as the user types (``GET /pickers/units``, ``/pickers/users``) and
sends the chosen id; without script the typed name is resolved here.
Who sees which rows is the policy's ``visible_unit_ids`` (``record.view``):
everyone central sees all, a unit its own and the schools it liaises for.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, Select, case, false, func, or_, select, true

from tracker.extensions import db
from tracker.models import Unit, UnitKind, User
from tracker.services import organisation, permissions, validation
from tracker.services.collation import name_key

LIMIT = 20
UNIT_LIMIT = 200  # the people of one unit
MAX_TEXT = 100


def clean(text: str | None) -> str:
    """Return the typed text stripped and cut to ``MAX_TEXT``; '' for nothing."""
    return (text or "").strip()[:MAX_TEXT]


def refused(text: str | None) -> bool:
    """Whether the typed text holds control characters (NUL among them): no name does."""
    return bool(text) and validation.has_control_characters(text)


def _prefix_first(column, text: str) -> list[ColumnElement]:
    """Order by ``column``, the values that start with ``text`` first."""
    if not text:
        return [column]
    return [case((column.startswith(text, autoescape=True), 0), else_=1), column]


def _unit_stmt(user: User, text: str, kinds: tuple[str, ...] = ()):
    stmt = select(Unit.id, Unit.name, Unit.kind).where(
        Unit.is_archived.is_(False), permissions.unit_scope(user, Unit.id)
    )
    if kinds:
        stmt = stmt.where(Unit.kind.in_(kinds))
    if text:
        stmt = stmt.where(Unit.name.contains(text, autoescape=True))
    return stmt


def _user_stmt(user: User, text: str, unit_id: int | None = None, roles: tuple[str, ...] = ()):
    stmt = (
        select(User.id, User.display_name, Unit.name)
        .outerjoin(Unit, Unit.id == User.unit_id)
        .where(_user_scope(user))
    )
    if roles:  # a form's person picker: the active people of these roles its select offers
        stmt = stmt.where(User.role.in_(roles), User.is_active.is_(True))
    if unit_id is not None:
        stmt = stmt.where(User.unit_id == unit_id)
    if text:
        stmt = stmt.where(
            or_(
                User.display_name.contains(text, autoescape=True),
                User.username.contains(text, autoescape=True),
            )
        )
    return stmt


def _user_scope(user: User) -> ColumnElement[bool]:
    """The people of the units ``user`` reads (everyone, for those central)."""
    scope = permissions.visible_unit_ids(user)
    if scope is None:
        return true()
    return User.unit_id.in_(scope) if scope else false()


def units(
    user: User, text: str | None, limit: int = LIMIT, kinds: tuple[str, ...] = ()
) -> tuple[list[dict], bool]:
    """Return up to ``limit`` active units whose name holds ``text`` (prefix matches first), of
    the given ``kinds`` if any, and whether there are more."""
    text = clean(text)
    rows = db.session.execute(
        _unit_stmt(user, text, kinds).order_by(*_prefix_first(Unit.name, text), Unit.id).limit(limit + 1)
    ).all()
    # the matches shown: those starting with the text first, then by kind
    # (departments, schools, working groups) and pinyin; ``group`` is the kind's label
    shown = sorted(
        rows[:limit],
        key=lambda row: (
            bool(text) and not row.name.startswith(text),
            organisation.kind_order(row.kind),
            name_key(row.name),
        ),
    )
    items = [
        {
            "id": ident,
            "label": name,
            "detail": str(UnitKind.label_of(kind)),
            "group": str(UnitKind.label_of(kind)),
        }
        for ident, name, kind in shown
    ]
    return items, len(rows) > limit


def users(
    user: User, text: str | None, unit_id: int | None = None, limit: int = LIMIT, roles: tuple[str, ...] = ()
) -> tuple[list[dict], bool]:
    """Return up to ``limit`` people whose name or username holds ``text``, with their unit, and
    whether there are more; with ``roles``, only the active people of those roles."""
    text = clean(text)
    rows = db.session.execute(
        _user_stmt(user, text, unit_id, roles)
        .order_by(*_prefix_first(User.display_name, text), User.id)
        .limit(limit + 1)
    ).all()
    shown = sorted(
        rows[:limit],
        key=lambda row: (bool(text) and not row.display_name.startswith(text), name_key(row.display_name)),
    )
    items = [{"id": ident, "label": name, "detail": unit or ""} for ident, name, unit in shown]
    return items, len(rows) > limit


# Resolving a filter's text box ------------------------------------------------------


@dataclass(frozen=True)
class Picked:
    """What a picker filter asks for: the row's id (None: no filter), the text to show again,
    and whether the text named no single row (then the filter matches nothing)."""

    id: int | None = None
    text: str = ""
    unknown: bool = False


NOTHING = -1  # the id a filter asks for when its text named no single row: no row has it


def filter_id(picked: Picked) -> int | None:
    """The id a list filters by: the picked row's, None when nothing was asked, :data:`NOTHING`
    when the text named no single row (then the list is empty)."""
    return NOTHING if picked.unknown else picked.id


def _resolve(exact, contains, text: str) -> Picked:
    """One row whose label is ``text`` (or the only one holding it), else unknown."""
    for stmt in (exact, contains):
        found = db.session.scalars(stmt.limit(2)).all()
        if len(found) == 1:
            return Picked(found[0], text)
        if len(found) > 1:
            break
    return Picked(None, text, unknown=True)


def _bad(text: str | None, ident: int | None) -> bool:
    """Control characters typed, or an id no row can have (nothing to look up)."""
    return (text is not None and refused(text)) or (ident is not None and not 0 <= ident < 2**31)


def _pick(
    text: str | None, chosen_id: int | None, chosen_label: str | None, ids: Select, exact, partial
) -> Picked:
    """The common steps of a picker: no text box sent (a link): the id alone; an empty box: no
    filter; a box that still shows the chosen row's label: that row; else the text typed."""
    if text is None:
        return Picked(chosen_id, chosen_label or "") if chosen_id else Picked()
    text = clean(text)
    if not text:
        return Picked()
    if chosen_label is not None and chosen_label == text:
        return Picked(chosen_id, text)
    return _resolve(ids.where(exact(text)), ids.where(partial(text)), text)


def pick_unit(user: User, text: str | None, unit_id: int | None) -> Picked:
    """Resolve a unit filter from its text box (``text``) and the id the script chose (``unit_id``)."""
    if _bad(text, unit_id):
        return Picked(None, "", unknown=True)
    chosen = db.session.get(Unit, unit_id) if unit_id else None
    ids = select(Unit.id).where(Unit.is_archived.is_(False), permissions.unit_scope(user, Unit.id))
    return _pick(
        text,
        unit_id,
        chosen.name if chosen else None,
        ids,
        lambda text: func.lower(Unit.name) == text.lower(),
        lambda text: Unit.name.contains(text, autoescape=True),
    )


def pick_user(user: User, text: str | None, user_id: int | None) -> Picked:
    """Resolve a person filter like ``pick_unit``; a person outside ``user``'s units is never named."""
    if _bad(text, user_id):
        return Picked(None, "", unknown=True)
    chosen = None
    if user_id:
        chosen = db.session.execute(
            select(User.id, User.display_name).where(User.id == user_id, _user_scope(user))
        ).first()
    ids = select(User.id).where(_user_scope(user))
    return _pick(
        text,
        user_id,
        chosen.display_name if chosen else None,
        ids,
        lambda text: or_(User.display_name == text, User.username == text),
        lambda text: or_(
            User.display_name.contains(text, autoescape=True), User.username.contains(text, autoescape=True)
        ),
    )
