"""Plans, tasks and the ledger (docs/api.md "Plans, tasks, ledger")."""

from flask import Response, abort, current_app, request
from flask_babel import gettext as _
from sqlalchemy import select

from tracker import clock
from tracker.blueprints import acting_user, actor, authorize, file_download, load
from tracker.blueprints.api import bp
from tracker.blueprints.api.framework import PageQuery, dump, endpoint, paginated
from tracker.blueprints.api.schemas import (
    AsOfQuery,
    DraftCreate,
    DraftOut,
    DraftPatch,
    DraftReturn,
    DraftSubmit,
    EntryCorrect,
    EntryCreate,
    EntryOut,
    ImportResult,
    MeasureCreate,
    MeasureOut,
    PlanCreate,
    PlanDetailOut,
    PlanOut,
    TaskCreate,
    TaskDetailOut,
    TaskOut,
    TaskPatch,
    TaskQuery,
    VerifyRequest,
    page_of,
)
from tracker.media_types import XLSX
from tracker.models import LedgerDraft, LedgerEntry, Plan, Task
from tracker.services import ledger, ledger_drafts, ledger_view, permissions, plans, task_import
from tracker.services.errors import InvalidInput
from tracker.services.ledger_view import LedgerFilter


def task_json(task: Task, planned: int, actual: int, status: str, light: str | None) -> dict:
    return dump(TaskOut, {**{f: getattr(task, f) for f in TaskOut.model_fields
                             if hasattr(task, f)},
                          "planned_percent": planned, "actual_percent": actual,
                          "status": status, "light": light})


def task_detail(task: Task, as_of) -> dict:
    state = ledger.task_progress(task, as_of)
    data = task_json(task, state.planned, state.actual, state.status, state.light)
    data["co_unit_ids"] = [unit.id for unit in task.co_units]
    data["milestones"] = [{"on": m.on.isoformat(), "percent": m.percent, "title": m.title}
                          for m in task.milestones]
    data["entries"] = [dump(EntryOut, e) for e in ledger.entries_of(task)]
    data["verifications"] = [
        {"id": v.id, "accepted": v.accepted, "reason": v.reason, "on": v.on.isoformat(),
         "user_id": v.user_id} for v in ledger.verifications_of(task)]
    return data


def plan_detail(plan: Plan, as_of) -> dict:
    overall, by_measure = ledger_view.plan_progress(plan, as_of, acting_user())
    return {**dump(PlanOut, plan), "progress": overall, "measures": [
        {"id": m.id, "heading": m.heading, "title": m.title, "progress": by_measure.get(m.id)}
        for m in plan.measures]}


@endpoint(bp, "/plans", "POST", summary="Create a plan (draft)", tag="Plans", body=PlanCreate,
          response=PlanOut, status=201, errors=(403,))
def create_plan(body: PlanCreate):
    authorize("plan.manage")
    plan = plans.create_plan(actor(), body.values())
    return dump(PlanOut, plan), 201


@endpoint(bp, "/plans", "GET", summary="List plans", tag="Plans", query=PageQuery,
          response=page_of(PlanOut))
def list_plans(query: PageQuery):
    authorize("plan.view")
    return paginated(PlanOut, select(Plan).order_by(Plan.year.desc(), Plan.id.desc()), query), 200


@endpoint(bp, "/plans/<int:plan_id>", "GET", summary="Read a plan with its progress",
          tag="Plans", query=AsOfQuery, response=PlanDetailOut, errors=(404,))
def get_plan(plan_id: int, query: AsOfQuery):
    plan = load(Plan, plan_id)
    authorize("plan.view", plan)
    return plan_detail(plan, query.as_of or clock.today()), 200


@endpoint(bp, "/plans/<int:plan_id>/activate", "POST", summary="Activate a draft plan",
          tag="Plans", response=PlanOut, errors=(403, 404, 409))
def activate_plan(plan_id: int):
    authorize("plan.manage")
    plan = plans.set_plan_status(actor(), load(Plan, plan_id), "active")
    return dump(PlanOut, plan), 200


@endpoint(bp, "/plans/<int:plan_id>/close", "POST", summary="Close an active plan",
          tag="Plans", response=PlanOut, errors=(403, 404, 409))
def close_plan(plan_id: int):
    authorize("plan.manage")
    plan = plans.set_plan_status(actor(), load(Plan, plan_id), "closed")
    return dump(PlanOut, plan), 200


@endpoint(bp, "/plans/<int:plan_id>/measures", "POST", summary="Add a measure to a plan",
          tag="Plans", body=MeasureCreate, response=MeasureOut, status=201,
          errors=(403, 404, 409))
def create_measure(plan_id: int, body: MeasureCreate):
    authorize("plan.manage")
    measure = plans.create_measure(actor(), load(Plan, plan_id), heading=body.heading,
                                   title=body.title)
    return dump(MeasureOut, measure), 201


