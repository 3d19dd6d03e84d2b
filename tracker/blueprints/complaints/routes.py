"""Complaints: the office's triage queue and the units' replies."""

from flask import abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import false

from tracker import clock
from tracker.blueprints import actor, authorize, load, require
from tracker.blueprints.complaints import bp
from tracker.blueprints.complaints.forms import (
    BulkDispatchForm,
    CloseForm,
    DispatchForm,
    DuplicateForm,
    OfficeComplaintForm,
    ReasonForm,
    ReplyForm,
    SimpleForm,
    TemplateForm,
)
from tracker.blueprints.forms import apply_errors, parse_date, parse_int
from tracker.models.complaints import (
    COMPLAINT_CATEGORIES,
    COMPLAINT_CHANNELS,
    COMPLAINT_STATUSES,
    Complaint,
    ComplaintFile,
    ComplaintStep,
    ReplyTemplate,
)
from tracker.services import complaint_reply_drafts, complaints, pagination, permissions, pickers, similarity
from tracker.services.errors import Conflict, InvalidInput
from tracker.services.pagination import Cursor
from tracker.unit_of_work import attempt


@bp.record_once
def complaint_helpers(state):
    """Helpers every template may use (the public pages too)."""
    state.app.jinja_env.globals.update(
        complaint_rating_counts=complaints.rating_counts,
        complaint_light=complaints.light)


def _readable(complaint_id: int) -> Complaint:
    complaint = load(Complaint, complaint_id)
    if not permissions.can(current_user, "complaint.read", complaint):
        abort(404)
    return complaint


def _choice(name: str, allowed) -> str | None:
    value = request.args.get(name) or None
    return value if value in allowed else None


@bp.route("/")
@require("complaint.view")
def complaint_list():
    args = request.args
    today = parse_date(args.get("as_of")) or clock.today()
    status, category = _choice("status", COMPLAINT_STATUSES), _choice("category", COMPLAINT_CATEGORIES)
    channel = _choice("channel", COMPLAINT_CHANNELS)
    unit = pickers.pick_unit(current_user, args.get("unit"), parse_int(args.get("unit_id")))
    overdue = args.get("overdue") == "1"
    stmt = complaints.list_query(current_user, status=status, unit_id=unit.id, category=category,
                                 channel=channel, overdue=overdue, today=today)
    if unit.unknown:  # a name that names no single unit: nothing matches
        stmt = stmt.where(false())
    if args.get("drafts") == "1":  # the home's link: reply drafts waiting on the user
        stmt = complaint_reply_drafts.only_with_drafts(current_user, stmt)
    # newest first, paged by (submitted_at, id): the 300,000th row costs what the first does
    page = pagination.keyset(stmt, Complaint.submitted_at, Complaint.id, per_page=50,
                             older_than=Cursor.parse(args.get("older_than")),
                             newer_than=Cursor.parse(args.get("newer_than")))
    manage = permissions.can(current_user, "complaint.manage")
    return render_template(
        "complaints/list.html", page=page, today=today, manage=manage,
        personal=permissions.can(current_user, "complaint.personal"),
        unit_filter=permissions.reads_every_unit(current_user), unit=unit,
        filters={"status": status, "category": category, "channel": channel, "overdue": overdue,
                 "drafts": args.get("drafts") == "1"},
        dispatch=BulkDispatchForm(formdata=None) if manage else None)


@bp.route("/new", methods=["GET", "POST"])
@require("complaint.manage")
def complaint_record():
    form = OfficeComplaintForm()
    if request.method == "POST":
        if form.validate_on_submit():
            files = [complaints.Upload(f.stream, f.filename) for f in (form.files.data or [])
                     if getattr(f, "filename", None)]
            try:
                with attempt():
                    complaint = complaints.submit(
                        actor(), form.complaint_input(), files=files,
                        upload_folder=current_app.config["UPLOAD_FOLDER"])
            except InvalidInput as error:
                apply_errors(form, error)
            else:
                flash(_("Complaint recorded."), "success")
                return redirect(url_for("complaints.complaint_detail", complaint_id=complaint.id))
        return render_template("complaints/new.html", form=form), 400
    return render_template("complaints/new.html", form=form)


