from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import or_, select
from wtforms import StringField, TextAreaField
from wtforms.validators import Length, Optional

from tracker import clock, jobs
from tracker.blueprints import actor, load, require
from tracker.blueprints.forms import ConfirmForm, DateField, apply_errors, input_required, parse_int
from tracker.blueprints.supervision import bp
from tracker.extensions import db
from tracker.models import (
    FINDING_KINDS,
    Finding,
    JobRun,
    LiaisonCheck,
    LiaisonDimension,
    SupervisionRound,
    Unit,
)
from tracker.services import liaison, permissions, pickers, supervision
from tracker.services.errors import DomainError, InvalidInput
from tracker.unit_of_work import attempt


class StartRoundForm(FlaskForm):
    week_start = DateField(validators=[input_required()])


class NoteForm(FlaskForm):
    note = TextAreaField(validators=[Optional(), Length(max=2000)])  # internal
    unit_note = TextAreaField(validators=[Optional(), Length(max=2000)])  # shown to the unit


class LiaisonForm(FlaskForm):
    """A school's monthly check: a rating and notes per dimension (``<key>_rating``,
    ``<key>_notes``), the feedback given; the service says what is wrong with them."""

    month = StringField()
    feedback = TextAreaField()

    def ratings(self) -> dict[str, liaison.RatingInput]:
        return {key: liaison.RatingInput(rating=self[f"{key}_rating"].data or None,
                                         notes=self[f"{key}_notes"].data)
                for key in LiaisonDimension.codes()}


for _key in LiaisonDimension.codes():
    setattr(LiaisonForm, f"{_key}_rating", StringField())
    setattr(LiaisonForm, f"{_key}_notes", StringField())


@bp.route("/")
@require("round.view")
def rounds():
    page = db.paginate(
        select(SupervisionRound).order_by(SupervisionRound.week_start.desc()),
        page=parse_int(request.args.get("page")) or 1,
        per_page=30,
        error_out=False,
    )
    form = StartRoundForm()
    if not form.week_start.data:
        form.week_start.data = supervision.last_full_week(clock.today())
    return render_template(
        "supervision/rounds.html",
        page=page,
        form=form,
        counts=supervision.round_counts([r.id for r in page.items]),
    )


@bp.route("/start", methods=["POST"])
@require("round.manage")
def start():
    form = StartRoundForm()
    if form.validate_on_submit():
        try:
            with attempt():
                rnd, created = supervision.start_round(actor(), form.week_start.data)
        except InvalidInput as error:
            apply_errors(form, error)
        else:
            flash(
                _("Round created.") if created else _("That week already has its round."),
                "success" if created else "info",
            )
            return redirect(url_for("supervision.round_page", round_id=rnd.id))
    for messages in form.errors.values():
        for message in messages:
            flash(message, "danger")
    return redirect(url_for("supervision.rounds"))


@bp.route("/<int:round_id>")
@require("round.view")
def round_page(round_id):
    rnd = load(SupervisionRound, round_id)
    kind = request.args.get("kind") if request.args.get("kind") in FINDING_KINDS else None
    unit = pickers.pick_unit(current_user, request.args.get("unit"), parse_int(request.args.get("unit_id")))
    unit_id = pickers.filter_id(unit)
    findings = db.session.scalars(
        supervision.findings_query(current_user, round_id=rnd.id, unit_id=unit_id, kind=kind)
    ).all()
    by_unit: dict = {}
    for finding in findings:
        by_unit.setdefault(finding.unit, []).append(finding)
    return render_template(
        "supervision/round.html",
        rnd=rnd,
        by_unit=by_unit,
        kind=kind,
        unit=unit,
        counts=supervision.round_counts([rnd.id])[rnd.id],
        risk=db.session.execute(supervision.risk_query(current_user, rnd, unit_id)).all(),
        confirm=ConfirmForm(),
    )


@bp.route("/<int:round_id>/close", methods=["POST"])
@require("round.manage")
def close(round_id):
    rnd = load(SupervisionRound, round_id)
    if ConfirmForm().validate_on_submit():
        supervision.close_round(actor(), rnd)
        flash(_("Round closed."), "success")
    return redirect(url_for("supervision.round_page", round_id=rnd.id))


@bp.route("/findings/<int:finding_id>/note", methods=["POST"])
@require("round.manage")
def note(finding_id):
    finding = load(Finding, finding_id)
    form = NoteForm()
    if form.validate_on_submit():
        try:
            with attempt():
                supervision.annotate(actor(), finding, form.note.data, form.unit_note.data)
        except InvalidInput as error:
            for message in error.fields.values():
                flash(message, "danger")
        else:
            flash(_("Note saved."), "success")
    else:
        for messages in form.errors.values():
            for message in messages:
                flash(message, "danger")
    return redirect(
        url_for("supervision.round_page", round_id=finding.round_id) + f"#f{finding.id}"
    )


@bp.route("/mine")
@require("finding.mine")
def my_findings():
    findings = db.session.scalars(supervision.findings_query(current_user).limit(200)).all()
    return render_template("supervision/mine.html", findings=findings)


@bp.route("/jobs", methods=["GET", "POST"])
@require("job.view")
def job_runs():
    form = ConfirmForm()
    if request.method == "POST" and permissions.can(current_user, "job.run"):
        name = request.form.get("name")
        if form.validate_on_submit() and name in jobs.JOBS:
            run = jobs.execute(name)
            flash(
                f"{jobs.JOBS[name].label}: {run.outcome} — {run.detail}",
                "success" if run.outcome == "succeeded" else "danger",
            )
        return redirect(url_for("supervision.job_runs"))
    runs = db.session.scalars(select(JobRun).order_by(JobRun.started_at.desc()).limit(100)).all()
    return render_template("supervision/jobs.html", runs=runs, jobs=jobs.JOBS, form=form)


# Liaison checks 一月一查一反馈 ----------------------------------------------------


@bp.route("/liaison")
@require("liaison.view")
def liaison_checks():
    month = request.args.get("month") or clock.today().strftime("%Y-%m")
    if not liaison.MONTH.match(month):
        month = clock.today().strftime("%Y-%m")
    scope = permissions.visible_unit_ids(current_user)
    stmt = select(Unit).where(Unit.liaison_unit_id.is_not(None), Unit.is_archived.is_(False))
    if scope is not None:
        stmt = stmt.where(or_(Unit.id.in_(scope), Unit.liaison_unit_id.in_(scope)))
    schools = db.session.scalars(stmt.order_by(Unit.liaison_unit_id, Unit.name)).all()
    checks = {
        c.school_id: c
        for c in db.session.scalars(select(LiaisonCheck).where(LiaisonCheck.month == month))
    }
    names = dict(db.session.execute(select(Unit.id, Unit.name)).all())
    return render_template(
        "supervision/liaison.html",
        month=month,
        schools=schools,
        checks=checks,
        names=names,
    )


@bp.route("/liaison/<int:school_id>", methods=["POST"])
@login_required
def liaison_record(school_id):
    school = load(Unit, school_id)
    if not permissions.can(current_user, "liaison.record", school):
        abort(403)
    form = LiaisonForm()
    month = form.month.data or ""
    if form.validate_on_submit():
        try:
            with attempt():
                liaison.record(actor(), school, month=month, ratings=form.ratings(),
                               feedback=form.feedback.data)
        except DomainError as error:
            for message in error.fields.values() or [error.message]:
                flash(f"{school.name}：{message}", "danger")
        else:
            flash(_("Check of %(school)s recorded.", school=school.name), "success")
    return redirect(
        url_for("supervision.liaison_checks", month=month if liaison.MONTH.match(month) else None)
    )
