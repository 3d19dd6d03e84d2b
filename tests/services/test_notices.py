"""Rectification notices: issue, lifecycle, colours, numbering, reminders, documents, bulletins."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta

import pytest
from docx import Document
from sqlalchemy import func, select

from tests.factories import inspection_input, notice_input
from tests.notices_data import CONTACT, HOSTILE_SCRIPT, NAME, PDF, complaint
from tracker.extensions import db
from tracker.models import AuditEvent, Notice, NoticeEvent, NoticeFile, Notification
from tracker.services import bulletins, notices, periods
from tracker.services.audit import Actor
from tracker.services.errors import Conflict, InvalidInput

NOW = datetime(2026, 10, 15, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai, 2026-10-15
TODAY = date(2026, 10, 15)


def at(user, when=NOW):
    return Actor(user, "127.0.0.1", when)


@pytest.fixture
def people(make):
    office_unit = make.unit(name="教育局作风整顿办公室", kind="office", peer_group=None)
    school = make.unit(name="实验小学")
    return {"office": make.user("office", unit=office_unit), "head": make.user("unit_head", unit=school),
            "member": make.user("unit_member", unit=school), "school": school,
            "other": make.unit(name="第二中学", peer_group="middle_schools")}


def _issue(people, due=TODAY + timedelta(days=10), **values):
    values.setdefault("source_type", "inspection")
    values.setdefault("problems", "上班时间玩手机")
    values.setdefault("requirements", "立即整改，建立考勤制度")
    notice = notices.issue(at(people["office"]), notice_input(
        unit_id=people["school"].id, due_on=due, **values))
    db.session.commit()
    return notice


def _counts():
    db.session.rollback()
    return {m.__name__: db.session.scalar(select(func.count()).select_from(m))
            for m in (Notice, NoticeEvent, NoticeFile, AuditEvent)}


def test_the_whole_lifecycle_with_a_return(people, app):
    notice = _issue(people)
    assert (notice.doc_number, notice.status, notice.issued_on) == ("〔2026〕1号", "issued", TODAY)
    notices.acknowledge(at(people["head"]), notice)
    notices.report(at(people["member"]), notice, text="已整改", files=[notices.Upload(io.BytesIO(PDF), "佐证.pdf")],
                   upload_folder=app.config["UPLOAD_FOLDER"])
    db.session.commit()
    assert notice.status == "reported" and len(notices.files_of(notice)) == 1
    notices.verify(at(people["office"]), notice, accept=False, reason="佐证不足")
    assert notice.status == "acknowledged"
    notices.report(at(people["head"]), notice, text="补充佐证")
    notices.verify(at(people["office"]), notice, accept=True)
    db.session.commit()
    assert notice.status == "verified" and notice.verified_at is not None
    assert [e.action for e in notices.events_of(notice)] == [
        "issue", "acknowledge", "report", "return", "report", "verify"]
    assert notices.events_of(notice)[3].text == "佐证不足"
    actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.object_type == "notices")
                                 .order_by(AuditEvent.id)).all()
    assert actions == ["notice.issue", "notice.acknowledge", "notice.report", "notice.return",
                       "notice.report", "notice.verify"]


DISALLOWED = {
    "issued": ["report", "verify_accept", "verify_return"],
    "acknowledged": ["acknowledge", "verify_accept", "verify_return"],
    "reported": ["acknowledge", "report"],
    "verified": ["acknowledge", "report", "verify_accept", "verify_return"],
}


def _step(people, notice, step):
    if step == "acknowledge":
        notices.acknowledge(at(people["head"]), notice)
    elif step == "report":
        notices.report(at(people["head"]), notice, text="已整改")
    else:
        notices.verify(at(people["office"]), notice, accept=step == "verify_accept", reason="不够")


@pytest.mark.parametrize(("state", "step"), [(s, step) for s, steps in DISALLOWED.items() for step in steps])
def test_disallowed_transitions_conflict_and_change_nothing(people, state, step):
    notice = _issue(people)
    path = ["acknowledge", "report", "verify_accept"]
    for done in path[:["issued", "acknowledged", "reported", "verified"].index(state)]:
        _step(people, notice, done)
    db.session.commit()
    before = _counts()
    notice = db.session.get(Notice, notice.id)
    with pytest.raises(Conflict):
        _step(people, notice, step)
    assert _counts() == before
    assert db.session.get(Notice, notice.id).status == state


@pytest.mark.parametrize(("due_in", "expected"), [(4, "blue"), (3, "orange"), (0, "orange"), (-1, "red")])
def test_colours_at_the_boundaries(people, due_in, expected):
    notice = _issue(people, due=TODAY + timedelta(days=max(due_in, 0)))
    as_of = notice.due_on - timedelta(days=due_in)
    assert notices.colour(notice, as_of) == expected
    assert notices.display_status(notice, as_of) == ("overdue" if due_in < 0 else "issued")
    # the SQL filter agrees
    ids = db.session.scalars(notices.list_query(people["office"], as_of=as_of, colour_=expected)).all()
    assert [n.id for n in ids] == [notice.id]


def test_reported_and_verified_are_blue_and_never_overdue(people):
    notice = _issue(people, due=TODAY)
    _step(people, notice, "acknowledge")
    _step(people, notice, "report")
    late = TODAY + timedelta(days=30)
    assert (notices.colour(notice, late), notices.display_status(notice, late)) == ("blue", "reported")
    _step(people, notice, "verify_accept")
    assert (notices.colour(notice, late), notices.display_status(notice, late)) == ("blue", "verified")


def test_numbering_per_year(people, make):
    first, second = _issue(people), _issue(people)
    assert (first.number, second.number) == (1, 2)
    notice = notices.issue(at(people["office"], datetime(2027, 1, 2, 2, tzinfo=UTC)), notice_input(
        unit_id=people["school"].id, source_type="inspection", problems="问题", requirements="要求",
        due_on=date(2027, 1, 20)))
    db.session.commit()
    assert notice.doc_number == "〔2027〕1号"
    assert _issue(people).doc_number == "〔2026〕3号"


def test_sources_must_exist_and_fit_the_unit(people, make):
    from tracker.services import notices as service

    other = complaint(people["other"], "2026-10-01", "2026-10-08")
    own = complaint(people["school"], "2026-10-01", "2026-10-08")
    inspection = service.create_inspection(at(people["office"]), inspection_input(
        unit_id=people["other"].id, inspected_on=TODAY, place="校门口", inspectors="张组长", findings="迟到"))
    db.session.commit()
    for source_type, source_id in (("complaint", other.id), ("complaint", 999999),
                                   ("inspection", inspection.id), ("finding", 999999)):
        with pytest.raises(InvalidInput) as error:
            _issue(people, source_type=source_type, source_id=source_id)
        assert "source_id" in error.value.fields
    assert _issue(people, source_type="complaint", source_id=own.id).complaint_id == own.id


@pytest.mark.parametrize(("field", "values"), [
    ("unit_id", {"unit_id": 999999}), ("unit_id", {"unit_id": 0}), ("problems", {"problems": ""}),
    ("problems", {"problems": "x\x00y"}), ("requirements", {"requirements": "z" * 4001}),
    ("due_on", {"due_on": TODAY - timedelta(days=1)}),
    ("due_on", {"due_on": TODAY + timedelta(days=400)}), ("source_id", {"source_id": 999999}),
])
def test_bad_input_issues_nothing(people, field, values):
    base = {"unit_id": people["school"].id, "source_type": "inspection", "problems": "问题",
            "requirements": "要求", "due_on": TODAY + timedelta(days=5)}
    before = _counts()
    with pytest.raises(InvalidInput) as error:
        notices.issue(at(people["office"]), notice_input(**{**base, **values}))
    assert field in error.value.fields
    assert _counts() == before


def test_return_needs_a_reason_and_report_needs_text(people):
    notice = _issue(people)
    _step(people, notice, "acknowledge")
    with pytest.raises(InvalidInput) as error:
        notices.report(at(people["head"]), notice, text="  ")
    assert "text" in error.value.fields
    _step(people, notice, "report")
    with pytest.raises(InvalidInput) as error:
        notices.verify(at(people["office"]), notice, accept=False, reason="")
    assert "reason" in error.value.fields
    assert notice.status == "reported"


def test_disguised_evidence_is_refused(people, app):
    notice = _issue(people)
    _step(people, notice, "acknowledge")
    db.session.commit()
    before = _counts()
    with pytest.raises(InvalidInput) as error:
        notices.report(at(people["head"]), notice, text="已整改",
                       files=[notices.Upload(io.BytesIO(b"MZ\x90\x00 not a pdf"), "佐证.pdf")],
                       upload_folder=app.config["UPLOAD_FOLDER"])
    assert "files" in error.value.fields
    assert _counts() == before


def test_reminders_once_per_notice_and_state(people, make):
    orange = _issue(people, due=TODAY + timedelta(days=10))
    red = _issue(people, due=TODAY + timedelta(days=2))
    day = TODAY + timedelta(days=7)  # orange: due in 3 days; red: overdue
    later = datetime(2026, 10, 22, 1, tzinfo=UTC)
    sent = notices.remind(day, later)
    db.session.commit()
    # orange: head + member; red: head + member + the office
    assert sent == 5
    assert notices.remind(day, later) == 0
    assert notices.remind(day + timedelta(days=1), later) == 0
    keys = set(db.session.scalars(select(Notification.event_key).where(
        Notification.kind != "notice_issued")))  # each issue told the unit once, at issue
    assert keys == {f"notice-orange:{orange.id}:{orange.due_on}", f"notice-red:{red.id}:{red.due_on}",
                    f"notice-red-office:{red.id}:{red.due_on}"}
    # orange turns red: a new state, one more reminder each, the office told
    assert notices.remind(TODAY + timedelta(days=11), later) == 3
    _step(people, orange, "acknowledge")
    _step(people, orange, "report")
    db.session.commit()
    assert notices.remind(TODAY + timedelta(days=20), later) == 0


def test_the_daily_job_sends_them(people, app):
    from tracker import jobs

    _issue(people, due=TODAY + timedelta(days=1))
    assert "notifications" in jobs._reminders(at(people["office"]), TODAY)
    assert db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.kind == "notice_orange")) == 2


def test_the_docx_reads_back_and_names_no_complainant(people):
    source = complaint(people["school"], "2026-10-01", "2026-10-08", subject="家长反映推诿")
    notice = _issue(people, source_type="complaint", source_id=source.id,
                    requirements=f"第一条\n{HOSTILE_SCRIPT}")
    data = notices.to_docx(notice)
    document = Document(io.BytesIO(data))
    text = "\n".join(p.text for p in document.paragraphs)
    assert text.splitlines()[:3] == ["作风整顿工作领导小组办公室", "教作整改〔2026〕1号", "整改通知书"]
    # one organ signs the notice and receives the unit's report (the settings page)
    assert "报送作风整顿工作领导小组办公室。" in text and document.paragraphs[-4].text == "作风整顿工作领导小组办公室"
    for expected in ("教作整改〔2026〕1号", "实验小学：", "一、存在问题", "上班时间玩手机", "二、整改要求", HOSTILE_SCRIPT,
                     "三、整改时限", "2026年10月25日", "2026年10月15日",
                     f"第{source.id}号投诉件：家长反映推诿"):
        assert expected in text, expected
    assert NAME not in text and CONTACT not in text and source.tracking_code not in text
    assert NAME.encode() not in data and CONTACT.encode() not in data
    fonts = document.styles["Normal"].element.rPr.rFonts
    assert fonts.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia") == "仿宋"


def test_the_bulletin_names_red_notices_as_of_the_period_end(people, make):
    late = _issue(people, due=TODAY + timedelta(days=1))
    on_time = _issue(people, due=TODAY + timedelta(days=1))
    _issue(people, due=date(2026, 11, 30))
    _step(people, on_time, "acknowledge")
    _step(people, on_time, "report")
    db.session.commit()
    section = notices.bulletin_section(periods.parse_period("monthly", "2026-10"))
    assert section["issued"] == 3 and section["open"] == 3 and section["verified"] == 0
    assert section["by_colour"] == {"blue": 2, "orange": 0, "red": 1}
    assert [(r["id"], r["number"], r["days_overdue"]) for r in section["red"]] == [(late.id, "〔2026〕1号", 15)]
    september = notices.bulletin_section(periods.parse_period("monthly", "2026-09"))
    assert september["issued"] == 0 and september["red"] == []
    # the bulletin carries it, and its .docx names the unit
    office = at(people["office"], datetime(2026, 11, 1, 2, 0, tzinfo=UTC))  # once October is over
    bulletin, _created = bulletins.generate(office, "monthly", "2026-10")
    assert bulletin.content["notices"]["red"][0]["unit"] == "实验小学"
    assert "complaints" in bulletin.content
    text = "\n".join(p.text for p in Document(io.BytesIO(bulletins.to_docx(bulletin))).paragraphs)
    assert "教作整改〔2026〕1号" in text and "七、整改通知书办理情况" in text


def test_inspection_bad_input(people):
    base = {"unit_id": people["school"].id, "inspected_on": TODAY, "place": "校门口", "inspectors": "张三",
            "findings": "迟到早退"}
    for field, value in (("inspected_on", TODAY + timedelta(days=1)),
                         ("inspected_on", TODAY - timedelta(days=4 * 366)), ("place", ""),
                         ("findings", "a\x07b"), ("unit_id", 0), ("unit_id", 999999)):
        with pytest.raises(InvalidInput) as error:
            notices.create_inspection(at(people["office"]), inspection_input(**{**base, field: value}))
        assert field in error.value.fields
    inspection = notices.create_inspection(at(people["office"]), inspection_input(**base))
    assert inspection.is_unannounced is True
