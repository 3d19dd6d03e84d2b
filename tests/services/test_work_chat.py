"""Work chat: WeCom and DingTalk group robots get the units' reminders through one outbox.

The robots are a loopback server (tests/chat_robots.py) that checks DingTalk's
signature; the sender is driven with explicit moments, so the retries' delays
are stepped through without waiting.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from tests.chat_robots import RobotServer
from tests.factories import complaint_input
from tracker import clock, jobs
from tracker.extensions import db
from tracker.models import AuditEvent, ChatDelivery
from tracker.services import complaints, notifications, settings, work_chat
from tracker.services.audit import Actor
from tracker.services.errors import Conflict, InvalidInput

NOW = datetime(2026, 10, 20, 0, 0, tzinfo=UTC)
TODAY = date(2026, 10, 20)
SITE = "https://zfzd.example.edu.cn"
SECRET = "SEC" + "0123456789abcdef" * 4
COMPLAINANT, CONTACT = "张三丰", "13800001234"


def act(user=None, now=NOW) -> Actor:
    return Actor(user, "127.0.0.1", now)


@pytest.fixture
def robots(app):
    app.config["CHAT_ALLOW_HTTP_LOOPBACK"] = True
    with RobotServer(secrets={"ding-token-b": SECRET}) as server:
        yield server


@pytest.fixture
def bureau(make, robots):
    """Two schools (WeCom; DingTalk signed), the office's group (DingTalk), one overdue task each."""
    office_unit = make.unit(name="作风整顿办公室", kind="office", peer_group="bureau")
    a, b = make.unit(name="第一小学"), make.unit(name="第二小学")
    make.user("unit_head", unit=a)
    make.user("unit_head", unit=b)
    office = make.user("office", unit=office_unit)
    settings.update(act(office), {"site.base_url": SITE})
    work_chat.save_robot(act(office), a, work_chat.RobotInput("wecom", robots.wecom_url("wecom-key-a"), ""))
    work_chat.save_robot(act(office), b, work_chat.RobotInput(
        "dingtalk", robots.dingtalk_url("ding-token-b"), SECRET))
    work_chat.save_robot(act(office), office_unit, work_chat.RobotInput(
        "dingtalk", robots.dingtalk_url("ding-token-office"), ""))
    measure = make.measure(make.plan())
    task_a = make.task(measure, a, starts_on="2026-09-01", due_on="2026-10-10", title="甲校食堂整改")
    task_b = make.task(measure, b, starts_on="2026-09-01", due_on="2026-10-10", title="乙校作业公示")
    db.session.commit()
    return {"a": a, "b": b, "office": office, "office_unit": office_unit, "task_a": task_a,
            "task_b": task_b}


def deliveries(unit=None) -> list[ChatDelivery]:
    stmt = select(ChatDelivery).order_by(ChatDelivery.id)
    if unit is not None:
        stmt = stmt.where(ChatDelivery.unit_id == unit.id)
    return list(db.session.scalars(stmt))


def test_reminders_reach_each_units_group_in_its_robots_format(bureau, robots):
    notifications.sweep(TODAY, NOW)
    db.session.commit()
    assert [d.status for d in deliveries()] == ["pending", "pending"]
    notifications.sweep(TODAY, NOW)  # the same events again: nothing new in the outbox
    assert len(deliveries()) == 2
    assert jobs.deliver_chat(NOW) == {"sent": 2, "not_sent": 0}

    [wecom] = robots.for_robot("wecom-key-a")
    assert wecom.path == "/cgi-bin/webhook/send" and wecom.body["msgtype"] == "markdown"
    content = wecom.body["markdown"]["content"]
    assert "任务已逾期：甲校食堂整改" in content and "完成时限 2026-10-10" in content
    assert f"({SITE}/tasks/{bureau['task_a'].id})" in content
    assert "乙校" not in content  # a group hears only of its own unit

    [ding] = robots.for_robot("ding-token-b")
    assert ding.path == "/robot/send" and ding.signature_ok is True
    assert ding.body["msgtype"] == "markdown"
    assert ding.body["markdown"]["title"] == "任务已逾期：乙校作业公示"
    assert f"({SITE}/tasks/{bureau['task_b'].id})" in ding.body["markdown"]["text"]
    assert "甲校" not in json.dumps(ding.body, ensure_ascii=False)
    assert robots.for_robot("ding-token-office") == []  # unit reminders stay with the units

    db.session.expire_all()
    assert {d.status for d in deliveries()} == {"sent"}
    assert all(d.attempts == 1 and d.sent_at == NOW for d in deliveries())
    assert jobs.deliver_chat(NOW + timedelta(hours=1)) == {"sent": 0, "not_sent": 0}


