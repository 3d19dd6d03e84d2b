"""Ids beyond the database's integer are 404, values beyond what can be stored 400 naming the field."""

from __future__ import annotations

import pytest

HUGE = [2147483648, 9223372036854775808, 10**30]


@pytest.mark.parametrize("ident", HUGE)
def test_huge_ids_in_urls_are_not_found(client, make, token, ident):
    headers = token(make.user("office"))
    for path in (f"/api/v1/tasks/{ident}", f"/api/v1/complaints/{ident}", f"/api/v1/notices/{ident}"):
        assert client.get(path, headers=headers).status_code == 404, path
    assert client.get(f"/public/bulletins/{ident}").status_code == 404


def test_huge_ids_in_bodies_and_queries_are_refused_by_name(client, make, token):
    headers = token(make.user("office"))
    answer = client.post("/api/v1/public/complaints",
                         json={"category": "other", "description": "推诿扯皮不作为", "unit_id": HUGE[1]})
    assert answer.status_code == 400 and "unit_id" in answer.json["error"]["fields"]
    answer = client.get(f"/api/v1/tasks?owner_unit_id={HUGE[0]}", headers=headers)
    assert answer.status_code in (200, 400)  # an unknown filter value, never a server error
    if answer.status_code == 400:
        assert "owner_unit_id" in answer.json["error"]["fields"]


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "1999-12-31", "2101-01-01"])
def test_extreme_dates_are_refused_by_name(client, make, token, day):
    headers = token(make.user("office"))
    answer = client.get(f"/api/v1/notices?as_of={day}", headers=headers)
    assert answer.status_code == 400 and "as_of" in answer.json["error"]["fields"]
    answer = client.post("/api/v1/supervision/rounds", json={"week_start": day}, headers=headers)
    assert answer.status_code == 400 and "week_start" in answer.json["error"]["fields"]


def test_the_pages_refuse_extreme_dates_without_a_server_error(client, make, login):
    login(make.user("office"))
    assert client.get("/ledger?as_of=9999-12-31").status_code == 200  # ignored: today's ledger
    answer = client.post("/supervision/start", data={"week_start": "9999-12-27"})
    assert answer.status_code in (302, 400)
