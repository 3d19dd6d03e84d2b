"""API: complaints (docs/api.md "Complaints"), the public intake and tracking, and the office's steps."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from flask import abort, current_app
from pydantic import Field

from tracker import clock
from tracker.blueprints import acting_user, actor, authorize, limits, load
from tracker.blueprints.api import bp, public_bp
from tracker.blueprints.api.framework import (
    Body,
    CursorQuery,
    Out,
    dump,
    endpoint,
    keyset_paginated,
)
from tracker.blueprints.api.schemas import FileOut, page_of
from tracker.models.complaints import (
    Complaint,
    ComplaintCategory,
    ComplaintChannel,
    ComplaintLight,
    ComplaintReplyDraft,
    ComplaintStatus,
    ReplyDraftStatus,
    SatisfactionRating,
)
from tracker.services import complaint_reply_drafts, complaints, permissions

Category = Literal[ComplaintCategory.codes()]
Channel = Literal[ComplaintChannel.codes()]
Status = Literal[ComplaintStatus.codes()]
Rating = Literal[SatisfactionRating.codes()]
Light = Literal[ComplaintLight.codes()]
Id = Annotated[int, Field(ge=1)]


class ComplaintCreate(Body):
    category: Category
    description: Annotated[str, Field(min_length=1, max_length=5000)]
    unit_id: Id | None = None
    subject: Annotated[str, Field(max_length=200)] | None = None
    happened_on: date | None = None
    name: Annotated[str, Field(max_length=100)] | None = None
    contact: Annotated[str, Field(max_length=200)] | None = None
    channel: Channel | None = None

    def values(self) -> complaints.ComplaintInput:
        return complaints.ComplaintInput(
            category=ComplaintCategory(self.category), description=self.description,
            channel=ComplaintChannel(self.channel or ComplaintChannel.WEB), unit_id=self.unit_id,
            subject=self.subject, happened_on=self.happened_on, name=self.name, contact=self.contact)


class TrackingCodeOut(Out):
    tracking_code: str


class TimelineOut(Out):
    status: Status
    at: datetime


class PublicComplaintOut(Out):
    status: Status
    timeline: list[TimelineOut]
    reply: str | None = None
    category: Category
    unit: str | None = None
    submitted_at: datetime
    reply_due_on: date | None = None
    closed_at: datetime | None = None
    resolved: bool | None = None
    rating: Rating | None = None
    rating_open: bool
    may_reopen: bool


class SatisfactionIn(Body):
    rating: Rating
    comment: Annotated[str, Field(max_length=1000)] | None = None
    reopen: bool = False


class ComplaintOut(Out):
    id: int
    tracking_code: str | None = None
    channel: Channel
    category: Category
    unit_id: int | None
    subject: str
    description: str
    happened_on: date | None
    status: Status
    submitted_at: datetime
    reject_reason: str | None
    duplicate_of_id: int | None
    dispatched_unit_id: int | None
    first_dispatched_on: date | None
    first_reply_due_on: date | None
    reply_due_on: date | None
    first_replied_on: date | None
    reply_text: str | None
    replied_at: datetime | None
    closed_at: datetime | None
    resolved: bool | None
    rating: Rating | None
    rating_comment: str | None
    reopened_at: datetime | None
    is_published: bool
    light: Light | None = None
    # only for the office and leaders
    name: str | None = None
    contact: str | None = None


class EventOut(Out):
    action: str
    from_status: str | None
    to_status: str
    at: datetime
    unit_id: int | None
    due_on: date | None
    text: str | None


class ComplaintDetailOut(ComplaintOut):
    events: list[EventOut]


class ComplaintQuery(CursorQuery):
    status: Status | None = None
    unit_id: Id | None = None
    category: Category | None = None
    channel: Channel | None = None
    overdue: bool = False
    as_of: date | None = None


class OnBody(Body):
    on: date | None = None


class RejectIn(OnBody):
    reason: Annotated[str, Field(min_length=1, max_length=2000)]


class DuplicateIn(OnBody):
    of_id: Id


class DispatchIn(OnBody):
    unit_id: Id
    reply_due_on: date | None = None


class ReplyIn(OnBody):
    text: Annotated[str, Field(min_length=1, max_length=5000)]

    def values(self) -> complaints.ReplyInput:
        return complaints.ReplyInput(text=self.text, on=self.on)


class ReturnIn(OnBody):
    reason: Annotated[str, Field(min_length=1, max_length=2000)]
    reply_due_on: date | None = None


class CloseIn(OnBody):
    resolved: bool


def complaint_out(complaint: Complaint, *, detail: bool = False) -> dict:
    """Serialise a complaint; the complainant's name and contact only for the office and leaders."""
    user = acting_user()
    personal = permissions.can(user, "complaint.personal")
    data = {name: getattr(complaint, name) for name in ComplaintOut.model_fields
            if name not in ("light", "name", "contact", "tracking_code")}
    data["light"] = complaints.light(complaint, clock.today())
    if personal:
        data.update(name=complaint.name, contact=complaint.contact,
                    tracking_code=complaint.tracking_code)
    model = ComplaintOut
    if detail:
        data["events"] = [EventOut.model_validate(e) for e in complaint.events]
        model = ComplaintDetailOut
    return _dump(model, data, personal)


