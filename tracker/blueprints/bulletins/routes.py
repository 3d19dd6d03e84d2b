from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import Length

from tracker import clock
from tracker.blueprints import actor, load, require
from tracker.blueprints.bulletins import bp
from tracker.blueprints.forms import NOT_CONFIRMED, ConfirmForm, StepConfirmForm, apply_errors, required
from tracker.blueprints.public import bp as public_bp
from tracker.extensions import db
from tracker.media_types import DOCX
from tracker.models import Bulletin, BulletinKind, BulletinStatus, User
from tracker.services import bulletins, periods, permissions
from tracker.services.errors import InvalidInput
from tracker.unit_of_work import attempt


class GenerateForm(FlaskForm):
    kind = SelectField()
    period = StringField(validators=[required(), Length(max=10)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = BulletinKind.choices()


class EditForm(FlaskForm):
    title = StringField(validators=[required(), Length(max=200)])
    narrative = TextAreaField(validators=[Length(max=20000)])


class ReturnForm(FlaskForm):
    comment = TextAreaField()


def _visible(bulletin_id: int) -> Bulletin:
    bulletin = load(Bulletin, bulletin_id)
    if not permissions.can(current_user, "bulletin.view", bulletin):
        abort(404)
    return bulletin


@bp.route("/bulletins")
@login_required
def bulletin_list():
    status = request.args.get("status") if request.args.get("status") in BulletinStatus.codes() else None
    stmt = bulletins.list_query(current_user, status=status)
    form = GenerateForm()
    form.period.data = form.period.data or periods.previous_period("monthly", clock.today()).key
    return render_template("bulletins/list.html", items=db.session.scalars(stmt.limit(200)).all(),
                           form=form, status=status)


@bp.route("/bulletins/generate", methods=["POST"])
@require("bulletin.manage")
def generate():
    form = GenerateForm()
    if form.validate_on_submit():
        try:
            with attempt():
                bulletin, created = bulletins.generate(actor(), form.kind.data, form.period.data.strip())
        except InvalidInput as error:
            apply_errors(form, error)
        else:
            flash(_("Draft generated.") if created else _("That period already has its bulletin."),
                  "success" if created else "info")
            return redirect(url_for("bulletins.bulletin_page", bulletin_id=bulletin.id))
    for messages in form.errors.values():
        for message in messages:
            flash(message, "danger")
    return redirect(url_for("bulletins.bulletin_list"))


@bp.route("/bulletins/preview")
@require("bulletin.preview")
def preview():
    """The current period's bulletin as of today, for those who read drafts: marked, unnumbered."""
    bulletin = bulletins.preview(request.args.get("kind", "monthly"), clock.today(), clock.now())
    return render_template("bulletins/bulletin.html", bulletin=bulletin, content=bulletin.content,
                           charts=bulletins.charts_of(bulletin.content), preview=True, public=False)


@bp.route("/bulletins/<int:bulletin_id>", methods=["GET", "POST"])
@login_required
def bulletin_page(bulletin_id):
    bulletin = _visible(bulletin_id)
    form = EditForm(obj=bulletin)
    if request.method == "POST":
        if not permissions.can(current_user, "bulletin.manage"):
            abort(403)
        if form.validate_on_submit():
            try:
                with attempt():
                    bulletins.edit(actor(), bulletin, title=form.title.data, narrative=form.narrative.data)
            except InvalidInput as error:
                apply_errors(form, error)
            else:
                flash(_("Bulletin saved."), "success")
                return redirect(url_for("bulletins.bulletin_page", bulletin_id=bulletin.id))
    returned_by = db.session.get(User, bulletin.returned_by_id) if bulletin.returned_by_id else None
    return render_template("bulletins/bulletin.html", bulletin=bulletin, content=bulletin.content,
                           charts=bulletins.charts_of(bulletin.content), form=form,
                           confirm=ConfirmForm(), public=False, returned_by=returned_by,
                           steps=bulletins.WORKFLOW.open_steps(bulletin)), 400 if form.errors else 200


def _step(bulletin_id: int, action: str, change, message: str):
    bulletin = _visible(bulletin_id)
    if not permissions.can(current_user, action):
        abort(403)
    if ConfirmForm().validate_on_submit():
        change(actor(), bulletin)
        flash(message, "success")
    return redirect(url_for("bulletins.bulletin_page", bulletin_id=bulletin.id))


def _consequences(bulletin: Bulletin, step: str) -> list[str]:
    """What approving or publishing ``bulletin`` does, in words: the number, the units named."""
    year = clock.today().year
    number = bulletins.doc_number(year, bulletins.next_number(year))
    units = bulletins.named_units(bulletin)
    named = [_("It criticises by name: %(units)s.", units="、".join(units["criticised"]) or _("no unit")),
             _("It commends: %(units)s.", units="、".join(units["commended"]) or _("no unit"))]
    if step == "approve":
        return [_("The bulletin is frozen for publication: the office can no longer edit it, recompute "
                  "its figures or have it returned."),
                _("The office then publishes it under the next number of the year (now %(number)s).",
                  number=number), *named]
    return [_("It takes the document number %(number)s, which no other bulletin can use.", number=number),
            _("It is made public on the public site at once and cannot be withdrawn."), *named]


def _confirmed_step(bulletin_id: int, step: str, permission: str, change, done: str):
    """GET: the confirmation page of an irreversible step; POST with ``confirm``: the step."""
    bulletin = _visible(bulletin_id)
    if not permissions.can(current_user, permission):
        abort(403)
    form = StepConfirmForm()
    if request.method == "POST" and form.confirmed():
        change(actor(), bulletin)
        flash(done, "success")
        return redirect(url_for("bulletins.bulletin_page", bulletin_id=bulletin.id))
    bulletins.WORKFLOW.require(bulletin, step)
    headings = {"approve": _("Approve the bulletin"), "publish": _("Publish the bulletin")}
    buttons = {"approve": _("Approve it"), "publish": _("Publish it now")}
    return render_template(
        "confirm.html", heading=f"{headings[step]}: {bulletin.title}", step=step,
        consequences=_consequences(bulletin, step), warning=None,
        refused=NOT_CONFIRMED if request.method == "POST" else None,
        action=url_for(f"bulletins.{step}", bulletin_id=bulletin.id), button=buttons[step],
        cancel=url_for("bulletins.bulletin_page", bulletin_id=bulletin.id),
    ), 400 if request.method == "POST" else 200


@bp.route("/bulletins/<int:bulletin_id>/approve", methods=["GET", "POST"])
@login_required
def approve(bulletin_id):
    return _confirmed_step(bulletin_id, "approve", "bulletin.approve", bulletins.approve,
                           _("Bulletin approved."))


@bp.route("/bulletins/<int:bulletin_id>/publish", methods=["GET", "POST"])
@login_required
def publish(bulletin_id):
    return _confirmed_step(bulletin_id, "publish", "bulletin.manage",
                           lambda who, bulletin: bulletins.publish(who, bulletin, clock.today().year),
                           _("Bulletin published."))


@bp.route("/bulletins/<int:bulletin_id>/return", methods=["GET", "POST"])
@login_required
def return_bulletin(bulletin_id):
    """A leader returns a draft to the office with a required comment."""
    bulletin = _visible(bulletin_id)
    if not permissions.can(current_user, "bulletin.approve"):
        abort(403)
    form = ReturnForm()
    if form.validate_on_submit():
        try:
            with attempt():
                bulletins.return_to_office(actor(), bulletin, form.comment.data)
        except InvalidInput as error:
            apply_errors(form, error)
        else:
            flash(_("The bulletin has been returned to the office with your comment."), "success")
            return redirect(url_for("bulletins.bulletin_page", bulletin_id=bulletin.id))
    bulletins.WORKFLOW.require(bulletin, "return")
    return render_template("bulletins/return.html", bulletin=bulletin, form=form), \
        400 if form.errors else 200


@bp.route("/bulletins/<int:bulletin_id>/resubmit", methods=["POST"])
@login_required
def resubmit(bulletin_id):
    return _step(bulletin_id, "bulletin.manage", bulletins.resubmit,
                 _("The bulletin has been submitted again for approval."))


@bp.route("/bulletins/<int:bulletin_id>/regenerate", methods=["POST"])
@login_required
def regenerate(bulletin_id):
    return _step(bulletin_id, "bulletin.manage", bulletins.regenerate, _("Figures recomputed."))


@bp.route("/bulletins/<int:bulletin_id>.docx")
@login_required
def bulletin_docx(bulletin_id):
    bulletin = _visible(bulletin_id)
    return Response(bulletins.to_docx(bulletin), mimetype=DOCX, headers={
        "Content-Disposition": f"attachment; filename=bulletin-{bulletin.period}.docx"})


@public_bp.route("/bulletins")
def public_bulletins():
    items = db.session.scalars(select(Bulletin).where(Bulletin.status == "published")
                               .order_by(Bulletin.published_at.desc()).limit(100)).all()
    return render_template("bulletins/public_list.html", items=items)


@public_bp.route("/bulletins/<int:bulletin_id>")
def public_bulletin(bulletin_id):
    bulletin = load(Bulletin, bulletin_id)
    if bulletin.status != "published":
        abort(404)
    content = bulletins.public_version(bulletin)
    return render_template("bulletins/bulletin.html", bulletin=bulletin, content=content,
                           charts=bulletins.charts_of(content), public=True)
