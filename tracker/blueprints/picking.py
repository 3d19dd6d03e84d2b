"""The type-ahead pickers of the forms: a unit or a person typed ahead instead of a long drop-down.

A picking field stays a select of every choice, grouped (units by kind, people by unit) and in
pinyin order, so that the form works without script and the server validates the posted id
against the choices exactly as before. ``js/unit-picker.js`` (loaded by the form's template)
hides the select behind a text box that asks ``/pickers/units`` or ``/pickers/users`` for a few
matches as one types, narrowed to the kinds or roles the select offers, and sets the select.
"""

from __future__ import annotations

from collections.abc import Iterable

from flask import url_for
from flask_babel import lazy_gettext as _l
from wtforms import SelectFieldBase
from wtforms.validators import ValidationError

from tracker.models import Unit, UnitKind
from tracker.services import organisation
from tracker.services.collation import name_key

CHOOSE_UNIT = _l("Choose a unit…")
CHOOSE_PERSON = _l("Choose a person…")
NOT_OFFERED_UNIT = _l("Choose a unit from the list.")
NOT_OFFERED_PERSON = _l("Choose a person from the list.")


def _attributes(endpoint: str, placeholder, many: bool, **narrowing) -> dict:
    return {
        "data-unit-picker": "many" if many else "one",
        "data-picker": url_for(endpoint, **{k: list(v) for k, v in narrowing.items() if v}),
        "data-picker-placeholder": placeholder,
        "data-picker-none": _l("No match"),
        "data-picker-more": _l("More match than shown: keep typing."),
        "data-picker-remove": _l("Remove"),
    }


def _offered_only(field: SelectFieldBase, message) -> None:
    """Refuse an id the select does not offer with ``message``, in place of WTForms' vaguer words
    (a field that leaves the check to the service, ``validate_choice=False``, is left so)."""
    if not getattr(field, "validate_choice", False):
        return
    field.validate_choice = False

    def offered(form, field):
        if field.data is not None and not any(match for _value, _label, match, *_ in field.iter_choices()):
            raise ValidationError(message)

    field.validators = [*field.validators, offered]


def unit_picker_attributes(kinds: tuple[str, ...] | None = None) -> dict:
    """The attributes that make a select drawn by hand a unit picker (``|xmlattr`` in a template)."""
    return _attributes("main.pick_units", _l("Type to search units"), False, kind=kinds or ())


def grouped_units(units: Iterable[Unit]) -> dict[str, list[tuple[int, str]]]:
    """``units`` as a select's groups, like ``organisation.grouped_unit_choices``: by kind, then
    by pinyin."""
    groups: dict[str, list[tuple[int, str]]] = {}
    for unit in sorted(units, key=lambda unit: (organisation.kind_order(unit.kind), name_key(unit.name))):
        groups.setdefault(str(UnitKind.label_of(unit.kind)), []).append((unit.id, unit.name))
    return groups


def unit_picker(
    field: SelectFieldBase,
    *,
    empty=CHOOSE_UNIT,
    kinds: tuple[str, ...] | None = None,
    empty_value: object = "",
) -> None:
    """Make ``field`` (a select of one unit's id) a unit picker of the active units of ``kinds``
    (every kind if None), its empty choice first: ``(empty_value, empty)``."""
    field.render_kw = {
        **(field.render_kw or {}),
        **unit_picker_attributes(kinds),
    }
    field.choices = {None: [(empty_value, empty)], **organisation.grouped_unit_choices(kinds=kinds)}
    _offered_only(field, NOT_OFFERED_UNIT)


def person_picker(
    field: SelectFieldBase,
    *,
    empty=CHOOSE_PERSON,
    roles: tuple[str, ...] | None = None,
    empty_value: object = "",
) -> None:
    """Make ``field`` (a select of one person's id) a picker of the active people of ``roles``
    (every role if None), grouped by unit, its empty choice first."""
    field.render_kw = {
        **(field.render_kw or {}),
        **_attributes("main.pick_users", _l("Type to search people"), False, role=roles or ()),
    }
    field.choices = {None: [(empty_value, empty)], **organisation.grouped_user_choices(roles=roles)}
    _offered_only(field, NOT_OFFERED_PERSON)
