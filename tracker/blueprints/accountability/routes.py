"""Routes of the accountability area: the flag register, a flag, a unit's history."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import false, select
from sqlalchemy.orm import joinedload
from wtforms import StringField, TextAreaField
from wtforms.validators import Optional

from tracker import clock
from tracker.blueprints import actor, load, require
from tracker.blueprints.accountability import bp
from tracker.blueprints.forms import (
    NOT_CONFIRMED,
    ConfirmForm,
    DateField,
    StepConfirmForm,
    apply_errors,
    parse_int,
)
from tracker.extensions import db
from tracker.models import FLAG_ACTIONS, FLAG_RULES, FLAG_STATUSES, Flag, FlagAction, FlagEvent, Unit, User
from tracker.services import accountability, permissions, pickers
from tracker.services.errors import Conflict, InvalidInput
from tracker.unit_of_work import attempt


class EvaluateForm(FlaskForm):
    as_of = DateField(validators=[Optional()])


class ReviewForm(FlaskForm):
    opinion = TextAreaField()


class DecideForm(StepConfirmForm):
    action = StringField()
    reasons = TextAreaField()


class ExemptForm(StepConfirmForm):
    justification = TextAreaField()


class RejectExemptionForm(StepConfirmForm):
    reason = TextAreaField()


def proposed_default(flag: Flag) -> str:
    """The action the decision form starts on: the first of the flag's proposed actions."""
    first = (flag.proposed_action or "").split("/")[0]
    return first if first in FLAG_ACTIONS else "interview"


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


def _people(flag: Flag) -> dict[int, User]:
    ids = {flag.reviewed_by_id, flag.decided_by_id, flag.exemption_proposed_by_id,
           flag.exemption_approved_by_id, flag.exemption_rejected_by_id} - {None}
    return {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(ids)))} if ids else {}


def _detail(flag: Flag, *, review_form=None, exempt_form=None, status: int = 200):
    events = db.session.scalars(select(FlagEvent).where(FlagEvent.flag_id == flag.id)
                                .options(joinedload(FlagEvent.user)).order_by(FlagEvent.id)).all()
    return render_template(
        "accountability/flag.html", flag=flag, events=events, people=_people(flag),
        review_form=review_form or ReviewForm(), decide_action=proposed_default(flag),
        exempt_form=exempt_form or ExemptForm(), confirm=ConfirmForm(),
        pending=accountability.exemption_pending(flag)), status


@bp.route("/<int:flag_id>")
@require("flag.view")
def flag_page(flag_id):
    return _detail(_visible_flag(flag_id))


@bp.route("/<int:flag_id>/review", methods=["POST"])
@require("flag.review")
def review(flag_id):
    flag = _visible_flag(flag_id)
    form = ReviewForm()
    if form.validate_on_submit():
        try:
            with attempt():
                accountability.review(actor(), flag, form.opinion.data)
        except InvalidInput as error:
            apply_errors(form, error)
            return _detail(flag, review_form=form, status=400)
        flash(_("The flag is under review."), "success")
    return redirect(url_for("accountability.flag_page", flag_id=flag.id))


def _consequences(flag: Flag, step: str, action: str | None = None) -> list[str]:
    """What a leader's step on ``flag`` does, in words: the unit, the person, what is final."""
    person = flag.person.display_name if flag.person else _("no one named")
    whom = _("Unit: %(unit)s; responsible person: %(person)s; period %(period)s.",
             unit=flag.unit.name, person=person, period=flag.period)
    if step == "decide":
        chosen = (_("The action %(action)s is recorded, with your reasons, as the bureau's decision.",
                    action=FlagAction.label_of(action)) if action in FLAG_ACTIONS
                  else _("The action you choose below is recorded, with your reasons, as the bureau's "
                         "decision."))
        return [chosen, whom, _("The decision cannot be changed or withdrawn, and no exemption can "
                                "be granted afterwards."),
                _("It appears in the bulletin of the period and in the unit's record.")]
    if step == "exempt":
        return [_("The flag is closed as exempted (fault tolerance 容错免责): no action is taken."), whom,
                _("The exemption cannot be withdrawn, and no decision can be recorded afterwards."),
                _("It appears in the bulletin of the period and in the unit's record.")]
    return [_("The proposed exemption is rejected with your reason; the flag stays under review "
              "for your decision."), whom,
            _("The rejection is final: no exemption can be proposed or granted for this flag again.")]


STEP_HEADINGS = {"decide": _l("Decide the flag"), "exempt": _l("Approve the exemption"),
                 "reject_exemption": _l("Reject the exemption")}
STEP_BUTTONS = {"decide": _l("Record the decision"), "exempt": _l("Approve the exemption"),
                "reject_exemption": _l("Reject the exemption")}