def _dump(model, data: dict, personal: bool) -> dict:
    out = model.model_validate(data).model_dump(mode="json")
    if not personal:
        for key in ("name", "contact", "tracking_code"):
            out.pop(key, None)
    return out


def _public(complaint: Complaint) -> dict:
    now = clock.now()
    unit = complaint.dispatched_unit or complaint.unit
    data = {
        "status": complaint.status,
        "timeline": [{"status": e["status"], "at": e["at"]} for e in complaints.public_timeline(complaint)],
        "reply": complaint.reply_text if complaint.status in ("replied", "closed") else None,
        "category": complaint.category, "unit": unit.name if unit else None,
        "submitted_at": complaint.submitted_at, "reply_due_on": complaint.reply_due_on,
        "closed_at": complaint.closed_at, "resolved": complaint.resolved, "rating": complaint.rating,
        "rating_open": complaints.rating_open(complaint, now),
        "may_reopen": complaints.rating_open(complaint, now) and complaints.may_reopen(complaint),
    }
    return PublicComplaintOut.model_validate(data).model_dump(mode="json")


@endpoint(public_bp, "/complaints", "POST", summary="File a conduct complaint (anonymous allowed)",
          tag="Complaints", body=ComplaintCreate, response=TrackingCodeOut, status=201, public=True,
          errors=(429,))
@limits.complaints_filed
def public_submit(body: ComplaintCreate):
    complaint = complaints.submit(actor(), body.values())
    return {"tracking_code": complaint.tracking_code}, 201


def _by_code(tracking_code: str) -> Complaint:
    complaint = complaints.by_tracking_code(tracking_code)
    if complaint is None:
        abort(404)
    return complaint


@endpoint(public_bp, "/complaints/<tracking_code>", "GET",
          summary="Follow a complaint by its tracking code (no personal data)", tag="Complaints",
          response=PublicComplaintOut, public=True, errors=(404,))
def public_track(tracking_code: str):
    return _public(_by_code(tracking_code)), 200


@endpoint(public_bp, "/complaints/<tracking_code>/satisfaction", "POST",
          summary="Rate a closed complaint; 不满意 may reopen it once", tag="Complaints",
          body=SatisfactionIn, response=PublicComplaintOut, status=201, public=True,
          errors=(404, 409))
def public_rate(tracking_code: str, body: SatisfactionIn):
    complaint = _by_code(tracking_code)
    complaints.rate(actor(), complaint, SatisfactionRating(body.rating), body.comment, body.reopen)
    return _public(complaint), 201


@endpoint(bp, "/complaints", "GET",
          summary="List complaints, newest first (a unit sees those dispatched to it, without name "
                  "and contact); page, or cursor from next_cursor",
          tag="Complaints", query=ComplaintQuery, response=page_of(ComplaintOut, cursor=True))
def list_complaints(query: ComplaintQuery):
    authorize("complaint.view")
    stmt = complaints.list_query(acting_user(), status=query.status, unit_id=query.unit_id,
                                 category=query.category, channel=query.channel,
                                 overdue=query.overdue, today=query.as_of or clock.today())
    return keyset_paginated(complaint_out, stmt, Complaint.submitted_at, Complaint.id, query), 200


def _readable(complaint_id: int) -> Complaint:
    complaint = load(Complaint, complaint_id)
    if not permissions.can(acting_user(), "complaint.read", complaint):
        abort(404)
    return complaint


