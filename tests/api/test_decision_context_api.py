"""API: a leader returns a bulletin with a comment; the office's review opinion; an exemption rejected."""

from __future__ import annotations

from tests import accountability_data as data
from tracker.extensions import db
from tracker.models import Flag
from tracker.services import bulletins


def test_return_a_bulletin_and_submit_it_again(client, make, token):
    office, leader = make.user("office"), make.user("leader")
    bulletin, _created = bulletins.generate(make.actor(office), "monthly", "2026-06")
    db.session.commit()
    url = f"/api/v1/bulletins/{bulletin.id}"
    assert client.post(f"{url}/return", json={"comment": "改"}, headers=token(office)).status_code == 403
    for body, field in (({}, "comment"), ({"comment": ""}, "comment"), ({"comment": 3}, "comment"),
                        ({"comment": "x", "extra": 1}, "extra")):
        response = client.post(f"{url}/return", json=body, headers=token(leader))
        assert response.status_code == 400 and field in response.json["error"]["fields"], body
    response = client.post(f"{url}/return", json={"comment": "请补充分析"}, headers=token(leader))
    assert response.status_code == 200
    assert (response.json["status"], response.json["return_comment"]) == ("returned", "请补充分析")
    assert client.post(f"{url}/approve", headers=token(leader)).status_code == 409
    assert client.post(f"{url}/return", json={"comment": "再退"}, headers=token(leader)).status_code == 409
    assert client.post(f"{url}/resubmit", headers=token(leader)).status_code == 403
    response = client.post(f"{url}/resubmit", headers=token(office))
    assert response.status_code == 200 and response.json["status"] == "draft"
    assert client.post(f"{url}/resubmit", headers=token(office)).status_code == 409
    assert client.post("/api/v1/bulletins/999999/return", json={"comment": "x"},
                       headers=token(leader)).status_code == 404


def test_review_opinion_and_exemption_rejection(client, make, token):
    office, leader = make.user("office"), make.user("leader")
    flag = Flag(rule="long_overdue", unit_id=make.unit().id, period="2026-06", evidence={},
                proposed_action="accountability", status="raised", raised_at=data.NOW)
    db.session.add(flag)
    db.session.commit()
    url = f"/api/v1/flags/{flag.id}"
    assert client.post(f"{url}/review", json={}, headers=token(office)).status_code == 400
    response = client.post(f"{url}/review", json={"opinion": "证据属实"}, headers=token(office))
    assert response.status_code == 200 and response.json["review_opinion"] == "证据属实"
    assert client.post(f"{url}/reject-exemption", json={"reason": "无"},
                       headers=token(leader)).status_code == 409  # nothing proposed
    client.post(f"{url}/exempt", json={"justification": "改革探索"}, headers=token(office))
    assert client.post(f"{url}/reject-exemption", json={"reason": "不符"},
                       headers=token(office)).status_code == 403
    assert client.post(f"{url}/reject-exemption", json={"reason": ""},
                       headers=token(leader)).status_code == 400
    response = client.post(f"{url}/reject-exemption", json={"reason": "不符合容错情形"}, headers=token(leader))
    assert response.status_code == 200
    assert (response.json["status"], response.json["exemption_rejected"],
            response.json["exemption_rejection_reason"]) == ("under_review", True, "不符合容错情形")
    assert client.post(f"{url}/exempt", json={}, headers=token(leader)).status_code == 409
