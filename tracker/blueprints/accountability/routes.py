"""Routes of the accountability area: the flag register, a flag, a unit's history."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import false, select
from sqlalchemy.orm import joinedload
from wtforms import StringField, TextAreaField
from wtforms.validators import Optional

from tracker import clock
from tracker.blueprints import actor, load, require
from tracker.blueprints.accountability import bp
from tracker.blueprints.forms import ConfirmForm, DateField, apply_errors, parse_int
from tracker.extensions import db
from tracker.models import FLAG_RULES, FLAG_STATUSES, Flag, FlagEvent, Unit, User
from tracker.services import accountability, permissions, pickers
from tracker.services.errors import InvalidInput
from tracker.unit_of_work import attempt


class EvaluateForm(FlaskForm):
    as_of = DateField(validators=[Optional()])


class DecideForm(FlaskForm):
    action = StringField()
    reasons = TextAreaField()


class ExemptForm(FlaskForm):
    justification = TextAreaField()


@bp.record_once
def helpers(state):
    state.app.jinja_env.globals.update(flag_proposed_label=accountability.proposed_label)


def _filters() -> dict:
    args = request.args
    return {
        "status": args.get("status") if args.get("status") in FLAG_STATUSES else None,
        "rule": args.get("rule") if args.get("rule") in FLAG_RULES else None,
        "unit_id": parse_int(args.get("unit_id")),
        "period": (args.get("period") or "").strip()[:20] or None,
        "exemption": args.get("exemption") if args.get("exemption") in accountability.EXEMPTION_FILTERS
        else None,
    }


@bp.route("/")
@require("flag.view")
def register():
    filters = _filters()
    unit_filter = permissions.reads_every_unit(current_user)
    unit = pickers.pick_unit(current_user, request.args.get("unit"), filters["unit_id"])
    filters["unit_id"] = unit.id if unit_filter else None
    stmt = accountability.flags_query(current_user, **filters)
    if unit_filter and unit.unknown:  # a name that names no single unit: nothing matches
        stmt = stmt.where(false())
    page = db.paginate(stmt, page=parse_int(request.args.get("page")) or 1, per_page=30,
                       error_out=False)
    return render_template("accountability/register.html", page=page, filters=filters,
                           unit_filter=unit_filter, unit=unit,
                           form=EvaluateForm(data={"as_of": clock.today()}))


@bp.route("/evaluate", methods=["POST"])
@require("flag.evaluate")
def evaluate():
    form = EvaluateForm()
    if form.validate_on_submit():
        raised = accountability.evaluate(actor(), form.as_of.data or clock.today())
        flash(_("%(n)d new flags raised.", n=len(raised)) if raised else _("No new flags."),
              "success" if raised else "info")
    else:
        for messages in form.errors.values():
            for message in messages:
                flash(message, "danger")
    return redirect(url_for("accountability.register"))


def _visible_flag(flag_id: int) -> Flag:
    flag = load(Flag, flag_id)
    if not permissions.can(current_user, "flag.read", flag.unit_id):
        abort(404)
    return flag


def _detail(flag: Flag, *, decide_form=None, exempt_form=None, status: int = 200):
    events = db.session.scalars(select(FlagEvent).where(FlagEvent.flag_id == flag.id)
                                .options(joinedload(FlagEvent.user)).order_by(FlagEvent.id)).all()
    ids = {flag.reviewed_by_id, flag.decided_by_id, flag.exemption_proposed_by_id,
           flag.exemption_approved_by_id} - {None}
    people = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(ids)))} if ids else {}
    return render_template(
        "accountability/flag.html", flag=flag, events=events, people=people,
        decide_form=decide_form or DecideForm(), exempt_form=exempt_form or ExemptForm(),
        confirm=ConfirmForm(), pending=accountability.exemption_pending(flag)), status


@bp.route("/<int:flag_id>")
@require("flag.view")
def flag_page(flag_id):
    return _detail(_visible_flag(flag_id))


@bp.route("/<int:flag_id>/review", methods=["POST"])
@require("flag.review")
def review(flag_id):
    flag = _visible_flag(flag_id)
    if ConfirmForm().validate_on_submit():
        accountability.review(actor(), flag)
        flash(_("The flag is under review."), "success")
    return redirect(url_for("accountability.flag_page", flag_id=flag.id))


@bp.route("/<int:flag_id>/decide", methods=["POST"])
@require("flag.decide")
def decide(flag_id):
    flag = _visible_flag(flag_id)
    form = DecideForm()
    if form.validate_on_submit():
        try:
            with attempt():
                accountability.decide(actor(), flag, action=form.action.data or "",
                                      reasons=form.reasons.data or "")
        except InvalidInput as error:
            apply_errors(form, error)
            return _detail(flag, decide_form=form, status=400)
        flash(_("Decision recorded."), "success")
    return redirect(url_for("accountability.flag_page", flag_id=flag.id))


@bp.route("/<int:flag_id>/exempt", methods=["POST"])
@require("flag.view")
def exempt(flag_id):
    if not (permissions.can(current_user, "flag.propose_exemption")
            or permissions.can(current_user, "flag.approve_exemption")):
        abort(403)
    flag = _visible_flag(flag_id)
    form = ExemptForm()
    if form.validate_on_submit():
        try:
            with attempt():
                accountability.exempt(actor(), flag, form.justification.data)
        except InvalidInput as error:
            apply_errors(form, error)
            return _detail(flag, exempt_form=form, status=400)
        flash(_("Exemption approved.") if flag.status == "exempted" else _("Exemption proposed."),
              "success")
    return redirect(url_for("accountability.flag_page", flag_id=flag.id))


@bp.route("/units/<int:unit_id>")
@require("flag.view")
def unit_history(unit_id):
    unit = load(Unit, unit_id)
    if not permissions.can(current_user, "flag.read", unit.id):
        abort(404)
    flags = db.session.scalars(accountability.flags_query(current_user, unit_id=unit.id)).all()
    return render_template("accountability/unit.html", unit=unit, flags=flags)
