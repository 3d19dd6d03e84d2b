"""Access-matrix rows of the records behind each figure 数据依据 (services/basis.py).

Every page is for signed-in staff; a unit reads the basis of its own unit's figures (the
world's department, the unit_head's and unit_member's own), the administrator no complaint.
"""

from __future__ import annotations

from tests.access import EVERYONE
from tracker import clock
from tracker.extensions import db
from tracker.models import Flag

OK, FORBIDDEN, NOT_FOUND = 200, 403, 404
TO_LOGIN = (302, "/login")


def row(anonymous, admin, office, leader, unit_head, unit_member) -> dict:
    return dict(zip(EVERYONE, (anonymous, admin, office, leader, unit_head, unit_member), strict=True))


WEB_ROWS = {
    ("GET", "/bulletins/<int:bulletin_id>/basis/<figure>/<int:unit_id>"): row(TO_LOGIN, OK, OK, OK, OK, OK),
    ("GET", "/complaints/stats/basis/<figure>/<int:unit_id>"): row(TO_LOGIN, FORBIDDEN, OK, OK, OK, OK),
    ("GET", "/ratings/<int:rating_round_id>/basis/<int:unit_id>"): row(TO_LOGIN, OK, OK, OK, OK, OK),
    ("GET", "/accountability/<int:flag_id>/basis/<int:index>"): row(TO_LOGIN, FORBIDDEN, OK, OK, OK, OK),
    # this year's innovation ranking is a draft: only its scorers and leaders read it, and its basis
    ("GET", "/innovations/ranking/basis/<int:unit_id>"): row(
        TO_LOGIN, NOT_FOUND, OK, OK, NOT_FOUND, NOT_FOUND
    ),
}


def build(world, make) -> None:
    """A flag on the department whose evidence is a month's rated complaints."""
    flag = Flag(
        rule="low_satisfaction",
        unit_id=world.department.id,
        period="2025-10",
        evidence={
            "rule": "low_satisfaction",
            "as_of": "2025-11-30",
            "unit": {"id": world.department.id, "name": world.department.name},
            "parameters": {},
            "sources": [
                {
                    "type": "complaints",
                    "title": "2025-10",
                    "rated": 0,
                    "satisfied": 0,
                    "satisfaction_rate": 0.0,
                    "rows": [],
                }
            ],
        },
        proposed_action="interview",
        status="raised",
        raised_at=clock.now(),
    )
    db.session.add(flag)
    db.session.flush()
    world.extra["basis_flag_id"] = flag.id


def web_ids(world, key):
    method, rule = key
    if "/basis/" not in rule:
        return None
    ids = {**world.ids, "unit_id": world.department.id, "figure": "due", "index": 0}
    if rule.startswith("/bulletins/"):
        return {**ids, "bulletin_id": world.extra["published_id"]}
    if rule.startswith("/complaints/"):
        return {**ids, "figure": "dispatched"}
    if rule.startswith("/ratings/"):
        return {**ids, "rating_round_id": world.extra["rating_closed_id"]}
    if rule.startswith("/accountability/"):
        return {**ids, "flag_id": world.extra["basis_flag_id"]}
    return ids  # the innovation ranking's unit: the department
