"""The complaint lifecycle, working days and the rating window (docs/domain.md "Complaints")."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from tests.factories import complaint_input
from tracker.extensions import db
from tracker.models import AuditEvent
from tracker.models.complaints import Complaint, ComplaintEvent, ComplaintFile, SatisfactionRating
from tracker.services import complaints, settings, similarity, working_days
from tracker.services.audit import Actor
from tracker.services.codes import group
from tracker.services.errors import Conflict, InvalidInput

NOW = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)  # Monday 2026-11-02 10:00 in Shanghai
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 100


def act(user=None, now=NOW) -> Actor:
    return Actor(user, "127.0.0.1", now)


def new(office, **values) -> Complaint:
    values.setdefault("category", "buck_passing")
    values.setdefault("description", "窗口工作人员推诿扯皮，多次办理未果")
    complaint = complaints.submit(act(), complaint_input(**values))
    db.session.commit()
    return complaint


def snapshot(complaint: Complaint) -> tuple:
    db.session.refresh(complaint)
    events = db.session.scalar(select(func.count()).select_from(ComplaintEvent).where(
        ComplaintEvent.complaint_id == complaint.id))
    return (complaint.status, complaint.dispatched_unit_id, complaint.reply_due_on,
            complaint.first_dispatched_on, complaint.first_replied_on, complaint.resolved,
            complaint.rating, complaint.reopened_at, complaint.is_published, events)


@pytest.fixture
def world(make):
    school = make.unit(name="第一小学")
    office = make.user("office")
    head = make.user("unit_head", unit=school)
    return school, office, head


def to_status(complaint, status, school, office, head, now=NOW):
    """Walk a complaint to ``status`` through the services."""
    path = {"submitted": [], "accepted": ["accept"], "rejected": ["reject"],
            "duplicate": ["duplicate"], "dispatched": ["accept", "dispatch"],
            "replied": ["accept", "dispatch", "reply"], "closed": ["accept", "dispatch", "reply", "close"]}
    for step in path[status]:
        if step == "accept":
            complaints.accept(act(office, now), complaint)
        elif step == "reject":
            complaints.reject(act(office, now), complaint, "不属于受理范围")
        elif step == "duplicate":
            other = new(office)
            complaints.mark_duplicate(act(office, now), complaint, other.id)
        elif step == "dispatch":
            complaints.dispatch(act(office, now), complaint, school.id)
        elif step == "reply":
            complaints.reply(act(head, now), complaint, complaints.ReplyInput("已核实并整改"))
        elif step == "close":
            complaints.close(act(office, now), complaint, True)
    db.session.commit()
    return complaint


ACTIONS = {
    "accept": lambda c, s, o, h: complaints.accept(act(o), c),
    "reject": lambda c, s, o, h: complaints.reject(act(o), c, "理由"),
    "duplicate": lambda c, s, o, h: complaints.mark_duplicate(act(o), c, new(o).id),
    "dispatch": lambda c, s, o, h: complaints.dispatch(act(o), c, s.id),
    "reply": lambda c, s, o, h: complaints.reply(act(h), c, complaints.ReplyInput("答复")),
    "return": lambda c, s, o, h: complaints.return_reply(act(o), c, "答复不充分"),
    "close": lambda c, s, o, h: complaints.close(act(o), c, True),
    "rate": lambda c, s, o, h: complaints.rate(act(None), c, SatisfactionRating.SATISFIED),
    "publish": lambda c, s, o, h: complaints.publish(act(o), c, True),
}
ALLOWED = {
    "accept": {"submitted"}, "reject": {"submitted", "accepted"},
    "duplicate": {"submitted", "accepted"}, "dispatch": {"accepted"}, "reply": {"dispatched"},
    "return": {"replied"}, "close": {"replied"}, "rate": {"closed"}, "publish": {"closed"},
}
RESULT = {"accept": "accepted", "reject": "rejected", "duplicate": "duplicate",
          "dispatch": "dispatched", "reply": "replied", "return": "dispatched", "close": "closed",
          "rate": "closed", "publish": "closed"}
STATUSES = ("submitted", "accepted", "rejected", "duplicate", "dispatched", "replied", "closed")


@pytest.mark.parametrize("action", sorted(ACTIONS))
@pytest.mark.parametrize("status", STATUSES)
def test_every_transition_allowed_or_409_with_nothing_changed(world, action, status):
    school, office, head = world
    complaint = to_status(new(office), status, school, office, head)
    before = snapshot(complaint)
    audits = db.session.scalar(select(func.count()).select_from(AuditEvent))
    if status in ALLOWED[action]:
        ACTIONS[action](complaint, school, office, head)
        db.session.commit()
        assert complaint.status == RESULT[action]
        assert complaint.events[-1].action == action
        assert db.session.scalar(select(func.count()).select_from(AuditEvent)) > audits
    else:
        with pytest.raises(Conflict):
            ACTIONS[action](complaint, school, office, head)
        db.session.rollback()
        assert snapshot(complaint) == before


def test_first_dispatch_and_first_reply_are_kept(world):
    school, office, head = world
    other = office  # noqa: F841
    complaint = to_status(new(office), "replied", school, office, head)
    first = (complaint.first_dispatched_on, complaint.first_reply_due_on, complaint.first_replied_on)
    assert first == (date(2026, 11, 2), date(2026, 11, 9), date(2026, 11, 2))
    later = NOW + timedelta(days=3)
    complaints.return_reply(act(office, later), complaint, "请补充整改照片")
    assert complaint.status == "dispatched" and complaint.reply_due_on == date(2026, 11, 12)
    complaints.reply(act(head, later), complaint, complaints.ReplyInput("已补充"))
    db.session.commit()
    assert (complaint.first_dispatched_on, complaint.first_reply_due_on,
            complaint.first_replied_on) == first
    assert [e.action for e in complaint.events] == ["submit", "accept", "dispatch", "reply", "return",
                                                    "reply"]
    assert all(e.at is not None and e.recorded_at is not None for e in complaint.events)
    assert complaint.events[3].user_id == head.id


def test_paper_steps_with_dates(world):
    school, office, head = world
    complaint = complaints.submit(act(office), complaint_input(
        category="other", description="来信反映乱收费问题", channel="letter", on=date(2026, 10, 20)))
    complaints.accept(act(office), complaint, on=date(2026, 10, 21))
    complaints.dispatch(act(office), complaint, school.id, on=date(2026, 10, 22))
    assert complaint.first_dispatched_on == date(2026, 10, 22)
    assert complaint.reply_due_on == date(2026, 10, 29)
    complaints.reply(act(office), complaint, complaints.ReplyInput("纸质答复", on=date(2026, 10, 28)))
    assert complaint.first_replied_on == date(2026, 10, 28)
    with pytest.raises(InvalidInput) as error:
        complaints.close(act(office), complaint, True, on=date(2026, 12, 1))
    assert "on" in error.value.fields
    with pytest.raises(InvalidInput) as error:
        complaints.close(act(office), complaint, True, on=date(2026, 10, 1))
    assert "on" in error.value.fields


def test_reopen_only_once_and_only_after_dissatisfied(world):
    school, office, head = world
    complaint = to_status(new(office), "closed", school, office, head)
    with pytest.raises(InvalidInput) as error:
        complaints.rate(act(), complaint, SatisfactionRating.SATISFIED, reopen=True)
    assert "reopen" in error.value.fields
    complaints.rate(act(), complaint, SatisfactionRating.DISSATISFIED, "没有解决", reopen=True)
    db.session.commit()
    assert complaint.status == "dispatched" and complaint.reopened_at is not None
    assert complaint.rating == "dissatisfied"
    complaints.reply(act(head), complaint, complaints.ReplyInput("再次答复"))
    complaints.close(act(office, NOW + timedelta(hours=1)), complaint, False)
    db.session.commit()
    later = act(None, NOW + timedelta(hours=2))
    with pytest.raises(Conflict):
        complaints.rate(later, complaint, SatisfactionRating.DISSATISFIED, reopen=True)
    db.session.rollback()
    complaints.rate(later, complaint, SatisfactionRating.DISSATISFIED)  # rated again after the second closing
    db.session.commit()
    with pytest.raises(Conflict):  # once per closing
        complaints.rate(later, complaint, SatisfactionRating.SATISFIED)


@pytest.mark.parametrize(("days", "ok"), [(15, True), (16, False)])
def test_rating_window(world, days, ok):
    school, office, head = world
    complaint = to_status(new(office), "closed", school, office, head)
    when = act(None, NOW + timedelta(days=days))
    if ok:
        complaints.rate(when, complaint, SatisfactionRating.BASICALLY_SATISFIED)
        assert complaint.rating == "basically_satisfied"
    else:
        with pytest.raises(Conflict):
            complaints.rate(when, complaint, SatisfactionRating.BASICALLY_SATISFIED)


def test_working_days_follow_the_chinese_calendar_and_the_settings(app, make):
    # National Day 2026: Oct 1-7 off; Sat Oct 10 is a 调休 make-up working day
    assert working_days.add_working_days(date(2026, 9, 30), 1) == date(2026, 10, 8)
    assert working_days.add_working_days(date(2026, 10, 9), 1) == date(2026, 10, 10)
    assert working_days.add_working_days(date(2026, 9, 30), 5) == date(2026, 10, 13)
    assert not working_days.is_working_day(date(2026, 10, 5))
    assert working_days.is_working_day(date(2026, 10, 10))
    # a plain week
    assert working_days.add_working_days(date(2026, 11, 2), 5) == date(2026, 11, 9)
    settings.update(make.actor(make.user("office")), {
        "complaints.extra_holidays": "2026-11-03", "complaints.extra_workdays": "2026-11-07"})
    db.session.commit()
    assert not working_days.is_working_day(date(2026, 11, 3))
    assert working_days.is_working_day(date(2026, 11, 7))
    assert working_days.add_working_days(date(2026, 11, 2), 5) == date(2026, 11, 9)  # -1 +1
    assert working_days.add_working_days(date(2026, 11, 2), 1) == date(2026, 11, 4)


def test_lights(world):
    school, office, head = world
    complaint = to_status(new(office), "dispatched", school, office, head)
    due = complaint.reply_due_on
    assert complaints.light(complaint, due - timedelta(days=2)) == "green"
    assert complaints.light(complaint, due - timedelta(days=1)) == "yellow"
    assert complaints.light(complaint, due) == "yellow"
    assert complaints.light(complaint, due + timedelta(days=1)) == "red"


def test_tracking_code_is_unguessable(world):
    school, office, head = world
    made = {new(office).tracking_code for _i in range(5)}
    assert len(made) == 5
    for code in made:
        assert len(code) == 16 and not set(code) & set("0O1IL")
    code = next(iter(made))
    assert complaints.by_tracking_code(group(code).lower()).tracking_code == code
    assert complaints.by_tracking_code("1") is None


def test_files_refused_store_nothing(world, tmp_path):
    school, office, head = world
    folder = tmp_path / "up"
    exe = complaints.Upload(io.BytesIO(b"MZ\x90\x00" + b"\0" * 100), "photo.jpg")
    good = complaints.Upload(io.BytesIO(PNG), "a.png")
    with pytest.raises(InvalidInput) as error:
        complaints.submit(act(), complaint_input(category="other", description="描述问题的经过"),
                          files=[good, exe], upload_folder=folder)
    assert "files" in error.value.fields
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Complaint)) == 0
    assert not folder.exists() or not any(folder.iterdir())
    docx = complaints.Upload(io.BytesIO(b"PK\x03\x04"), "a.docx")
    with pytest.raises(InvalidInput):
        complaints.submit(act(), complaint_input(category="other", description="描述问题的经过"),
                          files=[docx], upload_folder=folder)
    with pytest.raises(InvalidInput):
        complaints.submit(act(), complaint_input(category="other", description="描述问题的经过"),
                          files=[complaints.Upload(io.BytesIO(PNG), f"{i}.png") for i in range(4)],
                          upload_folder=folder)
    db.session.rollback()
    complaint = complaints.submit(act(), complaint_input(category="other", description="描述问题的经过"),
                                  files=[complaints.Upload(io.BytesIO(PNG), "a.png")],
                                  upload_folder=folder)
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(ComplaintFile).where(
        ComplaintFile.complaint_id == complaint.id)) == 1


def test_bulk_dispatch_all_or_nothing(world, make):
    school, office, head = world
    a = to_status(new(office), "accepted", school, office, head)
    b = to_status(new(office), "submitted", school, office, head)
    with pytest.raises(Conflict):
        complaints.dispatch_many(act(office), [(a, school.id), (b, school.id)])
    db.session.rollback()
    assert a.status == "accepted"
    complaints.accept(act(office), b)
    complaints.dispatch_many(act(office), [(a, school.id), (b, school.id)])
    db.session.commit()
    assert a.status == b.status == "dispatched"


def test_similar_cases(world, make):
    school, office, head = world
    other_school = make.unit(name="第二中学")
    first = new(office, unit_id=school.id, description="老师课后办班补课收费")
    new(office, unit_id=other_school.id, category="other", description="食堂饭菜质量差")
    third = new(office, unit_id=school.id, description="老师办班补课，每月收费")
    suggested = [c.id for c, _score in similarity.similar(third)]
    assert suggested[0] == first.id


def test_bad_input_names_the_field(world):
    school, office, head = world
    with pytest.raises(InvalidInput) as error:
        complaints.submit(act(), complaint_input(
            category="other", description="", unit_id=99999, happened_on=date(2099, 1, 1),
            contact="a\x00b", on=date(2099, 1, 1)))
    assert set(error.value.fields) == {"description", "unit_id", "happened_on", "contact", "on"}
    complaint = to_status(new(office), "accepted", school, office, head)
    with pytest.raises(InvalidInput) as error:
        complaints.dispatch(act(office), complaint, 99999)
    assert "unit_id" in error.value.fields
    with pytest.raises(InvalidInput) as error:
        complaints.dispatch(act(office), complaint, school.id, reply_due_on=date(2026, 1, 1))
    assert "reply_due_on" in error.value.fields
    with pytest.raises(InvalidInput) as error:
        complaints.reject(act(office), complaint, "  ")
    assert "reason" in error.value.fields
    with pytest.raises(InvalidInput) as error:
        complaints.mark_duplicate(act(office), complaint, complaint.id)
    assert "of_id" in error.value.fields
    assert complaint.status == "accepted"


def test_audit_never_holds_personal_data(world):
    school, office, head = world
    new(office, name="张三丰", contact="zhang-13900000000")
    for event in db.session.scalars(select(AuditEvent)):
        assert "13900000000" not in str(event.changes) and "张三丰" not in str(event.changes)
