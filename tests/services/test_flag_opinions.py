"""The office's review opinion on a flag, and a leader's rejection of a proposed exemption."""

from __future__ import annotations

import pytest

from tests import accountability_data as data
from tracker.extensions import db
from tracker.models import Flag
from tracker.services import accountability
from tracker.services.errors import Conflict, InvalidInput


def _flag(make, status="raised") -> Flag:
    flag = Flag(rule="long_overdue", unit_id=make.unit().id, period="2026-06", evidence={},
                proposed_action="accountability", status=status, raised_at=data.NOW)
    db.session.add(flag)
    db.session.flush()
    return flag


@pytest.mark.parametrize("opinion", ["", "  ", None, "x" * 2001])
def test_the_review_needs_an_opinion(make, opinion):
    flag = _flag(make)
    with pytest.raises(InvalidInput) as error:
        accountability.review(make.actor(make.user("office")), flag, opinion)
    assert "opinion" in error.value.fields and flag.status == "raised" and not flag.events


def test_the_review_keeps_its_opinion(make):
    flag = _flag(make)
    accountability.review(make.actor(make.user("office")), flag, " 证据属实 ")
    assert (flag.status, flag.review_opinion) == ("under_review", "证据属实")
    assert flag.events[-1].text == "证据属实"


def test_a_leader_rejects_a_proposed_exemption(make):
    office, leader = make.actor(make.user("office")), make.actor(make.user("leader"))
    flag = _flag(make)
    accountability.review(office, flag, "属实")
    with pytest.raises(Conflict):
        accountability.reject_exemption(leader, flag, "无申请")  # nothing proposed yet
    accountability.propose_exemption(office, flag, "改革探索中的失误")
    assert accountability.exemption_pending(flag)
    with pytest.raises(InvalidInput) as error:
        accountability.reject_exemption(leader, flag, " ")
    assert "reason" in error.value.fields
    accountability.reject_exemption(leader, flag, "不符合容错情形")
    assert (flag.status, flag.exemption_rejection_reason) == ("under_review", "不符合容错情形")
    assert not accountability.exemption_pending(flag)
    assert [e.action for e in flag.events][-1] == "reject_exemption"
    for step in (lambda: accountability.reject_exemption(leader, flag, "再驳"),
                 lambda: accountability.approve_exemption(leader, flag, "改批"),
                 lambda: accountability.propose_exemption(office, flag, "再提")):
        with pytest.raises(Conflict):
            step()
    accountability.decide(leader, flag, action="interview", reasons="约谈")
    assert flag.status == "decided"
    with pytest.raises(Conflict):
        accountability.reject_exemption(leader, flag, "已决定")


def test_a_rejected_exemption_is_no_longer_pending_in_the_register(make):
    office, leader = make.actor(make.user("office")), make.actor(make.user("leader"))
    flag = _flag(make)
    accountability.review(office, flag, "属实")
    accountability.propose_exemption(office, flag, "理由")
    query = accountability.flags_query(leader.user, status="under_review", exemption="proposed")
    assert db.session.scalars(query).all() == [flag]
    accountability.reject_exemption(leader, flag, "不予免责")
    assert db.session.scalars(query).all() == []
