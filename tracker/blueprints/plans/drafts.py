"""A unit member's ledger drafts: the member edits or discards, the unit head submits or returns."""

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from tracker.blueprints import actor, authorize, drafting, load
from tracker.blueprints.forms import ConfirmForm, apply_errors
from tracker.blueprints.plans import bp
from tracker.blueprints.plans.forms import ReportForm, ReturnDraftForm
from tracker.models import LedgerDraft, LedgerDraftFile
from tracker.services import ledger, ledger_drafts, permissions
from tracker.services.errors import InvalidInput
from tracker.unit_of_work import attempt


def _load_draft(draft_id: int) -> LedgerDraft:
    """The draft, or 404 for one the user may not read: another unit's drafts are not theirs to know."""
    draft = load(LedgerDraft, draft_id)
    if not permissions.can(current_user, "ledger.draft_read", draft):
        abort(404)
    return draft


def _back(draft: LedgerDraft):
    if request.form.get("back") == "mine":
        return redirect(url_for("plans.my_tasks"))
    return redirect(url_for("plans.task_page", task_id=draft.task_id))


@bp.route("/drafts/<int:draft_id>", methods=["GET", "POST"])
@login_required
def draft_page(draft_id):
    draft = _load_draft(draft_id)
    form = ReportForm()
    if not form.is_submitted():
        form.percent.data, form.narrative.data = draft.percent, draft.narrative
    if request.method == "POST":
        authorize("ledger.draft_edit", draft)
        if form.validate_on_submit():
            files = [ledger.Upload(f.stream, f.filename) for f in (form.files.data or []) if f.filename]
            try:
                with attempt():
                    ledger_drafts.edit(actor(), draft, percent=form.percent.data,
                                       narrative=form.narrative.data, files=files,
                                       upload_folder=current_app.config["UPLOAD_FOLDER"])
            except InvalidInput as error:
                apply_errors(form, error)
            else:
                flash(_("Draft saved: it waits for your unit head to submit it."), "success")
                return redirect(url_for("plans.draft_page", draft_id=draft.id))
    return render_template(
        "plans/draft.html", draft=draft, form=form, confirm=ConfirmForm(),
        return_form=ReturnDraftForm(),
        may_edit=permissions.can(current_user, "ledger.draft_edit", draft),
        may_submit=permissions.can(current_user, "ledger.submit", draft)), 400 if form.errors else 200


@bp.route("/drafts/<int:draft_id>/submit", methods=["POST"])
@login_required
def draft_submit(draft_id):
    draft = _load_draft(draft_id)
    authorize("ledger.submit", draft)
    if ConfirmForm().validate_on_submit():
        try:
            with attempt():
                entry = ledger_drafts.submit(actor(), draft, reason=request.form.get("reason") or None)
        except InvalidInput as error:  # a lower percent without its reason: said on the page
            for message in error.fields.values():
                flash(message, "danger")
        else:
            flash(_("Submitted to the ledger: %(n)d%%.", n=entry.percent), "success")
    return _back(draft)


@bp.route("/drafts/<int:draft_id>/return", methods=["POST"])
@login_required
def draft_return(draft_id):
    draft = _load_draft(draft_id)
    authorize("ledger.submit", draft)
    drafting.return_draft(ledger_drafts.KIND, draft, ReturnDraftForm())
    return _back(draft)


@bp.route("/drafts/<int:draft_id>/discard", methods=["POST"])
@login_required
def draft_discard(draft_id):
    draft = _load_draft(draft_id)
    authorize("ledger.draft_edit", draft)
    drafting.discard(ledger_drafts.KIND, draft)
    return _back(draft)


@bp.route("/drafts/files/<int:file_id>")
@login_required
def draft_file(file_id):
    item = load(LedgerDraftFile, file_id)
    _load_draft(item.draft_id)
    return drafting.send(item)
