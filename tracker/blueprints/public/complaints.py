"""Public complaint pages: submit, receipt, tracking, rating, published cases."""


from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _

from tracker import clock
from tracker.blueprints import actor, limits
from tracker.blueprints.complaints.forms import ComplaintForm, RateForm, TrackForm
from tracker.blueprints.forms import apply_errors, parse_int
from tracker.blueprints.public import bp
from tracker.extensions import db
from tracker.models.complaints import Complaint
from tracker.services import codes, complaints, home
from tracker.services.errors import Conflict, InvalidInput
from tracker.unit_of_work import attempt


def _fake_code() -> str:
    return codes.new(complaints.TRACKING_LENGTH)


@bp.route("/complaints/new", methods=["GET", "POST"])
@limits.complaints_filed
def complaint_new():
    form = ComplaintForm()
    if request.method == "POST":
        if (request.form.get("website") or "").strip():
            # a robot filled the honeypot: answer as if accepted, store nothing
            session["complaint_receipt"] = _fake_code()
            return redirect(url_for("public.complaint_receipt"))
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
                session["complaint_receipt"] = complaint.tracking_code
                return redirect(url_for("public.complaint_receipt"))
        return render_template("public/complaint_form.html", form=form), 400
    return render_template("public/complaint_form.html", form=form)


@bp.route("/complaints/receipt")
def complaint_receipt():
    code = session.get("complaint_receipt")
    if not code:
        return redirect(url_for("public.complaint_track"))
    return render_template("public/complaint_receipt.html", code=codes.group(code),
                           now=clock.now())


def _track_page(complaint: Complaint | None, status: int = 200, rate_form: RateForm | None = None,
                form: TrackForm | None = None):
    now = clock.now()
    rate_form = rate_form or RateForm()
    if complaint is not None:
        rate_form.code.data = complaint.tracking_code
    return render_template(
        "public/complaint_track.html", form=form or TrackForm(formdata=None), complaint=complaint,
        timeline=complaints.public_timeline(complaint) if complaint else [],
        rating_open=complaint is not None and complaints.rating_open(complaint, now),
        may_reopen=complaint is not None and complaints.may_reopen(complaint),
        expected_reply_on=home.expected_reply_on(complaint, clock.local(now).date()) if complaint else None,
        rate_form=rate_form), status


@bp.route("/complaints/track", methods=["GET", "POST"])
def complaint_track():
    form = TrackForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            return _track_page(None, 400, form=form)
        complaint = complaints.by_tracking_code(form.code.data)
        if complaint is None:
            form.code.errors = [_("No complaint has this tracking code. Check the code and try again.")]
            return _track_page(None, 404, form=form)
        return _track_page(complaint, form=form)
    return _track_page(None, form=form)


@bp.route("/complaints/rate", methods=["POST"])
def complaint_rate():
    form = RateForm()
    complaint = complaints.by_tracking_code(request.form.get("code"))
    if complaint is None:
        return _track_page(None, 404)
    if not form.validate_on_submit():
        return _track_page(complaint, 400, rate_form=form)
    try:
        with attempt():
            complaints.rate(actor(), complaint, form.rating_chosen(), form.comment.data or None,
                            bool(form.reopen.data))
    except InvalidInput as error:
        apply_errors(form, error)
        return _track_page(complaint, 400, rate_form=form)
    except Conflict as error:
        flash(error.message, "warning")
        return _track_page(complaint, 409)
    flash(_("Thank you: your rating was recorded.") if complaint.status == "closed"
          else _("Thank you: the case was reopened and sent back to the unit."), "success")
    return _track_page(complaint)


@bp.route("/complaints")
def complaint_cases():
    page = db.paginate(complaints.published_query(), page=parse_int(request.args.get("page")) or 1,
                       per_page=20, error_out=False)
    return render_template("public/complaint_cases.html", page=page)
