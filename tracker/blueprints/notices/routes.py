"""Routes of the notices area: rectification notices and inspection records."""

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
from sqlalchemy import select

from tracker import clock
from tracker.blueprints import actor, authorize, load, require
from tracker.blueprints.forms import apply_errors, parse_date, parse_int
from tracker.blueprints.notices import bp
from tracker.blueprints.notices.forms import (
    InspectionForm,
    IssueForm,
    ReportForm,
    VerifyForm,
    WithdrawForm,
)
from tracker.extensions import db
from tracker.media_types import DOCX
from tracker.models import (
    Complaint,
    ComplaintCategory,
    Finding,
    Inspection,
    Notice,
    NoticeColour,
    NoticeFile,
    NoticeStatus,
    Unit,
)
from tracker.services import notices, official_docx, permissions, pickers
from tracker.services.errors import InvalidInput
from tracker.unit_of_work import attempt


def _visible(notice_id: int) -> Notice:
    notice = load(Notice, notice_id)
    if not permissions.can(current_user, "notice.read", notice):
        abort(404)
    return notice


# Lists -------------------------------------------------------------------------------


@bp.route("/")
@require("notice.view")
def notice_list():
    args = request.args
    as_of = parse_date(args.get("as_of")) or clock.today()
    unit = pickers.pick_unit(current_user, args.get("unit"), parse_int(args.get("unit_id")))
    unit_id = pickers.filter_id(unit)
    status = args.get("status") if args.get("status") in NoticeStatus.codes() else None
    colour = args.get("colour") if args.get("colour") in NoticeColour.codes() else None
    stmt = notices.list_query(current_user, as_of=as_of, unit_id=unit_id, status=status, colour_=colour)
    page = db.paginate(stmt.options(_unit_loaded()), page=parse_int(args.get("page")) or 1, per_page=50,
                       error_out=False)
    scope = permissions.visible_unit_ids(current_user)
    return render_template(
        "notices/list.html", page=page, as_of=as_of, unit=unit, status=status, colour=colour,
        unit_filter=scope is None or len(scope) > 1,  # the user reads several units
        counts=notices.colour_counts(current_user, as_of, unit_id),
        orange_days=notices.settings.get("notices.orange_days"), display_status=notices.display_status,
        colour_of=notices.colour)


def _unit_loaded():
    from sqlalchemy.orm import contains_eager

    return contains_eager(Notice.unit)


# Issue ----------------------------------------------------------------------------------


def _prefill(form: IssueForm) -> object | None:
    """Fill the form from ``?complaint_id=``, ``?finding_id=`` or ``?inspection_id=``; return the source."""
    for source_type, model in (("complaint", Complaint), ("finding", Finding), ("inspection", Inspection)):
        ident = parse_int(request.args.get(f"{source_type}_id"))
        if ident is None:
            continue
        source = db.session.get(model, ident)
        if source is None:
            abort(404)
        form.source_type.data, form.source_id.data = source_type, str(source.id)
        if source_type == "complaint":
            form.unit_id.data = source.dispatched_unit_id or source.unit_id
            form.problems.data = form.problems.data or (  # the subject, never the complainant
                source.subject or ComplaintCategory.zh_of(source.category))
        elif source_type == "finding":
            form.unit_id.data = source.unit_id
            form.problems.data = form.problems.data or f"{source.task.title}"
        else:
            form.unit_id.data = source.unit_id
            form.problems.data = form.problems.data or source.findings
        return source
    return None


@bp.route("/new", methods=["GET", "POST"])
@require("notice.manage")
def issue_form():
    """The form, then its preview: the notice as it will read, nothing numbered yet."""
    form = IssueForm()
    source = None
    if request.method == "GET":
        source = _prefill(form)
    elif request.form.get("edit"):  # back from the preview, to change something
        return render_template("notices/issue.html", form=form, source=None)
    elif form.validate_on_submit():
        try:
            with attempt():
                draft = notices.preview(actor(), form.notice_input())
        except InvalidInput as error:
            apply_errors(form, error)
        else:
            document = notices.document(draft)
            return render_template("notices/preview.html", form=form, notice=draft, document=document,
                                   blocks=official_docx.tagged(document.body))
    status = 400 if request.method == "POST" else 200
    return render_template("notices/issue.html", form=form, source=source), status


@bp.route("/new/issue", methods=["POST"])
@require("notice.manage")
def issue_confirm():
    """The preview confirmed: issue the notice, which takes its number now."""
    form = IssueForm()
    if form.validate_on_submit():
        try:
            with attempt():
                notice = notices.issue(actor(), form.notice_input())
        except InvalidInput as error:
            apply_errors(form, error)
        else:
            flash(_("Notice %(number)s issued.", number=notice.doc_number), "success")
            return redirect(url_for("notices.notice_page", notice_id=notice.id))
    return render_template("notices/issue.html", form=form, source=None), 400


# One notice -------------------------------------------------------------------------------


def _notice_page(notice: Notice, *, may_respond: bool, may_manage: bool, **forms):
    """The notice's page, with any form re-shown with its errors in ``forms``."""
    today = clock.today()
    forms = {"report_form": ReportForm(), "verify_form": VerifyForm(),
             "withdraw_form": WithdrawForm(), **forms}
    return render_template(
        "notices/notice.html", notice=notice, events=notices.events_of(notice),
        files=notices.files_of(notice), status=notices.display_status(notice, today),
        colour=notices.colour(notice, today), as_of=today, source=notices.source_summary(notice),
        may_respond=may_respond, may_manage=may_manage, **forms)


