"""Work chat: group robots of WeCom (企业微信) and DingTalk (钉钉), and the outbox to them.

The office gives each unit's group, and its own, a robot: the webhook URL the
robot shows when it is added to the group (and, for a DingTalk robot signed
by a secret, the secret). Notifications that reach a unit's people add a
message for that unit's group to ``chat_deliveries`` in the same transaction
(``enqueue``); the office-level ones go to the office's group. The sender
(``due``, ``claim``, ``prepare``, ``post``, ``record``; driven by tracker/jobs.py
outside any transaction while it posts) posts them with a timeout and retries
with a growing delay up to ``chat.max_attempts`` times.

A message carries the event's title, a line of plain facts and a link: never a
complainant's name or contact, and only the unit's own records.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import Select, func, select, update

from tracker.extensions import db
from tracker.models import ChatDelivery, ChatKind, ChatRobot, Unit
from tracker.services import audit, settings
from tracker.services.errors import Conflict, InvalidInput

# the robots' own addresses: a webhook may point nowhere else (no requests into the intranet)
ENDPOINTS = {
    ChatKind.WECOM: ("qyapi.weixin.qq.com", "/cgi-bin/webhook/send", "key"),
    ChatKind.DINGTALK: ("oapi.dingtalk.com", "/robot/send", "access_token"),
}
SECRET_PATTERN = re.compile(r"^SEC[0-9A-Za-z]{16,120}$")
LEASE = timedelta(minutes=2)  # a claimed message is not claimed again meanwhile
BATCH = 100


class Undeliverable(Exception):
    """The message cannot be posted (its group has no robot any more)."""


# Robots -----------------------------------------------------------------------------


def robot_of(unit_id: int) -> ChatRobot | None:
    return db.session.scalar(select(ChatRobot).where(ChatRobot.unit_id == unit_id))


def robots() -> list[ChatRobot]:
    return list(db.session.scalars(select(ChatRobot).join(Unit, Unit.id == ChatRobot.unit_id)
                                   .order_by(Unit.kind != "office", Unit.name, ChatRobot.id)))


def office_units() -> list[Unit]:
    """The bureau office's units (kind ``office``): their groups are the office's group."""
    return list(db.session.scalars(select(Unit).where(Unit.kind == "office", Unit.is_archived.is_(False))
                                   .order_by(Unit.id)))


def check_url(kind: str, url: str) -> str:
    """Return the webhook URL if it is the robot service's own (https), else raise ValueError.

    With ``CHAT_ALLOW_HTTP_LOOPBACK`` (tests) http://127.0.0.1:<port> stands in for the host.
    """
    try:
        parts = urllib.parse.urlsplit(url)
        port = parts.port
    except ValueError:
        raise ValueError(_("Enter the webhook address the robot shows.")) from None
    host, path, token = ENDPOINTS[ChatKind(kind)]
    query = urllib.parse.parse_qs(parts.query)
    official = parts.scheme == "https" and parts.hostname == host and port is None
    loopback = (current_app.config.get("CHAT_ALLOW_HTTP_LOOPBACK") and parts.scheme == "http"
                and parts.hostname == "127.0.0.1")
    if (not (official or loopback) or parts.path != path or parts.username or parts.password
            or parts.fragment or len(query.get(token, [])) != 1 or set(query) != {token}):
        if kind == ChatKind.WECOM:
            raise ValueError(_("Enter the robot's address: https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…"))
        raise ValueError(_("Enter the robot's address: https://oapi.dingtalk.com/robot/send?access_token=…"))
    if not re.fullmatch(r"[0-9A-Za-z_-]{8,200}", query[token][0]):
        raise ValueError(_("The robot's key is not valid."))
    return url


def mask_url(url: str) -> str:
    """The address with its key cut to 4 characters: enough to recognise, useless to post with."""
    parts = urllib.parse.urlsplit(url)
    query = "&".join(f"{name}={urllib.parse.quote(value[:4])}…"
                     for name, value in urllib.parse.parse_qsl(parts.query))
    return urllib.parse.urlunsplit(parts._replace(query=query))


def mask_secret(secret: str | None) -> str | None:
    return None if not secret else secret[:3] + "…" + secret[-2:]


@dataclass(frozen=True)
class RobotInput:
    kind: str
    url: str  # empty: keep the stored one
    secret: str  # empty: keep the stored one (DingTalk)
    clear_secret: bool = False


def save_robot(actor: audit.Actor, unit: Unit, values: RobotInput) -> ChatRobot:
    """Add or change the robot of ``unit``'s group; the URL and secret are audited masked."""
    robot = robot_of(unit.id)
    errors: dict[str, str] = {}
    kind, url, secret = values.kind, values.url.strip(), values.secret.strip()
    if ChatKind.of(kind) is None:
        errors["kind"] = _("Choose WeCom or DingTalk.")
    elif not url and (robot is None or robot.kind != kind):
        errors["url"] = _("This field is required.")
    elif url:
        try:
            check_url(kind, url)
        except ValueError as exc:
            errors["url"] = str(exc)
    if secret and kind != ChatKind.DINGTALK:
        errors["secret"] = _("Only a DingTalk robot is signed with a secret.")
    elif secret and not SECRET_PATTERN.match(secret):
        errors["secret"] = _("The secret starts with SEC, as DingTalk shows it.")
    if unit.is_archived:
        errors["unit_id"] = _("This unit is archived.")
    if errors:
        raise InvalidInput(_("The robot was not saved."), errors)
    if kind != ChatKind.DINGTALK or values.clear_secret:
        new_secret = secret or None
    else:
        new_secret = secret or (robot.secret if robot is not None else None)
    new = {"kind": kind, "url": url or robot.url, "secret": new_secret}
    old = ({"kind": robot.kind, "url": robot.url, "secret": robot.secret} if robot is not None
           else dict.fromkeys(new))
    if robot is None:
        robot = ChatRobot(unit_id=unit.id, updated_at=actor.now, **new)
        db.session.add(robot)
    else:
        robot.kind, robot.url, robot.secret, robot.updated_at = kind, new["url"], new_secret, actor.now
    db.session.flush()
    changes = {"unit_id": [None if old["kind"] is None else unit.id, unit.id]}
    if old["kind"] != new["kind"]:
        changes["kind"] = [old["kind"], new["kind"]]
    if old["url"] != new["url"]:
        changes["url"] = [old["url"] and mask_url(old["url"]), mask_url(new["url"])]
    if old["secret"] != new["secret"]:
        changes["secret"] = [mask_secret(old["secret"]), mask_secret(new["secret"])]
    audit.record(actor, "chat_robot.save", robot, changes)
    return robot


