"""Open311 GeoReport v2: the list call (GET requests.json) and the complainant's name."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import complaint_input
from tracker import clock
from tracker.blueprints.open311 import routes
from tracker.extensions import db
from tracker.models import SatisfactionRating
from tracker.services import complaints
from tracker.services.audit import Actor

NAME, CONTACT = "欧阳秘名", "secret-contact-8675309"
FIELDS = {"service_request_id", "status", "status_notes", "service_name", "service_code", "description",
          "agency_responsible", "service_notice", "requested_datetime", "updated_datetime",
          "expected_datetime", "address", "lat", "long", "media_url"}


@pytest.fixture
def bureau(make):
    school = make.unit(name="第一小学")
    return {"school": school, "office": make.user("office"), "head": make.user("unit_head", unit=school)}


def case(bureau, *, days_ago: int = 1, status: str = "submitted", published: bool = False,
         rated: bool = False, category: str = "buck_passing"):
    """A complaint submitted ``days_ago`` days ago and taken to ``status`` on that day."""
    when = clock.now() - timedelta(days=days_ago)
    office, head = Actor(bureau["office"], None, when), Actor(bureau["head"], None, when)
    complaint = complaints.submit(Actor(None, None, when), complaint_input(
        category=category, description="推诿扯皮，久拖不办", unit_id=bureau["school"].id, name=NAME,
        contact=CONTACT, channel="hotline"))
    if status != "submitted":
        complaints.accept(office, complaint)
        complaints.dispatch(office, complaint, bureau["school"].id)
    if status == "closed":
        complaints.reply(head, complaint, complaints.ReplyInput("已约谈当事人并整改"))
        complaints.close(office, complaint, True)
        if published:
            complaints.publish(office, complaint, True)
        if rated:
            complaints.rate(Actor(None, None, when), complaint, SatisfactionRating.SATISFIED)
    db.session.commit()
    return complaint


def listed(client, query: str = "") -> list[str]:
    response = client.get("/open311/v2/requests.json" + query)
    assert response.status_code == 200, response.json
    return [item["service_request_id"] for item in response.json]


@pytest.mark.parametrize(("first", "last", "name"), [
    ("Lei", "Li", "Li Lei"), ("雷", "李", "李雷"), ("三丰", "张", "张三丰"), (" Lei ", "", "Lei"),
    ("", "李", "李"), ("Mary", "王", "王 Mary"),
])
def test_a_requesters_names_join_with_a_space_unless_both_are_chinese(client, make, first, last, name):
    created = client.post("/open311/v2/requests.json", data={
        "service_code": "other", "description": "热线转来的投诉", "first_name": first, "last_name": last})
    assert created.status_code == 201, created.json
    complaint = complaints.by_tracking_code(created.json[0]["service_request_id"])
    assert complaint.name == name


def test_the_list_by_service_request_id_answers_those_requests_and_ignores_the_rest(client, bureau):
    first, second = case(bureau, days_ago=2), case(bureau, days_ago=1, status="dispatched")
    old = case(bureau, days_ago=200, status="closed")
    codes = ",".join([first.tracking_code, "NOSUCHCODE000000", second.tracking_code.lower(),
                      old.tracking_code])
    # service_request_id overrides every other argument: old cases, other codes and statuses too
    assert listed(client, f"?service_request_id={codes}&status=closed&service_code=other") == [
        second.tracking_code, first.tracking_code, old.tracking_code]
    items = client.get(f"/open311/v2/requests.json?service_request_id={second.tracking_code}").json
    assert items == client.get(f"/open311/v2/requests/{second.tracking_code}.json").json
    [item] = items
    assert set(item) == FIELDS
    assert item["status"] == "open" and item["agency_responsible"] == "第一小学"
    assert NAME not in str(items) and CONTACT not in str(items)
    too_many = ",".join(["A" * 16] * 1001)
    response = client.get(f"/open311/v2/requests.json?service_request_id={too_many}")
    assert response.status_code == 400 and "service_request_id" in response.json[0]["description"]


def test_the_list_shows_published_cases_only_once_their_code_opens_no_rating(client, bureau):
    """A list shows each case's code, and a code lets its holder rate (and reopen) a closed case."""
    rated = case(bureau, days_ago=30, status="closed", published=True, rated=True)
    window_over = case(bureau, days_ago=30, status="closed", published=True)
    case(bureau, days_ago=1, status="closed", published=True)  # its rating is open
    case(bureau, days_ago=30, status="closed")  # not published
    case(bureau, days_ago=3, status="dispatched")
    case(bureau, days_ago=120, status="closed", published=True, rated=True)  # older than 90 days
    assert listed(client) == [window_over.tracking_code, rated.tracking_code]  # newest first
    items = client.get("/open311/v2/requests.json").json
    assert all(set(item) == FIELDS and item["status"] == "closed" for item in items)
    assert NAME not in str(items) and CONTACT not in str(items)
    assert items[0]["status_notes"] == "已约谈当事人并整改"