@endpoint(bp, "/complaints/<int:complaint_id>", "GET", summary="Read a complaint and its history",
          tag="Complaints", response=ComplaintDetailOut, errors=(404,))
def get_complaint(complaint_id: int):
    authorize("complaint.view")
    return complaint_out(_readable(complaint_id), detail=True), 200


def _office(complaint_id: int) -> Complaint:
    authorize("complaint.manage")
    return load(Complaint, complaint_id)


def _answer(complaint: Complaint):
    return complaint_out(complaint, detail=True), 200


@endpoint(bp, "/complaints/<int:complaint_id>/accept", "POST",
          summary="Accept a submitted complaint (optional body {\"on\"})", tag="Complaints",
          body=OnBody, body_optional=True, response=ComplaintDetailOut, errors=(403, 404, 409))
def accept_complaint(complaint_id: int, body: OnBody):
    complaint = _office(complaint_id)
    return _answer(complaints.accept(actor(), complaint, body.on))


@endpoint(bp, "/complaints/<int:complaint_id>/reject", "POST", summary="Reject a complaint with a reason",
          tag="Complaints", body=RejectIn, response=ComplaintDetailOut, errors=(403, 404, 409))
def reject_complaint(complaint_id: int, body: RejectIn):
    complaint = _office(complaint_id)
    return _answer(complaints.reject(actor(), complaint, body.reason, body.on))


@endpoint(bp, "/complaints/<int:complaint_id>/duplicate", "POST",
          summary="Mark a complaint as a duplicate of another", tag="Complaints", body=DuplicateIn,
          response=ComplaintDetailOut, errors=(403, 404, 409))
def duplicate_complaint(complaint_id: int, body: DuplicateIn):
    complaint = _office(complaint_id)
    return _answer(complaints.mark_duplicate(actor(), complaint, body.of_id, body.on))


@endpoint(bp, "/complaints/<int:complaint_id>/dispatch", "POST",
          summary="Dispatch (下派) a complaint to a unit with a reply deadline", tag="Complaints",
          body=DispatchIn, response=ComplaintDetailOut, errors=(403, 404, 409))
def dispatch_complaint(complaint_id: int, body: DispatchIn):
    complaint = _office(complaint_id)
    return _answer(complaints.dispatch(actor(), complaint, body.unit_id, body.reply_due_on, body.on))


@endpoint(bp, "/complaints/<int:complaint_id>/reply", "POST",
          summary="Reply to a complaint (the dispatched unit's head; the office records a paper reply; "
                  "a unit member drafts: reply-drafts)",
          tag="Complaints", body=ReplyIn, response=ComplaintDetailOut, errors=(403, 404, 409))
def reply_complaint(complaint_id: int, body: ReplyIn):
    authorize("complaint.view")
    complaint = _readable(complaint_id)
    authorize("complaint.reply", complaint)
    return _answer(complaints.reply(actor(), complaint, body.values()))


@endpoint(bp, "/complaints/<int:complaint_id>/return", "POST",
          summary="Return an inadequate reply with a reason", tag="Complaints", body=ReturnIn,
          response=ComplaintDetailOut, errors=(403, 404, 409))
def return_complaint(complaint_id: int, body: ReturnIn):
    complaint = _office(complaint_id)
    return _answer(complaints.return_reply(actor(), complaint, body.reason, body.reply_due_on, body.on))


@endpoint(bp, "/complaints/<int:complaint_id>/close", "POST",
          summary="Close (办结) a replied complaint as resolved or not", tag="Complaints", body=CloseIn,
          response=ComplaintDetailOut, errors=(403, 404, 409))
def close_complaint(complaint_id: int, body: CloseIn):
    complaint = _office(complaint_id)
    return _answer(complaints.close(actor(), complaint, body.resolved, body.on))


# A unit member's reply drafts: the member drafts, the unit head submits (services/complaint_reply_drafts.py)


class ReplyDraftIn(Body):
    text: Annotated[str, Field(min_length=1, max_length=5000)]


class ReplyDraftReturn(Body):
    comment: Annotated[str, Field(min_length=1, max_length=2000)]


