"""Public ballot page and published rating results."""

from __future__ import annotations

from flask import abort, current_app, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from itsdangerous import BadData, URLSafeSerializer

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


# The ballot is a stepper: one unit per step, then a review of every answer, then one final
# submission. Until then the answers travel in a signed form field ("draft"), never in the
# database: the ballot stays anonymous and the code is spent only by ratings.cast_ballot.
UNITS_PER_STEP = 1
DRAFT_SALT = "ballot-draft"
REVIEW = "review"


def _drafts() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt=DRAFT_SALT)


def _read_draft(code: str) -> dict[str, str]:
    """The answers carried so far, or none when the field is missing, altered or another code's."""
    try:
        data = _drafts().loads(request.form.get("draft", ""))
    except BadData:
        return {}
    answers = data.get("a") if isinstance(data, dict) and data.get("c") == code else None
    if not isinstance(answers, dict):
        return {}
    return {name: value for name, value in answers.items()
            if isinstance(name, str) and value in BALLOT_VALUES}


def _field(unit_id: int, key: str) -> str:
    return f"u{unit_id}_{key}"


def _whole_number(raw: str | None, default: int, last: int) -> int:
    try:
        number = int(raw or "")
    except ValueError:
        return default
    return min(max(number, 0), last)


def _ballot_page(rnd, invitation, steps, answers, at, errors=None, status=200):
    """Draw one step of the ballot, or the review (``at == REVIEW``)."""
    rated = sum(1 for group in steps for unit in group
                if any(_field(unit.id, d.key) in answers for d in rnd.dimensions))
    total = sum(len(group) for group in steps)
    common = dict(form=FlaskForm(), round=rnd, invitation=invitation, errors=errors or {},
                  chosen=answers, draft=_drafts().dumps({"c": invitation.code, "a": answers}),
                  steps=steps, rated=rated, total=total, field=_field,
                  peer_label=organisation.peer_group_label)
    if at == REVIEW:
        return render_template("public/vote_review.html", **common), status
    return render_template("public/vote.html", step=at, units=steps[at],
                           first=sum(len(group) for group in steps[:at]) + 1, **common), status


@bp.route("/vote/<code>", methods=["GET", "POST"])
@code_limit
def vote_code(code: str):
    """The ballot of one code (what the QR code on the slip opens), a unit at a time."""
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
    units = list(rnd.units)
    steps = [units[i:i + UNITS_PER_STEP] for i in range(0, len(units), UNITS_PER_STEP)] or [[]]
    last = len(steps) - 1
    form = FlaskForm()
    if request.method != "POST" or not form.validate_on_submit():
        return _ballot_page(rnd, invitation, steps, {}, 0)

    answers = _read_draft(invitation.code)
    shown = request.form.get("at", "0")
    at = REVIEW if shown == REVIEW else _whole_number(shown, 0, last)
    if at != REVIEW:  # the answers of the step shown replace what the draft held for its units
        for unit in steps[at]:
            for dimension in rnd.dimensions:
                name = _field(unit.id, dimension.key)
                value = request.form.get(name)
                if value in BALLOT_VALUES:
                    answers[name] = value
                else:
                    answers.pop(name, None)
    go = request.form.get("go", "next")
    if request.form.get("clear"):
        answers.pop(request.form["clear"], None)
        return _ballot_page(rnd, invitation, steps, answers, at)
    if request.form.get("to") is not None:
        return _ballot_page(rnd, invitation, steps, answers, _whole_number(request.form["to"], 0, last))
    if go == "back":
        return _ballot_page(rnd, invitation, steps, answers, last if at == REVIEW else max(at - 1, 0))
    if go == "skip" and at != REVIEW:
        for unit in steps[at]:
            for dimension in rnd.dimensions:
                answers.pop(_field(unit.id, dimension.key), None)
    if go in ("next", "skip") and at != REVIEW and at < last:
        return _ballot_page(rnd, invitation, steps, answers, at + 1)
    if go != "submit":
        return _ballot_page(rnd, invitation, steps, answers, REVIEW)

    chosen = [ratings.AnswerInput(unit_id=unit.id, dimension=dimension.key,
                                  value=answers[_field(unit.id, dimension.key)])
              for unit in units for dimension in rnd.dimensions
              if _field(unit.id, dimension.key) in answers]
    try:
        with attempt():
            # ballots are anonymous: the service records no person and no address
            ratings.cast_ballot(Actor(None, None, clock.now()), invitation.code, chosen)
    except InvalidInput as error:
        return _ballot_page(rnd, invitation, steps, answers, REVIEW, error.fields, 400)
    except Conflict as error:
        return _refused(error, invitation.code)
    return render_template("public/vote_done.html", round=rnd, answered=len(chosen))


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