def remove_robot(actor: audit.Actor, robot: ChatRobot) -> None:
    """Remove a group's robot: nothing more is posted to that group."""
    audit.record(actor, "chat_robot.remove", robot,
                 {"unit_id": [robot.unit_id, None], "kind": [robot.kind, None],
                  "url": [mask_url(robot.url), None]})
    db.session.delete(robot)
    db.session.flush()


# The outbox -------------------------------------------------------------------------


def base_url() -> str:
    """The site's address for links: the setting ``site.base_url``, else BASE_URL or SERVER_NAME."""
    config = current_app.config
    configured = settings.get("site.base_url") or config.get("BASE_URL") or (
        f"{config.get('PREFERRED_URL_SCHEME') or 'https'}://{config['SERVER_NAME']}"
        if config.get("SERVER_NAME") else "")
    return configured.rstrip("/")


def _plain(text: str) -> str:
    """One line of text that cannot open markdown links or headings of its own."""
    text = " ".join(str(text).split())
    return re.sub(r"[\[\]<>#`*_]", lambda m: {"[": "【", "]": "】"}.get(m.group(), " "), text)


def payload(kind: str, title: str, text: str = "", link: str | None = None) -> dict[str, Any]:
    """The body a robot of ``kind`` takes: markdown with the title, a line and the link."""
    title = _plain(title)[:200]
    lines = [_plain(text)[:500]] if text else []
    base = base_url()
    if link and base:
        lines.append(f"[{_('Open in the tracker')}]({base}{link})")
    if kind == ChatKind.WECOM:
        return {"msgtype": "markdown", "markdown": {"content": "\n".join([f"**{title}**", *lines])}}
    return {"msgtype": "markdown",
            "markdown": {"title": title, "text": "\n\n".join([f"### {title}", *lines])}}


def enqueue(unit_id: int | None, event_key: str, title: str, *, text: str = "",
            link: str | None = None, now: datetime) -> int:
    """Add a message for ``unit_id``'s group, once per group and event; return 1 if added."""
    if unit_id is None:
        return 0
    robot = robot_of(unit_id)
    if robot is None:
        return 0
    had = db.session.scalar(select(ChatDelivery.id).where(ChatDelivery.unit_id == unit_id,
                                                          ChatDelivery.event_key == event_key))
    if had is not None:
        return 0
    db.session.add(ChatDelivery(unit_id=unit_id, event_key=event_key[:120], kind=robot.kind,
                                payload=payload(robot.kind, title, text, link), status="pending",
                                attempts=0, next_attempt_at=now, created_at=now))
    return 1


def enqueue_office(event_key: str, title: str, *, text: str = "", link: str | None = None,
                   now: datetime) -> int:
    """Add a message for the office's group (the group of each office unit with a robot)."""
    return sum(enqueue(unit.id, event_key, title, text=text, link=link, now=now)
               for unit in office_units())


def due(now: datetime, limit: int = BATCH) -> list[int]:
    """The messages waiting to be posted now, oldest first."""
    return list(db.session.scalars(
        select(ChatDelivery.id).where(ChatDelivery.status == "pending",
                                      ChatDelivery.next_attempt_at <= now)
        .order_by(ChatDelivery.next_attempt_at, ChatDelivery.id).limit(limit)))


