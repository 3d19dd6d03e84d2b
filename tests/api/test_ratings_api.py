"""Rating rounds through the API (docs/api.md "Ratings, assessments, innovations")."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.races import race
from tracker.extensions import db
from tracker.models import Ballot, Invitation, RatingRound

HOSTILE_SCRIPT = "<script>alert(1)</script>"


def ballot(unit_ids, dimensions=("spirit", "conduct", "delivery"), value="satisfied"):
    return [{"unit_id": u, "dimension": d, "value": value} for u in unit_ids for d in dimensions]


def test_round_lifecycle_and_ranking(client, make, token):
    office = token(make.user("office"))
    leader = token(make.user("leader"))
    a = make.unit(peer_group="primary_schools")
    b = make.unit(peer_group="primary_schools")
    dept = make.unit(kind="department", peer_group="departments")
    ids = [a.id, b.id, dept.id]

    response = client.post("/api/v1/rating-rounds", headers=office,
                           json={"title": "2026年上半年作风评议", "period": "2026-H1", "unit_ids": ids})
    assert response.status_code == 201, response.json
    body = response.json
    assert body["status"] == "draft" and body["unit_ids"] == ids
    assert body["dimensions"] == [{"key": "spirit", "name": "精神状态"}, {"key": "conduct", "name": "工作作风"},
                                  {"key": "delivery", "name": "任务落实"}]
    assert [(g["key"], g["weight"]) for g in body["groups"]] == [
        ("service_recipients", 40.0), ("grassroots_cadres", 30.0), ("public", 30.0)]
    rid = body["id"]

    made = client.post(f"/api/v1/rating-rounds/{rid}/invitations", headers=office,
                       json={"group": "service_recipients", "count": 12})
    assert made.status_code == 201 and len(made.json["codes"]) == 12
    codes = made.json["codes"]
    cadres = client.post(f"/api/v1/rating-rounds/{rid}/invitations", headers=office,
                         json={"group": "grassroots_cadres", "count": 1}).json["codes"]

    # not open yet
    assert client.post("/api/v1/public/ballots",
                       json={"code": codes[0], "answers": ballot(ids)}).status_code == 409
    opened = client.post(f"/api/v1/rating-rounds/{rid}/open", headers=office)
    assert opened.status_code == 200 and opened.json["status"] == "open"
    assert client.post(f"/api/v1/rating-rounds/{rid}/open", headers=office).status_code == 409

    for code in codes[:10]:
        cast = client.post("/api/v1/public/ballots", json={"code": code, "answers": ballot([a.id, dept.id])})
        assert cast.status_code == 201, cast.json
    assert client.post("/api/v1/public/ballots",
                       json={"code": codes[0], "answers": ballot([a.id])}).status_code == 409
    assert client.post("/api/v1/public/ballots",
                       json={"code": "ABCDEFGHJKMN", "answers": ballot([a.id])}).status_code == 404
    client.post("/api/v1/public/ballots",
                json={"code": cadres[0], "answers": ballot([a.id, b.id], value="dissatisfied")})

    live = client.get(f"/api/v1/rating-rounds/{rid}/ranking", headers=leader)
    assert live.status_code == 200
    rows = {row["unit_id"]: row for row in live.json}
    assert set(rows[a.id]) == {"unit_id", "unit_name", "peer_group", "ballots", "score",
                               "dissatisfaction_rate", "rank", "ranked_count"}
    # a: recipients 100, cadres 0 → (40 × 100 + 30 × 0) ÷ 70 = 57.14; 11 ballots; 3 of 33 dissatisfied
    assert rows[a.id]["score"] == 57.14 and rows[a.id]["ballots"] == 11 and rows[a.id]["rank"] == 1
    assert rows[a.id]["dissatisfaction_rate"] == pytest.approx(3 / 33)
    assert rows[b.id] | {} == {**rows[b.id], "score": 0.0, "ballots": 1, "rank": None,
                               "dissatisfaction_rate": 1.0}
    assert rows[dept.id]["peer_group"] == "departments" and rows[dept.id]["rank"] == 1

    closed = client.post(f"/api/v1/rating-rounds/{rid}/close", headers=office)
    assert closed.status_code == 200 and closed.json["status"] == "closed"
    assert client.post(f"/api/v1/rating-rounds/{rid}/close", headers=office).status_code == 409
    late = client.post("/api/v1/public/ballots", json={"code": codes[11], "answers": ballot([b.id])})
    assert late.status_code == 409
    frozen = client.get(f"/api/v1/rating-rounds/{rid}/ranking", headers=office).json
    assert frozen == live.json
    assert client.post(f"/api/v1/rating-rounds/{rid}/invitations", headers=office,
                       json={"group": "public", "count": 1}).status_code == 409

    got = client.get(f"/api/v1/rating-rounds/{rid}", headers=leader).json
    assert got["ballots"] == 11 and got["codes"] == 13 and got["used_codes"] == 11
    listing = client.get("/api/v1/rating-rounds", headers=office).json
    assert listing["total"] == 1 and listing["items"][0]["id"] == rid


def test_custom_dimensions_and_groups(client, make, token):
    office = token(make.user("office"))
    unit = make.unit()
    response = client.post("/api/v1/rating-rounds", headers=office, json={
        "title": "评议", "period": "2026", "unit_ids": [unit.id],
        "dimensions": [{"key": "service", "name": "服务态度"}],
        "groups": [{"key": "parents", "name": "家长", "weight": 2}, {"key": "staff", "name": "教职工", "weight": 1.5}]})
    assert response.status_code == 201
    assert response.json["groups"][1] == {"key": "staff", "name": "教职工", "weight": 1.5}


@pytest.mark.parametrize(("body", "field"), [
    ({"period": "2026-13"}, "period"),
    ({"unit_ids": []}, "unit_ids"),
    ({"unit_ids": ["1"]}, "unit_ids.0"),
    ({"unit_ids": [999999]}, "unit_ids"),
    ({"title": ""}, "title"),
    ({"title": "a\x00b"}, "title"),
    ({"dimensions": [{"key": "x"}]}, "dimensions.0.name"),
    ({"groups": [{"key": "x", "name": "甲", "weight": -1}]}, "groups.0.weight"),
    ({"extra": 1}, "extra"),
])
def test_bad_round_input(client, make, token, body, field):
    office = token(make.user("office"))
    unit = make.unit()
    response = client.post("/api/v1/rating-rounds", headers=office,
                           json={"title": "评议", "period": "2026-H1", "unit_ids": [unit.id], **body})
    assert response.status_code == 400, response.json
    assert field in response.json["error"]["fields"]
    assert db.session.scalar(select(func.count()).select_from(RatingRound)) == 0


def test_bad_invitation_and_ballot_input(client, make, token):
    office = token(make.user("office"))
    unit = make.unit()
    rid = client.post("/api/v1/rating-rounds", headers=office,
                      json={"title": HOSTILE_SCRIPT, "period": "2026-H1", "unit_ids": [unit.id]}).json["id"]
    for body, field in (({"group": "public", "count": 0}, "count"),
                        ({"group": "public", "count": 2001}, "count"),
                        ({"group": "public", "count": "5"}, "count"),
                        ({"group": "nobody", "count": 1}, "group")):
        response = client.post(f"/api/v1/rating-rounds/{rid}/invitations", headers=office, json=body)
        assert response.status_code == 400 and field in response.json["error"]["fields"]
    assert db.session.scalar(select(func.count()).select_from(Invitation)) == 0
    code = client.post(f"/api/v1/rating-rounds/{rid}/invitations", headers=office,
                       json={"group": "public", "count": 1}).json["codes"][0]
    client.post(f"/api/v1/rating-rounds/{rid}/open", headers=office)
    for answers, field in (([], "answers"),
                           ([{"unit_id": unit.id, "dimension": "spirit", "value": "great"}], "answers.0.value"),
                           ([{"unit_id": 999999, "dimension": "spirit", "value": "satisfied"}],
                            "answers.0.unit_id"),
                           (ballot([unit.id]) + ballot([unit.id]), "answers.3")):
        response = client.post("/api/v1/public/ballots", json={"code": code, "answers": answers})
        assert response.status_code == 400, response.json
        assert field in response.json["error"]["fields"]
    assert client.post("/api/v1/public/ballots", data="nope").status_code == 400
    assert client.post("/api/v1/public/ballots", json={"code": "\x00" * 12,
                                                       "answers": ballot([unit.id])}).status_code == 404
    assert db.session.scalar(select(func.count()).select_from(Ballot)) == 0
    assert client.post("/api/v1/public/ballots", json={"code": code, "answers": ballot([unit.id])}).status_code == 201


def test_unknown_round_is_404_and_units_may_not(client, make, token):
    office = token(make.user("office"))
    head = token(make.user("unit_head"))
    assert client.get("/api/v1/rating-rounds/999999", headers=office).status_code == 404
    assert client.post("/api/v1/rating-rounds/999999/close", headers=office).status_code == 404
    assert client.get("/api/v1/rating-rounds", headers=head).status_code == 403
    assert client.post("/api/v1/rating-rounds", headers=head,
                       json={"title": "x", "period": "2026", "unit_ids": [1]}).status_code == 403


@pytest.fixture
def limited(app_config):
    app_config.update(RATELIMIT_ENABLED=True, RATELIMIT_BALLOT_CODES="5 per hour")


def test_a_flood_of_wrong_codes_is_rate_limited(limited, client, make, token):
    office = token(make.user("office"))
    unit = make.unit()
    rid = client.post("/api/v1/rating-rounds", headers=office,
                      json={"title": "评议", "period": "2026-H1", "unit_ids": [unit.id]}).json["id"]
    codes = client.post(f"/api/v1/rating-rounds/{rid}/invitations", headers=office,
                        json={"group": "public", "count": 2}).json["codes"]
    client.post(f"/api/v1/rating-rounds/{rid}/open", headers=office)
    # right codes do not count against the address
    assert client.post("/api/v1/public/ballots",
                       json={"code": codes[0], "answers": ballot([unit.id])}).status_code == 201
    statuses = [client.post("/api/v1/public/ballots", json={"code": f"ABCDEFGHJK{n:02d}".replace("0", "Z"),
                                                           "answers": ballot([unit.id])}).status_code
                for n in range(8)]
    assert statuses[:5] == [404] * 5 and statuses[5:] == [429] * 3
    assert client.post("/api/v1/public/ballots",
                       json={"code": codes[1], "answers": ballot([unit.id])}).status_code == 429
    # the HTML page shares the counter
    assert client.post("/public/vote", data={"code": "ABCDEFGHJKMN"}).status_code == 429


def test_two_racing_requests_with_one_code_store_one_ballot(app, client, make, token):
    """Two requests at once, each with its own app context and connection: one 201, one 409."""
    office = token(make.user("office"))
    unit = make.unit()
    rid = client.post("/api/v1/rating-rounds", headers=office,
                      json={"title": "评议", "period": "2026-H1", "unit_ids": [unit.id]}).json["id"]
    code = client.post(f"/api/v1/rating-rounds/{rid}/invitations", headers=office,
                       json={"group": "public", "count": 1}).json["codes"][0]
    client.post(f"/api/v1/rating-rounds/{rid}/open", headers=office)
    body = {"code": code, "answers": ballot([unit.id])}
    statuses = race(app, 2, lambda racing, _: racing.post("/api/v1/public/ballots", json=body).status_code)
    assert sorted(statuses) == [201, 409]
    assert db.session.scalar(select(func.count()).select_from(Ballot)) == 1