def _confirm_page(flag: Flag, step: str, form, *, action: str | None = None, refused=None,
                  status: int = 200):
    return render_template(
        "accountability/confirm.html", flag=flag, form=form, kind=step, step=step,
        heading=f"{STEP_HEADINGS[step]} #{flag.id} · {flag.unit.name}",
        consequences=_consequences(flag, step, action), warning=None, refused=refused,
        action=url_for(f"accountability.{step}", flag_id=flag.id), button=STEP_BUTTONS[step],
        cancel=url_for("accountability.flag_page", flag_id=flag.id),
        proposed=flag.exemption_proposed_at is not None), status


@bp.route("/<int:flag_id>/decide", methods=["GET", "POST"])
@require("flag.decide")
def decide(flag_id):
    """GET: the decision form with what it does, on the proposed action; POST with ``confirm``: decide."""
    flag = _visible_flag(flag_id)
    accountability.WORKFLOW.require(flag, "decide")
    if request.method == "GET":
        chosen = request.args.get("action")
        form = DecideForm(data={"action": chosen if chosen in FLAG_ACTIONS else proposed_default(flag)})
        return _confirm_page(flag, "decide", form, action=form.action.data)
    form = DecideForm()
    if not form.confirmed():
        return _confirm_page(flag, "decide", form, action=form.action.data, refused=NOT_CONFIRMED,
                             status=400)
    try:
        with attempt():
            accountability.decide(actor(), flag, action=form.action.data or "",
                                  reasons=form.reasons.data or "")
    except InvalidInput as error:
        apply_errors(form, error)
        return _confirm_page(flag, "decide", form, action=form.action.data, status=400)
    flash(_("Decision recorded."), "success")
    return redirect(url_for("accountability.flag_page", flag_id=flag.id))


@bp.route("/<int:flag_id>/exempt", methods=["GET", "POST"])
@require("flag.view")
def exempt(flag_id):
    """The office proposes an exemption at once; a leader's approval is confirmed first."""
    leader = permissions.can(current_user, "flag.approve_exemption")
    if not (leader or permissions.can(current_user, "flag.propose_exemption")):
        abort(403)
    if request.method == "GET" and not leader:
        abort(403)
    flag = _visible_flag(flag_id)
    form = ExemptForm()
    if leader:
        accountability.WORKFLOW.require(flag, "approve_exemption")
        if flag.exemption_rejected_at is not None:
            raise Conflict(_("The exemption of this flag has been rejected."))
        if request.method == "GET":
            return _confirm_page(flag, "exempt", ExemptForm(formdata=None))
        if not form.confirmed():
            return _confirm_page(flag, "exempt", form, refused=NOT_CONFIRMED, status=400)
    elif not form.validate_on_submit():
        return redirect(url_for("accountability.flag_page", flag_id=flag.id))
    try:
        with attempt():
            accountability.exempt(actor(), flag, form.justification.data)
    except InvalidInput as error:
        apply_errors(form, error)
        if leader:
            return _confirm_page(flag, "exempt", form, status=400)
        return _detail(flag, exempt_form=form, status=400)
    flash(_("Exemption approved.") if flag.status == "exempted" else _("Exemption proposed."),
          "success")
    return redirect(url_for("accountability.flag_page", flag_id=flag.id))


@bp.route("/<int:flag_id>/reject-exemption", methods=["GET", "POST"])
@require("flag.approve_exemption")
def reject_exemption(flag_id):
    """A leader rejects the proposed exemption with a reason, after confirming."""
    flag = _visible_flag(flag_id)
    accountability.WORKFLOW.require(flag, "reject_exemption")
    if not accountability.exemption_pending(flag):
        raise Conflict(_("No exemption awaits a decision on this flag."))
    if request.method == "GET":
        return _confirm_page(flag, "reject_exemption", RejectExemptionForm(formdata=None))
    form = RejectExemptionForm()
    if not form.confirmed():
        return _confirm_page(flag, "reject_exemption", form, refused=NOT_CONFIRMED, status=400)
    try:
        with attempt():
            accountability.reject_exemption(actor(), flag, form.reason.data)
    except InvalidInput as error:
        apply_errors(form, error)
        return _confirm_page(flag, "reject_exemption", form, status=400)
    flash(_("Exemption rejected; the flag awaits your decision."), "success")
    return redirect(url_for("accountability.flag_page", flag_id=flag.id))


@bp.route("/units/<int:unit_id>")
@require("flag.view")
def unit_history(unit_id):
    unit = load(Unit, unit_id)
    if not permissions.can(current_user, "flag.read", unit.id):
        abort(404)
    flags = db.session.scalars(accountability.flags_query(current_user, unit_id=unit.id)).all()
    return render_template("accountability/unit.html", unit=unit, flags=flags)
