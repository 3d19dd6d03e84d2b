"""Supervision rounds through the API (docs/api.md "Supervision and bulletins")."""

from tracker.extensions import db


def test_round_lifecycle(client, make, token):
    office = token(make.user("office"))
    school = make.unit()
    other = make.unit()
    plan = make.plan()
    measure = make.measure(plan)
    mine = make.task(measure, school, starts_on="2026-10-01", due_on="2026-10-15")
    theirs = make.task(measure, other, starts_on="2026-10-01", due_on="2026-10-31")
    make.entry(theirs, 60, "2026-10-17")
    mine_id, theirs_id, school_id = mine.id, theirs.id, school.id

    response = client.post("/api/v1/supervision/rounds", headers=office, json={"week_start": "2026-10-13"})
    assert response.status_code == 400 and "week_start" in response.json["error"]["fields"]
    response = client.post("/api/v1/supervision/rounds", headers=office, json={"week_start": "2026-10-12"})
    assert response.status_code == 201
    body = response.json
    assert body["week_start"] == "2026-10-12" and body["as_of"] == "2026-10-18"
    snapshots = {s["task_id"]: s for s in body["snapshots"]}
    assert snapshots[mine_id] == {"task_id": mine_id, "unit_id": school_id, "planned_percent": 100,
                                  "actual_percent": 0, "status": "overdue", "light": "red",
                                  "projected_late": False, "projected_on": None}
    assert snapshots[theirs_id]["status"] == "on_track"
    assert [(f["task_id"], f["kind"]) for f in body["findings"]] == [(mine_id, "overdue")]
    round_id = body["id"]
    again = client.post("/api/v1/supervision/rounds", headers=office, json={"week_start": "2026-10-12"})
    assert again.status_code == 200 and again.json["id"] == round_id

    head = token(make.user("unit_head", unit=db.session.get(type(school), school_id)))
    seen = client.get(f"/api/v1/supervision/rounds/{round_id}", headers=head).json
    assert [s["task_id"] for s in seen["snapshots"]] == [mine_id]
    assert client.post("/api/v1/supervision/rounds", headers=head,
                       json={"week_start": "2026-10-05"}).status_code == 403

    finding_id = body["findings"][0]["id"]
    noted = client.patch(f"/api/v1/supervision/findings/{finding_id}", headers=office,
                         json={"note": "已约谈校长"})
    assert noted.status_code == 200 and noted.json["note"] == "已约谈校长"
    assert client.post(f"/api/v1/supervision/rounds/{round_id}/close", headers=office).status_code == 200
    assert client.post(f"/api/v1/supervision/rounds/{round_id}/close", headers=office).status_code == 409
    assert client.patch(f"/api/v1/supervision/findings/{finding_id}", headers=office,
                        json={"note": "改"}).status_code == 409
    listing = client.get("/api/v1/supervision/rounds", headers=office).json
    assert listing["items"][0]["findings"] == 1 and listing["items"][0]["status"] == "closed"
