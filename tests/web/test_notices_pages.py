"""Notice, inspection and complaint-rate pages: flows, bad input, escaping, privacy, query counts."""

from __future__ import annotations

import io
from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from tests.factories import inspection_input, notice_input
from tests.notices_data import CONTACT, HOSTILE_SCRIPT, NAME, PDF, complaint, rate_world, readable
from tests.querycount import count_queries
from tracker import clock
from tracker.extensions import db
from tracker.models import AuditEvent, Inspection, Notice, NoticeEvent, NoticeFile
from tracker.services import notices
from tracker.services.audit import Actor


@pytest.fixture
def org(make):
    school = make.unit(name="实验小学")
    other = make.unit(name="第二小学")
    return {"school": school, "other": other, "office": make.user("office"),
            "head": make.user("unit_head", unit=school), "member": make.user("unit_member", unit=school),
            "stranger": make.user("unit_head", unit=other), "leader": make.user("leader")}


def _counts():
    db.session.rollback()
    return {m.__name__: db.session.scalar(select(func.count()).select_from(m))
            for m in (Notice, NoticeEvent, NoticeFile, Inspection, AuditEvent)}


def _form(org, **values):
    data = {"unit_id": str(org["school"].id), "source_type": "inspection", "source_id": "",
            "problems": "上班时间玩手机", "requirements": "立即整改",
            "due_on": (clock.today() + timedelta(days=7)).isoformat()}
    data.update(values)
    return data


def _notice(org, make, **values):
    values.setdefault("source_type", "inspection")
    values.setdefault("problems", "脱岗")
    notice = notices.issue(make.actor(org["office"]), notice_input(
        unit_id=org["school"].id, requirements="整改", due_on=clock.today() + timedelta(days=7), **values))
    db.session.commit()
    return notice


def test_the_office_issues_from_a_complaint(client, login, org):
    source = complaint(org["school"], clock.today(), clock.today() + timedelta(days=7), subject="推诿扯皮")
    login(org["office"])
    page = client.get(f"/notices/new?complaint_id={source.id}").get_data(as_text=True)
    assert "推诿扯皮" in page and NAME not in page  # prefilled with the subject, never the person
    values = _form(org, source_type="complaint", source_id=str(source.id))
    before = _counts()
    preview = client.post("/notices/new", data=values)
    assert preview.status_code == 200 and 'data-testid="notice-preview-mark"' in preview.get_data(as_text=True)
    assert _counts() == before  # the preview issues nothing
    response = client.post("/notices/new/issue", data=values)
    assert response.status_code == 302
    notice = db.session.scalar(select(Notice))
    assert notice.complaint_id == source.id and response.headers["Location"].endswith(f"/notices/{notice.id}")
    assert client.get("/notices/new?complaint_id=999999").status_code == 404


@pytest.mark.parametrize(("field", "value"), [
    ("unit_id", "0"), ("unit_id", "abc"), ("source_type", "rumour"), ("problems", ""),
    ("problems", "a\x00b"), ("requirements", "x" * 4001), ("due_on", "2020-01-01"), ("due_on", "soon"),
    ("source_id", "999999"),
])
def test_issue_form_bad_input(client, login, org, field, value):
    login(org["office"])
    before = _counts()
    response = client.post("/notices/new", data=_form(org, **{field: value}))
    assert response.status_code == 400
    assert "is-invalid" in response.get_data(as_text=True) or "alert-danger" in response.get_data(as_text=True)
    assert _counts() == before


