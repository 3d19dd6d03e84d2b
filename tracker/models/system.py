"""Signed-in sessions, log-in throttles, rate-limit counters, API tokens, the audit trail
and settings."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, Double, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.models.base import Base
from tracker.models.choices import Choice
from tracker.models.organisation import User


class AuditAction(Choice):
    """What an audit event records, besides the workflows' steps (``complaint.dispatch``,
    ``notice.verify``, ``flag.decide``: the object's name and the step's label, services/audit.py)."""

    ASSESSMENT_ENTER = "assessment.enter", _l("Assessment scores entered")
    BALLOT_CAST = "ballot.cast", _l("Ballot cast")
    BULLETIN_APPROVE = "bulletin.approve", _l("Bulletin approved")
    BULLETIN_CREATE = "bulletin.create", _l("Bulletin drafted")
    BULLETIN_EDIT = "bulletin.edit", _l("Bulletin edited")
    BULLETIN_PUBLISH = "bulletin.publish", _l("Bulletin published")
    BULLETIN_REGENERATE = "bulletin.regenerate", _l("Bulletin figures recomputed")
    BULLETIN_RETURN = "bulletin.return", _l("Bulletin returned")
    BULLETIN_RESUBMIT = "bulletin.resubmit", _l("Bulletin resubmitted")
    CHAT_DELIVERY_RETRY = "chat_delivery.retry", _l("Work-chat message sent again")
    CHAT_ROBOT_REMOVE = "chat_robot.remove", _l("Work-chat robot removed")
    CHAT_ROBOT_SAVE = "chat_robot.save", _l("Work-chat robot saved")
    COMPLAINT_REPLY_DRAFT_CREATE = "complaint_reply_draft.create", _l("Draft reply saved")
    COMPLAINT_REPLY_DRAFT_DISCARD = "complaint_reply_draft.discard", _l("Draft reply discarded")
    COMPLAINT_REPLY_DRAFT_EDIT = "complaint_reply_draft.edit", _l("Draft reply edited")
    COMPLAINT_REPLY_DRAFT_RETURN = "complaint_reply_draft.return", _l("Draft reply returned")
    COMPLAINT_REPLY_DRAFT_SUBMIT = "complaint_reply_draft.submit", _l("Draft reply submitted")
    FINDING_NOTE = "finding.note", _l("Finding noted")
    INNOVATION_EDIT = "innovation.edit", _l("Innovation edited")
    INNOVATION_REGISTER = "innovation.register", _l("Innovation registered")
    INNOVATION_SCORE = "innovation.score", _l("Innovation scored")
    INSPECTION_CREATE = "inspection.create", _l("Inspection recorded")
    LEDGER_REPORT = "ledger.report", _l("Progress reported")
    LEDGER_CORRECT = "ledger.correct", _l("Ledger entry corrected")
    LEDGER_DRAFT_CREATE = "ledger_draft.create", _l("Report draft saved")
    LEDGER_DRAFT_DISCARD = "ledger_draft.discard", _l("Report draft discarded")
    LEDGER_DRAFT_EDIT = "ledger_draft.edit", _l("Report draft edited")
    LEDGER_DRAFT_RETURN = "ledger_draft.return", _l("Report draft returned")
    LEDGER_DRAFT_SUBMIT = "ledger_draft.submit", _l("Report draft submitted")
    LIAISON_CHECK = "liaison.check", _l("Liaison check recorded")
    MEASURE_CREATE = "measure.create", _l("New measure")
    MEASURE_UPDATE = "measure.update", _l("Measure edited")
    PLAN_CREATE = "plan.create", _l("New plan")
    PLAN_UPDATE = "plan.update", _l("Plan edited")
    PLAN_ACTIVATE = "plan.activate", _l("Plan activated")
    PLAN_CLOSE = "plan.close", _l("Plan closed")
    RANKING_PUBLISH = "ranking.publish", _l("Ranking published")
    RATING_ROUND_CLOSE = "rating_round.close", _l("Rating round closed")
    RATING_ROUND_CREATE = "rating_round.create", _l("New rating round")
    RATING_ROUND_DEMO_BALLOTS = "rating_round.demo_ballots", _l("Demonstration ballots cast")
    RATING_ROUND_INVITATIONS = "rating_round.invitations", _l("Invitation codes issued")
    RATING_ROUND_OPEN = "rating_round.open", _l("Rating round opened")
    RATING_ROUND_PUBLISH = "rating_round.publish", _l("Rating results published")
    RATING_ROUND_UNPUBLISH = "rating_round.unpublish", _l("Rating results withdrawn")
    RATING_ROUND_UPDATE = "rating_round.update", _l("Rating round edited")
    REPLY_TEMPLATE_CREATE = "reply_template.create", _l("Reply template added")
    REPLY_TEMPLATE_DELETE = "reply_template.delete", _l("Reply template deleted")
    REPLY_TEMPLATE_UPDATE = "reply_template.update", _l("Reply template edited")
    ROUND_CLOSE = "round.close", _l("Supervision round closed")
    ROUND_CREATE = "round.create", _l("Supervision round run")
    SETTINGS_UPDATE = "settings.update", _l("Settings changed")
    TASK_CREATE = "task.create", _l("New task")
    TASK_RECUR = "task.recur", _l("Next occurrence of a task")
    TASK_RETURN = "task.return", _l("Task returned")
    TASK_UPDATE = "task.update", _l("Task edited")
    TASK_VERIFY = "task.verify", _l("Task verified")
    TOKEN_ISSUE = "token.issue", _l("API token issued")
    TOKEN_REVOKE = "token.revoke", _l("API token revoked")
    UNIT_ARCHIVE = "unit.archive", _l("Unit archived")
    UNIT_CREATE = "unit.create", _l("New unit")
    UNIT_RESTORE = "unit.restore", _l("Unit restored")
    UNIT_UPDATE = "unit.update", _l("Unit edited")
    USER_ACTIVATE = "user.activate", _l("Account activated")
    USER_CREATE = "user.create", _l("New account")
    USER_DEACTIVATE = "user.deactivate", _l("Account deactivated")
    USER_LOCKED = "user.locked", _l("Account locked after failed log-ins")
    USER_LOCKED_FOR_ADDRESS = "user.locked_for_address", _l("Log-in locked for an address")
    USER_LOGIN = "user.login", _l("Logged in")
    USER_PASSWORD = "user.password", _l("Password changed")
    USER_SIGN_OUT_EVERYWHERE = "user.sign_out_everywhere", _l("Signed out everywhere")
    USER_UPDATE = "user.update", _l("Account edited")


class AuditObject(Choice):
    """The kinds of object an audit event names (their table names)."""

    ASSESSMENTS = "assessments", _l("Assessment")
    BALLOTS = "ballots", _l("Ballot")
    BULLETINS = "bulletins", _l("Bulletin")
    CHAT_DELIVERIES = "chat_deliveries", _l("Work-chat message")
    CHAT_ROBOTS = "chat_robots", _l("Work-chat robot")
    COMPLAINTS = "complaints", _l("Complaint")
    COMPLAINT_REPLY_DRAFTS = "complaint_reply_drafts", _l("Draft reply")
    FINDINGS = "findings", _l("Finding")
    FLAGS = "flags", _l("Accountability flag")
    INNOVATIONS = "innovations", _l("Innovation")
    INSPECTIONS = "inspections", _l("Inspection")
    LEDGER_DRAFTS = "ledger_drafts", _l("Report draft")
    LEDGER_ENTRIES = "ledger_entries", _l("Ledger entry")
    LIAISON_CHECKS = "liaison_checks", _l("Liaison check")
    MEASURES = "measures", _l("Measure")
    NOTICES = "notices", _l("Supervision notice")
    PLANS = "plans", _l("Plan")
    RANKINGS = "rankings", _l("Ranking")
    RATING_ROUNDS = "rating_rounds", _l("Rating round")
    REPLY_TEMPLATES = "reply_templates", _l("Reply template")
    SETTINGS = "settings", _l("Settings")
    SUPERVISION_ROUNDS = "supervision_rounds", _l("Supervision round")
    TASKS = "tasks", _l("Task")
    API_TOKENS = "api_tokens", _l("API token")
    UNITS = "units", _l("Unit")
    USERS = "users", _l("Account")


class ApiToken(Base):
    """A bearer token; only its SHA-256 digest is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(lazy="joined")