@bp.route("/<int:notice_id>")
@login_required
def notice_page(notice_id):
    notice = _visible(notice_id)
    return _notice_page(notice, may_respond=permissions.can(current_user, "notice.respond", notice),
                        may_manage=permissions.can(current_user, "notice.manage"))


@bp.route("/<int:notice_id>/withdraw", methods=["POST"])
@require("notice.manage")
def withdraw(notice_id):
    notice = load(Notice, notice_id)
    notices.WORKFLOW.require(notice, "withdraw")
    form = WithdrawForm()
    if form.validate_on_submit():
        try:
            with attempt():
                notices.withdraw(actor(), notice, reason=form.reason.data)
        except InvalidInput as error:
            apply_errors(form, error)
        else:
            flash(_("Notice %(number)s withdrawn; its number is not used again.",
                    number=notice.doc_number), "success")
            return redirect(url_for("notices.notice_page", notice_id=notice.id))
    return _notice_page(notice, withdraw_form=form, may_respond=False, may_manage=True), 400


@bp.route("/<int:notice_id>/acknowledge", methods=["POST"])
@login_required
def acknowledge(notice_id):
    notice = _visible(notice_id)
    authorize("notice.respond", notice)
    notices.acknowledge(actor(), notice)
    flash(_("Notice acknowledged."), "success")
    return redirect(url_for("notices.notice_page", notice_id=notice.id))


@bp.route("/<int:notice_id>/report", methods=["POST"])
@login_required
def report(notice_id):
    notice = _visible(notice_id)
    authorize("notice.respond", notice)
    form = ReportForm()
    if form.validate_on_submit():
        files = [notices.Upload(f.stream, f.filename) for f in (form.files.data or []) if f.filename]
        try:
            with attempt():
                notices.report(actor(), notice, text=form.text.data, files=files,
                               upload_folder=current_app.config["UPLOAD_FOLDER"])
        except InvalidInput as error:
            apply_errors(form, error)
        else:
            flash(_("Rectification report submitted."), "success")
            return redirect(url_for("notices.notice_page", notice_id=notice.id))
    return _notice_page(notice, report_form=form, may_respond=True,
                        may_manage=permissions.can(current_user, "notice.manage")), 400


@bp.route("/<int:notice_id>/verify", methods=["POST"])
@require("notice.manage")
def verify(notice_id):
    notice = load(Notice, notice_id)
    form = VerifyForm()
    if form.validate_on_submit():
        try:
            with attempt():
                notices.verify(actor(), notice, accept=form.decision.data == "accept",
                               reason=form.reason.data or None)
        except InvalidInput as error:
            apply_errors(form, error)
        else:
            flash(_("Notice verified.") if form.decision.data == "accept" else _("Report returned."),
                  "success")
            return redirect(url_for("notices.notice_page", notice_id=notice.id))
    return _notice_page(notice, verify_form=form, may_respond=False, may_manage=True), 400


@bp.route("/<int:notice_id>.docx")
@login_required
def notice_docx(notice_id):
    notice = _visible(notice_id)
    return Response(notices.to_docx(notice), mimetype=DOCX, headers={
        "Content-Disposition": f"attachment; filename=notice-{notice.number_year}-{notice.number}.docx"})


@bp.route("/files/<int:file_id>")
@login_required
def evidence(file_id):
    item = load(NoticeFile, file_id)
    _visible(item.notice_id)
    path = f"{current_app.config['UPLOAD_FOLDER']}/{item.stored_name}"
    inline = item.content_type in ("application/pdf", "image/png", "image/jpeg")
    return send_file(path, mimetype=item.content_type, as_attachment=not inline,
                     download_name=item.original_name, max_age=0)


# Inspections -------------------------------------------------------------------------------


@bp.route("/inspections")
@require("inspection.view")
def inspections():
    unit = pickers.pick_unit(current_user, request.args.get("unit"), parse_int(request.args.get("unit_id")))
    page = db.paginate(notices.inspections_query(pickers.filter_id(unit)),
                       page=parse_int(request.args.get("page")) or 1, per_page=50, error_out=False)
    units = dict(db.session.execute(select(Unit.id, Unit.name)).all())
    return render_template("notices/inspections.html", page=page, unit=unit, units=units)


@bp.route("/inspections/new", methods=["GET", "POST"])
@require("inspection.manage")
def inspection_form():
    form = InspectionForm()
    if request.method == "GET" and form.inspected_on.data is None:
        form.inspected_on.data = clock.today()
    if form.validate_on_submit():
        try:
            with attempt():
                inspection = notices.create_inspection(actor(), form.inspection_input())
        except InvalidInput as error:
            apply_errors(form, error)
        else:
            flash(_("Inspection recorded."), "success")
            return redirect(url_for("notices.inspection_page", inspection_id=inspection.id))
    status = 400 if request.method == "POST" else 200
    return render_template("notices/inspection_form.html", form=form), status


@bp.route("/inspections/<int:inspection_id>")
@require("inspection.view")
def inspection_page(inspection_id):
    inspection = load(Inspection, inspection_id)
    issued = db.session.scalars(select(Notice).where(Notice.inspection_id == inspection.id)
                                .order_by(Notice.id)).all()
    return render_template("notices/inspection.html", inspection=inspection, issued=issued)