def test_the_unit_acknowledges_and_reports_with_files(client, login, org, make):
    notice = _notice(org, make)
    login(org["head"])
    listing = client.get("/notices/").get_data(as_text=True)
    assert notice.doc_number in listing
    assert client.post(f"/notices/{notice.id}/acknowledge").status_code == 302
    response = client.post(f"/notices/{notice.id}/report", data={
        "text": "已建立考勤制度", "files": [(io.BytesIO(PDF), "考勤制度.pdf")]},
        content_type="multipart/form-data")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Notice, notice.id).status == "reported"
    item = db.session.scalar(select(NoticeFile))
    download = client.get(f"/notices/files/{item.id}")
    assert download.data == PDF
    download.close()  # a file sent from disk stays open until then
    page = client.get(f"/notices/{notice.id}").get_data(as_text=True)
    assert "考勤制度.pdf" in page and "notice-verify-form" not in page


def test_a_refused_report_stores_nothing(client, login, org, make):
    notice = _notice(org, make)
    notices.acknowledge(make.actor(org["head"]), notice)
    db.session.commit()
    login(org["head"])
    before = _counts()
    for data in ({"text": ""}, {"text": "ok", "files": [(io.BytesIO(b"MZ fake"), "a.pdf")]},
                 {"text": "a\x07b"}):
        response = client.post(f"/notices/{notice.id}/report", data=data, content_type="multipart/form-data")
        assert response.status_code == 400, data
    assert _counts() == before


def test_verify_and_return_need_a_reason(client, login, org, make):
    notice = _notice(org, make)
    notices.acknowledge(make.actor(org["head"]), notice)
    notices.report(make.actor(org["head"]), notice, text="已整改")
    db.session.commit()
    login(org["office"])
    before = _counts()
    assert client.post(f"/notices/{notice.id}/verify", data={"decision": "return"}).status_code == 400
    assert client.post(f"/notices/{notice.id}/verify", data={"decision": "maybe"}).status_code == 400
    assert _counts() == before
    assert client.post(f"/notices/{notice.id}/verify", data={"decision": "return",
                                                            "reason": "佐证不足"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Notice, notice.id).status == "acknowledged"
    assert client.post(f"/notices/{notice.id}/verify", data={"decision": "accept"}).status_code == 409


def test_another_unit_sees_nothing_of_it(client, login, org, make):
    notice = _notice(org, make)
    login(org["stranger"])
    assert notice.doc_number not in client.get("/notices/").get_data(as_text=True)
    for path in (f"/notices/{notice.id}", f"/notices/{notice.id}.docx"):
        assert client.get(path).status_code == 404
    assert client.post(f"/notices/{notice.id}/acknowledge").status_code == 404


def test_hostile_text_is_escaped(client, login, org, make):
    notice = _notice(org, make, problems=HOSTILE_SCRIPT)
    inspection = notices.create_inspection(make.actor(org["office"]), inspection_input(
        unit_id=org["school"].id, inspected_on=clock.today(), place=HOSTILE_SCRIPT, inspectors="张三",
        findings=HOSTILE_SCRIPT))
    db.session.commit()
    for user, paths in ((org["office"], ["/notices/", f"/notices/{notice.id}", "/notices/inspections",
                                         f"/notices/inspections/{inspection.id}"]),
                        (org["head"], ["/notices/", f"/notices/{notice.id}"])):
        client.post("/logout")
        login(user)
        for path in paths:
            page = client.get(path).get_data(as_text=True)
            assert HOSTILE_SCRIPT not in page and "&lt;script&gt;" in page, path


def test_unit_side_outputs_never_name_the_complainant(client, login, org, make, token):
    source = complaint(org["school"], clock.today(), clock.today() + timedelta(days=7), subject="推诿")
    notice = _notice(org, make, source_type="complaint", source_id=source.id)
    login(org["head"])
    for path in ("/notices/", f"/notices/{notice.id}", f"/notices/{notice.id}.docx",
                 "/complaints/stats", f"/complaints/stats.xlsx?period={clock.today():%Y-%m}"):
        body = client.get(path).data
        text = readable(body)
        assert body and NAME not in text and CONTACT not in text and "13900007777" not in text, path
        assert source.tracking_code not in text, path
    client.post("/logout")
    headers = token(org["head"])
    for path in ("/api/v1/notices", f"/api/v1/notices/{notice.id}", f"/api/v1/notices/{notice.id}.docx",
                 f"/api/v1/complaints/stats?period={clock.today():%Y-%m}"):
        response = client.get(path, headers=headers)
        assert response.status_code == 200, path
        text = readable(response.data)
        assert NAME not in text and CONTACT not in text and "13900007777" not in text, path


def test_the_notice_list_runs_the_same_queries_for_2_and_20(client, login, org, make):
    login(org["office"])
    counts = []
    for total in (2, 20):
        while db.session.scalar(select(func.count()).select_from(Notice)) < total:
            _notice(org, make)
        with count_queries() as statements:
            assert client.get("/notices/").status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1]