def test_failures_are_retried_later_then_marked_failed_with_the_error(bureau, robots):
    robots.answers.update({"wecom-key-a": "http500", "ding-token-b": "errcode"})
    settings.update(act(bureau["office"]), {"chat.max_attempts": "3"})
    notifications.sweep(TODAY, NOW)
    db.session.commit()
    assert jobs.deliver_chat(NOW) == {"sent": 0, "not_sent": 2}
    db.session.expire_all()
    a, b = deliveries(bureau["a"])[0], deliveries(bureau["b"])[0]
    assert (a.status, a.attempts, a.last_error) == ("pending", 1, "HTTP 500")
    assert (b.status, b.attempts) == ("pending", 1)
    assert b.last_error.startswith("errcode 310000")
    assert a.next_attempt_at == NOW + timedelta(minutes=5)
    assert jobs.deliver_chat(NOW + timedelta(minutes=1)) == {"sent": 0, "not_sent": 0}  # not yet
    assert jobs.deliver_chat(NOW + timedelta(minutes=5))["not_sent"] == 2
    db.session.expire_all()
    assert deliveries(bureau["a"])[0].next_attempt_at == NOW + timedelta(minutes=15)  # 5 + 10
    assert jobs.deliver_chat(NOW + timedelta(minutes=15))["not_sent"] == 2
    db.session.expire_all()
    assert [(d.status, d.attempts) for d in deliveries()] == [("failed", 3), ("failed", 3)]
    assert len(robots.for_robot("wecom-key-a")) == 3
    assert jobs.deliver_chat(NOW + timedelta(days=1)) == {"sent": 0, "not_sent": 0}

    # sent again from the administrator's list, once the robot works
    robots.answers.clear()
    failed = deliveries(bureau["a"])[0]
    later = NOW + timedelta(days=1)
    work_chat.retry(act(bureau["office"], later), failed)
    db.session.commit()
    assert jobs.deliver_chat(later) == {"sent": 1, "not_sent": 0}
    db.session.expire_all()
    assert deliveries(bureau["a"])[0].status == "sent"
    with pytest.raises(Conflict):
        work_chat.retry(act(bureau["office"], later), deliveries(bureau["a"])[0])


def test_a_complaint_reaches_only_its_units_group_without_the_complainants_identity(bureau, robots):
    office = bureau["office"]
    complaint = complaints.submit(act(), complaint_input(
        category="buck_passing", name=COMPLAINANT, contact=CONTACT, unit_id=bureau["a"].id,
        description=f"我是{COMPLAINANT}，电话{CONTACT}，窗口推诿扯皮"))
    complaints.accept(act(office), complaint)
    complaints.dispatch(act(office), complaint, bureau["a"].id)
    db.session.commit()
    complaints.remind(complaint.reply_due_on + timedelta(days=2), NOW)  # overdue
    db.session.commit()
    queued = deliveries()
    assert {d.unit_id for d in queued} == {bureau["a"].id} and len(queued) == 2
    jobs.deliver_chat(NOW)
    assert robots.for_robot("wecom-key-a") and not robots.for_robot("ding-token-b")
    for text in [json.dumps(d.payload, ensure_ascii=False) for d in deliveries()] + [
            json.dumps(r.body, ensure_ascii=False) for r in robots.received]:
        assert COMPLAINANT not in text and CONTACT not in text
        assert f"/complaints/{complaint.id}" in text


def test_office_level_events_go_to_the_offices_group(bureau, robots, make):
    from tracker.services import bulletins

    make.user("leader")
    bulletins.generate(act(), "monthly", "2026-09")
    db.session.commit()
    notifications.sweep(TODAY, NOW)
    db.session.commit()
    [office_message] = deliveries(bureau["office_unit"])
    assert "待审批" in office_message.payload["markdown"]["title"]
    jobs.deliver_chat(NOW)
    [received] = robots.for_robot("ding-token-office")
    assert received.signature_ok is None and "timestamp" not in received.query  # unsigned robot