@bp.route("/bulk-dispatch", methods=["POST"])
@require("complaint.manage")
def bulk_dispatch():
    form = BulkDispatchForm()
    ids = [parse_int(value) for value in request.form.getlist("ids")]
    unit = pickers.pick_unit(current_user, request.form.get("unit"), form.unit_id.data)
    if not form.validate_on_submit() or not ids or None in ids or unit.unknown or unit.id is None:
        flash(_("Choose the complaints and the unit to dispatch them to."), "danger")
        return redirect(url_for("complaints.complaint_list")), 303
    rows = [load(Complaint, ident) for ident in ids]
    try:
        with attempt():
            complaints.dispatch_many(actor(), [(c, unit.id) for c in rows],
                                     form.reply_due_on.data, form.on.data)
    except (InvalidInput, Conflict) as error:
        for message in (error.fields or {"": error.message}).values():
            flash(message, "danger")
        return redirect(url_for("complaints.complaint_list")), 303
    flash(_("%(n)d complaints dispatched.", n=len(rows)), "success")
    return redirect(url_for("complaints.complaint_list"))


def _detail(complaint: Complaint, status: int = 200, **forms):
    manage = permissions.can(current_user, "complaint.manage")
    reply = forms.get("reply") or ReplyForm(formdata=None)
    reply.template_id.choices = [("", "—")] + [(str(t.id), t.title) for t in complaints.templates()]
    dispatch = forms.get("dispatch") or DispatchForm(formdata=None)
    if not dispatch.unit_id.data and complaint.unit_id:
        dispatch.unit_id.data = complaint.unit_id
    today = clock.today()
    return render_template(
        "complaints/detail.html", complaint=complaint, manage=manage, today=today,
        personal=permissions.can(current_user, "complaint.personal"),
        may_reply=complaint.status == "dispatched"
        and permissions.can(current_user, "complaint.reply", complaint),
        # a unit member's reply is a draft for the head (services/complaint_reply_drafts.py)
        may_draft=complaint.status == "dispatched"
        and permissions.can(current_user, "complaint.reply_draft", complaint)
        and complaint_reply_drafts.open_draft(complaint, current_user) is None,
        reply_drafts=complaint_reply_drafts.open_drafts(current_user, complaint),
        files=complaints.files_of(complaint),
        similar=similarity.similar(complaint) if manage and complaint.status in ("submitted", "accepted")
        else [],
        default_due=complaints.default_due(today),
        templates=complaints.templates(),
        dispatch=dispatch, reply=reply,
        reject=forms.get("reject") or ReasonForm(formdata=None),
        ret=forms.get("ret") or ReasonForm(formdata=None),
        duplicate=forms.get("duplicate") or DuplicateForm(formdata=None),
        close=forms.get("close") or CloseForm(formdata=None),
        simple=SimpleForm(formdata=None)), status


@bp.route("/<int:complaint_id>")
@require("complaint.view")
def complaint_detail(complaint_id):
    return _detail(_readable(complaint_id))


STEPS = ("accept", "reject", "duplicate", "dispatch", "reply", "return", "close", "publish", "unpublish")


