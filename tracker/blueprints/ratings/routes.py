"""Routes of the ratings area: rounds, invitation slips, results."""

from __future__ import annotations

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tracker.blueprints import actor, load, require
from tracker.blueprints.forms import NOT_CONFIRMED, ConfirmForm, StepConfirmForm, parse_int
from tracker.blueprints.ratings import bp
from tracker.blueprints.ratings.forms import InvitationsForm, PublishForm, RoundForm
from tracker.extensions import db
from tracker.media_types import XLSX
from tracker.models import RatingRound, Unit
from tracker.services import codes, organisation, rating_slips, ratings
from tracker.services.errors import Conflict, InvalidInput
from tracker.unit_of_work import attempt


@bp.record_once
def helpers(state):
    state.app.jinja_env.globals.update(format_code=codes.group)


def _vote_url(code: str | None = None) -> str:
    """Return the public ballot URL (of a code), absolute: BASE_URL if set, else this host."""
    base = (current_app.config.get("BASE_URL") or request.url_root).rstrip("/")
    path = url_for("public.vote_code", code=code) if code else url_for("public.vote")
    return base + path


@bp.route("/")
@require("rating.view")
def rounds():
    page = db.paginate(ratings.rounds_query(), page=parse_int(request.args.get("page")) or 1,
                       per_page=30, error_out=False)
    return render_template("ratings/rounds.html", page=page,
                           counts=ratings.round_counts([r.id for r in page.items]))


def _units_by_peer_group() -> list[tuple[str, list[Unit]]]:
    units = db.session.scalars(select(Unit).where(Unit.is_archived.is_(False))
                               .order_by(Unit.peer_group, Unit.kind, Unit.name)).all()
    grouped: dict[str, list[Unit]] = {}
    for unit in units:
        grouped.setdefault(organisation.peer_group_label(unit.peer_group), []).append(unit)
    return list(grouped.items())


def _render_form(form: RoundForm, errors: dict[str, str], rnd: RatingRound | None = None):
    return render_template("ratings/round_form.html", form=form, errors=errors, round=rnd,
                           units=_units_by_peer_group()), 400 if errors else 200


def _save(form: RoundForm, save) -> tuple[RatingRound | None, dict[str, str]]:
    """Save the submitted round with ``save``: the round, or the errors to show."""
    if not form.validate_on_submit():
        return None, form.field_errors()
    try:
        with attempt():
            return save(form.round_input()), {}
    except InvalidInput as error:
        return None, form.row_errors(error) or {"": error.message}


@bp.route("/new", methods=["GET", "POST"])
@require("rating.manage")
def new_round():
    if request.method != "POST":
        return _render_form(RoundForm.for_round(ratings.RoundInput(
            title="", period="", unit_ids=[], dimensions=ratings.default_dimensions(),
            groups=ratings.default_groups())), {})
    form = RoundForm()
    made, errors = _save(form, lambda values: ratings.create_round(actor(), values))
    if made is None:
        return _render_form(form, errors)
    flash(_("Rating round created."), "success")
    return redirect(url_for("ratings.round_page", rating_round_id=made.id))


@bp.route("/<int:rating_round_id>/edit", methods=["GET", "POST"])
@require("rating.manage")
def edit_round(rating_round_id: int):
    rnd = load(RatingRound, rating_round_id)
    if rnd.status != "draft":
        flash(_("Only a draft round can be changed."), "warning")
        return redirect(url_for("ratings.round_page", rating_round_id=rnd.id))
    if request.method != "POST":
        return _render_form(RoundForm.for_round(ratings.round_input(rnd)), {}, rnd)
    form = RoundForm()
    saved, errors = _save(form, lambda values: ratings.update_round(actor(), rnd, values))
    if saved is None:
        return _render_form(form, errors, rnd)
    flash(_("Rating round saved."), "success")
    return redirect(url_for("ratings.round_page", rating_round_id=rnd.id))


@bp.route("/<int:rating_round_id>")
@require("rating.view")
def round_page(rating_round_id: int):
    rnd = load(RatingRound, rating_round_id)
    return render_template("ratings/round.html", round=rnd, form=ConfirmForm(),
                           batches=ratings.batches(rnd), counts=ratings.round_counts([rnd.id])[rnd.id],
                           peer_label=organisation.peer_group_label, max_codes=ratings.MAX_CODES)


def _state_change(rating_round_id: int, change, done: str):
    rnd = load(RatingRound, rating_round_id)
    if ConfirmForm().validate_on_submit():
        try:
            with attempt():
                change(rnd)
        except (Conflict, InvalidInput) as error:
            flash(error.message, "danger")
        else:
            flash(done, "success")
    return redirect(url_for("ratings.round_page", rating_round_id=rating_round_id))


@bp.route("/<int:rating_round_id>/open", methods=["POST"])
@require("rating.manage")
def open_round(rating_round_id: int):
    return _state_change(rating_round_id, lambda rnd: ratings.open_round(actor(), rnd),
                         _("The round is open: codes can vote now."))