def test_inspections_form(client, login, org):
    login(org["office"])
    data = {"unit_id": str(org["school"].id), "inspected_on": clock.today().isoformat(), "place": "校门口",
            "inspectors": "督查组", "findings": "迟到", "is_unannounced": "y"}
    before = _counts()
    for field, value in (("place", ""), ("inspected_on", "2999-01-01"), ("unit_id", "0"),
                         ("findings", "a\x00b"), ("inspected_on", "x")):
        assert client.post("/notices/inspections/new", data={**data, field: value}).status_code == 400, field
    assert _counts() == before
    response = client.post("/notices/inspections/new", data=data)
    assert response.status_code == 302
    inspection = db.session.scalar(select(Inspection))
    page = client.get(f"/notices/inspections/{inspection.id}").get_data(as_text=True)
    assert "迟到" in page and f"/notices/new?inspection_id={inspection.id}" in page


def test_the_stats_page_table_chart_and_xlsx(client, login, make):
    units = rate_world(make)
    login(make.user("office"))
    page = client.get("/complaints/stats?period=2026-10").get_data(as_text=True)
    assert "甲小学" in page and "69.58" in page and "<svg" in page
    assert client.get("/complaints/stats?period=2026-13").status_code == 400
    assert client.get("/complaints/stats?period=<script>").status_code == 400
    response = client.get("/complaints/stats.xlsx?period=2026-10")
    assert response.status_code == 200 and response.mimetype.endswith("sheet")
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(response.data)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0][0] == "投诉办理三率统计（2026-10）" and "2026-10" in values[1][0]  # title, filters
    assert values[3][:4] == ["排名", "单位", "同类组", "下派件数"] and sheet.freeze_panes == "A5"
    a = next(v for v in values if v[1] == "甲小学")
    assert a[3:] == [6, 4, 4, 3, 3, 1, 1, 1, 0.6667, 0.75, 0.6667, 69.58]  # the rates as numbers …
    row = next(r for r in sheet.iter_rows() if r[1].value == "甲小学")
    assert [c.number_format for c in row[11:14]] == ["0.0%"] * 3  # … shown as percentages
    assert client.get("/complaints/stats.xlsx?period=bad").status_code == 400
    client.post("/logout")
    login(make.user("unit_head", unit=units["b"]))
    page = client.get("/complaints/stats?period=2026-10").get_data(as_text=True)
    assert "乙小学" in page and "甲小学" not in page


def test_the_bulletin_page_shows_complaint_rates_and_red_notices(client, login, org, make):
    from tracker.models import Bulletin
    from tracker.services import bulletins, periods

    overdue = _notice(org, make)
    overdue.due_on = overdue.issued_on  # due on the day of issue: red from the next day
    complaint(org["school"], clock.today(), clock.today() + timedelta(days=5), clock.today())
    db.session.commit()
    key = f"{clock.today().year}"
    period = periods.parse_period("half_year", f"{key}-H{1 if clock.today().month <= 6 else 2}")
    after = Actor(org["office"], "127.0.0.1",  # the day after the half-year, 10:00 in Shanghai
                  datetime.combine(period.ends_on + timedelta(days=1), time(2), UTC))
    bulletin, _created = bulletins.generate(after, "half_year", period.key)
    db.session.commit()
    login(org["office"])
    page = client.get(f"/bulletins/{bulletin.id}").get_data(as_text=True)
    assert 'data-testid="bulletin-complaints"' in page and "实验小学" in page
    if period.ends_on > overdue.due_on:
        assert overdue.doc_number in page
    assert NAME not in page and CONTACT not in page
    assert db.session.get(Bulletin, bulletin.id).content["notices"]["issued"] == 1


