"""Bulletins through the API: generate, approve, publish, public version, .docx."""

import io

from docx import Document


def test_bulletin_lifecycle(client, make, token):
    office, leader = token(make.user("office")), token(make.user("leader"))
    unit = make.unit(name="甲校")
    task = make.task(make.measure(make.plan()), unit, starts_on="2026-10-01", due_on="2026-10-10",
                     milestones=[{"on": "2026-10-10", "percent": 100}])
    make.entry(task, 100, "2026-10-09")
    client.post(f"/api/v1/tasks/{task.id}/verify", headers=office, json={"accept": True, "on": "2026-10-11"})

    bad = client.post("/api/v1/bulletins", headers=office, json={"kind": "monthly", "period": "2026-13"})
    assert bad.status_code == 400 and "period" in bad.json["error"]["fields"]
    created = client.post("/api/v1/bulletins", headers=office, json={"kind": "monthly", "period": "2026-10"})
    assert created.status_code == 201
    body = created.json
    assert body["status"] == "draft" and body["number"] is None
    assert body["unit_table"] == [{"unit_id": unit.id, "unit": "甲校", "due": 1, "on_time": 1,
                                   "on_time_rate": 1.0, "rank": 1}]
    assert body["commended"] == [{"unit_id": unit.id, "unit": "甲校"}]
    assert body["criticised"] == [] and body["complaints"] == [] and body["flags"] == []
    bulletin_id = body["id"]
    again = client.post("/api/v1/bulletins", headers=office, json={"kind": "monthly", "period": "2026-10"})
    assert again.status_code == 200 and again.json["id"] == bulletin_id

    assert client.post(f"/api/v1/bulletins/{bulletin_id}/publish", headers=office).status_code == 409
    assert client.post(f"/api/v1/bulletins/{bulletin_id}/approve", headers=office).status_code == 403
    assert client.get("/api/v1/public/bulletins").json == []
    assert client.post(f"/api/v1/bulletins/{bulletin_id}/approve", headers=leader).status_code == 200
    published = client.post(f"/api/v1/bulletins/{bulletin_id}/publish", headers=office)
    assert published.status_code == 200 and published.json["number"].endswith("1号")
    assert client.patch(f"/api/v1/bulletins/{bulletin_id}", headers=office,
                        json={"title": "改"}).status_code == 409

    public = client.get("/api/v1/public/bulletins").json
    assert [b["id"] for b in public] == [bulletin_id]
    assert "status" not in public[0]
    docx = client.get(f"/api/v1/bulletins/{bulletin_id}.docx", headers=office)
    document = Document(io.BytesIO(docx.data))
    # the document shows the number after the organ's prefix (documents.prefix.bulletin)
    assert any(p.text.endswith(published.json["number"]) for p in document.paragraphs)
    head = token(make.user("unit_head", unit=unit))
    assert client.get(f"/api/v1/bulletins/{bulletin_id}", headers=head).status_code == 200
