"""Closed vocabularies: one enum per concept, each member its code and its label.

A member is declared ``CODE = "code", _l("Label")``: it *is* the code (a
``str``, what the database stores, the API sends and forms post) and carries
``label``, a lazy gettext string rendered in the reader's language. A third
element, where official documents or spreadsheets need it, is ``zh``: the
fixed Chinese term they use whatever the page's language (``"末位问责"``).

The class gives what the rest of the code needs: ``codes()`` for ``CHECK``
constraints, validation and the API's ``Literal`` types, ``labels()``,
``label_of(code)`` (an unknown code is shown as itself, never an error),
``choices()`` for form fields, ``of(code)`` for a query argument, and for the
Chinese terms ``zh_of(code)`` and ``by_zh(text)``. Templates see every enum
by its class name (tracker/web.py): ``{{ ComplaintStatus.label_of(c.status) }}``.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Self


class Choice(StrEnum):
    label: Any  # a lazy gettext string
    zh: str | None

    def __new__(cls, code: str, label: Any, zh: str | None = None):
        member = str.__new__(cls, code)
        member._value_ = code
        member.label = label
        member.zh = zh
        return member

    @classmethod
    def codes(cls) -> tuple[str, ...]:
        """The codes as plain strings, in declaration order."""
        return tuple(member.value for member in cls)

    @classmethod
    def labels(cls) -> dict[str, Any]:
        return {member.value: member.label for member in cls}

    @classmethod
    def choices(cls) -> list[tuple[str, Any]]:
        """``(code, label)`` pairs for a select field."""
        return [(member.value, member.label) for member in cls]

    @classmethod
    def of(cls, code: Any) -> Self | None:
        """The member of ``code``, or None for anything else (a missing or unknown query argument)."""
        return cls._value2member_map_.get(code) if isinstance(code, str) else None

    @classmethod
    def label_of(cls, code: Any) -> Any:
        """The label of ``code``; an unknown code is returned as it is, None as ""."""
        member = cls.of(code)
        if member is not None:
            return member.label
        return "" if code is None else code

    @classmethod
    def zh_of(cls, code: Any) -> str:
        """The fixed Chinese term of ``code`` (for official documents); else the code itself."""
        member = cls.of(code)
        if member is not None and member.zh:
            return member.zh
        return "" if code is None else str(code)

    @classmethod
    def by_zh(cls, text: Any) -> Self | None:
        """The member whose Chinese term is ``text`` (a spreadsheet cell), or None."""
        return next((member for member in cls if member.zh and member.zh == text), None)
