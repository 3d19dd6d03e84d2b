"""The three complaint rates page and its .xlsx (registered on the complaints blueprint)."""

from flask import Response, abort, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from tracker import clock
from tracker.blueprints import require
from tracker.blueprints.complaints import bp
from tracker.blueprints.forms import parse_int
from tracker.media_types import XLSX
from tracker.services import basis, charts, complaint_stats, permissions
from tracker.services.errors import InvalidInput
from tracker.services.pagination import ListPagination


def _period():
    """The period asked for (default: this month); the error message when it is not one."""
    raw = (request.args.get("period") or "").strip() or clock.today().strftime("%Y-%m")
    try:
        return raw, complaint_stats.parse_period(raw), None
    except InvalidInput as error:
        return raw, complaint_stats.parse_period(clock.today().strftime("%Y-%m")), error.fields["period"]


CHART_ENDS = 10  # the best and the worst units of each peer group in its chart
PER_PAGE = 50


def _chart(rows: list[dict]) -> charts.BarChart | None:
    """Bars of the score (0..100) per unit, in the given order."""
    return charts.bar_chart((f"{row['rank']}. {row['unit']}", row["score"],
                             f"{row['score']:.2f}" if row["score"] is not None else "—", "")
                            for row in rows)


def _url(**changes) -> str:
    """This page's URL with the same arguments but ``changes`` (None drops one), on its first page."""
    args = {key: value for key, value in request.args.items() if key != "page"}
    args.update(changes)
    return url_for("complaints.stats_page", **{k: v for k, v in args.items() if v not in (None, "")})


@bp.route("/stats")
@require("complaint.stats")
def stats_page():
    raw, period, error = _period()
    rows = complaint_stats.stats(period, current_user)
    args = request.args
    groups = complaint_stats.peer_groups(rows)
    group = args.get("group") if args.get("group") in groups else None
    sort = args.get("sort") if args.get("sort") in complaint_stats.SORTS else "rank"
    descending = {"asc": False, "desc": True}.get(args.get("dir") or "", complaint_stats.SORTS[sort])
    shown = complaint_stats.table(rows, peer_group=group, sort=sort, descending=descending)
    per_page = min(max(parse_int(args.get("per_page")) or PER_PAGE, 10), 200)
    page = ListPagination(shown, parse_int(args.get("page")), per_page)
    charts = [{**end, "top": _chart(end["top"]), "bottom": _chart(end["bottom"])}
              for end in complaint_stats.ends(rows, CHART_ENDS)
              if group is None or end["peer_group"] == group]
    sort_links = {key: _url(sort=key, dir=("asc" if descending else "desc") if key == sort
                            else ("desc" if default else "asc"))
                  for key, default in complaint_stats.SORTS.items()}
    return render_template(
        "complaints/stats.html", page=page, raw=raw, period=period, error=error, charts=charts,
        groups=groups, group=group, sort=sort, descending=descending, sort_links=sort_links,
        chart_ends=CHART_ENDS, weights=complaint_stats.weights(),
        least=complaint_stats.settings.get("complaints.min_dispatched_ranked")), 400 if error else 200


@bp.route("/stats.xlsx")
@require("complaint.stats")
def stats_xlsx():
    raw, period, error = _period()
    if error:
        raise InvalidInput(_("Please correct the marked fields."), {"period": error})
    rows = complaint_stats.stats(period, current_user)
    scope = "全部单位" if current_user.role in ("office", "leader") else "本单位"
    as_of = clock.local(clock.now()).strftime("%Y-%m-%d %H:%M")
    data = complaint_stats.to_xlsx(rows, period.key, as_of=as_of, filters=scope)
    return Response(data, mimetype=XLSX, headers={
        "Content-Disposition": f"attachment; filename=complaint-rates-{period.key}.xlsx"})


@bp.route("/stats/basis/<figure>/<int:unit_id>")
@require("complaint.stats")
def stats_basis(figure: str, unit_id: int):
    """The complaints behind one unit's figure in the table, for the same period."""
    raw, period, error = _period()
    if error:
        raise InvalidInput(_("Please correct the marked fields."), {"period": error})
    if not permissions.can(current_user, "complaint.list"):
        abort(403)
    if not permissions.can(current_user, "basis.read", unit_id):
        abort(404)
    found = basis.stats_basis(period, figure, unit_id, current_user)
    if found is None:
        abort(404)
    row = next(iter(complaint_stats.stats(period, unit_id=unit_id)), None)
    return render_template("basis/basis.html", basis=found, figure=figure,
                           shown=row[figure] if row else 0, period=period.key,
                           document=_("Complaint rates, %(period)s", period=period.key),
                           back=url_for("complaints.stats_page", period=period.key))