def test_the_list_filters_by_service_code_status_and_dates(client, bureau):
    recent = case(bureau, days_ago=20, status="closed", published=True, rated=True)
    other = case(bureau, days_ago=40, status="closed", published=True, rated=True, category="other")
    older = case(bureau, days_ago=150, status="closed", published=True, rated=True)
    assert listed(client) == [recent.tracking_code, other.tracking_code]
    assert listed(client, "?service_code=other") == [other.tracking_code]
    assert listed(client, "?service_code=other,buck_passing&status=closed") == [
        recent.tracking_code, other.tracking_code]
    assert listed(client, "?status=open") == []
    day = (clock.today() - timedelta(days=30)).isoformat()
    assert listed(client, f"?start_date={day}") == [recent.tracking_code]
    assert listed(client, f"?end_date={day}") == [other.tracking_code]
    start = (clock.now() - timedelta(days=160)).isoformat()
    end = (clock.now() - timedelta(days=100)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert listed(client, "?" + urlencode({"start_date": start, "end_date": end})) == [older.tracking_code]
    # only start: the 90 days after it
    assert listed(client, f"?start_date={(clock.today() - timedelta(days=155)).isoformat()}") == [
        older.tracking_code]


@pytest.mark.parametrize(("query", "field"), [
    ("?start_date=yesterday", "start_date"), ("?end_date=2026-13-01", "end_date"),
    ("?start_date=0001-01-01", "start_date"), ("?end_date=9999-12-31T23:59:59Z", "end_date"),
    ("?start_date=2026-01-01&end_date=2026-06-01", "end_date"),  # more than 90 days
    ("?start_date=2026-02-01&end_date=2026-01-01", "end_date"),  # ends before it starts
    ("?status=pending", "status"), ("?service_code=nope", "service_code"),
    ("?service_code=other,%00", "service_code"),
])
def test_bad_arguments_answer_georeport_errors(client, query, field):
    response = client.get("/open311/v2/requests.json" + query)
    assert response.status_code == 400
    assert set(response.json[0]) == {"code", "description"} and response.json[0]["code"] == 400
    assert response.json[0]["description"].startswith(field + ":")


def test_the_list_answers_at_most_its_limit(client, bureau, monkeypatch):
    cases = [case(bureau, days_ago=20 + n, status="closed", published=True, rated=True) for n in range(3)]
    monkeypatch.setattr(routes, "MAX_REQUESTS", 2)
    assert listed(client) == [c.tracking_code for c in cases[:2]]


def test_any_arguments_answer_a_list_or_georeport_errors(client, bureau):
    """Random arguments: never a server error; 200 with a list, or 400 with GeoReport's errors."""
    case(bureau, days_ago=20, status="closed", published=True, rated=True)
    text = st.one_of(st.text(max_size=40), st.sampled_from([
        "2026-01-01", "2026-01-01T00:00:00Z", "2026-01-01T00:00:00+08:00", "0001-01-01", "9999-12-31",
        "2026-02-30", "open", "closed,open", "other,buck_passing", "\x00", ",,,", "A" * 16]))
    arguments = st.dictionaries(st.sampled_from(["service_request_id", "service_code", "status",
                                                 "start_date", "end_date", "jurisdiction_id"]), text)

    @settings(max_examples=60, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(query=arguments)
    def ask(query):
        response = client.get("/open311/v2/requests.json", query_string=query)
        assert response.status_code in (200, 400), (query, response.status_code)
        assert isinstance(response.json, list)
        if response.status_code == 400:
            assert all(set(item) == {"code", "description"} for item in response.json)

    ask()


@pytest.fixture
def two_complaints_an_hour(app_config):
    app_config.update(RATELIMIT_ENABLED=True, RATELIMIT_COMPLAINT_SUBMIT="2 per hour")


def test_errors_outside_the_routes_answer_georeport_errors_too(two_complaints_an_hour, client):
    """A missing request, a wrong method and the complaint limit all answer GeoReport's error list."""
    missing = client.get("/open311/v2/requests/999999.json")
    wrong_method = client.delete("/open311/v2/services.json")
    assert (missing.status_code, wrong_method.status_code) == (404, 405)
    for response in (missing, wrong_method):
        [error] = response.get_json()
        assert error["code"] == response.status_code and error["description"]
    filed = [client.post("/open311/v2/requests.json", data={
        "service_code": "other", "description": f"热线转来的第{n}件投诉"}) for n in range(3)]
    assert [r.status_code for r in filed] == [201, 201, 429]
    [error] = filed[-1].get_json()
    assert error["code"] == 429 and "分钟后" in error["description"]
    assert int(filed[-1].headers["Retry-After"]) > 0


@pytest.mark.parametrize("unit_id", ["²", "١٢", "１２", "-3", "12a", "9" * 10])
def test_a_unit_id_not_written_in_ascii_digits_is_refused_by_name(client, unit_id):
    response = client.post("/open311/v2/requests.json", data={
        "service_code": "other", "description": "热线转来的投诉内容", "attribute[unit_id]": unit_id})
    assert response.status_code == 400
    assert response.get_json()[0]["description"].startswith("attribute[unit_id]: ")
