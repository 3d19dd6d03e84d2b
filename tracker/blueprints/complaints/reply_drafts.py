"""A unit member's complaint reply drafts: the member edits or discards, the unit head submits or returns."""

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length

from tracker.blueprints import actor, authorize, drafting, load
from tracker.blueprints.complaints import bp
from tracker.blueprints.forms import ConfirmForm, apply_errors
from tracker.models import ComplaintReplyDraft, ComplaintReplyDraftFile
from tracker.services import complaint_reply_drafts, complaints, permissions
from tracker.services.errors import Conflict, InvalidInput
from tracker.unit_of_work import attempt


class ReplyDraftForm(FlaskForm):
    text = TextAreaField(_l("Reply"), validators=[DataRequired(_l("This field is required.")),
                                                  Length(max=5000)])
    files = MultipleFileField(_l("Files (PDF, JPG, PNG; up to 3)"))
    submit = SubmitField(_l("Send to the unit head"))


class ReturnReplyDraftForm(FlaskForm):
    comment = TextAreaField(_l("What to change"), validators=[DataRequired(_l("This field is required.")),
                                                             Length(max=2000)])


def _load_draft(draft_id: int) -> ComplaintReplyDraft:
    """The draft, or 404 for one the user may not read: another unit's drafts are not theirs to know."""
    draft = load(ComplaintReplyDraft, draft_id)
    if not permissions.can(current_user, "complaint.reply_draft_read", draft):
        abort(404)
    return draft


def _back(draft: ComplaintReplyDraft):
    return redirect(url_for("complaints.complaint_detail", complaint_id=draft.complaint_id))


@bp.route("/reply-drafts/<int:draft_id>", methods=["GET", "POST"])
@login_required
def reply_draft_page(draft_id):
    draft = _load_draft(draft_id)
    form = ReplyDraftForm()
    if not form.is_submitted():
        form.text.data = draft.text
    status = 200
    if request.method == "POST":
        authorize("complaint.reply_draft_edit", draft)
        if form.validate_on_submit():
            files = [complaints.Upload(f.stream, f.filename) for f in (form.files.data or [])
                     if getattr(f, "filename", None)]
            try:
                with attempt():
                    complaint_reply_drafts.edit(actor(), draft, text=form.text.data, files=files,
                                                upload_folder=current_app.config["UPLOAD_FOLDER"])
            except InvalidInput as error:
                apply_errors(form, error)
            except Conflict as error:
                flash(error.message, "warning")
                status = 409
            else:
                flash(_("Draft reply saved: it waits for your unit head to submit it."), "success")
                return redirect(url_for("complaints.reply_draft_page", draft_id=draft.id))
        if form.errors:
            status = 400
    return render_template(
        "complaints/reply_draft.html", draft=draft, complaint=draft.complaint, form=form,
        may_edit=permissions.can(current_user, "complaint.reply_draft_edit", draft)), status


@bp.route("/reply-drafts/<int:draft_id>/submit", methods=["POST"])
@login_required
def reply_draft_submit(draft_id):
    draft = _load_draft(draft_id)
    authorize("complaint.reply_submit", draft)
    if ConfirmForm().validate_on_submit():
        complaint_reply_drafts.submit(actor(), draft)
        flash(_("Submitted as the unit's reply."), "success")
    return _back(draft)


@bp.route("/reply-drafts/<int:draft_id>/return", methods=["POST"])
@login_required
def reply_draft_return(draft_id):
    draft = _load_draft(draft_id)
    authorize("complaint.reply_submit", draft)
    drafting.return_draft(complaint_reply_drafts.KIND, draft, ReturnReplyDraftForm())
    return _back(draft)


@bp.route("/reply-drafts/<int:draft_id>/discard", methods=["POST"])
@login_required
def reply_draft_discard(draft_id):
    draft = _load_draft(draft_id)
    authorize("complaint.reply_draft_edit", draft)
    drafting.discard(complaint_reply_drafts.KIND, draft)
    return _back(draft)


@bp.route("/reply-drafts/files/<int:file_id>")
@login_required
def reply_draft_file(file_id):
    item = load(ComplaintReplyDraftFile, file_id)
    _load_draft(item.draft_id)
    return drafting.send(item)