class ReplyDraftOut(Out):
    """A reply draft: nothing of the complainant (a member never reads their name or contact)."""

    id: int
    complaint_id: int
    author_id: int
    text: str
    status: Literal[ReplyDraftStatus.codes()]
    created_at: datetime
    updated_at: datetime
    return_comment: str | None
    returned_at: datetime | None
    returned_by_id: int | None
    submitted_at: datetime | None
    submitted_by_id: int | None
    event_id: int | None
    files: list[FileOut] = []


def load_reply_draft(draft_id: int) -> ComplaintReplyDraft:
    """The draft, or 404 for one the user may not read (another unit's, the central roles)."""
    draft = load(ComplaintReplyDraft, draft_id)
    if not permissions.can(acting_user(), "complaint.reply_draft_read", draft):
        abort(404)
    return draft


@endpoint(bp, "/complaints/<int:complaint_id>/reply-drafts", "POST",
          summary="Draft a complaint's reply for the unit head (a member of the dispatched unit)",
          tag="Complaints", body=ReplyDraftIn, response=ReplyDraftOut, status=201, errors=(403, 404, 409))
def create_reply_draft(complaint_id: int, body: ReplyDraftIn):
    authorize("complaint.view")
    complaint = _readable(complaint_id)
    authorize("complaint.reply_draft", complaint)
    draft = complaint_reply_drafts.create(actor(), complaint, text=body.text,
                                          upload_folder=current_app.config["UPLOAD_FOLDER"])
    return dump(ReplyDraftOut, draft), 201


@endpoint(bp, "/complaints/reply-drafts", "GET",
          summary="Open reply drafts: a member's own, or those of the head's unit", tag="Complaints",
          response=list[ReplyDraftOut], errors=(403,))
def list_reply_drafts():
    authorize("complaint.reply_drafts")
    return [dump(ReplyDraftOut, d) for d in complaint_reply_drafts.open_drafts(acting_user())], 200


@endpoint(bp, "/complaints/reply-drafts/<int:draft_id>", "GET", summary="Read a reply draft",
          tag="Complaints", response=ReplyDraftOut, errors=(404,))
def get_reply_draft(draft_id: int):
    return dump(ReplyDraftOut, load_reply_draft(draft_id)), 200


@endpoint(bp, "/complaints/reply-drafts/<int:draft_id>", "PATCH",
          summary="Change a reply draft (its author); a returned draft goes back to the head",
          tag="Complaints", body=ReplyDraftIn, response=ReplyDraftOut, errors=(403, 404, 409))
def patch_reply_draft(draft_id: int, body: ReplyDraftIn):
    draft = load_reply_draft(draft_id)
    authorize("complaint.reply_draft_edit", draft)
    complaint_reply_drafts.edit(actor(), draft, text=body.text,
                                upload_folder=current_app.config["UPLOAD_FOLDER"])
    return dump(ReplyDraftOut, draft), 200


@endpoint(bp, "/complaints/reply-drafts/<int:draft_id>/submit", "POST",
          summary="Submit a member's reply draft as the unit's reply (the unit head)", tag="Complaints",
          response=ComplaintDetailOut, errors=(403, 404, 409))
def submit_reply_draft(draft_id: int):
    draft = load_reply_draft(draft_id)
    authorize("complaint.reply_submit", draft)
    return _answer(complaint_reply_drafts.submit(actor(), draft))


@endpoint(bp, "/complaints/reply-drafts/<int:draft_id>/return", "POST",
          summary="Return a reply draft to its author with a comment (the unit head)", tag="Complaints",
          body=ReplyDraftReturn, response=ReplyDraftOut, errors=(403, 404, 409))
def return_reply_draft(draft_id: int, body: ReplyDraftReturn):
    draft = load_reply_draft(draft_id)
    authorize("complaint.reply_submit", draft)
    return dump(ReplyDraftOut, complaint_reply_drafts.return_draft(actor(), draft, comment=body.comment)), 200


@endpoint(bp, "/complaints/reply-drafts/<int:draft_id>/discard", "POST",
          summary="Discard a reply draft (its author)", tag="Complaints", response=ReplyDraftOut,
          errors=(403, 404, 409))
def discard_reply_draft(draft_id: int):
    draft = load_reply_draft(draft_id)
    authorize("complaint.reply_draft_edit", draft)
    return dump(ReplyDraftOut, complaint_reply_drafts.discard(actor(), draft)), 200
