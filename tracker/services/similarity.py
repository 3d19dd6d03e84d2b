"""Duplicate suggestions: the earlier or later complaints one may repeat.

The office sees them while it triages a complaint (submitted or accepted), to
mark it as a duplicate of another. Candidates are chosen in SQL along the
complaint indexes; only they are scored, in Python.
"""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import Select, and_, select, union_all
from sqlalchemy.orm import joinedload

from tracker.extensions import db
from tracker.models import Complaint


def _words(text: str | None) -> set[str]:
    """Latin words, and overlapping pairs of Chinese characters (no word breaks in Chinese)."""
    if not text:
        return set()
    result = set()
    for run in re.findall(r"[\u4e00-\u9fff]+", text):
        result.update(run[i:i + 2] for i in range(len(run) - 1))
    result.update(w.lower() for w in re.findall(r"[A-Za-z0-9]{3,}", text))
    return result


SIMILAR_EARLIER = 40  # candidates per kind (the same unit, the same category) before the complaint …
SIMILAR_LATER = 10  # … and after it


def similar_candidates(complaint: Complaint, days: int = 120) -> Select:
    """The few complaints worth comparing with ``complaint``, chosen in SQL.

    The latest ``SIMILAR_EARLIER`` complaints before it and the first
    ``SIMILAR_LATER`` after it, within ``days``, among those of its named unit
    and, apart, of its category: each part a short walk down one index
    ((unit_id, submitted_at, id) or (category, submitted_at, id)), never the
    months of complaints in between.
    """
    at = complaint.submitted_at
    near = and_(Complaint.id != complaint.id, Complaint.status != "duplicate",
                Complaint.submitted_at >= at - timedelta(days=days),
                Complaint.submitted_at <= at + timedelta(days=days))
    kinds = [Complaint.category == complaint.category]
    if complaint.unit_id is not None:
        kinds.append(Complaint.unit_id == complaint.unit_id)
    parts = []
    for kind in kinds:
        earlier = (select(Complaint.id).where(near, kind, Complaint.submitted_at <= at)
                   .order_by(Complaint.submitted_at.desc(), Complaint.id.desc()).limit(SIMILAR_EARLIER))
        later = (select(Complaint.id).where(near, kind, Complaint.submitted_at > at)
                 .order_by(Complaint.submitted_at, Complaint.id).limit(SIMILAR_LATER))
        parts += [select(earlier.subquery().c.id), select(later.subquery().c.id)]
    return (select(Complaint).where(Complaint.id.in_(union_all(*parts)))
            .options(joinedload(Complaint.unit)))


def similar(complaint: Complaint, limit: int = 5, days: int = 120) -> list[tuple[Complaint, float]]:
    """Suggest cases this one may repeat: same unit and/or category, shared words, near in time.

    One query fetches the candidates (``similar_candidates``); only they are scored here.
    """
    mine = _words(f"{complaint.subject} {complaint.description}")
    scored = []
    for other in db.session.scalars(similar_candidates(complaint, days)):
        score = 0.0
        if complaint.unit_id is not None and other.unit_id == complaint.unit_id:
            score += 2
        if other.category == complaint.category:
            score += 1
        theirs = _words(f"{other.subject} {other.description}")
        if mine and theirs:
            score += 5 * len(mine & theirs) / len(mine | theirs)
        age = abs((complaint.submitted_at - other.submitted_at).days)
        score += max(0.0, 1 - age / days)
        scored.append((other, round(score, 2)))
    scored.sort(key=lambda pair: (-pair[1], -pair[0].id))
    return scored[:limit]
