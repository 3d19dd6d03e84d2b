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
