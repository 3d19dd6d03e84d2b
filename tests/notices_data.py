"""Rows for the notices and complaint-rate tests: complaints built directly as model rows."""

from __future__ import annotations

import itertools
import secrets
from datetime import UTC, date, datetime

from tracker.extensions import db
from tracker.models import Complaint

NAME = "欧阳翠花"
CONTACT = "13900007777-zz-private"
HOSTILE_SCRIPT = "<script>alert(1)</script>"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
_numbers = itertools.count(1)


def readable(body: bytes) -> str:
    """The text of an answer: a .docx or .xlsx unzipped, character references resolved."""
    import html
    import io
    import zipfile

    if body.startswith(b"PK"):
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            body = b"".join(archive.read(name) for name in archive.namelist())
    import re

    text = body.decode("utf-8", "replace")
    unescaped = re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), text)  # JSON
    return html.unescape(unescaped)


def _day(value) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) else value


def complaint(unit, first_on, due_on, replied_on=None, *, status=None, resolved=None, rating=None,
              name=NAME, contact=CONTACT, subject=None, commit=True) -> Complaint:
    """A complaint first dispatched to ``unit`` on ``first_on`` with its first reply deadline."""
    first_on, due_on, replied_on = _day(first_on), _day(due_on), _day(replied_on)
    if status is None:
        status = "closed" if resolved is not None else ("replied" if replied_on else "dispatched")
    row = Complaint(
        tracking_code=secrets.token_hex(8), channel="web", category="buck_passing", unit_id=unit.id,
        subject=subject or f"投诉{next(_numbers)}：办事推诿", description=f"{name}反映：办事推诿，联系电话{contact}",
        name=name, contact=contact, status=status, submitted_at=datetime(2026, 1, 1, tzinfo=UTC),
        dispatched_unit_id=unit.id, first_dispatched_on=first_on,
        first_dispatched_at=datetime.combine(first_on, datetime.min.time(), UTC),
        first_reply_due_on=due_on, reply_due_on=due_on, first_replied_on=replied_on,
        reply_text="已整改" if replied_on else None, resolved=resolved, rating=rating,
        closed_at=datetime(2026, 11, 1, tzinfo=UTC) if status == "closed" else None)
    db.session.add(row)
    if commit:
        db.session.commit()
    return row


def rate_world(make):
    """The hand-built October of docs/domain.md's three rates (see test_complaint_stats for the numbers)."""
    a = make.unit(name="甲小学", peer_group="primary_schools")
    b = make.unit(name="乙小学", peer_group="primary_schools")
    c = make.unit(name="丙小学", peer_group="primary_schools")
    d = make.unit(name="丁小学", peer_group="primary_schools")
    e = make.unit(name="戊股室", kind="department", peer_group="departments")
    g = make.unit(name="己股室", kind="department", peer_group="departments")
    # A: 6 in October
    complaint(a, "2026-10-03", "2026-10-10", "2026-10-10", resolved=True, rating="satisfied")  # on the day
    complaint(a, "2026-10-03", "2026-10-10", "2026-10-11", resolved=False, rating="dissatisfied")  # a day late
    complaint(a, "2026-10-08", "2026-10-15", "2026-10-12", resolved=True)  # unrated
    complaint(a, "2026-10-13", "2026-10-20")  # no reply yet
    complaint(a, "2026-10-13", "2026-10-20", "2026-10-19")  # replied, not closed
    complaint(a, "2026-10-31", "2026-11-07", "2026-11-07", resolved=True, rating="basically_satisfied")
    complaint(a, "2026-09-30", "2026-10-09", "2026-10-09", resolved=True, rating="satisfied")  # September
    complaint(a, "2026-11-01", "2026-11-08", "2026-11-20")  # November
    # B and D: 5 each, 4 on time, none closed -> 80.00, tied
    for unit in (b, d):
        for late in (False, False, False, False, True):
            complaint(unit, "2026-10-05", "2026-10-12", "2026-10-13" if late else "2026-10-12")
    # C: 3 perfect complaints: listed, not ranked
    for _ in range(3):
        complaint(c, "2026-10-05", "2026-10-12", "2026-10-06", resolved=True, rating="satisfied")
    # E: 5 never answered -> 0.00
    for _ in range(5):
        complaint(e, "2026-10-05", "2026-10-12")
    # G: 5 dispatched, 3 on time, 2 closed (1 resolved), none rated
    complaint(g, "2026-10-05", "2026-10-12", "2026-10-12", resolved=True)
    complaint(g, "2026-10-05", "2026-10-12", "2026-10-10", resolved=False)
    complaint(g, "2026-10-05", "2026-10-12", "2026-10-11")
    complaint(g, "2026-10-05", "2026-10-12", "2026-10-14")
    complaint(g, "2026-10-05", "2026-10-12")
    return {"a": a, "b": b, "c": c, "d": d, "e": e, "g": g}
