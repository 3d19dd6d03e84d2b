"""Access-matrix rows of the work chat: the group robots and their messages (admin and office).

The world's school has a WeCom robot and one failed message; removing the
robot twice is harmless (the second role finds none), sending a message again
makes it wait for the sender.
"""

from __future__ import annotations

from tracker import clock
from tracker.extensions import db
from tracker.models import ChatDelivery
from tracker.services import work_chat

ANONYMOUS = "anonymous"
ROLES = ("admin", "office", "leader", "unit_head", "unit_member")
EVERYONE = (ANONYMOUS, *ROLES)
OK, FORBIDDEN = 200, 403
TO_LOGIN = (302, "/login")
TO_CHAT = (302, "/admin/chat")


def row(anonymous, admin, office, leader, unit_head, unit_member) -> dict:
    return dict(zip(EVERYONE, (anonymous, admin, office, leader, unit_head, unit_member), strict=True))


def admin_and_office(status) -> dict:
    return row(TO_LOGIN, status, status, FORBIDDEN, FORBIDDEN, FORBIDDEN)


WEB_ROWS = {
    ("GET", "/admin/chat"): admin_and_office(OK),
    ("GET", "/admin/chat/units/<int:unit_id>"): admin_and_office(OK),
    ("POST", "/admin/chat/units/<int:unit_id>/remove"): admin_and_office(TO_CHAT),
    ("POST", "/admin/chat/deliveries/<int:delivery_id>/retry"): admin_and_office(TO_CHAT),
}


def build(world, make) -> None:
    office = make.actor(world.users["office"])
    robot = work_chat.save_robot(office, world.unit, work_chat.RobotInput(
        "wecom", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=matrix-key-0001", ""))
    now = clock.now()
    delivery = ChatDelivery(unit_id=robot.unit_id, event_key="matrix:1", kind="wecom",
                            payload=work_chat.payload("wecom", "任务已逾期：矩阵任务", link="/"),
                            status="failed", attempts=5, last_error="HTTP 500", next_attempt_at=now,
                            created_at=now)
    db.session.add(delivery)
    db.session.commit()
    world.extra.update(chat_delivery=delivery.id)


def web_ids(world, key):
    if key == ("POST", "/admin/chat/deliveries/<int:delivery_id>/retry"):
        return {**world.ids, "delivery_id": world.extra["chat_delivery"]}
    return None
