"""The one permission policy (docs/domain.md "Who uses it").

``can(user, action, obj)`` answers for HTML routes, the API and templates
alike. Later areas add actions here; nothing else decides access.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import ColumnElement, false, select, true

from tracker.extensions import db
from tracker.models import ASSESSED_KINDS, Unit, User

READ_ALL = frozenset({"admin", "office", "leader"})

_RULES: dict[str, Callable[[User, Any], bool]] = {}


def rule(*actions: str):
    """Register the decorated function as the rule for ``actions``."""

    def register(check: Callable[[User, Any], bool]):
        for action in actions:
            _RULES[action] = check
        return check

    return register


def can(user: User | None, action: str, obj: Any = None) -> bool:
    """Return whether ``user`` may do ``action`` (on ``obj``)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return _RULES[action](user, obj)


def roles(*allowed: str) -> Callable[[User, Any], bool]:
    return lambda user, obj: user.role in allowed


rule("dashboard.view", "unit.list", "unit.view", "account.manage")(lambda user, obj: True)
rule("overview.view")(roles("admin", "office", "leader"))  # the organisation census
rule("unit.manage", "user.list", "user.manage", "org.import")(roles("admin"))
rule("setting.manage")(roles("admin", "office"))
# the work-chat robots of the office's and the units' groups, and the messages sent to them
rule("chat.manage")(roles("admin", "office"))
rule("audit.view")(roles("admin", "office", "leader"))
rule("plan.manage", "task.verify", "task.backdate")(roles("office"))
rule("plan.view", "ledger.view")(lambda user, obj: True)  # lists are scoped by unit_scope
# the type-ahead pickers of the list filters: scoped by visible_unit_ids (services/pickers.py)
rule("unit.pick", "user.pick")(lambda user, obj: True)
# the search box of the top bar: every staff account, each kind of result scoped as its list
rule("search.use")(roles("admin", "office", "leader", "unit_head", "unit_member"))
rule("task.mine", "finding.mine")(roles("unit_head", "unit_member"))
rule("round.manage", "job.run")(roles("office"))
rule("round.view", "finding.internal")(roles("admin", "office", "leader"))
rule("job.view")(roles("admin", "office"))
rule("bulletin.manage")(roles("office"))
rule("bulletin.approve")(roles("leader"))
rule("bulletin.preview")(roles(*READ_ALL))  # the running period's bulletin, as drafts are read
rule("liaison.view")(roles("admin", "office", "leader", "unit_head", "unit_member"))

# complaints and rectification notices (issue 5)
rule("complaint.manage", "notice.manage", "inspection.manage")(roles("office"))
rule("complaint.personal")(roles("office", "leader"))  # the complainant's name and contact
rule("complaint.view", "notice.view", "complaint.stats")(lambda user, obj: True)  # scoped lists
rule("inspection.view")(roles("office", "leader"))
# ratings, assessments, innovations, accountability (issue 6)
rule("rating.manage", "assessment.manage", "innovation.score", "flag.review",
     "flag.evaluate")(roles("office"))
rule("rating.view", "assessment.notes")(roles("admin", "office", "leader"))
# the innovation ranking and scores before the office publishes the year: its scorers and leaders
rule("innovation.draft")(roles("office", "leader"))
rule("assessment.view", "innovation.view")(lambda user, obj: True)  # published; lists scoped
rule("flag.view")(lambda user, obj: True)  # scoped lists: a unit sees its own flags
rule("flag.decide", "flag.approve_exemption")(roles("leader"))
rule("flag.propose_exemption")(roles("office"))


@rule("liaison.record")
def _record_liaison(user: User, school) -> bool:
    """Check a school: its liaison department's own people, or the office."""
    if user.role == "office":
        return True
    return (user.role in ("unit_head", "unit_member") and school is not None
            and school.liaison_unit_id is not None and school.liaison_unit_id == user.unit_id)


@rule("innovation.register")
def _register_innovation(user: User, unit) -> bool:
    """Register an innovation: a unit's own people for their unit, the office for any assessed unit.

    Without a unit: whether the user may register one at all.
    """
    if user.role not in ("office", "unit_head", "unit_member"):
        return False
    if unit is None:
        return user.role == "office" or user.unit_id is not None
    return unit.kind in ASSESSED_KINDS and (user.role == "office" or unit.id == user.unit_id)


