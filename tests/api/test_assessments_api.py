"""API of special assessments and innovations: shapes (docs/api.md), frozen rankings, bad input."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tracker.extensions import db
from tracker.models import Assessment, AuditEvent, Innovation, Ranking, Unit

HOSTILE_SCRIPT = "<script>alert(1)</script>"
CONTROL_CHARACTERS = ("\x00", "\x07")


def stored_counts() -> dict[str, int]:
    db.session.rollback()
    return {model.__name__: db.session.scalar(select(func.count()).select_from(model))
            for model in (Unit, AuditEvent, Assessment, Ranking)}


def count(model) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def units(make):
    return {
        "a": make.unit(kind="school", peer_group="primary_schools"),
        "b": make.unit(kind="school", peer_group="primary_schools"),
        "c": make.unit(kind="school", peer_group="primary_schools"),
        "d": make.unit(kind="department", peer_group="departments"),
    }


def test_entering_an_assessment_answers_its_ranking(client, make, token, units):
    headers = token(make.user("office"))
    body = {"theme": "teacher_ethics", "period": "2026-H1", "scores": [
        {"unit_id": units["a"].id, "score": 80},
        {"unit_id": units["b"].id, "score": 92.5, "veto": True},
        {"unit_id": units["c"].id, "score": 80},
        {"unit_id": units["d"].id, "score": 60.25}]}
    response = client.post("/api/v1/assessments", json=body, headers=headers)
    assert response.status_code == 201, response.json
    ranking = response.json["ranking"]
    by_unit = {row["unit_id"]: row for row in ranking}
    for row in ranking:
        assert {"unit_id", "peer_group", "score", "rank", "veto"} <= set(row)
    assert (by_unit[units["a"].id]["rank"], by_unit[units["c"].id]["rank"],
            by_unit[units["b"].id]["rank"], by_unit[units["d"].id]["rank"]) == (1, 1, 3, 1)
    assert by_unit[units["b"].id]["veto"] is True and by_unit[units["b"].id]["result"] == "fail"
    assert by_unit[units["b"].id]["score"] == 92.5
    assert by_unit[units["a"].id]["peer_group"] == "primary_schools"
    assert response.json["theme"] == "teacher_ethics" and response.json["period"] == "2026-H1"
    assessment_id = response.json["id"]
    again = client.post("/api/v1/assessments", json=body, headers=headers)
    assert again.status_code == 409 and again.json["error"]["code"] == "conflict"
    read = client.get(f"/api/v1/assessments/{assessment_id}", headers=token(make.user("unit_head")))
    assert read.status_code == 200 and read.json["ranking"] == ranking
    listing = client.get("/api/v1/assessments?theme=teacher_ethics", headers=headers).json
    assert listing["total"] == 1 and listing["items"][0]["id"] == assessment_id
    assert count(Ranking) == 1


@pytest.mark.parametrize(("body", "field"), [
    ({"theme": "sports"}, "theme"),
    ({"period": "2026-Q1"}, "period"),
    ({"period": "2026-H3"}, "period"),
    ({"scores": []}, "scores"),
    ({"scores": "all"}, "scores"),
    ({"scores": [{"unit_id": 999999, "score": 80}]}, "scores.0.unit_id"),
    ({"scores": [{"unit_id": "1", "score": 80}]}, "scores.0.unit_id"),
    ({"scores": [{"score": 80}]}, "scores.0.unit_id"),
    ({"scores": [{"unit_id": 0, "score": 101}]}, "scores.0.score"),
    ({"scores": [{"unit_id": 0, "score": -1}]}, "scores.0.score"),
    ({"scores": [{"unit_id": 0, "score": 80.555}]}, "scores.0.score"),
    ({"scores": [{"unit_id": 0, "score": "80"}]}, "scores.0.score"),
    ({"scores": [{"unit_id": 0, "score": 80, "veto": "yes"}]}, "scores.0.veto"),
    ({"scores": [{"unit_id": 0, "score": 80, "extra": 1}]}, "scores.0.extra"),
    ({"scores": [{"unit_id": 0, "score": 80}, {"unit_id": 0, "score": 70}]}, "scores.1.unit_id"),
    ({"scores": [{"unit_id": 0, "score": 80, "note": "a\x00b"}]}, "scores.0.note"),
    ({"bogus": 1}, "bogus"),
])
def test_bad_assessment_input_is_400_naming_the_field(client, make, token, units, body, field):
    headers = token(make.user("office"))
    full = {"theme": "teaching", "period": "2026-H1",
            "scores": [{"unit_id": units["a"].id, "score": 80}], **body}
    if isinstance(full["scores"], list):
        for item in full["scores"]:
            if item.get("unit_id") == 0:
                item["unit_id"] = units["a"].id
    before = stored_counts()
    response = client.post("/api/v1/assessments", json=full, headers=headers)
    assert response.status_code == 400, response.json
    assert field in response.json["error"]["fields"], response.json
    assert count(Assessment) == 0 and stored_counts() == before


def test_not_json_is_400(client, make, token):
    headers = token(make.user("office"))
    for data in ("not json", "[1]", ""):
        response = client.post("/api/v1/assessments", data=data, headers={
            **headers, "Content-Type": "application/json"})
        assert response.status_code == 400 and response.is_json


def test_innovations_register_score_rank_and_publish(client, make, token, units):
    office = token(make.user("office"))
    head = token(make.user("unit_head", unit=units["a"]))
    created = client.post("/api/v1/innovations", headers=head, json={
        "title": HOSTILE_SCRIPT, "description": "做法", "year": 2026})
    assert created.status_code == 201, created.json
    assert created.json["unit_id"] == units["a"].id and created.json["score"] is None
    assert created.json["title"] == HOSTILE_SCRIPT
    # a unit registers for its own unit only; the office names the unit
    other = client.post("/api/v1/innovations", headers=head, json={
        "title": "t", "description": "d", "year": 2026, "unit_id": units["b"].id})
    assert other.status_code == 403
    assert client.post("/api/v1/innovations", headers=office, json={
        "title": "t", "description": "d", "year": 2026}).status_code == 400
    second = client.post("/api/v1/innovations", headers=office, json={
        "title": "办公室代登记", "description": "d", "year": 2026, "unit_id": units["b"].id})
    assert second.status_code == 201 and second.json["unit_id"] == units["b"].id
    scored = client.post(f"/api/v1/innovations/{created.json['id']}/score", headers=office,
                         json={"score": 85.5})
    assert scored.status_code == 200 and scored.json["score"] == 85.5
    assert client.post(f"/api/v1/innovations/{second.json['id']}/score", headers=office,
                       json={"score": 85.5}).status_code == 200
    assert client.post(f"/api/v1/innovations/{second.json['id']}/score", headers=head,
                       json={"score": 99}).status_code == 403

    # the draft is for the office and leaders; a unit sees the ranking once it is published
    assert client.get("/api/v1/innovations/ranking?year=2026", headers=head).status_code == 404
    ranking = client.get("/api/v1/innovations/ranking?year=2026", headers=office)
    assert ranking.status_code == 200 and isinstance(ranking.json, list)
    rows = {row["unit_id"]: row for row in ranking.json}
    assert set(rows) == {u.id for u in units.values()}
    assert all(row["status"] == "draft" for row in ranking.json)
    assert rows[units["a"].id]["innovations"] == 1 and rows[units["a"].id]["total_score"] == 85.5
    assert rows[units["a"].id]["rank"] == rows[units["b"].id]["rank"] == 1
    assert rows[units["c"].id]["total_score"] == 0 and rows[units["c"].id]["rank"] == 3
    assert rows[units["d"].id]["rank"] == 1 and rows[units["c"].id]["below_expected"] is True

    published = client.post("/api/v1/innovations/ranking/publish", headers=office, json={"year": 2026})
    assert published.status_code == 200, published.json
    assert all(row["status"] == "published" for row in published.json["ranking"])
    assert client.post("/api/v1/innovations/ranking/publish", headers=office,
                       json={"year": 2026}).status_code == 409
    late = client.post(f"/api/v1/innovations/{created.json['id']}/score", headers=office,
                       json={"score": 10})
    assert late.status_code == 409
    after = client.get("/api/v1/innovations/ranking?year=2026", headers=office).json
    assert {row["unit_id"]: row["total_score"] for row in after}[units["a"].id] == 85.5
    assert all(row["status"] == "published" for row in after)
    assert client.post("/api/v1/innovations", headers=head, json={
        "title": "t", "description": "d", "year": 2026}).status_code == 409
    listed = client.get("/api/v1/innovations?year=2026", headers=head).json
    assert listed["total"] == 1 and listed["items"][0]["unit_id"] == units["a"].id


@pytest.mark.parametrize(("body", "field"), [
    ({"title": ""}, "title"), ({"title": "x" * 201}, "title"), ({"description": ""}, "description"),
    ({"year": 1999}, "year"), ({"year": "2026"}, "year"), ({"year": 2026.5}, "year"),
    ({"extra": True}, "extra"),
    *(({"title": f"a{ch}b"}, "title") for ch in CONTROL_CHARACTERS),
])
def test_bad_innovation_input(client, make, token, units, body, field):
    head = token(make.user("unit_head", unit=units["a"]))
    response = client.post("/api/v1/innovations", headers=head,
                           json={"title": "t", "description": "d", "year": 2026, **body})
    assert response.status_code == 400 and field in response.json["error"]["fields"], response.json
    assert count(Innovation) == 0


@pytest.mark.parametrize("score", [101, -1, "80", None, 1.234, True])
def test_bad_innovation_scores(client, make, token, units, score):
    office = make.user("office")
    created = client.post("/api/v1/innovations", headers=token(office), json={
        "title": "t", "description": "d", "year": 2026, "unit_id": units["a"].id}).json
    response = client.post(f"/api/v1/innovations/{created['id']}/score", headers=token(office),
                           json={"score": score})
    assert response.status_code == 400 and "score" in response.json["error"]["fields"]
    assert db.session.get(Innovation, created["id"]).score is None


@pytest.mark.parametrize("query", ["", "?year=abc", "?year=1999", "?year=%00"])
def test_ranking_needs_a_year(client, make, token, query):
    response = client.get(f"/api/v1/innovations/ranking{query}", headers=token(make.user("leader")))
    assert response.status_code == 400 and "year" in response.json["error"]["fields"]


def test_publish_needs_a_year(client, make, token):
    office = token(make.user("office"))
    for body in ({}, {"year": "2026"}, {"year": 1800}):
        response = client.post("/api/v1/innovations/ranking/publish", headers=office, json=body)
        assert response.status_code == 400 and "year" in response.json["error"]["fields"]
    assert count(Ranking) == 0


def test_the_spec_describes_the_endpoints(client):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    for path in ("/api/v1/assessments", "/api/v1/innovations", "/api/v1/innovations/ranking",
                 "/api/v1/innovations/ranking/publish", "/api/v1/innovations/{innovation_id}/score"):
        assert path in paths, path
