"""Irreversible steps ask first: a page says what will happen; a POST without ``confirm`` does nothing."""

from __future__ import annotations

from sqlalchemy import func, select

from tests import accountability_data as data
from tracker.extensions import db
from tracker.models import AuditEvent, Bulletin, Flag, RatingRound
from tracker.services import bulletins, ratings


def _audits() -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEvent))


def _bulletin(make, office):
    bulletin, _created = bulletins.generate(make.actor(office), "monthly", "2026-06")
    bulletin.content = {**bulletin.content, "criticised": [{"unit": "东关小学", "task": "t", "reason": "overdue",
                                                            "unit_id": 1, "task_id": 1}]}
    db.session.commit()
    return bulletin


def test_approve_and_publish_ask_first(client, make, login):
    office, leader = make.user("office"), make.user("leader")
    bulletin = _bulletin(make, office)
    login(leader)
    page = client.get(f"/bulletins/{bulletin.id}/approve")
    assert page.status_code == 200 and "东关小学" in page.get_data(as_text=True)
    before = _audits()
    refused = client.post(f"/bulletins/{bulletin.id}/approve")  # one click, no confirmation
    assert refused.status_code == 400
    assert 'data-testid="confirm-refused"' in refused.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Bulletin, bulletin.id).status == "draft" and _audits() == before
    assert client.post(f"/bulletins/{bulletin.id}/approve", data={"confirm": "yes"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Bulletin, bulletin.id).status == "approved"
    shown = client.get(f"/bulletins/{bulletin.id}").get_data(as_text=True)
    assert "已审核，待发布" in shown and "草稿，尚未编号" not in shown
    client.post("/logout")
    login(office)
    page = client.get(f"/bulletins/{bulletin.id}/publish").get_data(as_text=True)
    year = make.actor().now.year  # the number the bulletin will take, shown before it is taken
    assert f"〔{year}〕1号" in page and "不能撤回" in page and "东关小学" in page
    assert client.post(f"/bulletins/{bulletin.id}/publish", data={"confirm": "no"}).status_code == 400
    db.session.expire_all()
    assert db.session.get(Bulletin, bulletin.id).status == "approved"
    assert client.post(f"/bulletins/{bulletin.id}/publish", data={"confirm": "yes"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Bulletin, bulletin.id).doc_number == f"〔{year}〕1号"


def test_a_leader_returns_with_a_comment_and_the_office_resubmits(client, make, login):
    office, leader = make.user("office"), make.user("leader", display_name="王局长")
    bulletin = _bulletin(make, office)
    login(leader)
    assert client.get(f"/bulletins/{bulletin.id}/return").status_code == 200
    response = client.post(f"/bulletins/{bulletin.id}/return", data={"comment": "  "})
    assert response.status_code == 400 and "invalid-feedback" in response.get_data(as_text=True)
    assert client.post(f"/bulletins/{bulletin.id}/return", data={"comment": "请补充分析"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Bulletin, bulletin.id).status == "returned"
    assert client.get(f"/bulletins/{bulletin.id}/approve").status_code == 409
    client.post("/logout")
    login(office)
    page = client.get(f"/bulletins/{bulletin.id}").get_data(as_text=True)
    assert "请补充分析" in page and "王局长" in page and 'id="narrative"' in page
    assert client.post(f"/bulletins/{bulletin.id}/resubmit").status_code == 302
    db.session.expire_all()
    assert db.session.get(Bulletin, bulletin.id).status == "draft"


def _flag(make, unit_name="西街小学", **values) -> Flag:
    flag = Flag(rule="poor_delivery", unit_id=make.unit(name=unit_name).id, period="2026-06", evidence={},
                proposed_action="criticism", status="under_review", raised_at=data.NOW, **values)
    db.session.add(flag)
    db.session.commit()
    return flag


def test_the_decision_page_starts_on_the_proposed_action_and_asks_first(client, make, login):
    flag = _flag(make)
    login(make.user("leader"))
    flag_page = client.get(f"/accountability/{flag.id}").get_data(as_text=True)
    assert '<option value="criticism" selected>' in flag_page
    page = client.get(f"/accountability/{flag.id}/decide").get_data(as_text=True)
    assert '<option value="criticism" selected>' in page and "西街小学" in page
    chosen = client.get(f"/accountability/{flag.id}/decide?action=admonition").get_data(as_text=True)
    assert '<option value="admonition" selected>' in chosen and "诫勉" in chosen
    before = _audits()
    refused = client.post(f"/accountability/{flag.id}/decide",
                          data={"action": "admonition", "reasons": "诫勉谈话"})
    assert refused.status_code == 400 and 'data-testid="confirm-refused"' in refused.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Flag, flag.id).status == "under_review" and _audits() == before
    assert client.post(f"/accountability/{flag.id}/decide", data={
        "action": "admonition", "reasons": "诫勉谈话", "confirm": "yes"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Flag, flag.id).action == "admonition"


def test_the_review_records_an_opinion(client, make, login):
    flag = _flag(make)
    flag.status = "raised"
    db.session.commit()
    login(make.user("office"))
    assert client.post(f"/accountability/{flag.id}/review", data={"opinion": ""}).status_code == 400
    assert client.post(f"/accountability/{flag.id}/review", data={"opinion": "证据属实"}).status_code == 302
    assert "证据属实" in client.get(f"/accountability/{flag.id}").get_data(as_text=True)


def test_a_leader_rejects_an_exemption_after_confirming(client, make, login):
    flag = _flag(make, exemption_justification="新任负责人", exemption_proposed_at=data.NOW)
    login(make.user("leader"))
    assert "reject-exemption" in client.get(f"/accountability/{flag.id}").get_data(as_text=True)
    assert client.get(f"/accountability/{flag.id}/reject-exemption").status_code == 200
    assert client.post(f"/accountability/{flag.id}/reject-exemption",
                       data={"reason": "不符合"}).status_code == 400
    assert client.post(f"/accountability/{flag.id}/reject-exemption",
                       data={"reason": "", "confirm": "yes"}).status_code == 400
    db.session.expire_all()
    assert db.session.get(Flag, flag.id).exemption_rejected_at is None
    assert client.post(f"/accountability/{flag.id}/reject-exemption",
                       data={"reason": "不符合容错情形", "confirm": "yes"}).status_code == 302
    page = client.get(f"/accountability/{flag.id}").get_data(as_text=True)
    assert "不符合容错情形" in page
    assert client.post(f"/accountability/{flag.id}/exempt", data={"confirm": "yes"}).status_code == 409
    # an exemption approved only through its confirmation page
    other = _flag(make, "南街小学", exemption_justification="理由", exemption_proposed_at=data.NOW)
    assert client.post(f"/accountability/{other.id}/exempt").status_code == 400
    db.session.expire_all()
    assert db.session.get(Flag, other.id).status == "under_review"
    assert client.post(f"/accountability/{other.id}/exempt", data={"confirm": "yes"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Flag, other.id).status == "exempted"


def test_closing_a_round_with_no_ballots_warns_and_asks_first(client, make, login):
    office = make.user("office")
    rnd = ratings.create_round(make.actor(office), ratings.RoundInput(
        title="测试评议", period="2026-H1", unit_ids=[make.unit(name="北关小学").id]))
    ratings.open_round(make.actor(office), rnd)
    db.session.commit()
    login(office)
    page = client.get(f"/ratings/{rnd.id}/close").get_data(as_text=True)
    assert 'data-testid="confirm-warning"' in page and "北关小学" in page
    assert client.post(f"/ratings/{rnd.id}/close").status_code == 400
    db.session.expire_all()
    assert db.session.get(RatingRound, rnd.id).status == "open"
    assert client.post(f"/ratings/{rnd.id}/close", data={"confirm": "yes"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(RatingRound, rnd.id).status == "closed"
