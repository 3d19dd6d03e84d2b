"""Bulletins (docs/api.md "Supervision and bulletins")."""

from flask import Response, abort
from sqlalchemy import select

from tracker import clock
from tracker.blueprints import acting_user, actor, authorize, load
from tracker.blueprints.api import bp, public_bp
from tracker.blueprints.api.framework import endpoint
from tracker.blueprints.api.schemas import (
    BulletinCreate,
    BulletinOut,
    BulletinPatch,
    BulletinReturn,
    PublicBulletinOut,
)
from tracker.extensions import db
from tracker.media_types import DOCX
from tracker.models import Bulletin
from tracker.services import bulletins, documents, permissions


def bulletin_json(bulletin: Bulletin) -> dict:
    content = bulletin.content
    return {"id": bulletin.id, "kind": bulletin.kind, "period": bulletin.period,
            "status": bulletin.status, "number": documents.number("bulletin", bulletin.doc_number),
            "title": bulletin.title,
            "narrative": bulletin.narrative, "unit_table": content["unit_table"],
            "criticised": content["criticised"], "commended": content["commended"],
            "complaints": content.get("complaints", []), "notices": content.get("notices", {}),
            "flags": content.get("flags", []), "overview": content["overview"],
            "lagging_trend": content["lagging_trend"], "return_comment": bulletin.return_comment,
            "returned_at": bulletin.returned_at.isoformat() if bulletin.returned_at else None}


def _load_visible(bulletin_id: int) -> Bulletin:
    bulletin = load(Bulletin, bulletin_id)
    if not permissions.can(acting_user(), "bulletin.view", bulletin):
        abort(404)
    return bulletin


@endpoint(bp, "/bulletins", "POST", summary="Generate the draft of a period (or get the existing one)",
          tag="Bulletins", body=BulletinCreate, response=BulletinOut, status=(201, 200), errors=(403,))
def create_bulletin(body: BulletinCreate):
    authorize("bulletin.manage")
    bulletin, created = bulletins.generate(actor(), body.kind, body.period)
    return bulletin_json(bulletin), 201 if created else 200


@endpoint(bp, "/bulletins/<int:bulletin_id>", "GET", summary="Read a bulletin", tag="Bulletins",
          response=BulletinOut, errors=(404,))
def get_bulletin(bulletin_id: int):
    return bulletin_json(_load_visible(bulletin_id)), 200


@endpoint(bp, "/bulletins/<int:bulletin_id>", "PATCH", summary="Edit a draft's title and narrative",
          tag="Bulletins", body=BulletinPatch, response=BulletinOut, errors=(403, 404, 409))
def patch_bulletin(bulletin_id: int, body: BulletinPatch):
    authorize("bulletin.manage")
    bulletin = bulletins.edit(actor(), load(Bulletin, bulletin_id), **body.model_dump())
    return bulletin_json(bulletin), 200


@endpoint(bp, "/bulletins/<int:bulletin_id>/approve", "POST", summary="Approve a draft (leader)",
          tag="Bulletins", response=BulletinOut, errors=(403, 404, 409))
def approve_bulletin(bulletin_id: int):
    authorize("bulletin.approve")
    bulletin = bulletins.approve(actor(), load(Bulletin, bulletin_id))
    return bulletin_json(bulletin), 200


@endpoint(bp, "/bulletins/<int:bulletin_id>/return", "POST",
          summary="Return a draft to the office with a comment (leader)", tag="Bulletins",
          body=BulletinReturn, response=BulletinOut, errors=(403, 404, 409))
def return_bulletin(bulletin_id: int, body: BulletinReturn):
    authorize("bulletin.approve")
    bulletin = bulletins.return_to_office(actor(), _load_visible(bulletin_id), body.comment)
    return bulletin_json(bulletin), 200


@endpoint(bp, "/bulletins/<int:bulletin_id>/resubmit", "POST",
          summary="Submit a returned bulletin again for approval (office)", tag="Bulletins",
          response=BulletinOut, errors=(403, 404, 409))
def resubmit_bulletin(bulletin_id: int):
    authorize("bulletin.manage")
    bulletin = bulletins.resubmit(actor(), load(Bulletin, bulletin_id))
    return bulletin_json(bulletin), 200


@endpoint(bp, "/bulletins/<int:bulletin_id>/publish", "POST",
          summary="Publish an approved bulletin: numbered and frozen", tag="Bulletins",
          response=BulletinOut, errors=(403, 404, 409))
def publish_bulletin(bulletin_id: int):
    authorize("bulletin.manage")
    bulletin = bulletins.publish(actor(), load(Bulletin, bulletin_id), clock.today().year)
    return bulletin_json(bulletin), 200


@endpoint(bp, "/bulletins/<int:bulletin_id>.docx", "GET", summary="The bulletin as .docx",
          tag="Bulletins", response=DOCX, errors=(404,))
def bulletin_docx(bulletin_id: int):
    bulletin = _load_visible(bulletin_id)
    return Response(bulletins.to_docx(bulletin), mimetype=DOCX, headers={
        "Content-Disposition": f"attachment; filename=bulletin-{bulletin.period}.docx"})


@endpoint(public_bp, "/bulletins", "GET", summary="Published bulletins, public version",
          tag="Public", response=list[PublicBulletinOut], public=True)
def public_bulletins():
    items = db.session.scalars(select(Bulletin).where(Bulletin.status == "published")
                               .order_by(Bulletin.published_at.desc()).limit(100))
    return [bulletins.public_version(b) for b in items], 200
