"""Complaint pages, the complaints API and Open311: privacy, abuse, bad input, escaping, shapes."""

from __future__ import annotations

import io
import re
from urllib.parse import quote

import pytest
from flask import current_app
from sqlalchemy import func, select

from tests.factories import complaint_input
from tests.querycount import count_queries
from tracker.extensions import db
from tracker.models.complaints import Complaint, ComplaintFile
from tracker.services import complaints
from tracker.services.codes import group
from tracker.services.errors import InvalidInput

NAME, CONTACT = "欧阳秘名", "secret-contact-8675309"
HOSTILE = "<script>alert('x')</script>"
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 100


@pytest.fixture
def world(make):
    school = make.unit(name="第一小学")
    return {"school": school, "office": make.user("office"), "leader": make.user("leader"),
            "head": make.user("unit_head", unit=school), "member": make.user("unit_member", unit=school)}


def count() -> int:
    return db.session.scalar(select(func.count()).select_from(Complaint))


def file_complaint(client, school, **extra):
    data = {"category": "business_tutoring", "unit_id": str(school.id),
            "description": f"{HOSTILE} 老师办班补课", "subject": HOSTILE, "name": NAME,
            "contact": CONTACT, **extra}
    return client.post("/public/complaints/new", data=data, content_type="multipart/form-data")


def walk(world, status="dispatched"):
    office, head = world["office"], world["head"]
    c = db.session.scalars(select(Complaint).order_by(Complaint.id.desc())).first()
    actor = complaints.Upload  # noqa: F841
    from tests.factories import Factories

    make = Factories()
    complaints.accept(make.actor(office), c)
    complaints.dispatch(make.actor(office), c, world["school"].id)
    if status in ("replied", "closed"):
        complaints.reply(make.actor(head), c, complaints.ReplyInput(f"{HOSTILE} 已整改"),
                         files=[complaints.Upload(io.BytesIO(PNG), "reply.png")],
                         upload_folder=current_app.config["UPLOAD_FOLDER"])
    if status == "closed":
        complaints.close(make.actor(office), c, True)
        complaints.publish(make.actor(office), c, True)
    db.session.commit()
    return c


def test_public_flow_receipt_tracking_and_escaping(client, world):
    response = file_complaint(client, world["school"])
    assert response.status_code == 302
    receipt = client.get("/public/complaints/receipt")
    c = db.session.scalar(select(Complaint))
    assert group(c.tracking_code) in receipt.text
    assert c.name == NAME and c.contact == CONTACT and c.channel == "web"
    walk(world, "closed")
    page = client.post("/public/complaints/track", data={"code": c.tracking_code.lower()})
    assert page.status_code == 200 and "rate-form" in page.text
    assert HOSTILE not in page.text and "&lt;script&gt;" in page.text
    assert NAME not in page.text and CONTACT not in page.text
    cases = client.get("/public/complaints")
    assert "&lt;script&gt;" in cases.text and HOSTILE not in cases.text
    assert NAME not in cases.text and CONTACT not in cases.text
    rated = client.post("/public/complaints/rate", data={"code": c.tracking_code, "rating": "dissatisfied",
                                                         "reopen": "y", "comment": HOSTILE})
    assert rated.status_code == 200
    db.session.refresh(c)
    assert c.status == "dispatched" and c.reopened_at is not None
    again = client.post("/public/complaints/rate", data={"code": c.tracking_code, "rating": "satisfied"})
    assert again.status_code == 409


def test_privacy_no_unit_side_page_or_api_answer_holds_the_complainant(client, world, login, token):
    file_complaint(client, world["school"], files=[(io.BytesIO(PNG), f"{NAME}的照片.png")])
    c = walk(world, "replied")
    login(world["office"])
    office_page = client.get(f"/complaints/{c.id}")
    assert NAME in office_page.text and CONTACT in office_page.text  # the office sees them
    assert HOSTILE not in office_page.text and "&lt;script&gt;" in office_page.text
    assert CONTACT in client.get("/complaints/").text or NAME in client.get("/complaints/").text
    client.post("/logout")
    files = db.session.scalars(select(ComplaintFile.id)).all()
    for who in ("head", "member"):
        login(world[who])
        outputs = [client.get("/complaints/"), client.get(f"/complaints/{c.id}"),
                   *[client.get(f"/complaints/files/{f}") for f in files]]
        headers = token(world[who])
        outputs += [client.get("/api/v1/complaints", headers=headers),
                    client.get(f"/api/v1/complaints/{c.id}", headers=headers),
                    client.get(f"/api/v1/complaints?status=replied&unit_id={world['school'].id}",
                               headers=headers)]
        for response in outputs:
            response.get_data()
            response.close()
            assert response.status_code == 200, response.request.path
            assert NAME.encode() not in response.data and CONTACT.encode() not in response.data, (
                who, response.request.path)
            headers_text = str(response.headers)
            assert NAME not in headers_text and quote(NAME) not in headers_text, headers_text
            assert b"<script>alert" not in response.data or response.mimetype == "application/json"
        client.post("/logout")
    leader = client.get("/api/v1/complaints", headers=token(world["leader"])).json
    assert leader["items"][0]["contact"] == CONTACT