@rule("innovation.edit")
def _edit_innovation(user: User, innovation) -> bool:
    """Edit an innovation (until it is scored, which the service checks): who may register it."""
    return innovation is not None and _register_innovation(user, innovation.unit)


@rule("bulletin.view")
def _view_bulletin(user: User, bulletin) -> bool:
    """Drafts are for the office and leaders; published bulletins for every account."""
    if user.role in READ_ALL:
        return True
    return bulletin is not None and bulletin.status == "published"


@rule("task.view")
def _view_task(user: User, task) -> bool:
    """Read a task: whoever reads its owner's records, or a co-unit's."""
    return _view_record(user, task.owner_unit_id) or any(
        _view_record(user, unit.id) for unit in task.co_units)


@rule("task.report")
def _report_task(user: User, task) -> bool:
    """Report progress straight into the ledger: the office, or the owner unit's head.

    A unit member drafts the report instead (``ledger.draft``); the head submits it.
    """
    return user.role == "office" or (user.role == "unit_head" and task.owner_unit_id == user.unit_id)


@rule("ledger.draft")
def _draft_report(user: User, task) -> bool:
    """Draft a report for the head: the owner unit's members."""
    return user.role == "unit_member" and task is not None and task.owner_unit_id == user.unit_id


@rule("ledger.drafts")
def _see_drafts(user: User, obj=None) -> bool:
    """Have drafts at all (a member's own, those waiting on a head): a unit's own people."""
    return user.role in ("unit_head", "unit_member") and user.unit_id is not None


@rule("ledger.draft_read")
def _read_draft(user: User, draft) -> bool:
    """Read a draft: its author, or the head of the task's unit (never another unit, not the liaison)."""
    return draft is not None and (_edit_draft(user, draft) or _submit_draft(user, draft))


@rule("ledger.draft_edit")
def _edit_draft(user: User, draft) -> bool:
    """Change or discard a draft: its author, while a member of the task's unit."""
    return (draft is not None and draft.author_id == user.id and user.role == "unit_member"
            and draft.task.owner_unit_id == user.unit_id)


@rule("ledger.submit")
def _submit_draft(user: User, draft) -> bool:
    """Submit a member's draft to the ledger, or return it: the head of the task's unit."""
    return (draft is not None and user.role == "unit_head"
            and draft.task.owner_unit_id == user.unit_id)


def _dispatched_to_own_unit(user: User, complaint) -> bool:
    return (complaint is not None and user.unit_id is not None
            and complaint.dispatched_unit_id is not None and complaint.dispatched_unit_id == user.unit_id)


@rule("complaint.reply")
def _reply_complaint(user: User, complaint) -> bool:
    """Answer a complaint: the head of the unit it is dispatched to, or the office (a paper reply).

    A unit member drafts the reply instead (``complaint.reply_draft``); the head submits it.
    """
    return user.role == "office" or (user.role == "unit_head" and _dispatched_to_own_unit(user, complaint))


@rule("complaint.reply_draft")
def _draft_reply(user: User, complaint) -> bool:
    """Draft a complaint's reply for the head: the members of the unit it is dispatched to."""
    return user.role == "unit_member" and _dispatched_to_own_unit(user, complaint)


@rule("complaint.reply_drafts")
def _see_reply_drafts(user: User, obj=None) -> bool:
    """Have reply drafts at all (a member's own, those waiting on a head): a unit's own people."""
    return user.role in ("unit_head", "unit_member") and user.unit_id is not None


@rule("complaint.reply_draft_read")
def _read_reply_draft(user: User, draft) -> bool:
    """Read a reply draft: its author, or the head of the complaint's unit (not another, not the liaison)."""
    return draft is not None and (_edit_reply_draft(user, draft) or _submit_reply_draft(user, draft))


@rule("complaint.reply_draft_edit")
def _edit_reply_draft(user: User, draft) -> bool:
    """Change or discard a reply draft: its author, while a member of the complaint's unit."""
    return (draft is not None and draft.author_id == user.id and user.role == "unit_member"
            and _dispatched_to_own_unit(user, draft.complaint))


