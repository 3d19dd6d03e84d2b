"""Routes of innovations: the year's list, registering and editing, scoring, the ranking."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from tracker import clock
from tracker.blueprints import actor, load, picking, require
from tracker.blueprints.forms import parse_int
from tracker.blueprints.innovations import bp
from tracker.blueprints.innovations.forms import InnovationForm, PublishForm, ScoreForm
from tracker.extensions import db
from tracker.models import ASSESSED_KINDS, Innovation, Unit
from tracker.services import innovations, permissions
from tracker.services.errors import InvalidInput
from tracker.unit_of_work import attempt


@bp.record_once
def labels(state):
    state.app.jinja_env.globals.update(INNOVATIONS_EXPECTED=innovations.EXPECTED)


def _year_arg() -> int:
    year = parse_int(request.args.get("year"))
    return year if year and 2000 <= year <= 2100 else clock.today().year


@bp.route("")
@require("innovation.view")
def innovation_list():
    year = _year_arg()
    stmt = (select(Innovation, Unit.name).join(Unit, Unit.id == Innovation.unit_id)
            .where(Innovation.year == year, permissions.unit_scope(current_user, Innovation.unit_id))
            .order_by(Unit.name, Innovation.id))
    rows = db.session.execute(stmt).all()
    published = innovations.published_ranking(year) is not None
    years = sorted(set(innovations.years()) | {year, clock.today().year}, reverse=True)
    return render_template("innovations/list.html", rows=rows, year=year, years=years,
                           published=published, can_score=permissions.can(
                               current_user, "innovation.score"))


@bp.route("/new", methods=["GET", "POST"])
@require("innovation.register")
def innovation_new():
    units = innovations.registrable_units(current_user)
    choices = [(unit.id, unit.name) for unit in units]
    form = InnovationForm()
    errors: dict = {}
    if form.validate_on_submit():
        unit_id = form.unit_id.data if len(choices) != 1 else choices[0][0]
        if unit_id is None:
            errors["unit_id"] = _("Choose a unit.")
        else:
            try:
                with attempt():
                    innovation = innovations.register(
                        actor(), unit_id=unit_id, title=form.title.data,
                        description=form.description.data, year=form.year.data)
            except InvalidInput as error:
                errors = error.fields
            else:
                flash(_("Innovation registered."), "success")
                return redirect(url_for("innovations.innovation_page", innovation_id=innovation.id))
    return render_template("innovations/form.html", choices=choices, groups=picking.grouped_units(units),
                           picker=picking.unit_picker_attributes(ASSESSED_KINDS),
                           values=form.values(clock.today().year),
                           errors=errors, innovation=None), 400 if errors else 200


def _load_innovation(innovation_id: int) -> Innovation:
    innovation = load(Innovation, innovation_id)
    if not permissions.can(current_user, "record.view", innovation.unit_id):
        abort(404)
    return innovation


@bp.route("/<int:innovation_id>", methods=["GET", "POST"])
@require("innovation.view")
def innovation_page(innovation_id):
    innovation = _load_innovation(innovation_id)
    can_edit = innovation.score is None and permissions.can(current_user, "innovation.edit", innovation)
    values = {"title": innovation.title, "description": innovation.description,
              "year": str(innovation.year)}
    errors: dict = {}
    form = InnovationForm()
    if form.is_submitted() and not permissions.can(current_user, "innovation.edit", innovation):
        abort(403)
    if form.validate_on_submit():
        values = form.values(innovation.year)
        try:
            with attempt():
                innovations.update(actor(), innovation, title=form.title.data,
                                   description=form.description.data, year=form.year.data)
        except InvalidInput as error:
            errors = error.fields
        else:
            flash(_("Innovation saved."), "success")
            return redirect(url_for("innovations.innovation_page", innovation_id=innovation.id))
    return render_template("innovations/innovation.html", innovation=innovation, values=values,
                           errors=errors, can_edit=can_edit,
                           can_score=permissions.can(current_user, "innovation.score"),
                           published=innovations.published_ranking(innovation.year) is not None), (
        400 if errors else 200)


@bp.route("/<int:innovation_id>/score", methods=["POST"])
@require("innovation.score")
def innovation_score(innovation_id):
    innovation = load(Innovation, innovation_id)
    form = ScoreForm()
    if form.validate_on_submit():
        try:
            with attempt():
                innovations.score(actor(), innovation, form.score.data)
        except InvalidInput as error:
            flash(error.fields.get("score", error.message), "danger")
        else:
            flash(_("Score saved."), "success")
    if form.next.data == "list":
        return redirect(url_for("innovations.innovation_list", year=innovation.year))
    return redirect(url_for("innovations.innovation_page", innovation_id=innovation.id))


@bp.route("/ranking")
@require("innovation.view")
def innovation_ranking():
    year = _year_arg()
    view = innovations.ranking_for(current_user, year)
    return render_template("innovations/ranking.html", view=view, year=year,
                           years=sorted(set(innovations.years()) | {year}, reverse=True),
                           visible=permissions.visible_unit_ids(current_user))


@bp.route("/ranking/publish", methods=["POST"])
@require("innovation.score")
def innovation_publish():
    form = PublishForm()
    year = form.year.data if form.validate_on_submit() else 0
    innovations.publish(actor(), year or 0)
    flash(_("The innovation ranking of %(year)d is published.", year=year), "success")
    return redirect(url_for("innovations.innovation_ranking", year=year))
