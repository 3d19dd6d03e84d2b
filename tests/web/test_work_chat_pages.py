"""The work-chat pages: robots saved through the form (shown masked), messages listed and sent again."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from tracker.extensions import db
from tracker.models import ChatDelivery
from tracker.services import work_chat

KEY = "3f2a9c1e-77aa-4b1d-9d0e-5c6b7a8d9e0f"
WECOM = f"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key={KEY}"
SECRET = "SEC" + "9f8e7d6c5b4a3210" * 4
NOW = datetime(2026, 10, 20, tzinfo=UTC)


def test_the_office_adds_a_units_robot_and_sees_it_masked(client, login, make):
    unit = make.unit(name="第三小学")
    login(make.user("office"))
    page = client.get(f"/admin/chat/units/{unit.id}")
    assert page.status_code == 200 and "第三小学" in page.text
    bad = client.post(f"/admin/chat/units/{unit.id}",
                      data={"kind": "wecom", "url": "http://192.168.1.5/cgi-bin/webhook/send?key=x"})
    assert bad.status_code == 400 and "qyapi.weixin.qq.com" in bad.text
    assert work_chat.robot_of(unit.id) is None
    saved = client.post(f"/admin/chat/units/{unit.id}", data={"kind": "wecom", "url": WECOM})
    assert saved.status_code == 302 and saved.headers["Location"].endswith("/admin/chat")
    assert work_chat.robot_of(unit.id).url == WECOM
    listing = client.get("/admin/chat")
    assert "第三小学" in listing.text and "key=3f2a…" in listing.text and KEY not in listing.text
    form = client.get(f"/admin/chat/units/{unit.id}")
    assert KEY not in form.text and "key=3f2a…" in form.text

    dingtalk = "https://oapi.dingtalk.com/robot/send?access_token=" + "ab12" * 16
    client.post(f"/admin/chat/units/{unit.id}", data={"kind": "dingtalk", "url": dingtalk,
                                                     "secret": SECRET})
    form = client.get(f"/admin/chat/units/{unit.id}")
    assert SECRET not in form.text and "SEC…10" in form.text and "ab12ab12" not in form.text
    bad_secret = client.post(f"/admin/chat/units/{unit.id}", data={"kind": "dingtalk", "secret": "oops"})
    assert bad_secret.status_code == 400 and "SEC" in bad_secret.text
    assert client.post(f"/admin/chat/units/{unit.id}/remove").status_code == 302
    assert work_chat.robot_of(unit.id) is None


def test_the_administrator_sees_failed_messages_with_their_error_and_sends_them_again(client, login, make):
    unit = make.unit(name="第四小学")
    office = make.user("office")
    work_chat.save_robot(make.actor(office), unit, work_chat.RobotInput("wecom", WECOM, ""))
    delivery = ChatDelivery(unit_id=unit.id, event_key="overdue:1", kind="wecom",
                            payload=work_chat.payload("wecom", "任务已逾期：食堂整改"), status="failed",
                            attempts=5, last_error="errcode 310000: sign not match",
                            next_attempt_at=NOW, created_at=NOW)
    db.session.add(delivery)
    db.session.commit()
    login(make.user("admin"))
    page = client.get("/admin/chat?status=failed")
    assert page.status_code == 200
    assert "任务已逾期：食堂整改" in page.text and "errcode 310000: sign not match" in page.text
    assert f"/admin/chat/deliveries/{delivery.id}/retry" in page.text
    assert client.post(f"/admin/chat/deliveries/{delivery.id}/retry").status_code == 302
    db.session.expire_all()
    again = db.session.scalars(select(ChatDelivery)).one()
    assert (again.status, again.attempts) == ("pending", 0)
    assert client.get("/admin/chat?status=sent").text.count("食堂整改") == 0


def test_the_sites_address_for_links_is_a_setting_checked_on_save(client, login, make):
    from tracker.services import settings

    login(make.user("admin"))
    page = client.get("/admin/settings")
    assert 'name="site.base_url"' in page.text
    raw = {d.key: settings.to_text(d, settings.get(d.key)) for d in settings.DEFINITIONS}
    bad = client.post("/admin/settings", data={**raw, "site.base_url": "zfzd.example?x=1"})
    assert bad.status_code == 400
    ok = client.post("/admin/settings", data={**raw, "site.base_url": "https://zfzd.example.edu.cn/"})
    assert ok.status_code == 302
    assert settings.get("site.base_url") == "https://zfzd.example.edu.cn"