def test_honeypot_answers_like_a_receipt_and_stores_nothing(client, world):
    response = file_complaint(client, world["school"], website="http://spam.example")
    assert response.status_code == 302
    assert "tracking-code" in client.get("/public/complaints/receipt").text
    assert count() == 0


def test_disguised_and_oversize_files_are_refused(client, world, app):
    exe = (io.BytesIO(b"MZ\x90\x00" + b"\0" * 200), "photo.jpg")
    response = file_complaint(client, world["school"], files=[exe])
    assert response.status_code == 400 and "photo.jpg" in response.text
    assert count() == 0 and db.session.scalar(select(func.count()).select_from(ComplaintFile)) == 0
    from tests.factories import Factories
    from tracker.services import settings

    settings.update(Factories().actor(world["office"]), {"ledger.upload_max_mb": "1"})
    db.session.commit()
    big = complaints.Upload(io.BytesIO(b"%PDF-1.4" + b"0" * (2 * 2**20)), "big.pdf")
    with pytest.raises(InvalidInput) as error:  # the service itself (the client spools big bodies)
        complaints.submit(Factories().actor(), complaint_input(category="other", description="附件过大的投诉"),
                          files=[big], upload_folder=app.config["UPLOAD_FOLDER"])
    assert "big.pdf" in error.value.fields["files"]
    db.session.rollback()
    assert count() == 0


def test_flood_from_one_address_is_429(app_config, request):
    app_config.update(RATELIMIT_ENABLED=True, RATELIMIT_COMPLAINT_SUBMIT="3 per hour")
    app = request.getfixturevalue("app")
    client = app.test_client()
    codes = [client.post("/api/v1/public/complaints",
                         json={"category": "other", "description": "刷屏投诉内容"}).status_code
             for _i in range(4)]
    assert codes == [201, 201, 201, 429]
    form = client.post("/public/complaints/new", data={"category": "other", "description": "刷屏投诉"})
    assert form.status_code == 429  # the form and the API share the limit
    assert count() == 3


def test_bad_input_names_the_field(client, world, login, token):
    response = client.post("/public/complaints/new", data={"category": "nope", "description": "",
                                                          "unit_id": "99999", "happened_on": "2099-01-01"})
    assert response.status_code == 400
    for field in ("category", "description"):
        assert f'data-field="{field}"' in response.text
    api = client.post("/api/v1/public/complaints", json={"category": "other", "description": "好的描述",
                                                         "unit_id": 99999, "happened_on": "2099-01-01"})
    assert api.status_code == 400 and {"unit_id", "happened_on"} <= set(api.json["error"]["fields"])
    api = client.post("/api/v1/public/complaints", json={"category": "bad", "description": 5, "x": 1})
    assert api.status_code == 400 and {"category", "description", "x"} <= set(api.json["error"]["fields"])
    api = client.post("/api/v1/public/complaints", json={"category": "other", "description": "a\x00b描述"})
    assert api.status_code == 400 and "description" in api.json["error"]["fields"]
    assert count() == 0
    file_complaint(client, world["school"])
    c = db.session.scalar(select(Complaint))
    headers = token(world["office"])
    for path, body, field in (
            ("reject", {"reason": ""}, "reason"), ("duplicate", {"of_id": "x"}, "of_id"),
            ("dispatch", {"unit_id": 99999}, "unit_id"), ("close", {"resolved": "yes"}, "resolved"),
            ("reply", {"text": ""}, "text"), ("return", {}, "reason"),
            ("accept", {"on": "2099-01-01"}, "on")):
        answer = client.post(f"/api/v1/complaints/{c.id}/{path}", json=body, headers=headers)
        assert answer.status_code in (400, 409), path
        if answer.status_code == 400:
            assert field in answer.json["error"]["fields"], path
    assert client.post(f"/api/v1/complaints/{c.id}/dispatch", json={"unit_id": 99999},
                       headers=headers).status_code == 409  # submitted: not yet accepted
    login(world["office"])
    assert client.post(f"/complaints/{c.id}/reject", data={"reason": ""}).status_code == 400
    assert client.post(f"/complaints/{c.id}/nonsense", data={}).status_code == 404
    db.session.refresh(c)
    assert c.status == "submitted"
    rate = client.post("/public/complaints/rate", data={"code": c.tracking_code, "rating": "meh"})
    assert rate.status_code == 400