class UserSession(Base):
    """A signed-in browser session, kept on the server so that it can be ended there.

    The browser holds a random key (in the signed session cookie and the
    remember-me cookie); only its SHA-256 digest is stored.
    """

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    ip: Mapped[str | None] = mapped_column(String(45))

    user: Mapped[User] = relationship(lazy="joined")


class LoginThrottle(Base):
    """Failed log-ins under one account name, from one address or (``*``) from every address.

    The name is kept as its SHA-256 digest, whether or not an account bears it:
    a name nobody has is throttled alike (no way to tell which names exist), and
    a password typed into the name field by mistake is not stored.
    """

    __tablename__ = "login_throttles"

    account_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    address: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int]
    window_started_at: Mapped[datetime] = mapped_column(index=True)
    locked_until: Mapped[datetime | None]


class RateLimitCounter(Base):
    """One rate-limit counter of Flask-Limiter (tracker/rate_limits.py): shared by every worker.

    ``expires_at`` is in seconds since the epoch, as the limits library counts.
    """

    __tablename__ = "rate_limit_counters"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    hits: Mapped[int]
    expires_at: Mapped[float] = mapped_column(Double, index=True)


class AuditEvent(Base):
    """One change by anyone: append-only, hash-chained (services/chain.py)."""

    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_object", "object_type", "object_id"),
        # the log: newest first, alone, for one user or for one kind of object
        Index("ix_audit_events_at_id", "at", "id"),
        Index("ix_audit_events_user_at", "user_id", "at", "id"),
        Index("ix_audit_events_type_at", "object_type", "at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime]
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(50), index=True)
    object_type: Mapped[str] = mapped_column(String(50))
    object_id: Mapped[int | None]
    changes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    ip: Mapped[str | None] = mapped_column(String(45))
    # sha256 of the previous event's hash and this event (services/chain.py)
    chain_hash: Mapped[str | None] = mapped_column(String(64))

    user: Mapped[User | None] = relationship(lazy="joined")


class Setting(Base):
    """An office-editable parameter; code holds only its default."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON)
    updated_at: Mapped[datetime]
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    def __repr__(self) -> str:
        return f"<Setting {self.key}={self.value!r}>"
