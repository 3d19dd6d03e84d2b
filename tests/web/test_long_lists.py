"""Long lists that do not grow with the bureau: keyset pages, capped counts, pager links.

The complaint queue and the audit log are paged by their sort key (newest
first): "older" and "newer" links carry the filters and a cursor; a page
runs the same statements whether the list holds 2 rows or 20, and whether it
is the first page or a deep one.
"""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import g

from tests.querycount import count_queries
from tracker.extensions import db
from tracker.models import AuditEvent
from tracker.models.complaints import Complaint
from tracker.services import pagination
from tracker.services.pagination import Cursor

BASE = datetime(2026, 10, 1, 8, 0, tzinfo=UTC)


def add_complaints(n: int, *, category: str = "other", channel: str = "web", start: int = 0,
                   unit=None, status: str = "submitted", same_time_every: int = 3) -> list[int]:
    """Store ``n`` complaints, a minute apart, every ``same_time_every`` sharing a time (ties)."""
    rows = []
    for index in range(start, start + n):
        at = BASE + timedelta(minutes=index // same_time_every, microseconds=0)
        rows.append(Complaint(
            tracking_code=f"T{category[:4]}{channel[:3]}{index:08d}"[:32], channel=channel,
            category=category, description=f"第{index}条", subject=f"投诉{category}{index}",
            status=status, submitted_at=at, unit_id=unit.id if unit else None,
            dispatched_unit_id=unit.id if unit and status == "dispatched" else None))
    db.session.add_all(rows)
    db.session.commit()
    return [row.id for row in rows]


def newest_first(ids: list[int]) -> list[int]:
    rows = db.session.execute(
        db.select(Complaint.id, Complaint.submitted_at).where(Complaint.id.in_(ids))).all()
    return [ident for ident, _at in sorted(rows, key=lambda r: (r[1], r[0]), reverse=True)]


def shown(page: str) -> list[int]:
    return [int(n) for n in re.findall(r"<td(?: data-label=\"[^\"]*\")?>#(\d+)</td>", page)]


def link(page: str, rel: str) -> str | None:
    match = re.search(rf'<a class="page-link" rel="{rel}" href="([^"]+)"', page)
    return html.unescape(match.group(1)) if match else None


def newest_link(page: str) -> str | None:
    match = re.search(r'<a class="page-link" href="([^"]+)">[^<]+</a></li>\s*(?:<li|</ul>)', page)
    return html.unescape(match.group(1)) if match else None


def english(client) -> None:
    with client.session_transaction() as session:
        session["lang"] = "en"


@pytest.fixture
def office(make, login, client):
    user = make.user("office")
    login(user)
    english(client)
    return user


def test_the_queue_walks_older_and_newer_keeping_the_filters(client, office):
    mine = add_complaints(61, category="school_choice", channel="hotline")
    add_complaints(30, category="school_choice", channel="web")  # another channel: filtered out
    add_complaints(30, category="other", channel="hotline")  # another category: filtered out
    expected = newest_first(mine)
    first = client.get("/complaints/?category=school_choice&channel=hotline").get_data(as_text=True)
    assert shown(first) == expected[:50]
    assert "61 in all" in first
    assert link(first, "prev") is None
    older = link(first, "next")
    query = parse_qs(urlsplit(older).query)
    assert query["category"] == ["school_choice"] and query["channel"] == ["hotline"]
    assert Cursor.parse(query["older_than"][0]) is not None

    second = client.get(older).get_data(as_text=True)
    assert shown(second) == expected[50:]
    assert link(second, "next") is None  # the last page
    newer = link(second, "prev")
    assert parse_qs(urlsplit(newer).query)["channel"] == ["hotline"]
    assert "older_than" not in newer

    back = client.get(newer).get_data(as_text=True)
    assert shown(back) == expected[:50]  # nothing newer is left: the first page, full
    assert link(back, "prev") is None


def test_a_newer_page_in_the_middle_holds_a_full_page(client, office):
    ids = newest_first(add_complaints(130))
    first = client.get("/complaints/").get_data(as_text=True)
    second = client.get(link(first, "next")).get_data(as_text=True)
    third = client.get(link(second, "next")).get_data(as_text=True)
    assert shown(third) == ids[100:]
    middle = client.get(link(third, "prev")).get_data(as_text=True)
    assert shown(middle) == ids[50:100]
    assert link(middle, "prev") and link(middle, "next")


def test_the_count_stops_at_the_cap(client, office, monkeypatch):
    add_complaints(8)
    monkeypatch.setattr(pagination, "COUNT_CAP", 5)
    page = client.get("/complaints/").get_data(as_text=True)
    assert "More than 5 in all" in page and len(shown(page)) == 8
    monkeypatch.setattr(pagination, "COUNT_CAP", 8)
    assert "8 in all" in client.get("/complaints/").get_data(as_text=True)


@pytest.mark.parametrize("query", [
    "older_than=abc", "newer_than=%00", "older_than=99999999999999999999-1", "page=abc",
    "page=99999999999999", "older_than=1-1%00", "newer_than=-5-3", "category=%00", "channel=fax",
    "unit_id=abc", "status=<script>",
])
def test_bad_positions_and_filters_show_a_page_never_a_500(client, office, query):
    add_complaints(3)
    response = client.get(f"/complaints/?{query}")
    assert response.status_code == 200, query


def test_a_cursor_past_the_end_shows_no_rows_and_a_way_back(client, office):
    add_complaints(3)
    page = client.get("/complaints/?older_than=0-0").get_data(as_text=True)
    assert shown(page) == [] and newest_link(page) is not None


def _reset_request_state():
    db.session.close()  # nothing cached from the test's own session …
    g.pop("_login_user", None)  # … nor in the app context the test shares with requests


def test_queue_pages_run_the_same_statements_for_2_and_20_rows_and_deep_pages(client, office):
    def measure(url: str) -> int:
        _reset_request_state()
        with count_queries() as statements:
            assert client.get(url).status_code == 200
        return len(statements)

    add_complaints(2, status="accepted")
    few = measure("/complaints/?status=accepted")
    add_complaints(120, start=2, status="accepted")
    assert measure("/complaints/?status=accepted") == few
    first = client.get("/complaints/?status=accepted").get_data(as_text=True)
    deep = link(client.get(link(first, "next")).get_data(as_text=True), "next")
    assert measure(deep) == few


def test_the_unit_view_pages_its_own_complaints(client, make, login):
    school, other = make.unit(), make.unit()
    head = make.user("unit_head", unit=school)
    ids = newest_first(add_complaints(55, unit=school, status="dispatched"))
    add_complaints(10, unit=other, status="dispatched", start=100)
    login(head)
    first = client.get("/complaints/").get_data(as_text=True)
    assert shown(first) == ids[:50]
    assert shown(client.get(link(first, "next")).get_data(as_text=True)) == ids[50:]


def _events(n: int, object_type: str = "complaints") -> None:
    db.session.add_all([AuditEvent(at=BASE + timedelta(seconds=index // 2), user_id=None,
                                   action="complaint.test", object_type=object_type, object_id=index,
                                   changes={}) for index in range(n)])
    db.session.commit()


def test_the_audit_log_pages_by_keyset_keeping_the_filters(client, office):
    _events(70, "complaints")
    _events(10, "units")
    first = client.get("/admin/audit?object_type=complaints").get_data(as_text=True)
    assert first.count('<span title="complaint.test">') == 50 and "70 in all" in first
    older = link(first, "next")
    assert parse_qs(urlsplit(older).query)["object_type"] == ["complaints"]
    second = client.get(older).get_data(as_text=True)
    assert second.count('<span title="complaint.test">') == 20 and link(second, "next") is None
    assert client.get("/admin/audit?older_than=nonsense&object_id=abc").status_code == 200


def test_the_audit_log_runs_the_same_statements_for_2_and_20_rows(client, office):
    def measure() -> int:
        _reset_request_state()
        with count_queries() as statements:
            assert client.get("/admin/audit?object_type=complaints").status_code == 200
        return len(statements)

    _events(2)
    few = measure()
    _events(20)
    assert measure() == few


# The API: the list shape of docs/api.md, and next_cursor ---------------------------------


def test_the_api_walks_the_queue_by_cursor_with_the_exact_total(client, make, token):
    headers = token(make.user("office"))
    ids = newest_first(add_complaints(7, channel="letter"))
    add_complaints(3, channel="web", start=50)
    first = client.get("/api/v1/complaints?per_page=3&channel=letter", headers=headers).json
    assert set(first) == {"items", "page", "per_page", "total", "next_cursor"}
    assert first["total"] == 7 and [c["id"] for c in first["items"]] == ids[:3]
    seen = [c["id"] for c in first["items"]]
    cursor = first["next_cursor"]
    while cursor:
        answer = client.get("/api/v1/complaints", headers=headers,
                            query_string={"per_page": 3, "channel": "letter", "cursor": cursor}).json
        assert answer["total"] == 7 and answer["page"] == 1
        seen += [c["id"] for c in answer["items"]]
        cursor = answer["next_cursor"]
    assert seen == ids
    # page numbers still work, and give the cursor of what follows
    third = client.get("/api/v1/complaints?per_page=3&page=3&channel=letter", headers=headers).json
    assert [c["id"] for c in third["items"]] == ids[6:] and third["next_cursor"] is None
    second = client.get("/api/v1/complaints?per_page=3&page=2&channel=letter", headers=headers).json
    assert second["next_cursor"] == first_cursor_after(ids[5])


def first_cursor_after(ident: int) -> str:
    complaint = db.session.get(Complaint, ident)
    return str(Cursor(complaint.submitted_at, complaint.id))


@pytest.mark.parametrize(("query", "field"), [
    ({"cursor": "abc"}, "cursor"), ({"cursor": "1-1\x00"}, "cursor"), ({"cursor": "1" * 41}, "cursor"),
    ({"cursor": "1-1", "page": "2"}, "cursor"), ({"per_page": "100000"}, "per_page"),
    ({"page": "abc"}, "page"), ({"channel": "fax"}, "channel"),
])
def test_bad_api_list_parameters_are_400_naming_the_field(client, make, token, query, field):
    headers = token(make.user("office"))
    for path in ("/api/v1/complaints", "/api/v1/audit"):
        if path == "/api/v1/audit" and field == "channel":
            continue
        response = client.get(path, headers=headers, query_string=query)
        assert response.status_code == 400, (path, query)
        assert field in response.json["error"]["fields"], (path, response.json)


def test_the_api_audit_list_walks_by_cursor(client, make, token):
    headers = token(make.user("office"))
    _events(5, "units")
    first = client.get("/api/v1/audit?object_type=units&per_page=2", headers=headers).json
    assert first["total"] == 5 and first["next_cursor"]
    rest = client.get("/api/v1/audit", headers=headers, query_string={
        "object_type": "units", "per_page": 10, "cursor": first["next_cursor"]}).json
    assert [e["object_id"] for e in first["items"] + rest["items"]] == [4, 3, 2, 1, 0]
    assert rest["next_cursor"] is None


def test_the_spec_describes_next_cursor(client):
    spec = client.get("/api/v1/openapi.json").json
    answer = spec["paths"]["/api/v1/complaints"]["get"]["responses"]["200"]["content"]["application/json"]
    assert "next_cursor" in answer["schema"]["properties"]
    names = {p["name"] for p in spec["paths"]["/api/v1/complaints"]["get"]["parameters"]}
    assert {"cursor", "page", "per_page", "channel"} <= names


# The cursor itself -----------------------------------------------------------------


def test_a_cursor_keeps_the_microseconds_and_refuses_what_is_not_one(app):
    at = datetime(2026, 10, 1, 8, 30, 15, 123456, tzinfo=UTC)
    cursor = Cursor(at, 42)
    assert Cursor.parse(str(cursor)) == cursor
    for raw in (None, "", "abc", "1-", "-1", "1-1-1", "1.5-2", "1" * 18 + "-1", "1-" + "1" * 13,
                "１-１", "1-1\n"):
        assert Cursor.parse(raw) is None, raw
