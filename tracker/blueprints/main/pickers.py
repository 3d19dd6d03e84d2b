"""The JSON behind the type-ahead unit and person pickers of the list filters (login required)."""

from flask import jsonify, request
from flask_babel import gettext as _
from flask_login import current_user

from tracker.blueprints import require
from tracker.blueprints.main import bp
from tracker.models import Role, UnitKind
from tracker.services import pickers


def _refuse(field: str, message: str):
    return jsonify(
        error={
            "code": "invalid",
            "message": _("Please correct the fields named."),
            "fields": {field: message},
        }
    ), 400


def _answer(items: list[dict], more: bool):
    return jsonify(items=items, more=more)


def _codes(name: str, codes: tuple[str, ...]) -> tuple[str, ...] | None:
    """The values of the repeatable argument ``name`` (a form's picker narrowing its choices),
    or None when one is not among ``codes``."""
    values = tuple(request.args.getlist(name))
    return values if all(value in codes for value in values) else None


@bp.route("/pickers/units")
@require("unit.pick")
def pick_units():
    text = request.args.get("q")
    if pickers.refused(text):
        return _refuse("q", _("Contains characters that are not allowed."))
    kinds = _codes("kind", UnitKind.codes())
    if kinds is None:
        return _refuse("kind", _("Choose one of: %(values)s.", values=", ".join(UnitKind.codes())))
    return _answer(*pickers.units(current_user, text, kinds=kinds))


@bp.route("/pickers/users")
@require("user.pick")
def pick_users():
    text, raw_unit = request.args.get("q"), request.args.get("unit_id") or ""
    if pickers.refused(text):
        return _refuse("q", _("Contains characters that are not allowed."))
    roles = _codes("role", Role.codes())
    if roles is None:
        return _refuse("role", _("Choose one of: %(values)s.", values=", ".join(Role.codes())))
    if raw_unit and not (raw_unit.isascii() and raw_unit.isdigit() and len(raw_unit) < 10):
        return _refuse("unit_id", _("Enter a whole number."))
    # one unit's people are few: all of them, for the owner select that follows a unit
    if raw_unit:
        return _answer(
            *pickers.users(current_user, text, int(raw_unit), limit=pickers.UNIT_LIMIT, roles=roles)
        )
    return _answer(*pickers.users(current_user, text, roles=roles))
