"""Rectification notices and inspections (docs/api.md "Rectification notices")."""

from datetime import date
from typing import Literal

from flask import Response, abort
from pydantic import Field

from tracker import clock
from tracker.blueprints import acting_user, actor, authorize, load
from tracker.blueprints.api import bp
from tracker.blueprints.api.framework import Body, Out, PageQuery, endpoint
from tracker.extensions import db
from tracker.media_types import DOCX
from tracker.models import Inspection, Notice, NoticeColour, NoticeSource, NoticeStatus
from tracker.services import documents, notices, permissions


class NoticeCreate(Body):
    unit_id: int
    source_type: Literal[NoticeSource.codes()]
    source_id: int | None = None
    problems: str = Field(max_length=4000)
    requirements: str = Field(max_length=4000)
    due_on: date

    def values(self) -> notices.NoticeInput:
        return notices.NoticeInput(
            unit_id=self.unit_id, source_type=NoticeSource(self.source_type), source_id=self.source_id,
            problems=self.problems, requirements=self.requirements, due_on=self.due_on)


class ReportIn(Body):
    text: str = Field(max_length=8000)


class WithdrawIn(Body):
    reason: str = Field(max_length=2000)


class VerifyIn(Body):
    accept: bool
    reason: str | None = Field(None, max_length=2000)


class NoticeQuery(PageQuery):
    unit_id: int | None = Field(None, ge=1)
    status: Literal[NoticeStatus.codes()] | None = None
    colour: Literal[NoticeColour.codes()] | None = None
    as_of: date | None = None


class NoticeOut(Out):
    id: int
    number: str
    unit_id: int
    source_type: str
    source_id: int | None
    problems: str
    requirements: str
    issued_on: date
    due_on: date
    status: str
    colour: Literal[NoticeColour.codes()]
    report_text: str | None


class NoticeEventOut(Out):
    action: str
    from_status: str | None
    to_status: str
    at: str
    user_id: int | None
    text: str | None


class NoticeDetailOut(NoticeOut):
    events: list[NoticeEventOut]
    files: list[dict]


class NoticePage(Out):
    items: list[NoticeOut]
    page: int
    per_page: int
    total: int


class InspectionCreate(Body):
    unit_id: int
    inspected_on: date
    place: str = Field(max_length=200)
    inspectors: str = Field(max_length=200)
    findings: str = Field(max_length=4000)
    is_unannounced: bool = True

    def values(self) -> notices.InspectionInput:
        return notices.InspectionInput(
            unit_id=self.unit_id, inspected_on=self.inspected_on, place=self.place,
            inspectors=self.inspectors, findings=self.findings, is_unannounced=self.is_unannounced)


class InspectionQuery(PageQuery):
    unit_id: int | None = Field(None, ge=1)


class InspectionOut(Out):
    id: int
    unit_id: int
    inspected_on: date
    place: str
    inspectors: str
    findings: str
    is_unannounced: bool


class InspectionPage(Out):
    items: list[InspectionOut]
    page: int
    per_page: int
    total: int


def notice_json(notice: Notice, as_of: date, orange_days: int | None = None, *, detail=False) -> dict:
    data = {
        "id": notice.id, "number": documents.number("notice", notice.doc_number), "unit_id": notice.unit_id,
        "source_type": notice.source_type,
        "source_id": notice.complaint_id or notice.finding_id or notice.inspection_id,
        "problems": notice.problems, "requirements": notice.requirements,
        "issued_on": notice.issued_on.isoformat(), "due_on": notice.due_on.isoformat(),
        "status": notices.display_status(notice, as_of),
        "colour": notices.colour(notice, as_of, orange_days), "report_text": notice.report_text,
    }
    if detail:
        data["events"] = [{"action": e.action, "from_status": e.from_status, "to_status": e.to_status,
                           "at": e.at.isoformat(), "user_id": e.user_id, "text": e.text}
                          for e in notices.events_of(notice)]
        data["files"] = [{"id": f.id, "name": f.original_name, "content_type": f.content_type,
                          "size": f.size} for f in notices.files_of(notice)]
    return data


def _visible(notice_id: int) -> Notice:
    notice = load(Notice, notice_id)
    if not permissions.can(acting_user(), "notice.read", notice):
        abort(404)
    return notice


def _answer(notice: Notice, status: int = 200):
    return notice_json(notice, clock.today(), detail=True), status


@endpoint(bp, "/notices", "POST", summary="Issue a rectification notice (numbered per year)",
          tag="Notices", body=NoticeCreate, response=NoticeDetailOut, status=201, errors=(403,))