def test_api_lifecycle_and_409_changes_nothing(client, world, token):
    created = client.post("/api/v1/public/complaints", json={
        "category": "buck_passing", "description": "推诿扯皮不作为", "unit_id": world["school"].id,
        "name": NAME, "contact": CONTACT})
    assert created.status_code == 201, created.json
    code = created.json["tracking_code"]
    c = complaints.by_tracking_code(code)
    office, head = token(world["office"]), token(world["head"])
    assert client.post(f"/api/v1/complaints/{c.id}/close", json={"resolved": True},
                       headers=office).status_code == 409
    assert client.post(f"/api/v1/complaints/{c.id}/accept", headers=office).status_code == 200
    answer = client.post(f"/api/v1/complaints/{c.id}/dispatch", json={"unit_id": world["school"].id},
                         headers=office)
    assert answer.status_code == 200 and answer.json["reply_due_on"] and answer.json["contact"] == CONTACT
    reply = client.post(f"/api/v1/complaints/{c.id}/reply", json={"text": "已处理"}, headers=head)
    assert reply.status_code == 200 and "contact" not in reply.json and "name" not in reply.json
    assert client.post(f"/api/v1/complaints/{c.id}/reply", json={"text": "x", "on": "2026-01-01"},
                       headers=head).status_code in (400, 409)
    assert client.post(f"/api/v1/complaints/{c.id}/return", json={"reason": "请补充"},
                       headers=office).status_code == 200
    client.post(f"/api/v1/complaints/{c.id}/reply", json={"text": "已补充"}, headers=head)
    assert client.post(f"/api/v1/complaints/{c.id}/close", json={"resolved": False},
                       headers=office).status_code == 200
    public = client.get(f"/api/v1/public/complaints/{code}").json
    assert public["status"] == "closed" and public["reply"] == "已补充"
    assert [s["status"] for s in public["timeline"]][:3] == ["submitted", "accepted", "dispatched"]
    assert CONTACT not in str(public) and NAME not in str(public)
    rated = client.post(f"/api/v1/public/complaints/{code}/satisfaction",
                        json={"rating": "dissatisfied", "reopen": True})
    assert rated.status_code == 201 and rated.json["status"] == "dispatched"
    assert client.post(f"/api/v1/public/complaints/{code}/satisfaction",
                       json={"rating": "satisfied"}).status_code == 409
    assert client.get("/api/v1/public/complaints/AAAA").status_code == 404


def test_open311_against_georeport_v2(client, world):
    services = client.get("/open311/v2/services.json").json
    assert {s["service_code"] for s in services} >= {"buck_passing", "other"}
    assert set(services[0]) >= {"service_code", "service_name", "description", "metadata", "type",
                                "keywords", "group"}
    assert services[0]["metadata"] is False and services[0]["type"] == "realtime"
    created = client.post("/open311/v2/requests.json", data={
        "service_code": "buck_passing", "description": "热线：推诿扯皮", "first_name": "三",
        "last_name": "张", "email": "x@example.org", "phone": CONTACT,
        "attribute[unit_id]": str(world["school"].id)})
    assert created.status_code == 201
    [answer] = created.json
    assert set(answer) == {"service_request_id", "service_notice", "account_id"}
    c = complaints.by_tracking_code(answer["service_request_id"])
    assert c.channel == "hotline" and c.name == "张三" and CONTACT in c.contact
    walk(world, "dispatched")
    [status] = client.get(f"/open311/v2/requests/{answer['service_request_id']}.json").json
    assert status["status"] == "open" and status["agency_responsible"] == "第一小学"
    assert status["expected_datetime"].startswith(c.reply_due_on.isoformat())
    for key in ("service_request_id", "status_notes", "service_name", "service_code", "description",
                "requested_datetime", "updated_datetime"):
        assert key in status
    assert CONTACT not in str(status) and "张三" not in str(status)
    bad = client.post("/open311/v2/requests.json", data={"service_code": "nope", "description": "x"})
    assert bad.status_code == 400 and set(bad.json[0]) == {"code", "description"}
    assert "service_code" in bad.json[0]["description"]
    bad = client.post("/open311/v2/requests.json", data={"service_code": "other", "description": ""})
    assert bad.status_code == 400 and "description" in bad.json[0]["description"]
    assert client.get("/open311/v2/requests/NOPE.json").status_code == 404


