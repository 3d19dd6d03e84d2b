"""Notices: the preview consumes no number, issuing takes exactly one, withdrawal before acknowledgement."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from tests.factories import notice_input
from tests.races import race
from tracker import clock
from tracker.extensions import db
from tracker.models import AuditEvent, Notice, NoticeEvent, Notification
from tracker.services import accountability, integrity, notices, periods
from tracker.services.audit import Actor
from tracker.services.errors import Conflict, InvalidInput

NOW = datetime(2026, 10, 15, 2, 0, tzinfo=UTC)
TODAY = date(2026, 10, 15)


def at(user, when=NOW):
    return Actor(user, "127.0.0.1", when)


@pytest.fixture
def people(make):
    school = make.unit(name="实验小学")
    return {"office": make.user("office"), "head": make.user("unit_head", unit=school), "school": school}


def _values(people, due=TODAY + timedelta(days=10), **values):
    return notice_input(unit_id=people["school"].id, due_on=due, source_type="inspection",
                        problems="上班时间玩手机", requirements="立即整改", **values)


def _counts():
    return {m.__name__: db.session.scalar(select(func.count()).select_from(m))
            for m in (Notice, NoticeEvent, AuditEvent)}


def test_the_preview_consumes_nothing_and_issuing_takes_exactly_one_number(people):
    before = _counts()
    first = notices.preview(at(people["office"]), _values(people))
    again = notices.preview(at(people["office"]), _values(people))
    db.session.commit()
    assert first.doc_number == again.doc_number == "〔2026〕1号"
    assert first not in db.session and _counts() == before
    issued = notices.issue(at(people["office"]), _values(people))
    db.session.commit()
    assert issued.doc_number == first.doc_number
    after = _counts()
    assert (after["Notice"], after["NoticeEvent"]) == (before["Notice"] + 1, before["NoticeEvent"] + 1)
    assert notices.preview(at(people["office"]), _values(people)).doc_number == "〔2026〕2号"


def test_the_preview_refuses_what_issuing_refuses(people):
    with pytest.raises(InvalidInput) as refused:
        notices.preview(at(people["office"]), _values(people, due=TODAY - timedelta(days=1)))
    assert set(refused.value.fields) == {"due_on"}


def test_a_withdrawn_notice_keeps_its_number_and_leaves_every_count(people):
    notice = notices.issue(at(people["office"]), _values(people, due=TODAY + timedelta(days=1)))
    db.session.commit()
    assert notices.colour_counts(people["office"], TODAY)["orange"] == 1
    with pytest.raises(InvalidInput) as refused:
        notices.withdraw(at(people["office"]), notice, reason="  ")
    assert set(refused.value.fields) == {"reason"}
    notices.withdraw(at(people["office"]), notice, reason="发错单位")
    db.session.commit()
    assert notice.status == "withdrawn" and notice.doc_number == "〔2026〕1号"
    assert [e.action for e in notices.events_of(notice)] == ["issue", "withdraw"]
    assert notices.events_of(notice)[-1].text == "发错单位"
    audit = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "notice.withdraw"))
    assert audit.changes == {"status": ["issued", "withdrawn"], "reason": [None, "发错单位"]}
    told = db.session.scalars(select(Notification).where(Notification.kind == "notice_withdrawn")).all()
    assert [n.user_id for n in told] == [people["head"].id] and told[0].body == "发错单位"
    # the number is never used again
    assert notices.issue(at(people["office"]), _values(people)).doc_number == "〔2026〕2号"
    db.session.commit()
    # out of the colours, the bulletins and the accountability rules, even long after its deadline
    later = TODAY + timedelta(days=60)
    assert notices.colour_counts(people["office"], later) == {"blue": 0, "orange": 0, "red": 1}
    assert [n.id for n in db.session.scalars(notices.list_query(
        people["office"], as_of=later, colour_="red"))] != [notice.id]
    assert [n.id for n in db.session.scalars(notices.list_query(
        people["office"], as_of=later, status="withdrawn"))] == [notice.id]
    section = notices.bulletin_section(periods.parse_period("monthly", "2026-10"))
    assert section["issued"] == 1 and section["open"] == 1
    assert notice.id not in {n.id for n in accountability.open_notices(later, 14)}
    assert notices.remind(later, NOW + timedelta(days=60)) == 2  # the other notice only: unit + office
    assert integrity.check("/nonexistent", TODAY).problems == []


def test_withdrawal_only_before_acknowledgement(people):
    notice = notices.issue(at(people["office"]), _values(people))
    notices.acknowledge(at(people["head"]), notice)
    db.session.commit()
    with pytest.raises(Conflict):
        notices.withdraw(at(people["office"]), notice, reason="发错单位")
    withdrawn = notices.issue(at(people["office"]), _values(people))
    notices.withdraw(at(people["office"]), withdrawn, reason="重复下发")
    db.session.commit()
    with pytest.raises(Conflict):
        notices.acknowledge(at(people["head"]), withdrawn)
    with pytest.raises(Conflict):
        notices.withdraw(at(people["office"]), withdrawn, reason="再次撤回")


def test_withdrawal_and_acknowledgement_race_and_exactly_one_wins(app, make, token):
    office, school = make.user("office"), make.unit(kind="school")
    head = make.user("unit_head", unit=school)
    notice = notices.issue(make.actor(office), notice_input(
        unit_id=school.id, source_type="inspection", problems="问题", requirements="要求",
        due_on=clock.today() + timedelta(days=7)))
    db.session.commit()
    notice_id = notice.id
    office_headers, head_headers = token(office), token(head)

    def step(client, index):
        if index % 2:
            return client.post(f"/api/v1/notices/{notice_id}/withdraw", json={"reason": "发错单位"},
                               headers=office_headers).status_code
        return client.post(f"/api/v1/notices/{notice_id}/acknowledge", headers=head_headers).status_code

    statuses = race(app, 4, step)
    assert sorted(statuses) == [200, 409, 409, 409], statuses
    steps = db.session.scalar(select(func.count()).select_from(NoticeEvent).where(
        NoticeEvent.notice_id == notice_id, NoticeEvent.action.in_(("withdraw", "acknowledge"))))
    assert steps == 1
    assert db.session.get(Notice, notice_id).status in ("withdrawn", "acknowledged")
