"""The demo complaints: every state, ranked units, a published case modelled on seed 000; loaded once."""

from collections import Counter

from sqlalchemy import select

from tracker import clock, demo
from tracker.demo import complaints as demo_complaints
from tracker.extensions import db
from tracker.models.complaints import Complaint, ReplyTemplate


def test_demo_complaints_cover_every_state_and_load_once(make):
    actor = make.actor()
    demo.load(actor)
    db.session.commit()
    today = clock.today()
    assert demo_complaints.load(actor, today) is True
    db.session.commit()
    rows = db.session.scalars(select(Complaint)).all()
    assert len(rows) >= 30
    assert set(Counter(c.status for c in rows)) == {
        "submitted", "accepted", "rejected", "duplicate", "dispatched", "replied", "closed"}
    per_unit = Counter(c.dispatched_unit_id for c in rows if c.first_dispatched_on)
    assert sum(1 for n in per_unit.values() if n >= 5) >= 3
    assert any(c.first_replied_on > c.first_reply_due_on for c in rows if c.first_replied_on)
    assert any(c.first_replied_on <= c.first_reply_due_on for c in rows if c.first_replied_on)
    assert {c.rating for c in rows} >= {"satisfied", "basically_satisfied", "dissatisfied"}
    assert {c.resolved for c in rows if c.status == "closed"} == {True, False}
    seed = next(c for c in rows if c.subject == demo_complaints.SEED_000[0])
    assert seed.is_published and seed.rating == "dissatisfied" and seed.rating_comment
    assert any(c.reopened_at for c in rows)
    assert db.session.scalar(select(ReplyTemplate.id).limit(1)) is not None
    for c in rows:  # events agree with the first dispatch and reply
        assert c.events[0].action == "submit"
        if c.first_dispatched_on:
            first = next(e for e in c.events if e.action == "dispatch")
            assert clock.local(first.at).date() == c.first_dispatched_on
    assert demo_complaints.load(actor, today) is False
    assert len(db.session.scalars(select(Complaint)).all()) == len(rows)
