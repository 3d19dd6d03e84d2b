"""docs/api.md "Accountability": shapes, the workflow through the API, bad input, 409s."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests import accountability_data as data
from tracker.extensions import db
from tracker.models import AuditEvent, Flag

FIELDS = {"id", "unit_id", "person_user_id", "rule", "period", "evidence", "status", "proposed_action",
          "action"}


@pytest.fixture
def world(make):
    leader = make.user("leader")
    a, b, c = (make.unit(kind="school", peer_group="primary_schools", leader_user_id=leader.id)
               for _ in range(3))
    head = make.user("unit_head", unit=a)
    a.head_user_id = head.id
    db.session.commit()
    pairs = [(a, 70), (b, 80), (c, 90)]
    data.rating_round("2025-H2", data.rows_for(pairs))
    rnd = data.rating_round("2026-H1", data.rows_for(pairs, dissent={a.id: 0.25}))
    return {"office": make.user("office"), "leader": leader, "head": head, "a": a, "b": b,
            "other_head": make.user("unit_head", unit=b), "round": rnd}


def evaluate(client, token, world, body=None):
    return client.post("/api/v1/accountability/evaluate", json=body or {"as_of": "2026-07-01"},
                       headers=token(world["office"]))


def test_evaluate_and_list_shapes(client, token, world):
    response = evaluate(client, token, world)
    assert response.status_code == 200
    raised = response.json["raised"]
    assert {(f["rule"], f["unit_id"], f["period"]) for f in raised} == {
        ("strong_dissent", world["a"].id, "2026-H1"), ("persistently_low", world["a"].id, "2026-H1")}
    for flag in raised:
        assert set(flag) >= FIELDS and flag["status"] == "raised" and flag["action"] is None
    by_rule = {f["rule"]: f for f in raised}
    assert by_rule["strong_dissent"]["person_user_id"] == world["head"].id
    assert by_rule["persistently_low"]["person_user_id"] == world["leader"].id
    assert by_rule["strong_dissent"]["proposed_action"] == "interview"
    assert by_rule["strong_dissent"]["evidence"]["sources"][0]["link"] == f"/ratings/{world['round'].id}"
    assert evaluate(client, token, world).json == {"raised": []}
    listed = client.get("/api/v1/flags", headers=token(world["leader"])).json
    assert listed["total"] == 2 and {f["id"] for f in listed["items"]} == {f["id"] for f in raised}
    only = client.get("/api/v1/flags?rule=strong_dissent&status=raised",
                      headers=token(world["leader"])).json
    assert [f["rule"] for f in only["items"]] == ["strong_dissent"]
    assert client.get(f"/api/v1/flags?unit_id={world['b'].id}",
                      headers=token(world["office"])).json["total"] == 0


def test_a_unit_sees_its_own_flags_only(client, token, world):
    evaluate(client, token, world)
    mine = client.get("/api/v1/flags", headers=token(world["head"])).json
    assert mine["total"] == 2
    assert client.get("/api/v1/flags", headers=token(world["other_head"])).json["total"] == 0
    flag_id = mine["items"][0]["id"]
    assert client.get(f"/api/v1/flags/{flag_id}", headers=token(world["other_head"])).status_code == 404
    assert client.post(f"/api/v1/flags/{flag_id}/review",
                       json={"opinion": "核实属实"}, headers=token(world["head"])).status_code == 403


def test_workflow_through_the_api(client, token, world):
    raised = evaluate(client, token, world).json["raised"]
    first, second = (f["id"] for f in raised)
    office, leader = token(world["office"]), token(world["leader"])
    body = {"action": "interview", "reasons": "约谈主要负责人"}
    assert client.post(f"/api/v1/flags/{first}/decide", json=body, headers=leader).status_code == 409
    response = client.post(f"/api/v1/flags/{first}/review", json={"opinion": "核实属实"}, headers=office)
    assert response.status_code == 200 and response.json["status"] == "under_review"
    assert client.post(f"/api/v1/flags/{first}/review", json={"opinion": "再审"},
                       headers=office).status_code == 409
    assert client.post(f"/api/v1/flags/{first}/decide", json=body, headers=office).status_code == 403
    response = client.post(f"/api/v1/flags/{first}/decide", json=body, headers=leader)
    assert response.status_code == 200
    assert (response.json["status"], response.json["action"]) == ("decided", "interview")
    before = db.session.scalar(select(func.count()).select_from(AuditEvent))
    assert client.post(f"/api/v1/flags/{first}/decide", json=body, headers=leader).status_code == 409
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == before
    # the exemption: the office proposes, the leader approves
    client.post(f"/api/v1/flags/{second}/review", json={"opinion": "核实属实"}, headers=office)
    response = client.post(f"/api/v1/flags/{second}/exempt", json={"justification": "改革探索中的失误"},
                           headers=office)
    assert response.status_code == 200 and response.json["status"] == "under_review"
    assert client.post(f"/api/v1/flags/{second}/exempt", json={"justification": "再提"},
                       headers=office).status_code == 409
    response = client.post(f"/api/v1/flags/{second}/exempt", json={}, headers=leader)
    assert response.status_code == 200 and response.json["status"] == "exempted"
    assert response.json["exemption_justification"] == "改革探索中的失误"
    actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.object_type == "flags")
                                 .order_by(AuditEvent.id)).all()
    assert actions == ["flag.raise", "flag.raise", "flag.review", "flag.decide", "flag.review",
                       "flag.propose_exemption", "flag.approve_exemption"]


@pytest.mark.parametrize(("path", "body", "field"), [
    ("decide", {"action": "fire", "reasons": "x"}, "action"),
    ("decide", {"action": "interview"}, "reasons"),
    ("decide", {"action": "interview", "reasons": ""}, "reasons"),
    ("decide", {"action": "interview", "reasons": "x" * 2001}, "reasons"),
    ("decide", {"action": "interview", "reasons": "坏\x00字"}, "reasons"),
    ("decide", {"action": "interview", "reasons": "x", "extra": 1}, "extra"),
    ("decide", {"action": 3, "reasons": "x"}, "action"),
    ("exempt", {"justification": 5}, "justification"),
    ("exempt", {"justification": "控制\x07字符"}, "justification"),
])
def test_bad_input_is_400_and_changes_nothing(client, token, world, path, body, field):
    flag_id = evaluate(client, token, world).json["raised"][0]["id"]
    client.post(f"/api/v1/flags/{flag_id}/review", json={"opinion": "核实属实"},
                headers=token(world["office"]))
    who = world["leader"]
    response = client.post(f"/api/v1/flags/{flag_id}/{path}", json=body, headers=token(who))
    assert response.status_code == 400, response.json
    assert field in response.json["error"]["fields"]
    db.session.expire_all()
    flag = db.session.get(Flag, flag_id)
    assert (flag.status, flag.action, flag.exemption_justification) == ("under_review", None, None)


@pytest.mark.parametrize("body", [{"as_of": "2026-13-01"}, {"as_of": 20260701}, {"when": "x"}])
def test_bad_evaluate_body(client, token, world, body):
    response = evaluate(client, token, world, body)
    assert response.status_code == 400 and response.json["error"]["fields"]
    assert db.session.scalar(select(func.count()).select_from(Flag)) == 0


def test_bad_list_filters(client, token, world):
    headers = token(world["office"])
    for query in ("status=gone", "rule=whatever", "unit_id=-1", "unit_id=abc"):
        response = client.get(f"/api/v1/flags?{query}", headers=headers)
        assert response.status_code == 400, query
    assert client.get("/api/v1/flags?period=%00", headers=headers).json["total"] == 0
    assert client.post("/api/v1/flags/999999/review", json={"opinion": "核实属实"},
                       headers=headers).status_code == 404
