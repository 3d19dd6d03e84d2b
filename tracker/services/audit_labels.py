"""The audit log in words: each action, kind of object, changed field and coded value by its label.

Events store codes (``task.create``, ``complaints``, ``{"rating": [null, "dissatisfied"]}``);
the log page and its readers show them here in the reader's language. An action of a
workflow (``complaint.dispatch``) is the object's name and the step's label; a code this
module does not know is shown as itself.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from tracker.models import (
    AssessmentTheme,
    AuditAction,
    AuditObject,
    BulletinKind,
    BulletinStatus,
    ChatDeliveryStatus,
    ChatKind,
    Choice,
    ComplaintCategory,
    ComplaintChannel,
    ComplaintStatus,
    ComplaintStep,
    FlagAction,
    FlagRule,
    FlagStatus,
    FlagStep,
    Heading,
    NoticeSource,
    NoticeStatus,
    NoticeStep,
    PeerGroup,
    PlanStatus,
    RatingRoundStatus,
    Recurrence,
    ReplyDraftStatus,
    Role,
    SatisfactionRating,
    SupervisionRoundStatus,
    UnitKind,
)
from tracker.services import settings

# the workflows' audit prefixes (services/workflow.py) and the steps they record
WORKFLOW_STEPS: dict[str, tuple[type[Choice], AuditObject]] = {
    "complaint": (ComplaintStep, AuditObject.COMPLAINTS),
    "notice": (NoticeStep, AuditObject.NOTICES),
    "flag": (FlagStep, AuditObject.FLAGS),
}

FIELDS: dict[str, Any] = {
    "action": _l("Decision"), "ballots": _l("Ballots"), "batch": _l("Batch"),
    "category": _l("Category"), "channel": _l("Channel"), "co_units": _l("Co-units"),
    "author_id": _l("Author"), "complaint_id": _l("Complaint"), "event_id": _l("Complaint event"),
    "reply_draft_id": _l("Draft reply"), "submitted_by_id": _l("Submitted by"), "text": _l("Text"),
    "comment": _l("Comment"), "count": _l("Count"), "dimensions": _l("Dimensions"),
    "dispatched_unit_id": _l("Dispatched to unit"), "display_name": _l("Name"),
    "doc_number": _l("Document number"), "due_on": _l("Due on"),
    "duplicate_of_id": _l("Duplicate of"), "email": _l("E-mail"), "entry_id": _l("Ledger entry"),
    "exemption_justification": _l("Justification of the exemption"), "files": _l("Files"),
    "findings": _l("Findings"), "group": _l("Rater group"), "groups": _l("Rater groups"),
    "head_user_id": _l("Unit head"), "heading": _l("Heading"),
    "inspected_on": _l("Inspected on"), "is_published": _l("Published"),
    "is_unannounced": _l("Unannounced"), "issuing_unit_id": _l("Issuing unit"),
    "kind": _l("Kind"), "leader_user_id": _l("Leader in charge"),
    "liaison_unit_id": _l("Liaison department"), "measure_id": _l("Measure"),
    "milestones": _l("Milestones"), "month": _l("Month"), "name": _l("Name"),
    "narrative": _l("Narrative"), "number": _l("Number"), "owner_unit_id": _l("Owner unit"),
    "owner_user_id": _l("Owner person"), "peer_group": _l("Peer group"), "percent": _l("Progress (%)"),
    "period": _l("Period"), "plan_id": _l("Plan"), "previous_id": _l("Previous occurrence"),
    "ranking_id": _l("Ranking"), "rating": _l("Satisfaction"), "reason": _l("Reason"),
    "reasons": _l("Reasons"), "recurrence": _l("Repeats"), "reply_due_on": _l("Reply due"),
    "reported_on": _l("Reported on"), "resolved": _l("Resolved"),
    "results_public": _l("Results public"), "review_opinion": _l("Review opinion"),
    "role": _l("Role"), "rule": _l("Rule"), "school_id": _l("School"), "score": _l("Score"),
    "snapshots": _l("Snapshots"), "source": _l("Source"), "standard": _l("Standard"),
    "starts_on": _l("Starts on"), "status": _l("Status"), "subject_key": _l("Subject"),
    "tags": _l("Tags"), "task_id": _l("Task"), "theme": _l("Theme"), "title": _l("Title"),
    "unit_id": _l("Unit"), "unit_ids": _l("Units"), "units": _l("Units"),
    "username": _l("Username"), "verified_on": _l("Verified on"), "vetoed": _l("Vetoed"),
    "week_start": _l("Week"), "weight": _l("Weight"), "year": _l("Year"),
}

# fields whose values are codes of one vocabulary, whatever the object
VALUES: dict[str, type[Choice]] = {
    "category": ComplaintCategory, "channel": ComplaintChannel, "rating": SatisfactionRating,
    "source": NoticeSource, "rule": FlagRule, "action": FlagAction, "heading": Heading,
    "recurrence": Recurrence, "role": Role, "kind": UnitKind, "peer_group": PeerGroup,
    "theme": AssessmentTheme,
}
# fields whose vocabulary depends on the kind of object
VALUES_OF: dict[tuple[str, str], type[Choice]] = {
    ("complaints", "status"): ComplaintStatus, ("notices", "status"): NoticeStatus,
    ("flags", "status"): FlagStatus, ("plans", "status"): PlanStatus,
    ("bulletins", "status"): BulletinStatus, ("bulletins", "kind"): BulletinKind,
    ("rating_rounds", "status"): RatingRoundStatus,
    ("complaint_reply_drafts", "status"): ReplyDraftStatus,
    ("supervision_rounds", "status"): SupervisionRoundStatus,
    ("chat_robots", "kind"): ChatKind, ("chat_deliveries", "status"): ChatDeliveryStatus,
}


def action_codes() -> tuple[str, ...]:
    """Every action an event may record: the plain ones and each workflow's steps."""
    return (*AuditAction.codes(),
            *(f"{prefix}.{step}" for prefix, (steps, _obj) in WORKFLOW_STEPS.items()
              for step in steps.codes()))


