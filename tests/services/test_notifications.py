"""Reminders: exactly one per event; e-mail through a local SMTP server."""

import asyncio
import socket
import threading
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from tracker.extensions import db
from tracker.models import Notification
from tracker.services import bulletins, notifications, supervision
from tracker.services.audit import Actor

NOW = datetime(2026, 10, 20, 0, 0, tzinfo=UTC)


def count(kind=None) -> int:
    stmt = select(func.count()).select_from(Notification)
    if kind:
        stmt = stmt.where(Notification.kind == kind)
    return db.session.scalar(stmt)


def test_one_reminder_per_event(make):
    unit = make.unit()
    head, member = make.user("unit_head", unit=unit), make.user("unit_member", unit=unit)
    leader = make.user("leader")
    plan = make.plan()
    measure = make.measure(plan)
    soon = make.task(measure, unit, starts_on="2026-10-01", due_on="2026-10-22", title="将到期")
    make.entry(soon, 90, "2026-10-19")  # at this pace done on 10-21: not projected late
    late = make.task(measure, unit, starts_on="2026-09-01", due_on="2026-10-10", title="已逾期")
    make.entry(late, 90, "2026-10-19")
    assert notifications.sweep(date(2026, 10, 20), NOW) == 4  # two tasks × two people
    assert {n.kind for n in db.session.scalars(select(Notification))} == {"task_due_soon", "task_overdue"}
    db.session.commit()
    assert notifications.sweep(date(2026, 10, 21), NOW) == 0  # the next day: nothing new
    # a finding on the unit and a draft bulletin for the leader, once each
    supervision.start_round(Actor(None, None, NOW), date(2026, 10, 12))
    bulletins.generate(Actor(None, None, NOW), "monthly", "2026-09")
    notifications.sweep(date(2026, 10, 21), NOW)
    notifications.sweep(date(2026, 10, 22), NOW)
    assert count("finding") == 4 and count("bulletin_approval") == 1  # two findings × two people
    assert notifications.unread_count(leader) == 1
    notifications.mark_all_read(head, NOW)
    assert notifications.unread_count(head) == 0 and notifications.unread_count(member) > 0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Inbox:
    """A tiny SMTP server on loopback that keeps what it receives."""

    def __init__(self):
        self.messages: list[str] = []
        self.port = _free_port()
        self.loop = asyncio.new_event_loop()
        self.ready = threading.Event()

    async def handle(self, reader, writer):
        async def say(line: str):
            writer.write((line + "\r\n").encode())
            await writer.drain()

        await say("220 localhost ESMTP")
        data, in_data = [], False
        while line := await reader.readline():
            text = line.decode(errors="replace").rstrip("\r\n")
            if in_data:
                if text == ".":
                    self.messages.append("\n".join(data))
                    data, in_data = [], False
                    await say("250 OK")
                else:
                    data.append(text)
            elif text.upper().startswith(("EHLO", "HELO")):
                await say("250 localhost")
            elif text.upper() == "DATA":
                in_data = True
                await say("354 go on")
            elif text.upper() == "QUIT":
                await say("221 bye")
                break
            else:
                await say("250 OK")
        writer.close()

    def run(self):
        asyncio.set_event_loop(self.loop)
        self.server = self.loop.run_until_complete(
            asyncio.start_server(self.handle, "127.0.0.1", self.port))
        self.ready.set()
        self.loop.run_forever()

    def stop(self):
        self.server.close()
        self.loop.call_soon_threadsafe(self.loop.stop)


@pytest.fixture
def smtp():
    inbox = Inbox()
    thread = threading.Thread(target=inbox.run, daemon=True)
    thread.start()
    inbox.ready.wait(5)
    yield inbox
    inbox.stop()
    thread.join(5)
    inbox.loop.close()


def test_a_task_projected_late_is_announced_once_a_week(make):
    unit = make.unit()
    head = make.user("unit_head", unit=unit)
    slow = make.task(make.measure(make.plan()), unit, starts_on="2026-10-01", due_on="2026-11-30", title="偏慢")
    make.entry(slow, 20, "2026-10-19")  # 20 % in 18 days: done 2026-12-30 at this pace
    assert notifications.sweep(date(2026, 10, 20), NOW) == 1
    [note] = db.session.scalars(select(Notification).where(Notification.kind == "task_projected_late"))
    assert note.user_id == head.id and "2026-11-30" in note.body and note.link == f"/tasks/{slow.id}"
    assert notifications.sweep(date(2026, 10, 25), NOW) == 0  # the same ISO week
    assert notifications.sweep(date(2026, 10, 26), NOW) == 1  # a new week, still late


def test_email_goes_out_once_through_smtp(make, smtp):
    unit = make.unit()
    make.user("unit_head", unit=unit, email="head@school.example.cn")
    make.user("unit_member", unit=unit)  # no address: inbox only
    task = make.task(make.measure(make.plan()), unit, starts_on="2026-09-01", due_on="2026-10-10",
                     title="冰雪运动进校园")
    make.entry(task, 90, "2026-10-19")
    notifications.sweep(date(2026, 10, 20), NOW)
    db.session.commit()
    config = {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": smtp.port, "MAIL_SENDER": "zfzd@bureau.example.cn"}
    assert notifications.send_email(config, NOW) == 1
    assert notifications.send_email(config, NOW) == 0
    assert len(smtp.messages) == 1 and "head@school.example.cn" in smtp.messages[0]


def test_a_unit_is_told_when_a_notice_is_issued_to_it(make):
    from datetime import timedelta

    from tests.factories import notice_input
    from tracker.services import notices

    school = make.unit(name="城关小学")
    head, member = make.user("unit_head", unit=school), make.user("unit_member", unit=school)
    make.user("unit_head")  # another unit's head hears nothing
    notice = notices.issue(make.actor(make.user("office")), notice_input(
        unit_id=school.id, source_type="inspection", problems="午休超时，纪律松散", requirements="立即整改并报送情况",
        due_on=date.today() + timedelta(days=10)))
    told = db.session.scalars(select(Notification).where(Notification.kind == "notice_issued")).all()
    assert sorted(n.user_id for n in told) == sorted([head.id, member.id])
    assert all(n.link == f"/notices/{notice.id}" and str(notice.due_on) in n.body for n in told)