@endpoint(bp, "/plans/<int:plan_id>/tasks/import", "POST",
          summary="Import a responsibility list (.xlsx): all rows or none", tag="Plans",
          multipart={"file": "the workbook, in the template's columns"}, response=ImportResult,
          status=201, errors=(400, 403, 404, 409, 413))
def import_tasks(plan_id: int):
    authorize("plan.manage")
    plan = load(Plan, plan_id)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise InvalidInput(_("Choose a file."), {"file": _("Choose a file.")})
    created = task_import.import_tasks(actor(), plan, upload.stream)
    return {"created": created}, 201


@endpoint(bp, "/plans/<int:plan_id>/tasks/template.xlsx", "GET",
          summary="The responsibility-list template", tag="Plans", response=XLSX,
          errors=(403, 404))
def import_template(plan_id: int):
    authorize("plan.manage")
    load(Plan, plan_id)
    return Response(task_import.template(), mimetype=XLSX, headers={
        "Content-Disposition": "attachment; filename=responsibility-list-template.xlsx"})


@endpoint(bp, "/plans/<int:plan_id>/ledger.xlsx", "GET", summary="The master ledger as .xlsx",
          tag="Plans", query=AsOfQuery, response=XLSX, errors=(404,))
def ledger_xlsx(plan_id: int, query: AsOfQuery):
    plan = load(Plan, plan_id)
    authorize("ledger.view", plan)
    as_of = query.as_of or clock.today()
    filters = LedgerFilter(plan_id=plan.id)
    output = ledger_view.export_xlsx(acting_user(), filters, as_of, plan.title,
                                     (ledger_view.describe(filters),))
    return file_download(output, f"ledger-{plan.id}-{as_of.isoformat()}.xlsx")


@endpoint(bp, "/tasks", "POST", summary="Create a task", tag="Tasks", body=TaskCreate,
          response=TaskDetailOut, status=201, errors=(403, 409))
def create_task(body: TaskCreate):
    authorize("plan.manage")
    task = plans.create_task(actor(), body.values())
    return task_detail(task, clock.today()), 201


@endpoint(bp, "/tasks/<int:task_id>", "PATCH", summary="Change a task", tag="Tasks",
          body=TaskPatch, response=TaskDetailOut, errors=(403, 404, 409))
def patch_task(task_id: int, body: TaskPatch):
    authorize("plan.manage")
    task = plans.update_task(actor(), load(Task, task_id), body.change())
    return task_detail(task, clock.today()), 200


@endpoint(bp, "/tasks", "GET", summary="List tasks with their progress as of a date",
          tag="Tasks", query=TaskQuery, response=page_of(TaskOut))
def list_tasks(query: TaskQuery):
    authorize("ledger.view")
    as_of = query.as_of or clock.today()
    filters = LedgerFilter(plan_id=query.plan_id, measure_id=query.measure_id,
                           unit_id=query.unit_id, status=query.status, light=query.light)
    page, _counts = ledger_view.page(acting_user(), filters, as_of, query.page, query.per_page)
    return {"items": [task_json(*row[:5]) for row in page.items], "page": query.page,
            "per_page": query.per_page, "total": page.total}, 200


@endpoint(bp, "/tasks/<int:task_id>", "GET", summary="Read a task with its ledger",
          tag="Tasks", query=AsOfQuery, response=TaskDetailOut, errors=(404,))
def get_task(task_id: int, query: AsOfQuery):
    task = load(Task, task_id)
    authorize_task_view(task)
    return task_detail(task, query.as_of or clock.today()), 200


def authorize_task_view(task: Task) -> None:
    """Answer 404, not 403, for a task the user may not see: its existence is not theirs."""
    if not permissions.can(acting_user(), "task.view", task):
        abort(404)


@endpoint(bp, "/tasks/<int:task_id>/entries", "POST",
          summary="Report progress on a task (the office, the unit head; a unit member drafts)",
          tag="Tasks", body=EntryCreate, response=EntryOut, status=201, errors=(403, 404, 409))
def create_entry(task_id: int, body: EntryCreate):
    task = load(Task, task_id)
    authorize_task_view(task)
    authorize("task.report", task)
    may_backdate = permissions.can(acting_user(), "task.backdate", task)
    entry = ledger.add_entry(actor(), task, percent=body.percent, narrative=body.narrative,
                             reported_on=body.reported_on, may_backdate=may_backdate,
                             upload_folder=current_app.config["UPLOAD_FOLDER"], reason=body.reason)
    return dump(EntryOut, entry), 201


