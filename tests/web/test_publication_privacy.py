"""Innovation scores and the draft ranking stay with the office and leaders until publication."""

from __future__ import annotations

from tracker import clock
from tracker.extensions import db
from tracker.services import innovations


def test_scores_and_the_draft_ranking_wait_for_publication(client, make, login, token):
    year = clock.today().year
    school = make.unit(kind="school")
    office, leader = make.user("office"), make.user("leader")
    head = make.user("unit_head", unit=school)
    innovation = innovations.register(make.actor(head), unit_id=school.id, title="课后服务一招鲜",
                                      description="做法", year=year)
    innovations.score(make.actor(office), innovation, 87.5)
    db.session.commit()

    public = client.get(f"/public/innovations?year={year}").get_data(as_text=True)
    assert "课后服务一招鲜" in public and "87.50" not in public
    assert client.get(f"/api/v1/innovations/ranking?year={year}", headers=token(head)).status_code == 404
    login(head)
    assert 'data-testid="innovation-ranking"' not in client.get(f"/innovations/ranking?year={year}").get_data(
        as_text=True)
    for user in (office, leader):
        assert client.get(f"/api/v1/innovations/ranking?year={year}", headers=token(user)).status_code == 200

    innovations.publish(make.actor(office), year)
    db.session.commit()
    assert "87.50" in client.get(f"/public/innovations?year={year}").get_data(as_text=True)
    assert client.get(f"/api/v1/innovations/ranking?year={year}", headers=token(head)).status_code == 200
    assert 'data-testid="innovation-ranking"' in client.get(f"/innovations/ranking?year={year}").get_data(
        as_text=True)


def test_a_ballot_leaves_no_address_in_the_audit_trail(client, make, token):
    from sqlalchemy import func, select

    from tracker.models import AuditEvent, Ballot

    office = token(make.user("office"))
    unit = make.unit()
    rid = client.post("/api/v1/rating-rounds", headers=office,
                      json={"title": "评议", "period": "2026-H1", "unit_ids": [unit.id]}).json["id"]
    code = client.post(f"/api/v1/rating-rounds/{rid}/invitations", headers=office,
                       json={"group": "public", "count": 1}).json["codes"][0]
    client.post(f"/api/v1/rating-rounds/{rid}/open", headers=office)
    before = db.session.scalar(select(func.max(AuditEvent.id)))
    answers = [{"unit_id": unit.id, "dimension": d, "value": "satisfied"}
               for d in ("spirit", "conduct", "delivery")]
    answer = client.post("/api/v1/public/ballots", json={"code": code, "answers": answers},
                         environ_base={"REMOTE_ADDR": "203.0.113.77"})
    assert answer.status_code == 201
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.id > before)).all()
    assert [event.action for event in events] == ["ballot.cast"]
    assert all(event.ip is None and event.user_id is None for event in events)
    assert db.session.scalar(select(func.count()).select_from(Ballot)) == 1