def claim(delivery_id: int, now: datetime) -> ChatDelivery | None:
    """Take a message for posting: only one sender gets it (its next attempt moves past a lease)."""
    result = db.session.execute(
        update(ChatDelivery)
        .where(ChatDelivery.id == delivery_id, ChatDelivery.status == "pending",
               ChatDelivery.next_attempt_at <= now)
        .values(next_attempt_at=now + LEASE)
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        return None
    return db.session.get(ChatDelivery, delivery_id, populate_existing=True)


def _converted(body: dict[str, Any], kind: str) -> dict[str, Any]:
    """The stored body for a robot whose kind changed since the message was queued."""
    markdown = body.get("markdown", {})
    text = markdown.get("content") or markdown.get("text") or ""
    if kind == ChatKind.WECOM:
        return {"msgtype": "markdown", "markdown": {"content": text}}
    title = markdown.get("title") or (text.splitlines()[0].strip("* ") if text else "")
    return {"msgtype": "markdown", "markdown": {"title": title, "text": text}}


def sign(url: str, secret: str, moment: datetime) -> str:
    """DingTalk's signature: timestamp (ms) and base64 HMAC-SHA256 of "timestamp\\nsecret"."""
    timestamp = str(int(moment.timestamp() * 1000))
    digest = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    signature = urllib.parse.quote_plus(base64.b64encode(digest))
    return f"{url}&timestamp={timestamp}&sign={signature}"


def prepare(delivery: ChatDelivery, moment: datetime) -> tuple[str, bytes]:
    """The address (signed when the robot has a secret) and body to post ``delivery`` with."""
    robot = robot_of(delivery.unit_id)
    if robot is None:
        raise Undeliverable(_("The group has no robot any more."))
    body = delivery.payload if robot.kind == delivery.kind else _converted(delivery.payload, robot.kind)
    url = robot.url
    if robot.kind == ChatKind.DINGTALK and robot.secret:
        url = sign(url, robot.secret, moment)
    return url, json.dumps(body, ensure_ascii=False).encode()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a robot's address never redirects; follow nothing elsewhere


_OPENER = urllib.request.build_opener(_NoRedirect)


def post(url: str, body: bytes, timeout: float) -> str | None:
    """POST the message; return None when the robot took it, else the error (no database here)."""
    if not url.startswith(("https://", "http://")):  # check_url allowed no other when it was saved
        return _("The robot's address is not valid.")
    request = urllib.request.Request(url, data=body, method="POST",  # noqa: S310 (http(s) only, above)
                                     headers={"Content-Type": "application/json; charset=utf-8"})
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            answer = response.read(65536)
    except urllib.error.HTTPError as exc:
        return f"HTTP {exc.code}"
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        return f"{type(exc).__name__}: {reason}"[:500]
    try:
        reply = json.loads(answer)
        code = int(reply.get("errcode", 0))
    except (ValueError, TypeError, AttributeError):
        return _("The robot's answer is not JSON.")
    if code != 0:
        return f"errcode {code}: {str(reply.get('errmsg', ''))[:300]}"
    return None


def backoff(attempts: int) -> timedelta:
    """Wait before the next attempt: 5, 10, 20, 40 … minutes, at most six hours."""
    return timedelta(minutes=min(5 * 2 ** (attempts - 1), 360))


def record(delivery_id: int, now: datetime, error: str | None) -> ChatDelivery:
    """Record an attempt: sent, or the error and the next attempt, or failed after the last."""
    delivery = db.session.get(ChatDelivery, delivery_id)
    delivery.attempts += 1
    if error is None:
        delivery.status, delivery.sent_at, delivery.last_error = "sent", now, None
    else:
        delivery.last_error = error[:1000]
        if delivery.attempts >= settings.get("chat.max_attempts"):
            delivery.status = "failed"
        else:
            delivery.next_attempt_at = now + backoff(delivery.attempts)
    db.session.flush()
    return delivery


def retry(actor: audit.Actor, delivery: ChatDelivery) -> None:
    """Post a failed (or waiting) message again at the next run, with a full series of attempts."""
    if delivery.status == "sent":
        raise Conflict(_("This message was sent."))
    audit.record(actor, "chat_delivery.retry", delivery,
                 {"status": [delivery.status, "pending"], "attempts": [delivery.attempts, 0]})
    delivery.status, delivery.attempts, delivery.next_attempt_at = "pending", 0, actor.now
    db.session.flush()


def deliveries_query(status: str | None = None) -> Select:
    stmt = select(ChatDelivery).order_by(ChatDelivery.created_at.desc(), ChatDelivery.id.desc())
    if status:
        stmt = stmt.where(ChatDelivery.status == status)
    return stmt


def counts() -> dict[str, int]:
    return dict(db.session.execute(select(ChatDelivery.status, func.count())
                                   .group_by(ChatDelivery.status)).all())
