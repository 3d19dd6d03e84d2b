"""What waits on a person reaches their inbox the moment the step is taken: one message per event,
to those who act on it and nobody else, with the link to the page where they act, in Chinese and
in the working language, and never twice (the daily reminders of the same events send nothing more)."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from tests import accountability_data as data
from tests.factories import notice_input
from tracker.extensions import db
from tracker.models import ChatDelivery, Flag, Notification
from tracker.services import (
    accountability,
    bulletins,
    ledger,
    ledger_drafts,
    notices,
    notifications,
    work_chat,
)
from tracker.services.audit import Actor

PDF = b"%PDF-1.4\n" + b"0" * 200


@pytest.fixture
def people(make):
    leader, other_leader = make.user("leader", display_name="分管局领导"), make.user("leader")
    school = make.unit(name="城关第一小学", leader_user_id=leader.id)
    neighbour = make.unit(name="城关第二小学")
    return {
        "school": school,
        "neighbour": neighbour,
        "head": make.user("unit_head", unit=school),
        "member": make.user("unit_member", unit=school),
        "neighbour_head": make.user("unit_head", unit=neighbour),
        "office": make.user("office"),
        "office2": make.user("office"),
        "leader": leader,
        "other_leader": other_leader,
        "admin": make.user("admin"),
        "make": make,
    }


def received(kind: str) -> dict[int, Notification]:
    """The messages of ``kind``, by recipient (one each)."""
    rows = db.session.scalars(select(Notification).where(Notification.kind == kind)).all()
    by_user = {row.user_id: row for row in rows}
    assert len(by_user) == len(rows)
    return by_user


def ids(people, *names) -> set[int]:
    return {people[name].id for name in names}


def _flag(people, as_of=date(2026, 7, 5)) -> Flag:
    """A notice 15 days overdue raises 久拖不决 on the school when the rules run."""
    data.notice(people["school"], as_of - timedelta(days=15), status="issued")
    db.session.commit()
    (flag,) = accountability.evaluate(Actor(None, None, data.NOW), as_of)
    return flag


def test_a_flag_raised_tells_the_unit_and_the_office(people):
    flag = _flag(people)
    told = received("flag_raised")
    assert set(told) == ids(people, "head", "member")  # not the neighbour, not the leaders
    rule = str(accountability.FlagRule.label_of("long_overdue"))
    assert {n.title for n in told.values()} == {f"本单位被标记问责：{rule}，{flag.period}。"}
    assert {n.link for n in told.values()} == {f"/accountability/{flag.id}"}
    review = received("flag")
    assert set(review) == ids(people, "office", "office2")
    assert {n.title for n in review.values()} == {f"问责标记待复核：城关第一小学，{rule}，{flag.period}。"}
    assert {n.link for n in review.values()} == {f"/accountability/{flag.id}"}
    assert accountability.evaluate(Actor(None, None, data.NOW), date(2026, 7, 6)) == []
    assert len(received("flag_raised")) == 2


def test_a_reviewed_flag_tells_the_leader_in_charge_once(people):
    make = people["make"]
    flag = _flag(people)
    accountability.review(make.actor(people["office"]), flag, "证据属实")
    db.session.commit()
    waiting = {n.user_id: n for n in received("flag").values() if n.event_key.endswith(":under_review")}
    assert set(waiting) == ids(people, "leader")  # the leader in charge, not every leader
    rule = str(accountability.FlagRule.label_of("long_overdue"))
    (message,) = waiting.values()
    assert (message.title, message.body, message.link) == (
        f"问责标记待决定：城关第一小学，{rule}，{flag.period}。",
        "证据属实",
        f"/accountability/{flag.id}",
    )
    before = db.session.query(Notification).count()
    accountability.remind(date(2026, 7, 6), data.NOW)  # the morning reminder: already told
    assert db.session.query(Notification).count() == before


def test_a_flag_of_a_unit_without_a_leader_in_charge_tells_every_leader(people):
    make = people["make"]
    people["school"].leader_user_id = None
    flag = _flag(people)
    accountability.review(make.actor(people["office"]), flag, "证据属实")
    waiting = [
        n
        for n in db.session.scalars(
            select(Notification).where(Notification.event_key == f"flag:{flag.id}:under_review")
        )
    ]
    assert {n.user_id for n in waiting} == ids(people, "leader", "other_leader")


def test_a_proposed_exemption_tells_the_leader_in_charge(people):
    make = people["make"]
    flag = _flag(people)
    accountability.review(make.actor(people["office"]), flag, "证据属实")
    accountability.propose_exemption(make.actor(people["office"]), flag, "改革探索中的失误")
    proposed = db.session.scalars(
        select(Notification).where(Notification.event_key == f"flag:{flag.id}:exemption")
    ).all()
    assert {n.user_id for n in proposed} == ids(people, "leader")
    rule = str(accountability.FlagRule.label_of("long_overdue"))
    assert [(n.title, n.body, n.link) for n in proposed] == [
        (
            f"容错免责待审批：城关第一小学，{rule}，{flag.period}。",
            "改革探索中的失误",
            f"/accountability/{flag.id}",
        )
    ]
    before = db.session.query(Notification).count()
    accountability.remind(date(2026, 7, 6), data.NOW)
    assert db.session.query(Notification).count() == before


def test_a_bulletin_awaits_the_leaders_returned_to_the_office_and_submitted_again(people):
    make = people["make"]
    bulletin, _created = bulletins.generate(make.actor(people["office"]), "monthly", "2026-06")
    told = received("bulletin_approval")
    assert set(told) == ids(people, "leader", "other_leader")
    assert {(n.title, n.link) for n in told.values()} == {
        (f"通报待审批：{bulletin.title}", f"/bulletins/{bulletin.id}")
    }
    bulletins.return_to_office(make.actor(people["leader"]), bulletin, "请补充投诉办理分析。")
    returned = received("bulletin_returned")
    assert set(returned) == ids(people, "office", "office2")
    assert {(n.title, n.body, n.link) for n in returned.values()} == {
        (f"通报被退回修改：{bulletin.title}", "请补充投诉办理分析。", f"/bulletins/{bulletin.id}")
    }
    bulletins.resubmit(make.actor(people["office"]), bulletin)
    again = db.session.scalars(
        select(Notification).where(
            Notification.kind == "bulletin_approval",
            Notification.event_key != f"bulletin-approval:{bulletin.id}",
        )
    )
    assert {n.user_id for n in again} == ids(people, "leader", "other_leader")
    db.session.commit()
    before = db.session.query(Notification).where(Notification.kind == "bulletin_approval").count()
    notifications.sweep(date(2026, 7, 2), make.actor().now)  # the daily reminder: already told
    assert db.session.query(Notification).where(Notification.kind == "bulletin_approval").count() == before


def test_a_notice_reported_rectified_tells_the_office(people, tmp_path):
    make = people["make"]
    notice = notices.issue(
        make.actor(people["office"]),
        notice_input(
            unit_id=people["school"].id,
            source_type="inspection",
            problems="值班脱岗",
            requirements="立即整改",
            due_on=(make.actor().today + timedelta(days=10)).isoformat(),
        ),
    )
    notices.acknowledge(make.actor(people["head"]), notice)
    notices.report(
        make.actor(people["member"]),
        notice,
        text="已整改",
        files=[notices.Upload(io.BytesIO(PDF), "佐证.pdf")],
        upload_folder=str(tmp_path),
    )
    told = received("notice_reported")
    assert set(told) == ids(people, "office", "office2")
    assert {(n.title, n.link) for n in told.values()} == {
        (f"整改情况待验收：教作整改{notice.doc_number}，城关第一小学。", f"/notices/{notice.id}")
    }


def test_a_completion_claim_tells_the_office(people, tmp_path):
    make = people["make"]
    task = make.task(make.measure(make.plan()), people["school"], title="校园安全排查")
    ledger.add_entry(make.actor(people["head"]), task, percent=60, narrative="过半", upload_folder=tmp_path)
    assert received("claim") == {}  # not done yet: nothing to verify
    entry = ledger.add_entry(
        make.actor(people["head"]), task, percent=100, narrative="已完成", upload_folder=tmp_path
    )
    told = received("claim")
    assert set(told) == ids(people, "office", "office2")
    assert {(n.title, n.link, n.event_key) for n in told.values()} == {
        ("任务待兑账：校园安全排查，城关第一小学。", "/verification", f"claim:{task.id}:{entry.id}")
    }


def test_a_claim_on_a_task_of_a_draft_plan_waits_on_nobody(people, tmp_path):
    make = people["make"]
    task = make.task(make.measure(make.plan(status="draft")), people["school"])
    ledger.add_entry(
        make.actor(people["head"]), task, percent=100, narrative="已完成", upload_folder=tmp_path
    )
    assert received("claim") == {}


def test_a_paper_ledger_the_office_brings_in_at_100_percent_tells_nobody(people, tmp_path):
    make = people["make"]
    task = make.task(make.measure(make.plan()), people["school"])
    ledger.add_entry(
        make.actor(people["office"]), task, percent=100, narrative="纸质台账：已完成", upload_folder=tmp_path
    )
    assert received("claim") == {}


def test_the_messages_are_written_in_the_working_language_whoever_acts(people):
    """An inbox and a group are read by many: a step taken in English still writes Chinese."""
    make = people["make"]
    with force_locale("en"):
        bulletin, _created = bulletins.generate(make.actor(people["office"]), "monthly", "2026-06")
        bulletins.return_to_office(make.actor(people["leader"]), bulletin, "Add the complaints.")
    assert {n.title for n in received("bulletin_approval").values()} == {
        f"通报待审批：{bulletin.title}"
    }
    assert {n.title for n in received("bulletin_returned").values()} == {
        f"通报被退回修改：{bulletin.title}"
    }


def test_a_group_reads_the_title_and_the_link_never_the_comment(app, people):
    app.config["BASE_URL"] = "https://tracker.example.cn"
    make = people["make"]
    office_unit = make.unit(name="作风整顿办公室", kind="office")
    for unit, key in ((people["school"], "school-key"), (office_unit, "office-key")):
        work_chat.save_robot(
            make.actor(people["admin"]),
            unit,
            work_chat.RobotInput("wecom", f"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key={key}", ""),
        )
    flag = _flag(people)
    (message,) = db.session.scalars(select(ChatDelivery).where(ChatDelivery.unit_id == people["school"].id))
    assert message.event_key == f"flag-raised:{flag.id}"
    text = str(message.payload)
    assert "本单位被标记问责" in text and f"https://tracker.example.cn/accountability/{flag.id}" in text
    assert (
        db.session.scalars(select(ChatDelivery).where(ChatDelivery.unit_id == people["neighbour"].id)).all()
        == []
    )
    bulletin, _created = bulletins.generate(make.actor(people["office"]), "monthly", "2026-06")
    bulletins.return_to_office(make.actor(people["leader"]), bulletin, "请补充投诉办理分析。")
    (returned,) = db.session.scalars(
        select(ChatDelivery).where(ChatDelivery.event_key.like(f"bulletin-returned:{bulletin.id}:%"))
    )
    assert returned.unit_id == office_unit.id
    assert "通报被退回修改" in str(returned.payload) and "投诉办理分析" not in str(returned.payload)


def test_a_members_draft_goes_to_the_head_and_back_to_the_member(people, tmp_path):
    make = people["make"]
    task = make.task(make.measure(make.plan()), people["school"], title="校园安全排查")
    draft = ledger_drafts.create(
        make.actor(people["member"]), task, percent=40, narrative="过半", upload_folder=tmp_path
    )
    ready = received("draft_ready")
    assert set(ready) == ids(people, "head")  # not the neighbour's head, not the office
    assert [(n.title, n.link) for n in ready.values()] == [
        ("台账草稿待提交：校园安全排查", f"/drafts/{draft.id}")
    ]
    ledger_drafts.return_draft(make.actor(people["head"]), draft, comment="数据有误")
    returned = received("draft_returned")
    assert set(returned) == ids(people, "member")
    assert [(n.title, n.body, n.link) for n in returned.values()] == [
        ("台账草稿被退回：校园安全排查", "数据有误", f"/drafts/{draft.id}")
    ]


def test_every_recipient_opens_the_page_the_message_links_to(client, login, people, tmp_path):
    make = people["make"]
    office = make.actor(people["office"])
    flag = _flag(people)
    accountability.review(office, flag, "证据属实")
    accountability.propose_exemption(office, flag, "改革探索中的失误")
    bulletin, _created = bulletins.generate(office, "monthly", "2026-06")
    bulletins.return_to_office(make.actor(people["leader"]), bulletin, "请补充投诉办理分析。")
    notice = notices.issue(
        office,
        notice_input(
            unit_id=people["school"].id,
            source_type="inspection",
            problems="值班脱岗",
            requirements="立即整改",
            due_on=(make.actor().today + timedelta(days=10)).isoformat(),
        ),
    )
    notices.acknowledge(make.actor(people["head"]), notice)
    notices.report(make.actor(people["head"]), notice, text="已整改", upload_folder=str(tmp_path))
    task = make.task(make.measure(make.plan()), people["school"])
    ledger.add_entry(
        make.actor(people["head"]), task, percent=100, narrative="已完成", upload_folder=tmp_path
    )
    db.session.commit()
    messages = db.session.scalars(select(Notification).order_by(Notification.user_id, Notification.id)).all()
    kinds = {n.kind for n in messages}
    assert {
        "flag_raised",
        "flag",
        "bulletin_approval",
        "bulletin_returned",
        "notice_reported",
        "claim",
    } <= kinds
    users = {
        user.id: user
        for user in (people[name] for name in people if name not in ("school", "neighbour", "make"))
    }
    for user_id in sorted({n.user_id for n in messages}):
        login(users[user_id])
        for message in (n for n in messages if n.user_id == user_id):
            assert client.get(message.link).status_code == 200, (message.kind, message.link)
        client.post("/logout")