def test_the_forms_name_a_missing_unit_with_the_message_of_before(client, login, org):
    from tests.web.test_bad_input import english, send_each

    login(org["office"])
    english(client)
    before = _counts()
    unit_cases = [("0", "unit_id", "Choose a unit."), ("abc", "unit_id", None), ("999999", "unit_id", None)]
    assert send_each(client, "/notices/new", _form(org), "unit_id", unit_cases) == []
    assert send_each(client, "/notices/new", _form(org), "due_on", [
        ("", "due_on", None), (clock.today().replace(year=clock.today().year - 1).isoformat(), "due_on",
                                "before the date of issue")]) == []
    inspection = {"unit_id": str(org["school"].id), "inspected_on": clock.today().isoformat(),
                  "place": "校门口", "inspectors": "督查组", "findings": "迟到", "is_unannounced": "y"}
    assert send_each(client, "/notices/inspections/new", inspection, "unit_id", unit_cases) == []
    assert _counts() == before


def test_the_preview_shows_the_notice_and_its_number_then_issues_it(client, login, org):
    login(org["office"])
    before = _counts()
    response = client.post("/notices/new", data=_form(org, problems="上班时间玩手机\n午休超时"))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f"〔{clock.today().year}〕1号" in page and "午休超时" in page and "实验小学" in page
    assert 'data-testid="official-document"' in page and 'action="/notices/new/issue"' in page
    assert _counts() == before
    # back to the form, to change it: still nothing issued
    again = client.post("/notices/new", data={**_form(org), "edit": "1"})
    assert again.status_code == 200 and "notice-preview-mark" not in again.get_data(as_text=True)
    assert _counts() == before
    issued = client.post("/notices/new/issue", data=_form(org))
    assert issued.status_code == 302
    assert [n.doc_number for n in db.session.scalars(select(Notice))] == [f"〔{clock.today().year}〕1号"]
    # a confirmation whose values went bad meanwhile is re-shown with the message, nothing issued
    before = _counts()
    refused = client.post("/notices/new/issue", data=_form(org, due_on="2020-01-01"))
    assert refused.status_code == 400 and "is-invalid" in refused.get_data(as_text=True)
    assert _counts() == before


def test_the_office_withdraws_an_issued_notice_with_a_reason(client, login, org, make):
    notice = _notice(org, make)
    login(org["office"])
    assert 'data-testid="notice-withdraw-form"' in client.get(f"/notices/{notice.id}").get_data(as_text=True)
    missing = client.post(f"/notices/{notice.id}/withdraw", data={"reason": " "})
    assert missing.status_code == 400 and "is-invalid" in missing.get_data(as_text=True)
    assert db.session.get(Notice, notice.id).status == "issued"
    done = client.post(f"/notices/{notice.id}/withdraw", data={"reason": "发错单位"})
    assert done.status_code == 302
    page = client.get(f"/notices/{notice.id}").get_data(as_text=True)
    assert 'data-status="withdrawn"' in page and "已撤回" in page and "发错单位" in page
    assert "notice-withdraw-form" not in page and 'data-colour=' not in page
    assert client.post(f"/notices/{notice.id}/withdraw", data={"reason": "再撤"}).status_code == 409
    login(org["head"])
    page = client.get(f"/notices/{notice.id}").get_data(as_text=True)
    assert "notice-acknowledge" not in page and "notice-withdraw-form" not in page