def test_office_list_query_count_is_the_same_for_2_and_20_rows(client, world, login, make):
    def add(n):
        for index in range(n):
            c = complaints.submit(make.actor(), complaint_input(
                category="other", description=f"第{index}条投诉内容", unit_id=world["school"].id, name=NAME))
            if index % 2:
                complaints.accept(make.actor(world["office"]), c)
                complaints.dispatch(make.actor(world["office"]), c, world["school"].id)
        db.session.commit()

    def measure():
        with count_queries() as statements:
            assert client.get("/complaints/").status_code == 200
        return len(statements)

    login(world["office"])
    add(2)
    client.get("/complaints/")
    few = measure()
    add(18)
    client.get("/complaints/")
    assert measure() == few


def test_office_records_a_hotline_complaint_and_bulk_dispatches(client, world, login):
    login(world["office"])
    page = client.post("/complaints/new", data={
        "channel": "hotline", "on": "2026-01-05", "external_id": "12345-0001", "category": "other",
        "unit_id": str(world["school"].id), "description": "热线转来的投诉", "name": NAME,
        "contact": CONTACT})
    assert page.status_code == 302
    c = db.session.scalar(select(Complaint))
    assert c.channel == "hotline" and c.external_id == "12345-0001" and c.name == NAME
    assert c.submitted_at.date().isoformat() == "2026-01-05"
    bad = client.post("/complaints/new", data={"channel": "fax", "category": "other", "description": "x"})
    assert bad.status_code == 400 and 'data-field="channel"' in bad.text
    client.post(f"/complaints/{c.id}/accept", data={})
    second = complaints.submit(complaints_actor(world["office"]), complaint_input(
        category="other", description="第二件投诉"))
    complaints.accept(complaints_actor(world["office"]), second)
    db.session.commit()
    done = client.post("/complaints/bulk-dispatch", data={
        "ids": [str(c.id), str(second.id)], "unit_id": str(world["school"].id)})
    assert done.status_code == 302
    db.session.refresh(c)
    db.session.refresh(second)
    assert c.status == second.status == "dispatched" and c.dispatched_unit_id == world["school"].id
    third = complaints.submit(complaints_actor(world["office"]), complaint_input(
        category="other", description="第三件投诉"))
    db.session.commit()
    refused = client.post("/complaints/bulk-dispatch", data={  # a submitted one spoils the lot
        "ids": [str(third.id)], "unit_id": str(world["school"].id)})
    assert refused.status_code == 303
    db.session.refresh(third)
    assert third.status == "submitted"


def complaints_actor(user):
    from tests.factories import Factories

    return Factories().actor(user)


def test_office_and_unit_forms_refuse_bad_input_naming_the_field(client, world, login, make):
    c = complaints.submit(make.actor(), complaint_input(category="other", description="一件投诉的内容"))
    db.session.commit()
    login(world["office"])
    checks = [
        (f"/complaints/{c.id}/duplicate", {"of_id": "abc"}, "of_id"),
        (f"/complaints/{c.id}/reject", {"reason": "\x00"}, "reason"),
        ("/complaints/templates", {"title": "", "body": HOSTILE}, "title"),
    ]
    client.post(f"/complaints/{c.id}/accept", data={})
    checks += [(f"/complaints/{c.id}/dispatch", {"unit_id": "99999"}, "unit_id"),
               (f"/complaints/{c.id}/dispatch", {"unit_id": str(world["school"].id),
                                                 "reply_due_on": "2000-01-01"}, "reply_due_on")]
    for path, data, field in checks:
        response = client.post(path, data=data)
        assert response.status_code == 400, (path, response.status_code)
        assert f'data-field="{field}"' in response.text or "alert-danger" in response.text, path
    db.session.refresh(c)
    assert c.status == "accepted"
    complaints.dispatch(make.actor(world["office"]), c, world["school"].id)
    db.session.commit()
    client.post("/logout")
    login(world["head"])
    response = client.post(f"/complaints/{c.id}/reply", data={"text": "  "})
    assert response.status_code == 400 and 'data-field="text"' in response.text
    assert client.post(f"/complaints/{c.id}/close", data={"resolved": "yes"}).status_code == 403
    db.session.refresh(c)
    assert c.status == "dispatched"
    saved = client.post("/complaints/templates", data={"title": "t", "body": "b"})
    assert saved.status_code == 403