def issue_notice(body: NoticeCreate):
    authorize("notice.manage")
    notice = notices.issue(actor(), body.values())
    return _answer(notice, 201)


@endpoint(bp, "/notices", "GET",
          summary="List notices with their display status and colour (a unit: its own)",
          tag="Notices", query=NoticeQuery, response=NoticePage)
def list_notices(query: NoticeQuery):
    authorize("notice.view")
    as_of = query.as_of or clock.today()
    stmt = notices.list_query(acting_user(), as_of=as_of, unit_id=query.unit_id, status=query.status,
                              colour_=query.colour)
    page = db.paginate(stmt, page=query.page, per_page=query.per_page, error_out=False, max_per_page=200)
    orange_days = notices.settings.get("notices.orange_days")
    return {"items": [notice_json(n, as_of, orange_days) for n in page.items], "page": query.page,
            "per_page": query.per_page, "total": page.total}, 200


@endpoint(bp, "/notices/<int:notice_id>", "GET", summary="Read a notice with its history",
          tag="Notices", response=NoticeDetailOut, errors=(404,))
def get_notice(notice_id: int):
    return _answer(_visible(notice_id))


@endpoint(bp, "/notices/<int:notice_id>/acknowledge", "POST", summary="签收: the unit acknowledges",
          tag="Notices", response=NoticeDetailOut, errors=(403, 404, 409))
def acknowledge_notice(notice_id: int):
    notice = _visible(notice_id)
    authorize("notice.respond", notice)
    notices.acknowledge(actor(), notice)
    return _answer(notice)


@endpoint(bp, "/notices/<int:notice_id>/report", "POST", summary="The unit's rectification report",
          tag="Notices", body=ReportIn, response=NoticeDetailOut, errors=(403, 404, 409))
def report_notice(notice_id: int, body: ReportIn):
    notice = _visible(notice_id)
    authorize("notice.respond", notice)
    notices.report(actor(), notice, text=body.text)
    return _answer(notice)


@endpoint(bp, "/notices/<int:notice_id>/verify", "POST",
          summary="Accept the report (verified) or return it with a reason", tag="Notices",
          body=VerifyIn, response=NoticeDetailOut, errors=(403, 404, 409))
def verify_notice(notice_id: int, body: VerifyIn):
    authorize("notice.manage")
    notice = notices.verify(actor(), load(Notice, notice_id), accept=body.accept, reason=body.reason)
    return _answer(notice)


@endpoint(bp, "/notices/<int:notice_id>/withdraw", "POST",
          summary="撤回: the office withdraws a notice the unit has not acknowledged (its number stays used)",
          tag="Notices", body=WithdrawIn, response=NoticeDetailOut, errors=(403, 404, 409))
def withdraw_notice(notice_id: int, body: WithdrawIn):
    authorize("notice.manage")
    notice = notices.withdraw(actor(), load(Notice, notice_id), reason=body.reason)
    return _answer(notice)


@endpoint(bp, "/notices/<int:notice_id>.docx", "GET", summary="The notice as .docx", tag="Notices",
          response=DOCX, errors=(404,))
def notice_docx(notice_id: int):
    notice = _visible(notice_id)
    return Response(notices.to_docx(notice), mimetype=DOCX, headers={
        "Content-Disposition": f"attachment; filename=notice-{notice.number_year}-{notice.number}.docx"})


@endpoint(bp, "/inspections", "POST", summary="Record an inspection 明查暗访", tag="Notices",
          body=InspectionCreate, response=InspectionOut, status=201, errors=(403,))
def create_inspection(body: InspectionCreate):
    authorize("inspection.manage")
    inspection = notices.create_inspection(actor(), body.values())
    return InspectionOut.model_validate(inspection).model_dump(mode="json"), 201


@endpoint(bp, "/inspections", "GET", summary="List inspections, newest first", tag="Notices",
          query=InspectionQuery, response=InspectionPage, errors=(403,))
def list_inspections(query: InspectionQuery):
    authorize("inspection.view")
    page = db.paginate(notices.inspections_query(query.unit_id), page=query.page,
                       per_page=query.per_page, error_out=False, max_per_page=200)
    return {"items": [InspectionOut.model_validate(i).model_dump(mode="json") for i in page.items],
            "page": query.page, "per_page": query.per_page, "total": page.total}, 200


@endpoint(bp, "/inspections/<int:inspection_id>", "GET", summary="Read an inspection", tag="Notices",
          response=InspectionOut, errors=(403, 404))
def get_inspection(inspection_id: int):
    authorize("inspection.view")
    return InspectionOut.model_validate(load(Inspection, inspection_id)).model_dump(mode="json"), 200
