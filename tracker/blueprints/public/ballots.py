"""Public ballot page and published rating results."""

from __future__ import annotations

from flask import abort, current_app, redirect, render_template, request, url_for
from flask_wtf import FlaskForm

from tracker import clock
from tracker.blueprints import load
from tracker.blueprints.public import bp
from tracker.extensions import db, limiter
from tracker.models import RatingRound
from tracker.models.ratings import BALLOT_VALUES
from tracker.services import organisation, ratings
from tracker.services.audit import Actor
from tracker.services.errors import Conflict, InvalidInput
from tracker.unit_of_work import attempt


def ballot_code_limit() -> str:
    return current_app.config.get("RATELIMIT_BALLOT_CODES", "20 per hour")


def wrong_code(response) -> bool:
    """Only answers to an unknown code count against the address."""
    return response.status_code == 404


# one counter per address, shared with POST /api/v1/public/ballots
code_limit = limiter.shared_limit(ballot_code_limit, scope="ballot-codes", deduct_when=wrong_code,
                                  override_defaults=False)


def _refused(error, code: str | None = None, status: int = 409):
    return render_template("public/vote_code.html", form=FlaskForm(), error=error.message, code=code,
                           refused=True), status


@bp.route("/vote", methods=["GET", "POST"])
@code_limit
def vote():
    """Enter the code of a slip."""
    form = FlaskForm()
    if request.method == "POST" and form.validate_on_submit():
        raw = request.form.get("code", "")
        try:
            invitation = ratings.invitation_for(raw)
        except ratings.UnknownCode as error:
            return render_template("public/vote_code.html", form=form, error=error.message,
                                   code=raw[:40]), 404
        return redirect(url_for("public.vote_code", code=invitation.code))
    return render_template("public/vote_code.html", form=form, error=None, code="")


@bp.route("/vote/<code>", methods=["GET", "POST"])
@code_limit
def vote_code(code: str):
    """The ballot of one code (what the QR code on the slip opens)."""
    try:
        invitation = ratings.invitation_for(code)
    except ratings.UnknownCode as error:
        return render_template("public/vote_code.html", form=FlaskForm(), error=error.message,
                               code=code[:40]), 404
    rnd = db.session.get(RatingRound, invitation.round_id)
    try:
        ratings.check_usable(invitation, rnd)
    except Conflict as error:
        return _refused(error, invitation.code)
    form = FlaskForm()
    errors: dict[str, str] = {}
    chosen: dict[str, str] = {}
    if request.method == "POST" and form.validate_on_submit():
        answers = []
        for unit in rnd.units:
            for dimension in rnd.dimensions:
                name = f"u{unit.id}_{dimension.key}"
                value = request.form.get(name)
                if value in BALLOT_VALUES:
                    chosen[name] = value
                    answers.append(ratings.AnswerInput(unit_id=unit.id, dimension=dimension.key,
                                                       value=value))
        try:
            with attempt():
                # ballots are anonymous: the service records no person and no address
                ratings.cast_ballot(Actor(None, None, clock.now()), invitation.code, answers)
        except InvalidInput as error:
            errors = error.fields
        except Conflict as error:
            return _refused(error, invitation.code)
        else:
            return render_template("public/vote_done.html", round=rnd, answered=len(answers))
    return render_template("public/vote.html", form=form, round=rnd, invitation=invitation,
                           errors=errors, chosen=chosen,
                           peer_label=organisation.peer_group_label), 400 if errors else 200


@bp.route("/ratings")
def rating_results_list():
    """Rating rounds whose results the office has published."""
    rounds = db.session.scalars(ratings.rounds_query(public_only=True)).all()
    return render_template("public/ratings.html", rounds=rounds)


@bp.route("/ratings/<int:rating_round_id>")
def rating_results(rating_round_id: int):
    rnd = load(RatingRound, rating_round_id)
    if rnd.status != "closed" or not rnd.results_public:
        abort(404)
    rows = ratings.ranking_rows(rnd)
    return render_template("public/rating_results.html", round=rnd, groups=ratings.by_peer_group(rows),
                           peer_label=organisation.peer_group_label)
