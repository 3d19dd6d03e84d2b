"""All models, imported so that Alembic and the app see one metadata."""

from tracker.models.base import Base
from tracker.models.notifications import Notification
from tracker.models.organisation import ROLES, UNIT_KINDS, UNIT_ROLES, Unit, User
from tracker.models.plans import (
    HEADINGS,
    PLAN_STATUSES,
    RECURRENCES,
    EvidenceFile,
    LedgerEntry,
    Measure,
    Milestone,
    Plan,
    Task,
    Verification,
)
from tracker.models.supervision import (
    BULLETIN_KINDS,
    FINDING_KINDS,
    Bulletin,
    Finding,
    JobLock,
    JobRun,
    LiaisonCheck,
    RoundSnapshot,
    SupervisionRound,
)
from tracker.models.system import ApiToken, AuditEvent, Setting

__all__ = [
    "BULLETIN_KINDS",
    "Bulletin",
    "FINDING_KINDS",
    "Finding",
    "JobLock",
    "JobRun",
    "LiaisonCheck",
    "RoundSnapshot",
    "SupervisionRound",
    "HEADINGS",
    "PLAN_STATUSES",
    "RECURRENCES",
    "EvidenceFile",
    "LedgerEntry",
    "Measure",
    "Notification",
    "Milestone",
    "Plan",
    "Task",
    "Verification",
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
