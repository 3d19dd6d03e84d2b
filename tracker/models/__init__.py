"""All models, imported so that Alembic and the app see one metadata."""

from tracker.models.base import Base
from tracker.models.organisation import ROLES, UNIT_KINDS, UNIT_ROLES, Unit, User
from tracker.models.system import ApiToken, AuditEvent, Setting

__all__ = [
    "ROLES",
    "UNIT_KINDS",
    "UNIT_ROLES",
    "ApiToken",
    "AuditEvent",
    "Base",
    "Setting",
    "Unit",
    "User",
]
