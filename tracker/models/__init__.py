"""All models, imported so that Alembic and the app see one metadata.

One module per area: organisation (units, people), plans (plans, tasks, the
ledger, kept task states), supervision (weekly rounds, findings), bulletins,
liaison (monthly checks), complaints, notices (notices, inspections), ratings
(rating rounds, ballots), assessments, innovations, rankings (frozen
rankings), accountability (flags), notifications (the inbox), jobs (job runs
and locks), system (signed-in sessions, log-in throttles, rate-limit counters, API
tokens, the audit log, settings); base holds the declarative base and the
time column type.
"""

from tracker.models.accountability import (
    FLAG_ACTIONS,
    FLAG_RULES,
    FLAG_STATUSES,
    Flag,
    FlagAction,
    FlagEvent,
    FlagRule,
    FlagStatus,
    FlagStep,
)
from tracker.models.assessments import (
    ASSESSMENT_THEMES,
    Assessment,
    AssessmentResult,
    AssessmentScore,
    AssessmentTheme,
)
from tracker.models.base import Base
from tracker.models.bulletins import BULLETIN_KINDS, Bulletin, BulletinKind, BulletinStatus, CriticismReason
from tracker.models.choices import Choice
from tracker.models.complaints import (
    COMPLAINT_CATEGORIES,
    COMPLAINT_CHANNELS,
    COMPLAINT_STATUSES,
    SATISFACTION_RATINGS,
    Complaint,
    ComplaintCategory,
    ComplaintChannel,
    ComplaintEvent,
    ComplaintFile,
    ComplaintLight,
    ComplaintReplyDraft,
    ComplaintReplyDraftFile,
    ComplaintStatus,
    ComplaintStep,
    ReplyDraftStatus,
    ReplyTemplate,
    SatisfactionRating,
)
from tracker.models.innovations import Innovation
from tracker.models.jobs import JobLock, JobOutcome, JobRun
from tracker.models.liaison import LiaisonCheck, LiaisonDimension, LiaisonRating
from tracker.models.notices import (
    NOTICE_SOURCES,
    NOTICE_STATUSES,
    Inspection,
    Notice,
    NoticeColour,
    NoticeEvent,
    NoticeFile,
    NoticeSource,
    NoticeStatus,
    NoticeStep,
)
from tracker.models.notifications import Notification
from tracker.models.organisation import (
    ASSESSED_KINDS,
    ROLES,
    UNIT_KINDS,
    UNIT_ROLES,
    PeerGroup,
    Role,
    Unit,
    UnitKind,
    User,
)
from tracker.models.plans import (
    DRAFT_STATUSES,
    HEADINGS,
    PLAN_STATUSES,
    RECURRENCES,
    DraftStatus,
    EvidenceFile,
    ForecastBasis,
    Heading,
    LedgerDraft,
    LedgerDraftFile,
    LedgerEntry,
    Measure,
    Milestone,
    Plan,
    PlanStatus,
    Recurrence,
    Task,
    TaskLight,
    TaskState,
    TaskStatus,
    Verification,
)
from tracker.models.rankings import Ranking, RankingKind, RankingRow, RankingStatus
from tracker.models.ratings import (
    BALLOT_VALUES,
    Ballot,
    BallotAnswer,
    BallotValue,
    Invitation,
    RaterGroup,
    RatingDimension,
    RatingRound,
    RatingRoundStatus,
)
from tracker.models.search import SEARCH_INDEXES  # noqa: F401  (the search indexes, PostgreSQL)
from tracker.models.supervision import (
    FINDING_KINDS,
    Finding,
    FindingKind,
    RoundSnapshot,
    SupervisionRound,
    SupervisionRoundStatus,
)
from tracker.models.system import (
    ApiToken,
    AuditAction,
    AuditEvent,
    AuditObject,
    LoginThrottle,
    RateLimitCounter,
    Setting,
    UserSession,
)
from tracker.models.work_chat import (
    CHAT_DELIVERY_STATUSES,
    CHAT_KINDS,
    ChatDelivery,
    ChatDeliveryStatus,
    ChatKind,
    ChatRobot,
)

__all__ = [
    "Base",
    "Choice",
    # organisation
    "ROLES",
    "UNIT_KINDS",
    "ASSESSED_KINDS",
    "UNIT_ROLES",
    "PeerGroup",
    "Role",
    "UnitKind",
    "Unit",
    "User",
    # plans
    "DRAFT_STATUSES",
    "HEADINGS",
    "PLAN_STATUSES",
    "RECURRENCES",
    "DraftStatus",
    "EvidenceFile",
    "Heading",
    "LedgerDraft",
    "LedgerDraftFile",
    "LedgerEntry",
    "Measure",
    "Milestone",
    "Plan",
    "PlanStatus",
    "Recurrence",
    "Task",
    "ForecastBasis",
    "TaskLight",
    "TaskState",
    "TaskStatus",
    "Verification",
    # supervision
    "FINDING_KINDS",
    "Finding",
    "FindingKind",
    "RoundSnapshot",
    "SupervisionRound",
    "SupervisionRoundStatus",
    # bulletins
    "BULLETIN_KINDS",
    "Bulletin",
    "BulletinKind",
    "BulletinStatus",
    "CriticismReason",
    # liaison
    "LiaisonCheck",
    "LiaisonDimension",
    "LiaisonRating",
    # complaints
    "COMPLAINT_CATEGORIES",
    "COMPLAINT_CHANNELS",
    "COMPLAINT_STATUSES",
    "SATISFACTION_RATINGS",
    "Complaint",
    "ComplaintCategory",
    "ComplaintChannel",
    "ComplaintEvent",
    "ComplaintFile",
    "ComplaintLight",
    "ComplaintReplyDraft",
    "ComplaintReplyDraftFile",
    "ComplaintStatus",
    "ComplaintStep",
    "ReplyDraftStatus",
    "ReplyTemplate",
    "SatisfactionRating",
    # notices
    "NOTICE_SOURCES",
    "NOTICE_STATUSES",
    "Inspection",
    "Notice",
    "NoticeColour",
    "NoticeEvent",
    "NoticeFile",
    "NoticeSource",
    "NoticeStatus",
    "NoticeStep",
    # ratings
    "BALLOT_VALUES",
    "Ballot",
    "BallotAnswer",
    "Invitation",
    "RaterGroup",
    "BallotValue",
    "RatingDimension",
    "RatingRound",
    "RatingRoundStatus",
    # assessments
    "ASSESSMENT_THEMES",
    "Assessment",
    "AssessmentResult",
    "AssessmentScore",
    "AssessmentTheme",
    # innovations
    "Innovation",
    # rankings
    "Ranking",
    "RankingKind",
    "RankingRow",
    "RankingStatus",
    # accountability
    "FLAG_ACTIONS",
    "FLAG_RULES",
    "FLAG_STATUSES",
    "Flag",
    "FlagAction",
    "FlagEvent",
    "FlagRule",
    "FlagStatus",
    "FlagStep",
    # notifications
    "Notification",
    # jobs
    "JobLock",
    "JobOutcome",
    "JobRun",
    # system
    "ApiToken",
    "AuditAction",
    "AuditEvent",
    "AuditObject",
    "LoginThrottle",
    "RateLimitCounter",
    "Setting",
    "UserSession",
    # work chat
    "CHAT_DELIVERY_STATUSES",
    "CHAT_KINDS",
    "ChatDelivery",
    "ChatDeliveryStatus",
    "ChatKind",
    "ChatRobot",
]