def test_reminders_of_due_and_overdue_replies_once_a_day(world, make):
    from datetime import timedelta

    from tracker.models import Notification

    c = complaints.submit(make.actor(), complaint_input(category="other", description="一件投诉的内容"))
    complaints.accept(make.actor(world["office"]), c)
    complaints.dispatch(make.actor(world["office"]), c, world["school"].id)
    db.session.commit()
    before = db.session.scalar(select(func.count()).select_from(Notification))
    day = c.reply_due_on + timedelta(days=1)
    sent = complaints.remind(day, make.actor().now)
    assert sent == 2  # the head and the member of the school
    assert complaints.remind(day, make.actor().now) == 0
    assert db.session.scalar(select(func.count()).select_from(Notification)) == before + 2


# Values of the wrong shape: the form refuses them (400, the field marked) with the messages of before.

DISPATCH_FORM = [("0", "unit_id", "Choose a unit."), ("abc", "unit_id", "from the list"),
                 ("99999999999", "unit_id", "from the list"), ("99999", "unit_id", "from the list")]
DUPLICATE_FORM = [("abc", "of_id", "No such complaint"), ("#", "of_id", "No such complaint"),
                  ("999999", "of_id", "No such complaint"), ("{own}", "of_id", "another complaint")]
RECORD_FORM = {
    "unit_id": [("abc", "unit_id", "from the list"), ("99999", "unit_id", "from the list")],
    "category": [("nope", "category", None)],
    "channel": [("fax", "channel", None)],
    "happened_on": [("2099-01-01", "happened_on", "future"), ("yesterday", "happened_on", None)],
    "on": [("2099-01-01", "on", "future")],
    "description": [("abc", "description", "a few words")],
}


def test_the_office_forms_refuse_wrong_shapes_and_change_nothing(client, world, login, make):
    from tests.web.test_bad_input import english

    c = complaints.submit(make.actor(), complaint_input(category="other", description="一件投诉的内容"))
    complaints.accept(make.actor(world["office"]), c)
    db.session.commit()
    login(world["office"])
    english(client)
    def shown(path: str, data: dict, field: str) -> list[str]:
        page = client.post(path, data=data)
        assert page.status_code == 400, (path, data)
        return re.findall(rf'data-field="{field}">([^<]*)<', page.get_data(as_text=True))

    for step, cases in (("dispatch", DISPATCH_FORM), ("duplicate", DUPLICATE_FORM)):
        for value, field, message in cases:
            messages = shown(f"/complaints/{c.id}/{step}", {field: value.format(own=c.id)}, field)
            assert len(messages) == 1 and message in messages[0], (value, messages)
    base = {"channel": "hotline", "category": "other", "unit_id": "0", "description": "热线转来的投诉"}
    for field, cases in RECORD_FORM.items():
        for value, _field, message in cases:
            messages = shown("/complaints/new", {**base, field: value}, field)
            assert messages and (message or "") in messages[0], (field, value, messages)
    db.session.refresh(c)
    assert (c.status, count()) == ("accepted", 1)


def test_the_api_refuses_wrong_shapes_naming_the_field(client, world, token):
    public = [({"channel": "fax"}, "channel"), ({"unit_id": "3"}, "unit_id"), ({"unit_id": 0}, "unit_id"),
              ({"happened_on": "yesterday"}, "happened_on"), ({"category": None}, "category")]
    for change, field in public:
        answer = client.post("/api/v1/public/complaints",
                             json={"category": "other", "description": "好的描述内容", **change})
        assert answer.status_code == 400 and field in answer.json["error"]["fields"], change
    assert count() == 0
    file_complaint(client, world["school"])
    c = db.session.scalar(select(Complaint))
    headers = token(world["office"])
    for path, body, field in (("accept", {"on": "soon"}, "on"), ("duplicate", {"of_id": "1"}, "of_id"),
                              ("reject", {"reason": 5}, "reason"), ("close", {"resolved": 1}, "resolved")):
        answer = client.post(f"/api/v1/complaints/{c.id}/{path}", json=body, headers=headers)
        assert answer.status_code == 400 and field in answer.json["error"]["fields"], path
    rated = client.post(f"/api/v1/public/complaints/{c.tracking_code}/satisfaction",
                        json={"rating": "meh", "reopen": "yes"})
    assert rated.status_code == 400 and {"rating", "reopen"} <= set(rated.json["error"]["fields"])
    db.session.refresh(c)
    assert c.status == "submitted"