@rule("complaint.reply_submit")
def _submit_reply_draft(user: User, draft) -> bool:
    """Submit a member's reply draft as the unit's reply, or return it: the head of the complaint's unit."""
    return draft is not None and user.role == "unit_head" and _dispatched_to_own_unit(user, draft.complaint)


@rule("complaint.list")
def _list_complaints(user: User, obj=None) -> bool:
    """See individual complaints at all: not the administrator (who sees their rates)."""
    return user.role != "admin"


@rule("complaint.read")
def _read_complaint(user: User, complaint) -> bool:
    """Read one complaint: the office and leaders, or the unit it was dispatched to (and its liaison)."""
    if not _list_complaints(user):
        return False
    if user.role in READ_ALL:
        return True
    return complaint is not None and complaint.dispatched_unit_id is not None and _view_record(
        user, complaint.dispatched_unit_id)


@rule("notice.respond")
def _respond_notice(user: User, notice) -> bool:
    """Acknowledge a notice and report on it: the unit's own people."""
    return user.role in ("unit_head", "unit_member") and notice is not None and notice.unit_id == user.unit_id


@rule("user.view")
def _view_user(user: User, target: User | None) -> bool:
    return user.role == "admin" or (target is not None and target.id == user.id)


@rule("record.view")
def _view_record(user: User, unit_id: int | None) -> bool:
    """Read a unit's record: everyone central, the unit itself, its liaison."""
    scope = visible_unit_ids(user)
    return scope is None or unit_id in scope


@rule("record.edit")
def _edit_record(user: User, unit_id: int | None) -> bool:
    """Change a unit's record: the office, or the unit itself (not its liaison)."""
    if user.role == "office":
        return True
    return user.role in ("unit_head", "unit_member") and unit_id == user.unit_id


@rule("notice.read")
def _read_notice(user: User, notice) -> bool:
    """Read one notice: whoever reads its unit's records."""
    return _view_record(user, notice.unit_id)


@rule("flag.read")
def _read_flags(user: User, unit_id: int | None) -> bool:
    """Read a unit's accountability flags: everyone central, or the unit itself (not its liaison)."""
    return user.role in READ_ALL or (user.unit_id is not None and unit_id == user.unit_id)


@rule("basis.read")
def _read_basis(user: User, unit_id: int | None) -> bool:
    """Read the records behind a unit's figure 数据依据 (a bulletin's, a ranking's, the complaint
    rates', a flag's): everyone central, or the unit itself (not its liaison)."""
    return user.role in READ_ALL or (user.unit_id is not None and unit_id == user.unit_id)


@rule("rating.basis")
def _read_rating_basis(user: User, target) -> bool:
    """Read the ballots behind a unit's rating figures, given ``(round, unit_id)``: who reads the
    results, or the unit itself once the round is closed and its ranking frozen."""
    rnd, unit_id = target
    if user.role in READ_ALL:
        return True
    return rnd is not None and rnd.status == "closed" and _read_basis(user, unit_id)


def reads_every_unit(user: User) -> bool:
    """Whether ``user`` reads every unit's records (the central roles), so lists offer a unit filter."""
    return user.role in READ_ALL


def own_unit_scope(user: User, column) -> ColumnElement[bool]:
    """The WHERE clause of ``flag.read``: all rows for everyone central, else the user's unit."""
    if reads_every_unit(user):
        return true()
    return column == user.unit_id if user.unit_id is not None else false()


def visible_unit_ids(user: User) -> frozenset[int] | None:
    """Return the units whose records ``user`` reads, or None for all of them.

    A department also reads the schools it liaises for (包校股室).
    """
    if user.role in READ_ALL:
        return None
    cached = getattr(user, "_visible_unit_ids", None)
    if cached is not None:
        return cached
    if user.unit_id is None:
        scope: frozenset[int] = frozenset()
    else:
        linked = db.session.scalars(select(Unit.id).where(Unit.liaison_unit_id == user.unit_id))
        scope = frozenset({user.unit_id, *linked})
    user._visible_unit_ids = scope
    return scope


def unit_scope(user: User, column) -> ColumnElement[bool]:
    """Return a WHERE clause that keeps the rows of the units ``user`` may read."""
    scope = visible_unit_ids(user)
    if scope is None:
        return true()
    return column.in_(scope) if scope else false()
