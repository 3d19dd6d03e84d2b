"""Routes of special assessments 专项考核: scores entered or imported, the published ranking."""

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from sqlalchemy import case, func, select
from wtforms import BooleanField, SelectField, StringField, SubmitField

from tracker import clock
from tracker.blueprints import actor, load, require
from tracker.blueprints.assessments import bp
from tracker.blueprints.forms import NumberField, apply_errors, input_required
from tracker.extensions import db
from tracker.media_types import XLSX
from tracker.models import ASSESSMENT_THEMES, Assessment, AssessmentScore, AssessmentTheme, Unit
from tracker.services import assessments, charts, permissions
from tracker.services.errors import InvalidInput, RowErrors
from tracker.unit_of_work import attempt


@bp.record_once
def helpers(state):
    state.app.jinja_env.globals.update(half_year_label=assessments.period_label)


class ImportScoresForm(FlaskForm):
    theme = SelectField(_l("Theme"), validators=[input_required()])
    period = StringField(_l("Half-year"), validators=[input_required()],
                         description=_l("Like 2026-H1"))
    file = FileField(_l("Scores (.xlsx)"), validators=[
        FileRequired(_l("Choose a file.")),
        FileAllowed(["xlsx"], _l("Only .xlsx workbooks can be imported."))])
    submit = SubmitField(_l("Import"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.theme.choices = AssessmentTheme.choices()


def scores_form(units: list[Unit]) -> FlaskForm:
    """The form of an assessment's scores: theme, half-year, and a score, a veto and a note per unit
    (``score_<id>``, ``veto_<id>``, ``note_<id>``), built for the units assessed today."""

    class ScoresForm(FlaskForm):
        theme = StringField()
        period = StringField()

        def lines(self) -> tuple[list[assessments.ScoreInput], list[int]]:
            """A line per unit given a score, a veto or a note, and the units in that order."""
            lines, order = [], []
            for unit in units:
                score, veto = self[f"score_{unit.id}"], self[f"veto_{unit.id}"].data
                note = self[f"note_{unit.id}"].data or None
                if score.data is None and not veto and not note:
                    continue
                lines.append(assessments.ScoreInput(unit_id=unit.id, score=score.data, veto=veto,
                                                    note=note))
                order.append(unit.id)
            return lines, order

    for unit in units:
        setattr(ScoresForm, f"score_{unit.id}", NumberField())
        setattr(ScoresForm, f"veto_{unit.id}", BooleanField(false_values=("", "false", "off")))
        setattr(ScoresForm, f"note_{unit.id}", StringField())
    return ScoresForm()


def _default_period() -> str:
    """The half-year that ended most recently."""
    today = clock.today()
    return f"{today.year}-H1" if today.month > 6 else f"{today.year - 1}-H2"


# Special assessments ------------------------------------------------------------------


@bp.route("")
@require("assessment.view")
def assessment_list():
    theme = request.args.get("theme") or None
    period = request.args.get("period") or None
    items = assessments.listing(theme if theme in ASSESSMENT_THEMES else None, period)
    counts = {}
    if items:
        counts = {row.assessment_id: row for row in db.session.execute(
            select(AssessmentScore.assessment_id, func.count(AssessmentScore.id).label("units"),
                   func.sum(case((AssessmentScore.veto, 1), else_=0)).label("vetoed"))
            .where(AssessmentScore.assessment_id.in_([a.id for a in items]))
            .group_by(AssessmentScore.assessment_id))}
    return render_template("assessments/list.html", items=items, counts=counts, theme=theme,
                           period=period, periods=assessments.periods())


@bp.route("/new", methods=["GET", "POST"])
@require("assessment.manage")
def assessment_new():
    units = assessments.assessed_units()
    form = scores_form(units)
    values = {"theme": form.theme.data or "", "period": form.period.data or _default_period()}
    errors: dict = {}
    unit_errors: dict[int, list[str]] = {}
    if form.validate_on_submit():
        scores, order = form.lines()
        try:
            with attempt():
                assessment = assessments.enter(actor(), theme=values["theme"], period=values["period"],
                                               scores=scores)
        except InvalidInput as error:
            for name, message in error.fields.items():
                parts = name.split(".")
                if parts[0] == "scores" and len(parts) > 1 and parts[1].isdigit():
                    unit_errors.setdefault(order[int(parts[1])], []).append(message)
                else:
                    errors[name] = message
            flash(error.message, "danger")
        else:
            flash(_("Scores saved; the ranking is published."), "success")
            return redirect(url_for("assessments.assessment_page", assessment_id=assessment.id))
    return render_template("assessments/form.html", units=units, values=values, form=form,
                           errors=errors, unit_errors=unit_errors), (
        400 if errors or unit_errors else 200)


@bp.route("/import", methods=["GET", "POST"])
@require("assessment.manage")
def assessment_import():
    form = ImportScoresForm()
    if not form.is_submitted():
        form.period.data = _default_period()
    problems = []
    if form.validate_on_submit():
        try:
            with attempt():
                assessment = assessments.import_scores(actor(), theme=form.theme.data,
                                                       period=form.period.data,
                                                       stream=form.file.data.stream)
        except RowErrors as error:
            problems = error.rows
            flash(error.message, "danger")
        except InvalidInput as error:
            apply_errors(form, error)
        else:
            flash(_("Scores imported; the ranking is published."), "success")
            return redirect(url_for("assessments.assessment_page", assessment_id=assessment.id))
    return render_template("assessments/import.html", form=form, problems=problems), (
        400 if form.errors or problems else 200)


@bp.route("/import/template.xlsx")
@require("assessment.manage")
def assessment_template():
    return Response(assessments.template(), mimetype=XLSX, headers={
        "Content-Disposition": "attachment; filename=assessment-scores-template.xlsx"})


@bp.route("/<int:assessment_id>")
@require("assessment.view")
def assessment_page(assessment_id):
    assessment = load(Assessment, assessment_id)
    ranking = assessments.ranking_of(assessment)
    rows = assessments.ranking_rows(ranking)
    visible = permissions.visible_unit_ids(current_user)
    return render_template("assessments/assessment.html", assessment=assessment, ranking=ranking,
                           rows=rows, visible=visible, chart=charts.bar_chart(
                               (row.unit_name, row.score, f"{row.score or 0:.2f}{' ✕' if row.veto else ''}",
                                "alert" if row.veto else "") for row in rows))


@bp.route("/<int:assessment_id>.xlsx")
@require("assessment.view")
def assessment_export(assessment_id):
    assessment = load(Assessment, assessment_id)
    return Response(assessments.export(assessment), mimetype=XLSX, headers={
        "Content-Disposition":
            f"attachment; filename=assessment-{assessment.theme}-{assessment.period}.xlsx"})
