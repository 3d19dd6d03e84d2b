"""Bulletin pages: the office generates, a leader approves, the office publishes, the public reads."""

from sqlalchemy import select

from tracker.extensions import db
from tracker.models import Bulletin


def test_generate_approve_publish_and_read_publicly(client, make, login):
    unit = make.unit(name="城关小学")
    task = make.task(make.measure(make.plan()), unit, starts_on="2026-10-01", due_on="2026-10-10")
    make.entry(task, 100, "2026-10-08")
    office, leader = make.user("office", display_name="刘晓东"), make.user("leader")
    login(office)
    client.post("/bulletins/generate", data={"kind": "monthly", "period": "2026-13"})
    assert db.session.scalar(select(Bulletin)) is None
    response = client.post("/bulletins/generate", data={"kind": "monthly", "period": "2026-10"})
    bulletin = db.session.scalar(select(Bulletin))
    assert response.location.endswith(f"/bulletins/{bulletin.id}")
    page = client.get(f"/bulletins/{bulletin.id}").get_data(as_text=True)
    assert "城关小学" in page
    client.post(f"/bulletins/{bulletin.id}", data={"title": "2026年10月通报", "narrative": "总体有序。"})
    assert client.post(f"/bulletins/{bulletin.id}/approve").status_code == 403
    assert client.get(f"/public/bulletins/{bulletin.id}").status_code == 404
    client.post("/logout")
    login(leader)
    client.post(f"/bulletins/{bulletin.id}/approve", data={"confirm": "yes"})
    assert db.session.get(Bulletin, bulletin.id).status == "approved"
    client.post("/logout")
    login(office)
    client.post(f"/bulletins/{bulletin.id}/publish", data={"confirm": "yes"})
    published = db.session.get(Bulletin, bulletin.id)
    assert published.status == "published" and published.number == 1
    docx = client.get(f"/bulletins/{bulletin.id}.docx")
    assert docx.status_code == 200 and docx.data[:2] == b"PK"
    client.post("/logout")
    public = client.get(f"/public/bulletins/{bulletin.id}").get_data(as_text=True)
    assert "2026年10月通报" in public and "总体有序。" in public and published.doc_number in public
    assert "刘晓东" not in public
    assert "2026年10月通报" in client.get("/public/bulletins").get_data(as_text=True)
