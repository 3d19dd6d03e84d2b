from flask import (
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import false, select

from tracker import clock
from tracker.blueprints import actor, authorize, file_download, load, require
from tracker.blueprints.forms import ConfirmForm, apply_errors, parse_date, parse_int
from tracker.blueprints.plans import bp
from tracker.blueprints.plans.forms import (
    CorrectForm,
    ImportTasksForm,
    MeasureForm,
    PlanForm,
    ReportForm,
    ReturnDraftForm,
    TaskForm,
    VerifyForm,
    milestones_to_text,
    parse_milestone_lines,
)
from tracker.extensions import db
from tracker.media_types import XLSX
from tracker.models import (
    AuditEvent,
    EvidenceFile,
    LedgerEntry,
    Measure,
    Plan,
    Task,
    TaskLight,
    TaskStatus,
)
from tracker.services import (
    charts,
    forecast,
    ledger,
    ledger_drafts,
    ledger_view,
    permissions,
    pickers,
    plans,
    task_import,
)
from tracker.services.errors import Conflict, InvalidInput, RowErrors
from tracker.services.ledger_view import LedgerFilter
from tracker.unit_of_work import attempt


def _as_of():
    return parse_date(request.args.get("as_of")) or clock.today()


def _can_see_task(task: Task) -> None:
    if not permissions.can(current_user, "task.view", task):
        abort(404)


# Plans -------------------------------------------------------------------------


@bp.route("/plans")
@require("plan.view")
def plan_list():
    items = db.session.scalars(select(Plan).order_by(Plan.year.desc(), Plan.id.desc())).all()
    return render_template("plans/plans.html", plans=items)


@bp.route("/plans/new", methods=["GET", "POST"])
@bp.route("/plans/<int:plan_id>/edit", methods=["GET", "POST"])
@require("plan.manage")
def plan_form(plan_id=None):
    plan = load(Plan, plan_id) if plan_id else None
    form = PlanForm(obj=plan)
    if not form.is_submitted() and plan is None:
        form.year.data = clock.today().year
    if form.validate_on_submit():
        try:
            with attempt():
                if plan is None:
                    plan = plans.create_plan(actor(), form.plan_input())
                else:
                    plans.update_plan(actor(), plan, form.plan_input())
        except InvalidInput as error:
            apply_errors(form, error)
        else:
            flash(_("Plan saved."), "success")
            return redirect(url_for("plans.plan_page", plan_id=plan.id))
    return render_template("plans/plan_form.html", form=form, plan=plan), 400 if form.errors else 200


@bp.route("/plans/<int:plan_id>")
@require("plan.view")
def plan_page(plan_id):
    plan = load(Plan, plan_id)
    as_of = _as_of()
    overall, by_measure = ledger_view.plan_progress(plan, as_of, current_user)
    rows = db.session.execute(ledger_view.query(current_user, LedgerFilter(plan_id=plan.id), as_of)).all()
    tasks_by_measure: dict[int, list] = {}
    for row in rows:
        tasks_by_measure.setdefault(row[0].measure_id, []).append(row)
    counts = ledger_view.status_counts(current_user, LedgerFilter(plan_id=plan.id), as_of)
    return render_template("plans/plan.html", plan=plan, as_of=as_of, overall=overall,
                           by_measure=by_measure, tasks_by_measure=tasks_by_measure,
                           counts=counts, confirm=ConfirmForm())


@bp.route("/plans/<int:plan_id>/status", methods=["POST"])
@require("plan.manage")
def plan_status(plan_id):
    plan = load(Plan, plan_id)
    if ConfirmForm().validate_on_submit():
        plans.set_plan_status(actor(), plan, request.form.get("status", ""))
        flash(_("Plan status changed."), "success")
    return redirect(url_for("plans.plan_page", plan_id=plan.id))


@bp.route("/plans/<int:plan_id>/measures/new", methods=["GET", "POST"])
@bp.route("/measures/<int:measure_id>/edit", methods=["GET", "POST"])
@require("plan.manage")
def measure_form(plan_id=None, measure_id=None):
    measure = load(Measure, measure_id) if measure_id else None
    plan = measure.plan if measure else load(Plan, plan_id)
    form = MeasureForm(obj=measure)
    if form.validate_on_submit():
        try:
            with attempt():
                if measure is None:
                    plans.create_measure(actor(), plan, heading=form.heading.data, title=form.title.data)
                else:
                    plans.update_measure(actor(), measure, heading=form.heading.data, title=form.title.data)
        except InvalidInput as error:
            apply_errors(form, error)
        else:
            flash(_("Measure saved."), "success")
            return redirect(url_for("plans.plan_page", plan_id=plan.id))
    return render_template("plans/measure_form.html", form=form, plan=plan, measure=measure), (
        400 if form.errors else 200)


# Tasks -------------------------------------------------------------------------


@bp.route("/plans/<int:plan_id>/tasks/new", methods=["GET", "POST"])
@bp.route("/tasks/<int:task_id>/edit", methods=["GET", "POST"])
@require("plan.manage")
def task_form(plan_id=None, task_id=None):
    task = load(Task, task_id) if task_id else None
    plan = task.plan if task else load(Plan, plan_id)
    form = TaskForm(plan.measures, obj=task)
    if not form.is_submitted():
        if task is not None:
            form.milestones.data = milestones_to_text(task.milestones)
            form.co_unit_ids.data = [u.id for u in task.co_units]
        elif parse_int(request.args.get("measure_id")):
            form.measure_id.data = parse_int(request.args.get("measure_id"))
    if form.validate_on_submit():
        try:
            milestones = parse_milestone_lines(form.milestones.data)
        except ValueError as bad_line:
            form.milestones.errors = [_("Line %(n)s: write a date, a percent and a title, "
                                        "e.g. 2026-10-15 30%% 完成摸底.", n=bad_line.args[0])]
        else:
            try:
                with attempt():
                    if task is None:
                        task = plans.create_task(actor(), form.task_input(milestones))
                    else:
                        plans.update_task(actor(), task, form.task_change(milestones))
            except InvalidInput as error:
                apply_errors(form, error)
            else:
                flash(_("Task saved."), "success")
                return redirect(url_for("plans.task_page", task_id=task.id))
    return render_template("plans/task_form.html", form=form, plan=plan, task=task), (
        400 if form.errors else 200)


@bp.route("/tasks/<int:task_id>")
@login_required
def task_page(task_id):
    task = load(Task, task_id)
    _can_see_task(task)
    as_of = _as_of()
    state = ledger.task_progress(task, as_of)
    entries = ledger.entries_of(task)
    chart = charts.progress_chart(task.starts_on, task.due_on,
                                  [(m.on, m.percent) for m in task.milestones],
                                  [(e.reported_on, e.percent) for e in entries], as_of)
    trail = db.session.scalars(
        select(AuditEvent).where(AuditEvent.object_type == "tasks", AuditEvent.object_id == task.id)
        .order_by(AuditEvent.at.desc()).limit(50)).all()
    report = ReportForm()
    return render_template(
        "plans/task.html", task=task, state=state, as_of=as_of, entries=entries, chart=chart,
        outlook=forecast.for_tasks([task], as_of)[task.id],
        verifications=ledger.verifications_of(task), trail=trail, report=report,
        verify=VerifyForm(), may_report=permissions.can(current_user, "task.report", task),
        may_draft=permissions.can(current_user, "ledger.draft", task),
        drafts=ledger_drafts.open_drafts(current_user, task), confirm=ConfirmForm(),
        return_form=ReturnDraftForm(),
        may_backdate=permissions.can(current_user, "task.backdate", task),
        superseded={e.supersedes_id for e in entries if e.supersedes_id},
        correctable=next((e.id for e in entries[:1] if permissions.can(current_user, "task.report", task)
                          and ledger.correctable(task, e)), None))


@bp.route("/tasks/<int:task_id>/report", methods=["POST"])
@login_required
def task_report(task_id):
    task = load(Task, task_id)
    _can_see_task(task)
    # a unit member's report is a draft for the unit head (services/ledger_drafts.py)
    drafting = permissions.can(current_user, "ledger.draft", task)
    if not drafting:
        authorize("task.report", task)
    form = ReportForm()
    back = request.form.get("back")
    if form.validate_on_submit():
        files = [ledger.Upload(f.stream, f.filename) for f in (form.files.data or []) if f.filename]
        may_backdate = permissions.can(current_user, "task.backdate", task)
        try:
            with attempt():
                if drafting:
                    ledger_drafts.create(actor(), task, percent=form.percent.data,
                                         narrative=form.narrative.data, files=files,
                                         upload_folder=current_app.config["UPLOAD_FOLDER"])
                else:
                    ledger.add_entry(actor(), task, percent=form.percent.data,
                                     narrative=form.narrative.data,
                                     reported_on=form.reported_on.data if may_backdate else None,
                                     files=files, may_backdate=may_backdate, reason=form.reason.data,
                                     upload_folder=current_app.config["UPLOAD_FOLDER"])
        except InvalidInput as error:
            apply_errors(form, error)
        except Conflict as refusal:
            if not drafting:
                raise
            flash(refusal.message, "danger")
        else:
            if drafting:
                flash(_("Draft saved: it waits for your unit head to submit it."), "success")
            else:
                flash(_("Progress reported: %(n)d%%.", n=form.percent.data), "success")
            if back == "mine":
                return redirect(url_for("plans.my_tasks"))
            return redirect(url_for("plans.task_page", task_id=task.id))
    for field, messages in form.errors.items():
        label = getattr(form, field).label.text if hasattr(form, field) else ""
        for message in messages:
            flash(f"{label}：{message}" if label else message, "danger")
    target = url_for("plans.my_tasks") if back == "mine" else url_for("plans.task_page", task_id=task.id)
    return redirect(target)


@bp.route("/tasks/<int:task_id>/entries/<int:entry_id>/correct", methods=["POST"])
@login_required
def entry_correct(task_id, entry_id):
    """Correct the latest report (until the office acts on it): a new entry superseding it."""
    task = load(Task, task_id)
    _can_see_task(task)
    entry = load(LedgerEntry, entry_id)
    if entry.task_id != task.id:
        abort(404)
    authorize("task.report", task)
    form = CorrectForm()
    if form.validate_on_submit():
        files = [ledger.Upload(f.stream, f.filename) for f in (form.files.data or []) if f.filename]
        try:
            with attempt():
                ledger.correct(actor(), task, entry, percent=form.percent.data,
                               narrative=form.narrative.data, reason=form.reason.data, files=files,
                               upload_folder=current_app.config["UPLOAD_FOLDER"])
        except InvalidInput as error:
            apply_errors(form, error)
        else:
            flash(_("Report corrected: %(n)d%%.", n=form.percent.data), "success")
            return redirect(url_for("plans.task_page", task_id=task.id))
    for field, messages in form.errors.items():
        label = getattr(form, field).label.text if hasattr(form, field) else ""
        for message in messages:
            flash(f"{label}：{message}" if label else message, "danger")
    return redirect(url_for("plans.task_page", task_id=task.id))


@bp.route("/tasks/<int:task_id>/verify", methods=["POST"])
@require("task.verify")
def task_verify(task_id):
    task = load(Task, task_id)
    form = VerifyForm()
    target = request.form.get("back")
    if form.validate_on_submit():
        try:
            with attempt():
                ledger.verify(actor(), task, accept=form.decision.data == "accept", reason=form.reason.data)
        except InvalidInput as error:
            apply_errors(form, error)
        else:
            flash(_("Task verified.") if form.decision.data == "accept" else _("Claim returned."),
                  "success")
            return redirect(url_for("plans.verification_queue") if target == "queue"
                            else url_for("plans.task_page", task_id=task.id))
    if target == "queue":  # the queue again, the errors on this claim's card
        return _verification_page({task.id: form}), 400
    for messages in form.errors.values():
        for message in messages:
            flash(message, "danger")
    return redirect(url_for("plans.task_page", task_id=task.id))


@bp.route("/evidence/<int:file_id>")
@login_required
def evidence(file_id):
    item = load(EvidenceFile, file_id)
    _can_see_task(load(Task, item.task_id))
    path = f"{current_app.config['UPLOAD_FOLDER']}/{item.stored_name}"
    inline = item.content_type in ("application/pdf", "image/png", "image/jpeg")
    return send_file(path, mimetype=item.content_type, as_attachment=not inline,
                     download_name=item.original_name, max_age=0)


# Lists -------------------------------------------------------------------------


def _ledger_filter() -> tuple[LedgerFilter, dict[str, pickers.Picked]]:
    """The ledger's filters, and the unit and owner pickers (a typed name resolved to its id)."""
    args = request.args
    picked = {"unit": pickers.pick_unit(current_user, args.get("unit"), parse_int(args.get("unit_id"))),
              "owner": pickers.pick_user(current_user, args.get("owner"),
                                         parse_int(args.get("owner_user_id")))}
    return LedgerFilter(
        plan_id=parse_int(args.get("plan_id")), measure_id=parse_int(args.get("measure_id")),
        unit_id=picked["unit"].id, owner_user_id=picked["owner"].id,
        status=args.get("status") if args.get("status") in TaskStatus.codes() else None,
        light=args.get("light") if args.get("light") in TaskLight.codes() else None,
        due_from=parse_date(args.get("due_from")), due_to=parse_date(args.get("due_to")),
        q=(args.get("q") or "")[:100] or None, open_only=args.get("open") == "1",
        projected_late=args.get("projected") == "late",
        sort=args.get("sort") if args.get("sort") in ledger_view.SORT_KEYS else "due",
        # a name that names no single unit or person: nothing matches (never more than asked)
        extra=[false()] if any(p.unknown for p in picked.values()) else [],
    ), picked


@bp.route("/ledger")
@require("ledger.view")
def master_ledger():
    (filters, picked), as_of = _ledger_filter(), _as_of()
    page, counts = ledger_view.page(current_user, filters, as_of,
                                    parse_int(request.args.get("page")) or 1,
                                    parse_int(request.args.get("per_page")) or 50)
    return render_template(
        "plans/ledger.html", page=page, counts=counts, filters=filters, as_of=as_of, picked=picked,
        plans=db.session.scalars(select(Plan).order_by(Plan.year.desc())).all(),
        measures=ledger_view.measures_of(filters.plan_id))


@bp.route("/ledger.xlsx")
@require("ledger.view")
def master_ledger_xlsx():
    (filters, _picked), as_of = _ledger_filter(), _as_of()
    output = ledger_view.export_xlsx(current_user, filters, as_of, _("Master ledger"),
                                     (ledger_view.describe(filters),))
    return file_download(output, f"ledger-{as_of.isoformat()}.xlsx")


@bp.route("/my-tasks")
@require("task.mine")
def my_tasks():
    as_of = _as_of()
    filters = LedgerFilter(unit_id=current_user.unit_id, open_only=True, sort="urgency",
                           extra=[Task.in_force()])
    page, _counts = ledger_view.page(current_user, filters, as_of,
                                     parse_int(request.args.get("page")) or 1, 20, 20)
    drafts = ledger_drafts.open_drafts(current_user)
    return render_template("plans/my_tasks.html", page=page, rows=page.items, as_of=as_of,
                           report=ReportForm(), drafts=drafts, confirm=ConfirmForm(),
                           return_form=ReturnDraftForm(),
                           drafted={d.task_id: d for d in drafts if d.author_id == current_user.id})


@bp.route("/verification")
@require("task.verify")
def verification_queue():
    return _verification_page({})


def _verification_page(forms: dict[int, VerifyForm]):
    """The queue: each claim with its text, evidence and recent history; ``forms`` re-shows a
    card's refused decision with its errors on that card."""
    as_of = clock.today()
    rows = db.session.execute(ledger_view.query(
        current_user, LedgerFilter(status="awaiting_verification", sort="due"), as_of).limit(200)).all()
    return render_template("plans/verification.html", rows=rows, forms=forms,
                           contexts=ledger.claim_contexts([row[0].id for row in rows]))


# Import ------------------------------------------------------------------------


@bp.route("/plans/<int:plan_id>/import", methods=["GET", "POST"])
@require("plan.manage")
def task_import_page(plan_id):
    plan = load(Plan, plan_id)
    form = ImportTasksForm()
    problems = []
    if form.validate_on_submit():
        try:
            with attempt():
                created = task_import.import_tasks(actor(), plan, form.file.data.stream)
        except RowErrors as error:
            problems = error.rows
            flash(error.message, "danger")
        except InvalidInput as error:
            apply_errors(form, error)
        else:
            flash(_("Imported %(n)d tasks.", n=created), "success")
            return redirect(url_for("plans.plan_page", plan_id=plan.id))
    return render_template("plans/import.html", form=form, plan=plan, problems=problems), (
        400 if form.errors or problems else 200)


@bp.route("/plans/<int:plan_id>/import/template.xlsx")
@require("plan.manage")
def task_import_template(plan_id):
    load(Plan, plan_id)
    return Response(task_import.template(), mimetype=XLSX, headers={
        "Content-Disposition": "attachment; filename=responsibility-list-template.xlsx"})
