"""Public showcase of innovations 一招鲜公开公示 and published special assessment rankings."""

from flask import render_template, request
from sqlalchemy import select

from tracker import clock
from tracker.blueprints import load
from tracker.blueprints.forms import parse_int
from tracker.blueprints.public import bp
from tracker.extensions import db
from tracker.models import Assessment, Innovation, Unit
from tracker.services import assessments, innovations


@bp.route("/innovations")
def public_innovations():
    years = innovations.years() or [clock.today().year]
    year = parse_int(request.args.get("year"))
    if year not in years:
        year = years[0]
    rows = db.session.execute(
        select(Innovation, Unit.name).join(Unit, Unit.id == Innovation.unit_id)
        .where(Innovation.year == year).order_by(Unit.name, Innovation.id).limit(1000)).all()
    return render_template("innovations/public.html", rows=rows, year=year, years=years,
                           view=innovations.ranking_for(None, year))


@bp.route("/assessments")
def public_assessments():
    return render_template("assessments/public_assessments.html", items=assessments.listing())


@bp.route("/assessments/<int:assessment_id>")
def public_assessment(assessment_id):
    assessment = load(Assessment, assessment_id)
    rows = assessments.ranking_rows(assessments.ranking_of(assessment))
    return render_template("assessments/public_assessment.html", assessment=assessment, rows=rows)
