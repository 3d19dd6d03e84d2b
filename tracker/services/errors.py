"""Errors raised by services and rendered by the HTML and API adapters."""

from __future__ import annotations


class DomainError(Exception):
    """Base class of the errors a service raises on purpose."""

    code = "error"
    status = 400

    def __init__(self, message: str = "", fields: dict[str, str] | None = None):
        super().__init__(message)
        self.message = message
        self.fields = fields or {}


class InvalidInput(DomainError):
    """Bad input: ``fields`` names what is wrong, in the user's language."""

    code = "invalid"
    status = 400


class Missing(DomainError):
    """Something the user may not see yet or that does not exist, with a reason to show."""

    code = "not_found"
    status = 404


class Conflict(DomainError):
    """A duplicate, or a state change not allowed from the current state."""

    code = "conflict"
    status = 409


class RowErrors(InvalidInput):
    """An import rejected as a whole; ``rows`` lists each bad row."""

    def __init__(self, message: str, rows: list[dict]):
        super().__init__(message)
        self.rows = rows
