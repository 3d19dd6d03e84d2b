"""Weekly supervision rounds (docs/api.md "Supervision and bulletins")."""

from sqlalchemy import select

from tracker.blueprints import acting_user, actor, authorize, load
from tracker.blueprints.api import bp
from tracker.blueprints.api.framework import PageQuery, dump, endpoint, paginated
from tracker.blueprints.api.schemas import (
    FindingOut,
    FindingPatch,
    FindingQuery,
    RoundCreate,
    RoundDetailOut,
    RoundOut,
    RoundSummaryOut,
    SnapshotOut,
    page_of,
)
from tracker.extensions import db
from tracker.models import Finding, RoundSnapshot, SupervisionRound
from tracker.services import permissions, supervision


def round_detail(rnd: SupervisionRound) -> dict:
    user = acting_user()
    snapshots = db.session.scalars(
        select(RoundSnapshot).where(RoundSnapshot.round_id == rnd.id,
                                    permissions.unit_scope(user, RoundSnapshot.unit_id))
        .order_by(RoundSnapshot.task_id))
    findings = db.session.scalars(supervision.findings_query(user, round_id=rnd.id))
    return {**dump(RoundOut, rnd), "snapshots": [dump(SnapshotOut, s) for s in snapshots],
            "findings": [finding_json(f) for f in findings]}



def finding_json(finding: Finding) -> dict:
    """A finding as the acting user may read it: the internal note only for ``finding.internal``."""
    data = dump(FindingOut, finding)
    if not permissions.can(acting_user(), "finding.internal"):
        data["note"] = None
    return data

@endpoint(bp, "/supervision/rounds", "POST",
          summary="Start the round of a week (or get the existing one)", tag="Supervision",
          body=RoundCreate, response=RoundDetailOut, status=(201, 200), errors=(403,))
def create_round(body: RoundCreate):
    authorize("round.manage")
    rnd, created = supervision.start_round(actor(), body.week_start)
    return round_detail(rnd), 201 if created else 200


@endpoint(bp, "/supervision/rounds", "GET", summary="List rounds, newest first",
          tag="Supervision", query=PageQuery, response=page_of(RoundSummaryOut))
def list_rounds(query: PageQuery):
    authorize("dashboard.view")
    page = db.paginate(select(SupervisionRound).order_by(SupervisionRound.week_start.desc()),
                       page=query.page, per_page=query.per_page, error_out=False)
    counts = supervision.round_counts([r.id for r in page.items])
    return {"items": [{**dump(RoundOut, r), "tasks": counts[r.id]["tasks"],
                       "findings": counts[r.id]["findings"]} for r in page.items],
            "page": query.page, "per_page": query.per_page, "total": page.total}, 200


@endpoint(bp, "/supervision/rounds/<int:round_id>", "GET",
          summary="Read a round: its snapshot and findings (a unit sees its own)",
          tag="Supervision", response=RoundDetailOut, errors=(404,))
def get_round(round_id: int):
    authorize("dashboard.view")
    return round_detail(load(SupervisionRound, round_id)), 200


@endpoint(bp, "/supervision/rounds/<int:round_id>/close", "POST",
          summary="Close a round: it never changes again", tag="Supervision",
          response=RoundOut, errors=(403, 404, 409))
def close_round(round_id: int):
    authorize("round.manage")
    rnd = supervision.close_round(actor(), load(SupervisionRound, round_id))
    return dump(RoundOut, rnd), 200


@endpoint(bp, "/supervision/findings", "GET", summary="List findings (a unit sees its own)",
          tag="Supervision", query=FindingQuery, response=page_of(FindingOut))
def list_findings(query: FindingQuery):
    authorize("dashboard.view")
    stmt = supervision.findings_query(acting_user(), round_id=query.round_id,
                                      unit_id=query.unit_id, kind=query.kind)
    page = paginated(FindingOut, stmt, query)
    if not permissions.can(acting_user(), "finding.internal"):
        for item in page["items"]:
            item["note"] = None
    return page, 200


@endpoint(bp, "/supervision/findings/<int:finding_id>", "PATCH",
          summary="Annotate a finding of an open round", tag="Supervision", body=FindingPatch,
          response=FindingOut, errors=(403, 404, 409))
def patch_finding(finding_id: int, body: FindingPatch):
    authorize("round.manage")
    finding = supervision.annotate(actor(), load(Finding, finding_id), body.note, body.unit_note)
    return finding_json(finding), 200