def test_robot_addresses_are_checked_stored_whole_and_shown_masked(app, make, robots):
    office = make.user("office")
    unit = make.unit()
    check = work_chat.check_url
    assert check("wecom", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abcd1234-ef")
    assert check("dingtalk", "https://oapi.dingtalk.com/robot/send?access_token=0123456789abcdef")
    for kind, url in [
        ("wecom", "http://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abcd1234"),  # not https
        ("wecom", "https://evil.example.com/cgi-bin/webhook/send?key=abcd1234"),
        ("wecom", "https://qyapi.weixin.qq.com.evil.cn/cgi-bin/webhook/send?key=abcd1234"),
        ("wecom", "https://oapi.dingtalk.com/robot/send?access_token=abcd1234"),  # the other kind
        ("dingtalk", "https://oapi.dingtalk.com/robot/send?access_token=abcd1234&x=1"),
        ("dingtalk", "https://user@oapi.dingtalk.com/robot/send?access_token=abcd1234"),
        ("dingtalk", "http://10.0.0.1/robot/send?access_token=abcd1234"),
        ("dingtalk", "javascript:alert(1)"),
    ]:
        with pytest.raises(ValueError):
            check(kind, url)
    app.config["CHAT_ALLOW_HTTP_LOOPBACK"] = False
    with pytest.raises(ValueError):  # loopback only where the configuration allows it (tests)
        check("wecom", robots.wecom_url("abcd1234"))
    app.config["CHAT_ALLOW_HTTP_LOOPBACK"] = True

    with pytest.raises(InvalidInput) as error:
        work_chat.save_robot(act(office), unit, work_chat.RobotInput("wecom", robots.wecom_url("k"), SECRET))
    assert set(error.value.fields) == {"url", "secret"}
    with pytest.raises(InvalidInput) as error:
        work_chat.save_robot(act(office), unit, work_chat.RobotInput(
            "dingtalk", robots.dingtalk_url("token-1234"), "not-a-secret"))
    assert set(error.value.fields) == {"secret"}

    url = robots.dingtalk_url("token-1234567890")
    robot = work_chat.save_robot(act(office), unit, work_chat.RobotInput("dingtalk", url, SECRET))
    assert (robot.url, robot.secret) == (url, SECRET)
    # a change of kind needs the new robot's address; blank fields keep what is stored
    with pytest.raises(InvalidInput):
        work_chat.save_robot(act(office), unit, work_chat.RobotInput("wecom", "", ""))
    work_chat.save_robot(act(office), unit, work_chat.RobotInput("dingtalk", "", ""))
    assert (robot.url, robot.secret) == (url, SECRET)
    work_chat.save_robot(act(office), unit, work_chat.RobotInput("dingtalk", "", "", clear_secret=True))
    assert robot.secret is None
    assert work_chat.mask_url(url).endswith("access_token=toke…")
    assert work_chat.mask_secret(SECRET) == "SEC…ef"
    work_chat.remove_robot(act(office), robot)
    db.session.commit()
    assert work_chat.robot_of(unit.id) is None
    events = db.session.scalars(select(AuditEvent).where(
        AuditEvent.object_type == "chat_robots").order_by(AuditEvent.id)).all()
    assert [e.action for e in events] == ["chat_robot.save", "chat_robot.save", "chat_robot.save",
                                          "chat_robot.remove"]
    logged = json.dumps([e.changes for e in events], ensure_ascii=False)
    assert "token-1234567890" not in logged and SECRET not in logged and "toke…" in logged


def test_a_removed_robot_fails_its_waiting_messages(bureau, robots):
    notifications.sweep(TODAY, NOW)
    db.session.commit()
    work_chat.remove_robot(act(bureau["office"]), work_chat.robot_of(bureau["a"].id))
    db.session.commit()
    jobs.deliver_chat(NOW)
    db.session.expire_all()
    [waiting] = deliveries(bureau["a"])
    assert waiting.attempts == 1 and waiting.last_error  # retried later, then failed


def test_the_reminders_job_posts_its_messages_after_its_commit(make, robots, app):
    unit = make.unit()
    make.user("unit_head", unit=unit)
    office = make.user("office")
    work_chat.save_robot(act(office), unit, work_chat.RobotInput("wecom", robots.wecom_url("job-key-1"), ""))
    today = clock.today()
    make.task(make.measure(make.plan()), unit, starts_on=today - timedelta(days=40),
              due_on=today - timedelta(days=2), title="逾期任务")
    db.session.commit()
    run = jobs.execute("reminders", as_of=today)
    assert run.outcome == "succeeded"
    [received] = robots.for_robot("job-key-1")
    assert "逾期任务" in received.body["markdown"]["content"]
    assert jobs.execute("chat_deliveries").outcome == "succeeded"
    assert len(robots.for_robot("job-key-1")) == 1