@bp.route("/<int:rating_round_id>/close", methods=["GET", "POST"])
@require("rating.manage")
def close_round(rating_round_id: int):
    """GET: what closing the round freezes (its ballots, warned when few); POST with ``confirm``: close."""
    rnd = load(RatingRound, rating_round_id)
    form = StepConfirmForm()
    if request.method == "POST" and form.confirmed():
        return _state_change(rating_round_id, lambda rnd: ratings.close(actor(), rnd),
                             _("The round is closed and its ranking frozen."))
    if rnd.status != "open":
        raise Conflict(_("Only an open round can be closed."))
    preview = ratings.close_preview(rnd)
    warning = None
    if preview["ballots"] == 0:
        warning = _("No ballot has been cast in this round: closing it now freezes a ranking with no "
                    "unit ranked.")
    elif preview["few"] or preview["unranked"]:
        warning = _("Only %(n)d ballots have been cast; a unit needs at least %(min)d to be ranked, so "
                    "%(count)d of %(units)d units will not be ranked.", n=preview["ballots"],
                    min=preview["min_ballots"], count=len(preview["unranked"]), units=preview["units"])
    consequences = [
        _("Voting ends: the %(codes)d unused codes can no longer vote.", codes=preview["unused"]),
        _("The ranking is computed from the %(n)d ballots cast and frozen; it never changes again.",
          n=preview["ballots"]),
        _("The accountability rules are evaluated on the frozen ranking and may raise flags."),
    ]
    if preview["unranked"]:
        consequences.append(_("Not ranked (too few ballots): %(units)s.",
                              units="、".join(preview["unranked"])))
    return render_template(
        "confirm.html", heading=_("Close the rating round: %(title)s", title=rnd.title), step="close",
        consequences=consequences, warning=warning,
        refused=NOT_CONFIRMED if request.method == "POST" else None,
        action=url_for("ratings.close_round", rating_round_id=rnd.id), button=_("Close the round"),
        cancel=url_for("ratings.round_page", rating_round_id=rnd.id),
    ), 400 if request.method == "POST" else 200


@bp.route("/<int:rating_round_id>/publish", methods=["POST"])
@require("rating.manage")
def publish_round(rating_round_id: int):
    public = PublishForm().is_public()
    return _state_change(rating_round_id, lambda rnd: ratings.publish_results(actor(), rnd, public),
                         _("Results published on the public site.") if public
                         else _("Results withdrawn from the public site."))


@bp.route("/<int:rating_round_id>/invitations", methods=["POST"])
@require("rating.manage")
def make_invitations(rating_round_id: int):
    rnd = load(RatingRound, rating_round_id)
    form = InvitationsForm()
    if form.validate_on_submit():
        try:
            with attempt():
                batch, made = ratings.generate_invitations(actor(), rnd, form.group.data or "",
                                                           form.count.data)
        except (Conflict, InvalidInput) as error:
            for message in (error.fields or {"": error.message}).values():
                flash(message, "danger")
        else:
            flash(_("Batch %(batch)d: %(n)d codes made.", batch=batch, n=len(made)), "success")
    return redirect(url_for("ratings.round_page", rating_round_id=rating_round_id))


def _batch(rnd: RatingRound, batch: int):
    invitations = ratings.batch_codes(rnd, batch)
    if not invitations:
        abort(404)
    return invitations, invitations[0].group


@bp.route("/<int:rating_round_id>/batches/<int:batch>/slips")
@require("rating.manage")
def slips(rating_round_id: int, batch: int):
    rnd = load(RatingRound, rating_round_id)
    invitations, group = _batch(rnd, batch)
    unused_only = request.args.get("unused") == "1"
    shown = [i for i in invitations if not (unused_only and i.used_at)]
    return render_template("ratings/slips.html", round=rnd, group=group, batch=batch,
                           slips=[(i, rating_slips.qr_svg(_vote_url(i.code))) for i in shown],
                           vote_url=_vote_url(), unused_only=unused_only)


@bp.route("/<int:rating_round_id>/batches/<int:batch>/slips.pdf")
@require("rating.manage")
def slips_pdf(rating_round_id: int, batch: int):
    rnd = load(RatingRound, rating_round_id)
    invitations, group = _batch(rnd, batch)
    unused_only = request.args.get("unused") == "1"
    data = rating_slips.slips_pdf(rnd.title, group.name, [
        rating_slips.Slip(i.code, _vote_url(i.code)) for i in invitations
        if not (unused_only and i.used_at)], _vote_url())
    return Response(data, mimetype="application/pdf", headers={
        "Content-Disposition": f"attachment; filename=slips-{rnd.id}-{batch}.pdf"})


@bp.route("/<int:rating_round_id>/results")
@require("rating.view")
def results(rating_round_id: int):
    rnd = db.session.scalar(select(RatingRound).where(RatingRound.id == rating_round_id).options(
        selectinload(RatingRound.groups), selectinload(RatingRound.dimensions)))
    if rnd is None:
        abort(404)
    rows = ratings.ranking_rows(rnd)
    return render_template("ratings/results.html", round=rnd, rows=rows, groups=ratings.by_peer_group(rows),
                           frozen=rnd.status == "closed", peer_label=organisation.peer_group_label)


@bp.route("/<int:rating_round_id>/results.xlsx")
@require("rating.view")
def results_xlsx(rating_round_id: int):
    rnd = load(RatingRound, rating_round_id)
    data = ratings.ranking_workbook(rnd, ratings.ranking_rows(rnd), organisation.peer_group_label)
    return Response(data, mimetype=XLSX, headers={
        "Content-Disposition": f"attachment; filename=rating-{rnd.id}-{rnd.period}.xlsx"})
