"""Demo notices: every colour and state, from inspections and complaints; running twice changes nothing."""

from datetime import UTC, datetime

from sqlalchemy import func, select

from tracker import clock, demo
from tracker.demo import complaints as demo_complaints
from tracker.demo import notices as demo_notices
from tracker.extensions import db
from tracker.models import Inspection, Notice, NoticeEvent, User
from tracker.services import notices
from tracker.services.audit import Actor


def test_demo_notices_in_every_colour_and_state(app):
    actor = Actor(None, "cli", datetime.now(UTC))
    today = clock.today()
    demo.load(actor)
    demo_complaints.load(actor, today)
    assert demo_notices.load(actor, today)
    db.session.commit()
    rows = db.session.scalars(select(Notice)).all()
    assert {notices.colour(n, today) for n in rows} == {"blue", "orange", "red"}
    assert {notices.display_status(n, today) for n in rows} >= {"overdue", "issued", "acknowledged",
                                                                   "reported", "verified"}
    assert db.session.scalar(select(func.count()).select_from(NoticeEvent).where(
        NoticeEvent.action == "return")) == 1
    assert {n.source_type for n in rows} >= {"inspection"}
    if db.session.scalar(select(func.count()).select_from(demo_complaints.Complaint)):
        assert "complaint" in {n.source_type for n in rows}
    assert db.session.scalar(select(func.count()).select_from(Inspection)) == len(demo_notices.INSPECTIONS)
    office = db.session.scalar(select(User).where(User.username == "office"))
    assert notices.colour_counts(office, today)["red"] == 2
    before = db.session.scalar(select(func.count()).select_from(NoticeEvent))
    assert not demo_notices.load(actor, today)
    assert db.session.scalar(select(func.count()).select_from(NoticeEvent)) == before
