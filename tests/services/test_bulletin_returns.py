"""A leader returns a draft bulletin to the office with a comment; the office submits it again."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.races import race
from tracker.extensions import db
from tracker.models import AuditEvent, Bulletin
from tracker.services import bulletins
from tracker.services.errors import Conflict, InvalidInput


def _draft(make):
    office, leader = make.user("office"), make.user("leader")
    bulletin, _created = bulletins.generate(make.actor(office), "monthly", "2026-06")
    return office, leader, bulletin


def test_return_resubmit_and_approve(make):
    office, leader, bulletin = _draft(make)
    bulletins.return_to_office(make.actor(leader), bulletin, "  请补充投诉办理分析。 ")
    assert (bulletin.status, bulletin.return_comment, bulletin.returned_by_id) == (
        "returned", "请补充投诉办理分析。", leader.id)
    audit = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "bulletin.return"))
    assert audit.changes == {"status": ["draft", "returned"], "return_comment": [None, "请补充投诉办理分析。"]}
    with pytest.raises(Conflict):
        bulletins.approve(make.actor(leader), bulletin)  # a returned bulletin waits on the office
    bulletins.edit(make.actor(office), bulletin, title="2026年6月通报", narrative="已补充。")
    bulletins.regenerate(make.actor(office), bulletin)
    bulletins.resubmit(make.actor(office), bulletin)
    assert bulletin.status == "draft" and bulletin.return_comment == "请补充投诉办理分析。"
    bulletins.approve(make.actor(leader), bulletin)
    assert bulletin.status == "approved"


@pytest.mark.parametrize("comment", ["", "   ", None, "x" * 2001, "坏\x00字"])
def test_a_return_needs_a_comment(make, comment):
    _office, leader, bulletin = _draft(make)
    with pytest.raises(InvalidInput) as error:
        bulletins.return_to_office(make.actor(leader), bulletin, comment)
    assert "comment" in error.value.fields and bulletin.status == "draft"


def test_return_and_resubmit_only_from_their_states(make):
    office, leader, bulletin = _draft(make)
    with pytest.raises(Conflict):
        bulletins.resubmit(make.actor(office), bulletin)  # a draft is not returned
    bulletins.approve(make.actor(leader), bulletin)
    with pytest.raises(Conflict):
        bulletins.return_to_office(make.actor(leader), bulletin, "太迟了")  # approved
    bulletins.publish(make.actor(office), bulletin, 2026)
    for step in (lambda: bulletins.return_to_office(make.actor(leader), bulletin, "已发布"),
                 lambda: bulletins.resubmit(make.actor(office), bulletin)):
        with pytest.raises(Conflict):
            step()
    assert bulletin.status == "published"


def test_the_next_number_and_the_units_named(make):
    office, leader, bulletin = _draft(make)
    assert bulletins.next_number(2026) == 1
    bulletin.content = {**bulletin.content, "criticised": [{"unit": "甲校"}, {"unit": "甲校"}],
                        "commended": [{"unit": "乙校"}]}
    assert bulletins.named_units(bulletin) == {"criticised": ["甲校"], "commended": ["乙校"]}
    bulletins.approve(make.actor(leader), bulletin)
    bulletins.publish(make.actor(office), bulletin, 2026)
    assert bulletins.next_number(2026) == 2 and bulletins.next_number(2027) == 1


def test_a_return_and_an_approval_at_once_one_wins(app, make, token):
    _office, leader, bulletin = _draft(make)
    db.session.commit()
    bulletin_id, headers = bulletin.id, token(leader)

    def step(client, index):
        if index % 2 == 0:
            return client.post(f"/api/v1/bulletins/{bulletin_id}/return", json={"comment": "请修改"},
                               headers=headers).status_code
        return client.post(f"/api/v1/bulletins/{bulletin_id}/approve", headers=headers).status_code

    statuses = race(app, 2, step)
    assert sorted(statuses) == [200, 409], statuses
    db.session.expire_all()
    final = db.session.get(Bulletin, bulletin_id)
    assert final.status == ("returned" if statuses[0] == 200 else "approved")
    assert (final.return_comment is not None) == (final.status == "returned")
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action.in_(("bulletin.return", "bulletin.approve")))) == 1
