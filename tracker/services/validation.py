"""Checks of plain values shared by every service."""

from __future__ import annotations

import unicodedata
from datetime import date
from typing import Any

from flask_babel import gettext as _

from tracker.services.errors import InvalidInput

# The values the product stores and computes with: ids fit the database's integer,
# days lie where the campaign's date arithmetic (deadlines, periods) stays valid.
MAX_ID = 2**31 - 1
EARLIEST, LATEST = date(2000, 1, 1), date(2100, 12, 31)


def in_range(day: date) -> bool:
    return EARLIEST <= day <= LATEST


def has_control_characters(text: str, allow_newlines: bool = False) -> bool:
    allowed = {"\n", "\r", "\t"} if allow_newlines else set()
    return any(unicodedata.category(ch) == "Cc" and ch not in allowed for ch in text)


def text(
    errors: dict[str, str],
    field: str,
    value: Any,
    *,
    max_length: int,
    required: bool = True,
    multiline: bool = False,
) -> str | None:
    """Return ``value`` stripped, or record why it is not acceptable in ``errors``."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            errors[field] = _("This field is required.")
        return None
    if not isinstance(value, str):
        errors[field] = _("Enter text.")
        return None
    value = value.strip()
    if len(value) > max_length:
        errors[field] = _("At most %(n)d characters.", n=max_length)
    elif has_control_characters(value, allow_newlines=multiline):
        errors[field] = _("Contains characters that are not allowed.")
    return value


def holds_nul(*values: Any) -> bool:
    """Return whether a text given to look rows up by holds NUL.

    No stored text does (every check refuses control characters), and
    PostgreSQL refuses a query that holds one: such a filter matches nothing.
    """
    return any(isinstance(value, str) and "\x00" in value for value in values)


def raise_if(errors: dict[str, str]) -> None:
    """Raise InvalidInput naming every field in ``errors``, if any."""
    if errors:
        raise InvalidInput(_("Please correct the marked fields."), errors)
