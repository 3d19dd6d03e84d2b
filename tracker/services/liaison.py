"""一月一查一反馈: monthly liaison checks of schools (docs/domain.md "Supervision cadence").

``record`` takes each dimension's rating as a ``RatingInput``, built by the
page's form; it checks the domain's rules only.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select

from tracker.extensions import db
from tracker.models import LiaisonCheck, LiaisonDimension, LiaisonRating, Unit
from tracker.services import audit, validation
from tracker.services.errors import Conflict

MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


@dataclass(frozen=True)
class RatingInput:
    """One dimension of a check: its rating's code and, if any, notes."""

    rating: str | None
    notes: str | None = None


def schools_of(liaison_unit_id: int) -> list[Unit]:
    """Return the active schools a department liaises for."""
    return list(db.session.scalars(select(Unit).where(Unit.liaison_unit_id == liaison_unit_id,
                                                      Unit.is_archived.is_(False))
                                   .order_by(Unit.name)))


def record(actor: audit.Actor, school: Unit, *, month: str, ratings: Mapping[str, RatingInput],
           feedback: str | None) -> LiaisonCheck:
    """Record the month's check of a school by its liaison department (once per month).

    ``ratings`` holds a rating for each dimension (``LiaisonDimension``), by code.
    """
    errors: dict[str, str] = {}
    if not MONTH.match(month):
        errors["month"] = _("Write the month like 2026-10.")
    clean: dict[str, dict] = {}
    for key in LiaisonDimension.codes():
        item = ratings.get(key)
        if item is None or item.rating not in LiaisonRating.codes():
            errors[key] = _("Choose a rating.")
            continue
        rating = item.rating
        notes = validation.text(errors, f"{key}_notes", item.notes, max_length=1000,
                                required=False, multiline=True)
        clean[key] = {"rating": rating, "notes": notes or ""}
    text = validation.text(errors, "feedback", feedback, max_length=4000, multiline=True)
    validation.raise_if(errors)
    if school.liaison_unit_id is None:
        raise Conflict(_("This school has no liaison department."))
    if db.session.scalar(select(LiaisonCheck.id).where(LiaisonCheck.school_id == school.id,
                                                       LiaisonCheck.month == month)):
        raise Conflict(_("This school's check for %(month)s is recorded already.", month=month))
    check = LiaisonCheck(school_id=school.id, liaison_unit_id=school.liaison_unit_id, month=month,
                         ratings=clean, feedback=text, recorded_at=actor.now,
                         recorded_by_id=actor.user.id if actor.user else None)
    db.session.add(check)
    audit.record(actor, "liaison.check", check, {"school_id": [None, school.id], "month": [None, month]})
    return check


def missing(months: list[str]) -> list[dict]:
    """Return the (school, month) pairs without a check, for schools that have a liaison."""
    schools = db.session.execute(
        select(Unit.id, Unit.name, Unit.liaison_unit_id).where(
            Unit.liaison_unit_id.is_not(None), Unit.is_archived.is_(False)).order_by(Unit.name)).all()
    done = set(db.session.execute(select(LiaisonCheck.school_id, LiaisonCheck.month)
                                  .where(LiaisonCheck.month.in_(months))).all())
    names = dict(db.session.execute(select(Unit.id, Unit.name)).all())
    return [{"unit_id": school_id, "unit": name, "liaison_unit_id": liaison,
             "liaison": names[liaison], "month": month}
            for month in months for school_id, name, liaison in schools
            if (school_id, month) not in done]