@endpoint(bp, "/tasks/<int:task_id>/entries/<int:entry_id>/correct", "POST",
          summary="Correct the latest report until the office acts on it: a new entry superseding it",
          tag="Tasks", body=EntryCorrect, response=EntryOut, status=201, errors=(403, 404, 409))
def correct_entry(task_id: int, entry_id: int, body: EntryCorrect):
    task = load(Task, task_id)
    authorize_task_view(task)
    entry = load(LedgerEntry, entry_id)
    if entry.task_id != task.id:
        abort(404)
    authorize("task.report", task)
    corrected = ledger.correct(actor(), task, entry, percent=body.percent, narrative=body.narrative,
                               reason=body.reason, upload_folder=current_app.config["UPLOAD_FOLDER"])
    return dump(EntryOut, corrected), 201


@endpoint(bp, "/tasks/<int:task_id>/verify", "POST",
          summary="Verify a completion claim, or return it with a reason", tag="Tasks",
          body=VerifyRequest, response=TaskDetailOut, errors=(403, 404, 409))
def verify_task(task_id: int, body: VerifyRequest):
    authorize("task.verify")
    task = ledger.verify(actor(), load(Task, task_id), accept=body.accept, reason=body.reason,
                         on=body.on)
    return task_detail(task, clock.today()), 200


# A unit member's drafts: the member drafts, the unit head submits (services/ledger_drafts.py)


def load_draft(draft_id: int) -> LedgerDraft:
    """The draft, or 404 for one the user may not read (another unit's, the central roles)."""
    draft = load(LedgerDraft, draft_id)
    if not permissions.can(acting_user(), "ledger.draft_read", draft):
        abort(404)
    return draft


@endpoint(bp, "/tasks/<int:task_id>/drafts", "POST",
          summary="Draft a progress report for the unit head (a unit member)", tag="Drafts",
          body=DraftCreate, response=DraftOut, status=201, errors=(403, 404, 409))
def create_draft(task_id: int, body: DraftCreate):
    task = load(Task, task_id)
    authorize_task_view(task)
    authorize("ledger.draft", task)
    draft = ledger_drafts.create(actor(), task, percent=body.percent, narrative=body.narrative,
                                 upload_folder=current_app.config["UPLOAD_FOLDER"])
    return dump(DraftOut, draft), 201


@endpoint(bp, "/drafts", "GET",
          summary="Open drafts: a member's own, or those of the head's unit", tag="Drafts",
          response=list[DraftOut], errors=(403,))
def list_drafts():
    authorize("ledger.drafts")
    return [dump(DraftOut, d) for d in ledger_drafts.open_drafts(acting_user())], 200


@endpoint(bp, "/drafts/<int:draft_id>", "GET", summary="Read a draft", tag="Drafts",
          response=DraftOut, errors=(404,))
def get_draft(draft_id: int):
    return dump(DraftOut, load_draft(draft_id)), 200


@endpoint(bp, "/drafts/<int:draft_id>", "PATCH",
          summary="Change a draft (its author); a returned draft goes back to the head",
          tag="Drafts", body=DraftPatch, response=DraftOut, errors=(403, 404, 409))
def patch_draft(draft_id: int, body: DraftPatch):
    draft = load_draft(draft_id)
    authorize("ledger.draft_edit", draft)
    ledger_drafts.edit(actor(), draft, percent=body.percent, narrative=body.narrative,
                       upload_folder=current_app.config["UPLOAD_FOLDER"])
    return dump(DraftOut, draft), 200


@endpoint(bp, "/drafts/<int:draft_id>/submit", "POST",
          summary="Submit a member's draft to the ledger (the unit head)", tag="Drafts",
          body=DraftSubmit, body_optional=True, response=EntryOut, status=201, errors=(403, 404, 409))
def submit_draft(draft_id: int, body: DraftSubmit):
    draft = load_draft(draft_id)
    authorize("ledger.submit", draft)
    return dump(EntryOut, ledger_drafts.submit(actor(), draft, reason=body.reason)), 201


@endpoint(bp, "/drafts/<int:draft_id>/return", "POST",
          summary="Return a draft to its author with a comment (the unit head)", tag="Drafts",
          body=DraftReturn, response=DraftOut, errors=(403, 404, 409))
def return_draft(draft_id: int, body: DraftReturn):
    draft = load_draft(draft_id)
    authorize("ledger.submit", draft)
    return dump(DraftOut, ledger_drafts.return_draft(actor(), draft, comment=body.comment)), 200


@endpoint(bp, "/drafts/<int:draft_id>/discard", "POST", summary="Discard a draft (its author)",
          tag="Drafts", response=DraftOut, errors=(403, 404, 409))
def discard_draft(draft_id: int):
    draft = load_draft(draft_id)
    authorize("ledger.draft_edit", draft)
    return dump(DraftOut, ledger_drafts.discard(actor(), draft)), 200
