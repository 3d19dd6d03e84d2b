"""The home page of every role and the public front door: each number links to the list it counts."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape

import pytest

from tests.access import ROLES
from tests.factories import PASSWORD
from tests.querycount import count_queries
from tracker import clock
from tracker.extensions import db
from tracker.models import Complaint
from tracker.services import complaints, home

# what one row of each list looks like: how many rows a linked page lists
ROW_PATTERNS = {
    "/complaints/": (r'href="/complaints/(\d+)"', True),
    "/notices/": (r'href="/notices/(\d+)"', True),
    "/accountability/": (r'href="/accountability/(\d+)"', True),
    "/bulletins": (r'href="/bulletins/(\d+)"', True),
    "/ledger": (r'href="/tasks/(\d+)[?"]', True),
    "/verification": (r'href="/tasks/(\d+)[?"]', True),
    "/supervision/mine": (r'class="badge status status-', False),
    "/supervision/": (r'<li class="list-group-item" id="f(\d+)"', True),
    "/admin/users": (r'href="/admin/users/(\d+)/edit"', True),
    # a head's drafts to submit, a member's own drafts (each with its edit link)
    "/my-tasks": (r'(?:action="/drafts/(\d+)/submit"|href="/drafts/(\d+)")', True),
}

LINK = re.compile(r'<a [^>]*href="([^"]+)"[^>]*data-testid="home-([\w-]+)"(?: data-count="(\d+)")?')


def _links(body: str) -> list[tuple[str, str, int | None]]:
    return [(unescape(href), key, int(count) if count else None) for href, key, count in LINK.findall(body)]


def _rows(path: str, body: str) -> int:
    for prefix, (pattern, distinct) in ROW_PATTERNS.items():
        if path.split("?")[0].startswith(prefix):
            found = [next(filter(None, f)) if isinstance(f, tuple) else f for f in re.findall(pattern, body)]
            return len(set(found)) if distinct else len(found)
    raise AssertionError(f"no row pattern for {path}")


def _sign_in(client, user):
    client.post("/logout")
    response = client.post("/login", data={"username": user.username, "password": PASSWORD})
    assert response.status_code == 302


@pytest.mark.parametrize("role", ROLES)
def test_every_role_has_a_home_whose_numbers_are_the_lists_totals(client, access_world, role):
    _sign_in(client, access_world.users[role])
    response = client.get("/")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    links = _links(body)
    assert links, "the home lists what waits"
    counted = [(href, key, count) for href, key, count in links if count is not None]
    assert counted
    for href, key, count in links:
        page = client.get(href)
        assert page.status_code == 200, (key, href)
        if count is not None:
            assert _rows(href, page.get_data(as_text=True)) == count, (key, href)


def test_the_office_and_the_admin_reach_the_overview(client, access_world):
    for role in ("office", "admin"):
        _sign_in(client, access_world.users[role])
        body = client.get("/").get_data(as_text=True)
        assert 'data-testid="overview-link"' in body
        overview = client.get("/overview").get_data(as_text=True)
        assert 'data-testid="units-total"' in overview
    _sign_in(client, access_world.users["unit_head"])
    assert 'data-testid="overview-link"' not in client.get("/").get_data(as_text=True)
    assert client.get("/overview").status_code == 403


def test_non_zero_counts_stand_out_and_zeros_stay_quiet(client, access_world):
    _sign_in(client, access_world.users["office"])
    body = client.get("/").get_data(as_text=True)
    verify = re.search(r'<a [^>]*data-testid="home-ledger-verify" data-count="(\d+)">(.*?)</a>', body, re.S)
    assert verify and int(verify.group(1)) >= 1 and "badge" in verify.group(2)
    zero = re.search(r'<a class="([^"]*)"[^>]*data-count="0"', body)
    assert zero and "text-body-secondary" in zero.group(1)


def test_the_unit_heads_home_shows_the_units_work_first(client, access_world):
    _sign_in(client, access_world.users["unit_head"])
    body = client.get("/").get_data(as_text=True)
    assert body.index('data-testid="section-tasks"') < body.index('data-testid="section-complaints"')
    assert 'data-testid="chart-tasks"' in body  # the tasks by status, drawn on the server


def test_the_home_costs_the_same_number_of_statements_however_much_data(client, access_world, make):
    user = access_world.users["office"]
    _sign_in(client, user)
    client.get("/")
    with count_queries() as before:
        assert client.get("/").status_code == 200
    unit = access_world.department
    measure = make.measure(access_world.plan)
    for _ in range(5):
        make.task(measure, unit=unit, due_on=clock.today())
    db.session.commit()
    with count_queries() as after:
        assert client.get("/").status_code == 200
    assert len(after) == len(before)
    assert len(before) <= 25


def test_anonymous_visitors_get_the_public_front_door(client):
    response = client.get("/")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    complain = re.search(r'<a class="([^"]*)" href="/public/complaints/new" data-testid="complain-link"', body)
    assert complain and "btn-primary" in complain.group(1) and "投诉" in body
    login = re.search(r'<a class="([^"]*)" href="/login" data-testid="staff-login"', body)
    assert login and "btn" not in login.group(1)  # a quiet link, not a button
    for path in ("/public/complaints/track", "/public/vote", "/public/bulletins", "/public/complaints"):
        assert f'href="{path}"' in body
    assert client.get("/public/").status_code == 200


def test_the_tracking_page_shows_what_was_filed_and_when_to_expect_a_reply(client, make):
    unit = make.unit(name="实验小学")
    db.session.commit()
    response = client.post("/public/complaints/new", data={
        "category": "buck_passing", "unit_id": str(unit.id), "description": "窗口推诿，三次未办结"})
    assert response.status_code == 302
    with client.session_transaction() as session:
        code = session["complaint_receipt"]
    filed = db.session.scalar(db.select(Complaint).where(Complaint.tracking_code == code))

    body = client.post("/public/complaints/track", data={"code": code}).get_data(as_text=True)
    assert "窗口推诿，三次未办结" in body and f"{filed.id}" in body
    assert clock.local(filed.submitted_at).date().isoformat() in body
    expected = complaints.default_due(clock.today())  # not dispatched yet: were it dispatched today
    assert home.expected_reply_on(filed, clock.today()) == expected
    assert f'data-testid="expected-reply">{expected.isoformat()}<' in body

    due = clock.today() + timedelta(days=9)
    filed.status, filed.dispatched_unit_id, filed.reply_due_on = "dispatched", unit.id, due
    db.session.commit()
    body = client.post("/public/complaints/track", data={"code": code}).get_data(as_text=True)
    assert f'data-testid="expected-reply">{due.isoformat()}<' in body
    filed.status = "replied"
    db.session.commit()
    body = client.post("/public/complaints/track", data={"code": code}).get_data(as_text=True)
    assert 'data-testid="expected-reply"' not in body and home.expected_reply_on(filed, clock.today()) is None
