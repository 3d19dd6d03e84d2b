"""Public endpoints: no token, rate-limited per address."""

from sqlalchemy import select

from tracker.blueprints.api import public_bp
from tracker.blueprints.api.framework import dump, endpoint
from tracker.blueprints.api.schemas import PublicUnitOut
from tracker.extensions import db
from tracker.models import Unit


@endpoint(public_bp, "/units", "GET", summary="List the units the public may name",
          tag="Public", response=list[PublicUnitOut], public=True)
def public_units():
    units = db.session.scalars(
        select(Unit).where(Unit.is_archived.is_(False)).order_by(Unit.kind, Unit.name))
    return [dump(PublicUnitOut, unit) for unit in units], 200
