"""Reporting periods: a month ``2026-10``, a quarter ``2026-Q4``, a half-year ``2026-H2``.

Bulletins are made per period, and the complaint rates and other sections of a
bulletin are computed over one (docs/domain.md "Bulletins (月通报, 季度小结, 半年考核)").
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import gettext as _

from tracker.services.errors import InvalidInput

PATTERNS = {
    "monthly": re.compile(r"^(\d{4})-(\d{2})$"),
    "quarterly": re.compile(r"^(\d{4})-Q([1-4])$"),
    "half_year": re.compile(r"^(\d{4})-H([12])$"),
}


@dataclass(frozen=True)
class Period:
    kind: str
    key: str
    starts_on: date
    ends_on: date


def parse_period(kind: Any, key: Any) -> Period:
    """Return the dates of ``2026-10``, ``2026-Q4`` or ``2026-H2``; raise InvalidInput otherwise."""
    if kind not in PATTERNS:
        raise InvalidInput(
            _("Please correct the marked fields."),
            {"kind": _("Choose one of: %(values)s.", values="monthly, quarterly, half_year")},
        )
    match = PATTERNS[kind].match(key) if isinstance(key, str) else None
    examples = {"monthly": "2026-10", "quarterly": "2026-Q4", "half_year": "2026-H2"}
    if (
        match is None
        or not 2000 <= int(match.group(1)) <= 2100
        or (kind == "monthly" and not 1 <= int(match.group(2)) <= 12)
    ):
        raise InvalidInput(
            _("Please correct the marked fields."),
            {"period": _("Write the period like %(example)s.", example=examples[kind])},
        )
    year, part = int(match.group(1)), int(match.group(2))
    first_month, months = {
        "monthly": (part, 1),
        "quarterly": (3 * part - 2, 3),
        "half_year": (6 * part - 5, 6),
    }[kind]
    last_month = first_month + months - 1
    return Period(
        kind,
        key,
        date(year, first_month, 1),
        date(year, last_month, calendar.monthrange(year, last_month)[1]),
    )


def current_period(kind: str, today: date) -> Period:
    """Return the period of ``kind`` that holds ``today`` (not yet ended)."""
    if kind == "monthly":
        return parse_period(kind, f"{today.year}-{today.month:02d}")
    letter, size = ("Q", 3) if kind == "quarterly" else ("H", 6)
    return parse_period(kind, f"{today.year}-{letter}{(today.month - 1) // size + 1}")


def previous_period(kind: str, today: date) -> Period:
    """Return the period of ``kind`` that ended most recently before ``today``."""
    year, month = today.year, today.month
    if kind == "monthly":
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
        return parse_period(kind, f"{year}-{month:02d}")
    size = 3 if kind == "quarterly" else 6
    index = (month - 1) // size  # the current part, 0-based; the previous one ended
    if index == 0:
        year, index = year - 1, 12 // size
    return parse_period(kind, f"{year}-{'Q' if kind == 'quarterly' else 'H'}{index}")
