"""API: complaint rates (hand-computed) and rectification notices (docs/api.md)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from docx import Document
from sqlalchemy import func, select

from tests.notices_data import HOSTILE_SCRIPT, rate_world
from tracker import clock
from tracker.extensions import db
from tracker.models import AuditEvent, Inspection, Notice, NoticeEvent

STATS_FIELDS = {"unit_id", "dispatched", "replied_on_time", "closed", "resolved", "rated", "satisfied",
                "basically_satisfied", "dissatisfied", "response_rate", "resolution_rate",
                "satisfaction_rate", "score", "rank"}


def _counts():
    db.session.rollback()
    return {m.__name__: db.session.scalar(select(func.count()).select_from(m))
            for m in (Notice, NoticeEvent, Inspection, AuditEvent)}


def test_stats_by_hand(client, make, token):
    units = rate_world(make)
    headers = token(make.user("office"))
    response = client.get("/api/v1/complaints/stats?period=2026-10", headers=headers)
    assert response.status_code == 200
    rows = {r["unit_id"]: r for r in response.json}
    assert all(set(r) == STATS_FIELDS for r in response.json)
    assert rows[units["a"].id] == {
        "unit_id": units["a"].id, "dispatched": 6, "replied_on_time": 4, "closed": 4, "resolved": 3,
        "rated": 3, "satisfied": 1, "basically_satisfied": 1, "dissatisfied": 1, "response_rate": 0.6667,
        "resolution_rate": 0.75, "satisfaction_rate": 0.6667, "score": 69.58, "rank": 3}
    assert (rows[units["b"].id]["rank"], rows[units["d"].id]["rank"]) == (1, 1)
    assert rows[units["c"].id]["rank"] is None and rows[units["g"].id]["score"] == 54.62
    one = client.get(f"/api/v1/complaints/stats?period=2026-Q4&unit_id={units['a'].id}", headers=headers).json
    assert [(r["unit_id"], r["dispatched"]) for r in one] == [(units["a"].id, 7)]
    head = token(make.user("unit_member", unit=units["g"]))
    mine = client.get("/api/v1/complaints/stats?period=2026", headers=head).json
    assert [(r["unit_id"], r["rank"]) for r in mine] == [(units["g"].id, 1)]


@pytest.mark.parametrize("query", ["", "?period=", "?period=2026-13", "?period=2026-Q0", "?period=x%00",
                                   "?period=2026-10&unit_id=abc", "?period=" + "9" * 50])
def test_stats_bad_input(client, make, token, query):
    response = client.get(f"/api/v1/complaints/stats{query}", headers=token(make.user("office")))
    assert response.status_code == 400
    assert response.json["error"]["fields"]


@pytest.fixture
def org(make):
    school = make.unit(name="实验小学")
    return {"school": school, "office": make.user("office"), "head": make.user("unit_head", unit=school),
            "other": make.unit(name="第二小学"), "other_head": make.user("unit_head")}


def _body(org, **values):
    return {"unit_id": org["school"].id, "source_type": "inspection", "problems": "脱岗",
            "requirements": "整改", "due_on": (clock.today() + timedelta(days=7)).isoformat(), **values}


def test_issue_and_the_lifecycle(client, org, token):
    office, head = token(org["office"]), token(org["head"])
    year = clock.today().year
    response = client.post("/api/v1/notices", json=_body(org), headers=office)
    assert response.status_code == 201 and response.json["number"] == f"教作整改〔{year}〕1号"
    assert (response.json["status"], response.json["colour"]) == ("issued", "blue")
    nid = response.json["id"]
    assert client.post("/api/v1/notices", json=_body(org), headers=office).json["number"] == f"教作整改〔{year}〕2号"
    before = _counts()
    for path, body in (("report", {"text": "x"}), ("verify", {"accept": True})):
        answer = client.post(f"/api/v1/notices/{nid}/{path}", json=body,
                             headers=head if path == "report" else office)
        assert answer.status_code == 409 and answer.json["error"]["code"] == "conflict"
    assert _counts() == before
    assert client.post(f"/api/v1/notices/{nid}/acknowledge", headers=head).json["status"] == "acknowledged"
    assert client.post(f"/api/v1/notices/{nid}/acknowledge", headers=head).status_code == 409
    assert client.post(f"/api/v1/notices/{nid}/report", json={"text": "已整改"}, headers=head).status_code == 200
    returned = client.post(f"/api/v1/notices/{nid}/verify", json={"accept": False, "reason": "不足"},
                           headers=office)
    assert returned.json["status"] == "acknowledged"
    assert [e["action"] for e in returned.json["events"]] == ["issue", "acknowledge", "report", "return"]
    client.post(f"/api/v1/notices/{nid}/report", json={"text": "补充"}, headers=head)
    assert client.post(f"/api/v1/notices/{nid}/verify", json={"accept": True},
                       headers=office).json["status"] == "verified"


def test_list_with_status_colour_and_as_of(client, org, token):
    office = token(org["office"])
    today = clock.today()
    soon = client.post("/api/v1/notices", json=_body(org, due_on=(today + timedelta(days=3)).isoformat()),
                       headers=office).json
    later = client.post("/api/v1/notices", json=_body(org, due_on=(today + timedelta(days=4)).isoformat()),
                        headers=office).json
    items = client.get("/api/v1/notices", headers=office).json
    assert items["total"] == 2
    colours = {i["id"]: (i["status"], i["colour"]) for i in items["items"]}
    assert colours == {soon["id"]: ("issued", "orange"), later["id"]: ("issued", "blue")}
    as_of = (today + timedelta(days=4)).isoformat()
    seen = client.get(f"/api/v1/notices?as_of={as_of}", headers=office).json["items"]
    assert {i["id"]: (i["status"], i["colour"]) for i in seen} == {
        soon["id"]: ("overdue", "red"), later["id"]: ("issued", "orange")}
    assert [i["id"] for i in client.get(f"/api/v1/notices?as_of={as_of}&status=overdue",
                                        headers=office).json["items"]] == [soon["id"]]
    assert [i["id"] for i in client.get("/api/v1/notices?colour=blue", headers=office).json["items"]] == [
        later["id"]]
    assert client.get(f"/api/v1/notices?unit_id={org['other'].id}", headers=office).json["total"] == 0
    for bad in ("status=late", "colour=green", "as_of=2026-02-30", "unit_id=x", "per_page=500"):
        answer = client.get(f"/api/v1/notices?{bad}", headers=office)
        assert answer.status_code == 400 and answer.json["error"]["fields"], bad


@pytest.mark.parametrize(("values", "field"), [
    ({"unit_id": "1"}, "unit_id"), ({"unit_id": 999999}, "unit_id"), ({"source_type": "rumour"}, "source_type"),
    ({"source_id": 999999}, "source_id"), ({"problems": ""}, "problems"), ({"problems": "a\u0000b"}, "problems"),
    ({"requirements": "x" * 4001}, "requirements"), ({"due_on": "2020-01-01"}, "due_on"),
    ({"due_on": "tomorrow"}, "due_on"), ({"extra": 1}, "extra"), ({"due_on": None}, "due_on"),
])
def test_issue_bad_input(client, org, token, values, field):
    headers = token(org["office"])
    before = _counts()
    response = client.post("/api/v1/notices", json=_body(org, **values), headers=headers)
    assert response.status_code == 400 and field in response.json["error"]["fields"]
    assert _counts() == before


def test_report_and_verify_bad_input(client, org, token):
    office, head = token(org["office"]), token(org["head"])
    nid = client.post("/api/v1/notices", json=_body(org), headers=office).json["id"]
    client.post(f"/api/v1/notices/{nid}/acknowledge", headers=head)
    for body in ({}, {"text": ""}, {"text": 5}, {"text": "a\u0007b"}, {"text": "ok", "files": []}):
        assert client.post(f"/api/v1/notices/{nid}/report", json=body, headers=head).status_code == 400
    client.post(f"/api/v1/notices/{nid}/report", json={"text": "已整改"}, headers=head)
    for body in ({}, {"accept": "yes"}, {"accept": False}, {"accept": False, "reason": ""}):
        assert client.post(f"/api/v1/notices/{nid}/verify", json=body, headers=office).status_code == 400
    assert client.post(f"/api/v1/notices/{nid}/verify", data="not json", headers=office).status_code == 400
    assert db.session.get(Notice, nid).status == "reported"


def test_docx_and_hostile_text(client, org, token):
    office = token(org["office"])
    nid = client.post("/api/v1/notices", json=_body(org, problems=HOSTILE_SCRIPT), headers=office).json["id"]
    response = client.get(f"/api/v1/notices/{nid}.docx", headers=token(org["head"]))
    assert response.status_code == 200
    import io

    text = "\n".join(p.text for p in Document(io.BytesIO(response.data)).paragraphs)
    assert "整改通知书" in text and HOSTILE_SCRIPT in text and "实验小学：" in text
    assert client.get(f"/api/v1/notices/{nid}.docx", headers=token(org["other_head"])).status_code == 404


def test_inspections(client, org, token):
    office = token(org["office"])
    body = {"unit_id": org["school"].id, "inspected_on": clock.today().isoformat(), "place": "校门口",
            "inspectors": "督查组", "findings": "迟到", "is_unannounced": False}
    created = client.post("/api/v1/inspections", json=body, headers=office)
    assert created.status_code == 201 and created.json["is_unannounced"] is False
    assert client.get("/api/v1/inspections", headers=office).json["total"] == 1
    before = _counts()
    for values in ({"place": ""}, {"inspected_on": "2999-01-01"}, {"unit_id": 0}, {"findings": "a\u0000"},
                   {"is_unannounced": "no"}):
        answer = client.post("/api/v1/inspections", json={**body, **values}, headers=office)
        assert answer.status_code == 400, values
    assert _counts() == before
    nid = client.post("/api/v1/notices", json=_body(org, source_id=created.json["id"]), headers=office).json
    assert nid["source_type"] == "inspection" and nid["source_id"] == created.json["id"]


def test_the_office_withdraws_a_notice_before_it_is_acknowledged(client, make, token):
    school = make.unit(kind="school")
    office, head = make.user("office"), make.user("unit_head", unit=school)
    office_headers, head_headers = token(office), token(head)
    values = {"unit_id": school.id, "source_type": "inspection", "problems": "脱岗", "requirements": "整改",
              "due_on": (clock.today() + timedelta(days=5)).isoformat()}
    first = client.post("/api/v1/notices", json=values, headers=office_headers).json
    url = f"/api/v1/notices/{first['id']}/withdraw"
    assert client.post(url, json={"reason": "发错"}, headers=head_headers).status_code == 403
    for body in ({}, {"reason": "   "}, {"reason": "x" * 2001}, {"reason": 3}):
        refused = client.post(url, json=body, headers=office_headers)
        assert refused.status_code == 400 and "reason" in refused.json["error"]["fields"], body
    done = client.post(url, json={"reason": "发错单位"}, headers=office_headers)
    assert done.status_code == 200 and done.json["status"] == "withdrawn"
    assert done.json["events"][-1]["action"] == "withdraw" and done.json["events"][-1]["text"] == "发错单位"
    assert client.post(url, json={"reason": "再撤"}, headers=office_headers).status_code == 409
    assert client.post(f"/api/v1/notices/{first['id']}/acknowledge", headers=head_headers).status_code == 409
    assert client.post("/api/v1/notices/999999/withdraw", json={"reason": "x"},
                       headers=office_headers).status_code == 404
    second = client.post("/api/v1/notices", json=values, headers=office_headers).json
    assert second["number"] != first["number"]  # the withdrawn number is never taken again
    listed = client.get("/api/v1/notices?status=withdrawn", headers=office_headers).json
    assert [n["id"] for n in listed["items"]] == [first["id"]]
    client.post(f"/api/v1/notices/{second['id']}/acknowledge", headers=head_headers)
    late = client.post(f"/api/v1/notices/{second['id']}/withdraw", json={"reason": "x"}, headers=office_headers)
    assert late.status_code == 409