def action_label(code: str) -> Any:
    if AuditAction.of(code) is not None:
        return AuditAction.label_of(code)
    prefix, _dot, step = (code or "").partition(".")
    if prefix in WORKFLOW_STEPS:
        steps, obj = WORKFLOW_STEPS[prefix]
        if steps.of(step) is not None:
            return f"{obj.label} · {steps.label_of(step)}"
    return code


def object_label(object_type: str) -> Any:
    return AuditObject.label_of(object_type)


def field_label(object_type: str, field: str) -> Any:
    if object_type == "settings":
        definition = next((d for d in settings.DEFINITIONS if d.key == field), None)
        if definition is not None:
            return definition.label
    return FIELDS.get(field, field)


def value_label(object_type: str, field: str, value: Any) -> Any:
    """A changed value as shown: a code by its label, a list item by item, nothing as "—"."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _l("Yes") if value else _l("No")
    if isinstance(value, list):
        return "、".join(str(value_label(object_type, field, item)) for item in value) or "—"
    if isinstance(value, dict):
        shown = value.get("name") or value.get("label") or value.get("title")
        if shown is not None:
            return shown
        return "；".join(f"{field_label(object_type, key)}: {value_label(object_type, key, item)}"
                        for key, item in value.items())
    vocabulary = VALUES_OF.get((object_type, field)) or VALUES.get(field)
    if vocabulary is not None and isinstance(value, str):
        return vocabulary.label_of(value)
    return value


def changes(event) -> list[tuple[Any, Any, Any]]:
    """The event's changes as ``(field label, old, new)``; a change that is no pair has old None."""
    shown = []
    for field, change in (event.changes or {}).items():
        label = field_label(event.object_type, field)
        if isinstance(change, list) and len(change) == 2:
            shown.append((label, value_label(event.object_type, field, change[0]),
                           value_label(event.object_type, field, change[1])))
        else:
            shown.append((label, None, value_label(event.object_type, field, change)))
    return shown
