"""A finding's internal note stays with the office and leaders; the note to the unit reaches it."""

from __future__ import annotations

from datetime import date

from tracker.extensions import db
from tracker.models import Finding
from tracker.services import supervision


def test_the_unit_reads_only_the_note_meant_for_it(client, make, login, token):
    school = make.unit(kind="school")
    office, leader = make.user("office"), make.user("leader")
    head = make.user("unit_head", unit=school)
    task = make.task(unit=school, starts_on="2026-10-01", due_on="2026-10-31")
    make.entry(task, 10, "2026-10-17")  # far behind plan: a lagging finding
    rnd, _created = supervision.start_round(make.actor(office), date(2026, 10, 12))
    db.session.commit()
    finding = db.session.query(Finding).filter_by(round_id=rnd.id).first()
    assert finding is not None
    login(office)
    client.post(f"/supervision/findings/{finding.id}/note",
                data={"note": "校长态度消极，需约谈", "unit_note": "请本周内补报进度"})
    db.session.refresh(finding)
    assert (finding.note, finding.unit_note) == ("校长态度消极，需约谈", "请本周内补报进度")

    for user, sees_internal in ((office, True), (leader, True), (head, False)):
        listing = client.get("/api/v1/supervision/findings", headers=token(user)).json["items"]
        mine = [item for item in listing if item["id"] == finding.id]
        assert mine and mine[0]["unit_note"] == "请本周内补报进度"
        assert (mine[0]["note"] == "校长态度消极，需约谈") is sees_internal
    client.post("/logout")
    login(head)
    page = client.get("/supervision/mine").get_data(as_text=True)
    assert "请本周内补报进度" in page and "校长态度消极" not in page