@bp.route("/<int:complaint_id>/<step>", methods=["POST"])
@login_required
def complaint_step(complaint_id, step):
    if step not in STEPS:
        abort(404)
    complaint = _readable(complaint_id)
    drafting = step == "reply" and permissions.can(current_user, "complaint.reply_draft", complaint)
    if step == "reply" and not drafting:
        authorize("complaint.reply", complaint)
    elif step != "reply":
        authorize("complaint.manage")
    act = actor()
    forms = {}
    try:
        with attempt():
            if step == "accept":
                form = SimpleForm()
                if not form.validate_on_submit():
                    raise InvalidInput(_("Please correct the marked fields."), dict(_first(form.errors)))
                complaints.accept(act, complaint, form.on.data)
            elif step in ("reject", "return"):
                form = forms["reject" if step == "reject" else "ret"] = ReasonForm()
                if not form.validate_on_submit():
                    raise InvalidInput(_("Please correct the marked fields."), dict(_first(form.errors)))
                if step == "reject":
                    complaints.reject(act, complaint, form.reason.data)
                else:
                    complaints.return_reply(act, complaint, form.reason.data, form.reply_due_on.data)
            elif step == "duplicate":
                form = forms["duplicate"] = DuplicateForm()
                if not form.validate_on_submit():
                    raise InvalidInput(_("Please correct the marked fields."), dict(_first(form.errors)))
                complaints.mark_duplicate(act, complaint, form.original_id())
            elif step == "dispatch":
                form = forms["dispatch"] = DispatchForm()
                if not form.validate_on_submit():
                    raise InvalidInput(_("Please correct the marked fields."), dict(_first(form.errors)))
                complaints.dispatch(act, complaint, form.unit_id.data, form.reply_due_on.data, form.on.data)
            elif step == "reply":
                form = forms["reply"] = ReplyForm()
                form.template_id.choices = []
                if not form.validate_on_submit():
                    raise InvalidInput(_("Please correct the marked fields."), dict(_first(form.errors)))
                files = [complaints.Upload(f.stream, f.filename) for f in (form.files.data or [])
                         if getattr(f, "filename", None)]
                if drafting:  # a unit member's reply waits for the unit head
                    if form.on.data is not None:
                        raise InvalidInput(_("Please correct the marked fields."), {
                            "on": _("Only the office records the date of a reply received on paper.")})
                    complaint_reply_drafts.create(act, complaint, text=form.text.data, files=files,
                                                  upload_folder=current_app.config["UPLOAD_FOLDER"])
                else:
                    complaints.reply(act, complaint, form.reply_input(), files=files,
                                     upload_folder=current_app.config["UPLOAD_FOLDER"])
            elif step == "close":
                form = forms["close"] = CloseForm()
                if not form.validate_on_submit():
                    raise InvalidInput(_("Please correct the marked fields."), dict(_first(form.errors)))
                complaints.close(act, complaint, form.resolved.data == "yes")
            else:
                form = SimpleForm()
                if not form.validate_on_submit():
                    raise InvalidInput(_("Please correct the marked fields."), dict(_first(form.errors)))
                complaints.publish(act, complaint, step == "publish")
    except InvalidInput as error:
        target = forms.get({"reject": "reject", "return": "ret"}.get(step, step))
        if target is not None and target.errors:  # the form refused the values: its fields say why
            target.form_errors.append(error.message)
        elif target is not None:
            apply_errors(target, error)
        else:
            for message in error.fields.values() or [error.message]:
                flash(message, "danger")
        return _detail(complaint, 400, **forms)
    except Conflict as error:
        flash(error.message, "warning")
        return _detail(complaint, 409)
    if drafting:
        flash(_("Draft reply saved: it waits for your unit head to submit it."), "success")
    else:
        flash(_("Saved: %(step)s.", step=ComplaintStep.label_of(step)), "success")
    return redirect(url_for("complaints.complaint_detail", complaint_id=complaint.id))


def _first(errors: dict) -> list[tuple[str, str]]:
    return [(name, messages[0] if isinstance(messages, list) and messages else str(messages))
            for name, messages in errors.items()]


@bp.route("/files/<int:file_id>")
@require("complaint.view")
def complaint_file(file_id):
    item = load(ComplaintFile, file_id)
    _readable(item.complaint_id)
    path = f"{current_app.config['UPLOAD_FOLDER']}/{item.stored_name}"
    return send_file(path, mimetype=item.content_type, as_attachment=item.content_type == "application/pdf",
                     download_name=complaints.download_name(current_user, item), max_age=0)


# Reply templates ------------------------------------------------------------------


@bp.route("/templates", methods=["GET", "POST"])
@bp.route("/templates/<int:template_id>", methods=["GET", "POST"])
@require("complaint.manage")
def reply_templates(template_id=None):
    template = load(ReplyTemplate, template_id) if template_id else None
    form = TemplateForm(obj=template)
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                with attempt():
                    complaints.save_template(actor(), template, form.title.data, form.body.data)
            except InvalidInput as error:
                apply_errors(form, error)
            else:
                flash(_("Template saved."), "success")
                return redirect(url_for("complaints.reply_templates"))
        status = 400
    return render_template("complaints/templates.html", form=form, template=template,
                           templates=complaints.templates(), delete=SimpleForm(formdata=None)), status


@bp.route("/templates/<int:template_id>/delete", methods=["POST"])
@require("complaint.manage")
def delete_template(template_id):
    template = load(ReplyTemplate, template_id)
    if SimpleForm().validate_on_submit():
        complaints.delete_template(actor(), template)
        flash(_("Template deleted."), "success")
    return redirect(url_for("complaints.reply_templates"))



