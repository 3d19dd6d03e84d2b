"""Every long list's sort and filters read an index; duplicate suggestions compare a few candidates.

The plans are asked of the database itself (EXPLAIN on PostgreSQL with
sequential scans and sorts discouraged, so that a usable index is used even on
a tiny table; EXPLAIN QUERY PLAN on SQLite), for the very statements the
pages run. A page sorted by its index needs no sort step of its own.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event

from tests.querycount import count_queries
from tracker.extensions import db
from tracker.models import AuditEvent
from tracker.models.complaints import Complaint
from tracker.services import accountability, audit, complaints, notices, pagination, similarity
from tracker.services.pagination import Cursor

AT = datetime(2026, 10, 16, 9, 0, tzinfo=UTC)


def statements_of(action) -> list[tuple[str, object]]:
    """Run ``action`` and return the (statement, parameters) it sent."""
    sent = []

    def record(conn, cursor, statement, parameters, context, executemany):
        sent.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        action()
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    return sent


def plan(statement: str, parameters, sorts: bool = True) -> str:
    """The plan of ``statement``; without ``sorts`` PostgreSQL shuns a sort step wherever it can."""
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
        connection.exec_driver_sql(f"SET LOCAL enable_sort = {'on' if sorts else 'off'}")
        rows = connection.exec_driver_sql("EXPLAIN " + statement, parameters).all()
        connection.exec_driver_sql("RESET enable_seqscan")
        connection.exec_driver_sql("RESET enable_sort")
    else:
        rows = connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).all()
    return "\n".join(str(row[-1]) for row in rows)


def plans_of(action, *, counts: bool = True, sorts: bool = True, table: str | None = None) -> list[str]:
    """The plans of the SELECTs ``action`` runs (without the counts; only those from ``table``)."""
    sent = statements_of(action)
    return [plan(statement, parameters, sorts) for statement, parameters in sent
            if statement.lstrip().upper().startswith("SELECT")
            and (counts or "count(" not in statement.lower())
            and (table is None or f"FROM {table}" in statement)]


def sorted_apart(found: str) -> bool:
    """Whether the plan sorts the rows itself (no index gave their order)."""
    return "Sort Key" in found or "TEMP B-TREE FOR ORDER BY" in found


@pytest.fixture
def office(make):
    return make.user("office")


def _complaint(index: int, **values) -> Complaint:
    values.setdefault("category", "other")
    values.setdefault("status", "submitted")
    return Complaint(tracking_code=f"IDX{index:08d}", channel=values.pop("channel", "web"),
                     description=values.pop("description", "内容"), subject="主题",
                     submitted_at=values.pop("submitted_at", AT - timedelta(hours=index)), **values)


def _keyset(stmt, **position):
    return lambda: pagination.keyset(stmt, Complaint.submitted_at, Complaint.id, per_page=50, **position)


@pytest.mark.parametrize(("filters", "index"), [
    ({}, "ix_complaints_submitted"),
    ({"status": "accepted"}, "ix_complaints_status_submitted"),
    ({"category": "school_choice"}, "ix_complaints_category_submitted"),
    ({"channel": "hotline"}, "ix_complaints_channel_submitted"),
])
def test_the_queue_reads_its_index_on_every_page(make, office, filters, index):
    db.session.add_all([_complaint(n) for n in range(3)])
    db.session.commit()
    stmt = complaints.list_query(office, **filters)
    cursor = Cursor(AT, 10**6)
    for action in (_keyset(stmt), _keyset(stmt, older_than=cursor), _keyset(stmt, newer_than=cursor)):
        pages = plans_of(action, counts=False, sorts=False)
        assert pages and all(index in p and not sorted_apart(p) for p in pages), pages


def test_a_units_queue_reads_the_dispatched_unit_index(make):
    school = make.unit()
    head = make.user("unit_head", unit=school)
    stmt = complaints.list_query(head)
    found = plans_of(_keyset(stmt))
    assert any("ix_complaints_dispatched_unit_submitted" in p for p in found), found


def test_the_audit_log_reads_its_indexes(office):
    for kwargs, index in (({}, "ix_audit_events_at_id"), ({"user_id": office.id}, "ix_audit_events_user_at"),
                          ({"object_type": "tasks"}, "ix_audit_events_type_at")):
        stmt = audit.query_events(**kwargs)
        found = plans_of(lambda stmt=stmt: pagination.keyset(stmt, AuditEvent.at, AuditEvent.id, per_page=50,
                                                             older_than=Cursor(AT, 5)), counts=False, sorts=False)
        assert found and all(index in p and not sorted_apart(p) for p in found), (kwargs, found)


def test_notices_and_flags_read_their_indexes(make, office):
    unit = make.unit()

    def notice_page(**filters):
        return lambda: db.session.scalars(notices.list_query(office, as_of=AT.date(), **filters).limit(50)).all()

    def reads(index: str, action, sorts: bool = False) -> bool:
        found = plans_of(action, sorts=sorts, table=index.split("_")[1])
        return bool(found) and all(index in p and (sorts or not sorted_apart(p)) for p in found)

    assert reads("ix_notices_issued", notice_page())
    assert reads("ix_notices_unit_issued", notice_page(unit_id=unit.id))
    assert reads("ix_notices_status_due", notice_page(status="overdue"), sorts=True)  # few: sorted

    def flag_page(**filters):
        return lambda: db.session.scalars(accountability.flags_query(office, **filters).limit(30)).all()

    assert reads("ix_flags_raised", flag_page())
    assert reads("ix_flags_status_raised", flag_page(status="raised"))
    assert reads("ix_flags_unit_raised", flag_page(unit_id=unit.id))
    assert reads("ix_flags_period_raised", flag_page(period="2026-10"))


# Duplicate suggestions ---------------------------------------------------------------


def test_duplicate_candidates_are_a_few_chosen_in_one_indexed_query(make):
    school = make.unit()
    rows = [_complaint(n, category="business_tutoring", description=f"无关的投诉{n}")
            for n in range(1, 301)]  # 300 of the same category, in the last 12 days
    rows.append(_complaint(400, category="school_choice", unit_id=school.id,
                           description="老师课后办班补课收费", submitted_at=AT - timedelta(days=60)))
    rows.append(_complaint(401, category="business_tutoring", status="duplicate", unit_id=school.id,
                           description="老师课后办班补课收费", submitted_at=AT - timedelta(days=1)))
    rows.append(_complaint(402, category="business_tutoring", unit_id=school.id,
                           description="老师课后办班补课收费", submitted_at=AT - timedelta(days=200)))
    this = _complaint(0, category="business_tutoring", unit_id=school.id,
                      description="老师办班补课，每月收费", submitted_at=AT)
    db.session.add_all([*rows, this])
    db.session.commit()
    earlier = rows[299]  # the same category, the furthest back of the 300

    db.session.refresh(this)
    with count_queries() as statements:
        suggested = similarity.similar(this)
    selects = [s for s in statements if "complaints" in s]
    assert len(selects) == 1 and "LIMIT" in selects[0].upper() and "UNION ALL" in selects[0].upper()
    candidates = db.session.scalars(similarity.similar_candidates(this)).all()
    assert len(candidates) <= 2 * (similarity.SIMILAR_EARLIER + similarity.SIMILAR_LATER)
    ids = {c.id for c in candidates}
    # the same unit's case two months back is found although 300 newer ones share the category
    assert rows[300].id in ids and suggested[0][0].id == rows[300].id
    assert rows[301].id not in ids  # a duplicate is never suggested
    assert rows[302].id not in ids  # outside the window
    assert this.id not in ids and earlier.id not in ids  # past the 40 nearest of the category
    found = plans(similarity.similar_candidates(this))
    assert "ix_complaints_category_submitted" in found and "ix_complaints_unit_submitted" in found


def test_later_complaints_are_candidates_too(make):
    this = _complaint(0, category="school_choice", description="择校收费问题", submitted_at=AT)
    later = _complaint(1, category="school_choice", description="择校收费问题", submitted_at=AT + timedelta(days=2))
    db.session.add_all([this, later])
    db.session.commit()
    assert [c.id for c, _score in similarity.similar(this)] == [later.id]


def plans(stmt) -> str:
    return "\n".join(plans_of(lambda: db.session.scalars(stmt).all()))
