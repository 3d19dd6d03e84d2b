"""Bad input on the supervision, bulletin and ledger endpoints: 400 naming the field, nothing stored."""

import pytest
from sqlalchemy import func, select

from tracker.extensions import db
from tracker.models import AuditEvent, Bulletin, LedgerEntry, Plan, SupervisionRound, Task

HOSTILE = ["<script>alert(1)</script>", "'; DROP TABLE tasks; --"]


def stored() -> tuple:
    return tuple(db.session.scalar(select(func.count()).select_from(model))
                 for model in (SupervisionRound, Bulletin, LedgerEntry, Task, Plan, AuditEvent))


@pytest.mark.parametrize(("path", "body", "field"), [
    ("/api/v1/supervision/rounds", {}, "week_start"),
    ("/api/v1/supervision/rounds", {"week_start": "2026-10-13"}, "week_start"),
    ("/api/v1/supervision/rounds", {"week_start": 20261012}, "week_start"),
    ("/api/v1/supervision/rounds", {"week_start": "next monday"}, "week_start"),
    ("/api/v1/supervision/rounds", {"week_start": HOSTILE[0]}, "week_start"),
    ("/api/v1/bulletins", {"kind": "weekly", "period": "2026-10"}, "kind"),
    ("/api/v1/bulletins", {"kind": "monthly", "period": "2026-00"}, "period"),
    ("/api/v1/bulletins", {"kind": "monthly", "period": HOSTILE[1]}, "period"),
    ("/api/v1/bulletins", {"kind": "quarterly", "period": "2026-10"}, "period"),
    ("/api/v1/bulletins", {"kind": "monthly"}, "period"),
    ("/api/v1/plans", {"title": "", "year": 2026}, "title"),
    ("/api/v1/plans", {"title": "方案", "year": "2026"}, "year"),
    ("/api/v1/plans", {"title": "方案", "year": 1900}, "year"),
    ("/api/v1/plans", {"title": "x" * 201, "year": 2026}, "title"),
    ("/api/v1/plans", {"title": "方\x00案", "year": 2026}, "title"),
])
def test_bad_bodies(client, make, token, path, body, field):
    headers = token(make.user("office"))
    before = stored()
    response = client.post(path, headers=headers, json=body)
    assert response.status_code == 400, response.json
    assert any(key.startswith(field) for key in response.json["error"]["fields"]), response.json
    assert stored() == before


@pytest.mark.parametrize(("body", "field"), [
    ({"percent": 101, "narrative": "x"}, "percent"),
    ({"percent": "50", "narrative": "x"}, "percent"),
    ({"percent": None, "narrative": "x"}, "percent"),
    ({"percent": True, "narrative": "x"}, "percent"),
    ({"percent": 50.5, "narrative": "x"}, "percent"),
    ({"percent": -1, "narrative": "x"}, "percent"),
    ({"percent": 50}, "narrative"),
    ({"percent": 50, "narrative": "x" * 4001}, "narrative"),
    ({"percent": 50, "narrative": "bell\x07"}, "narrative"),
    ({"percent": 50, "narrative": "x", "reported_on": "yesterday"}, "reported_on"),
    ({"percent": 50, "narrative": "x", "extra": 1}, "extra"),
])
def test_bad_ledger_entries(client, make, token, body, field):
    headers = token(make.user("office"))
    task = make.task()
    before = stored()
    response = client.post(f"/api/v1/tasks/{task.id}/entries", headers=headers, json=body)
    assert response.status_code == 400, response.json
    assert field in response.json["error"]["fields"]
    assert stored() == before


def test_finding_notes_and_bulletin_edits_are_checked(client, make, token):
    headers = token(make.user("office"))
    make.task(starts_on="2026-10-01", due_on="2026-10-10")
    rnd = client.post("/api/v1/supervision/rounds", headers=headers, json={"week_start": "2026-10-12"}).json
    finding = rnd["findings"][0]["id"]
    for note in ("x" * 2001, "a\x00b", 12):
        response = client.patch(f"/api/v1/supervision/findings/{finding}", headers=headers,
                                json={"note": note})
        assert response.status_code == 400 and "note" in response.json["error"]["fields"]
    bulletin = client.post("/api/v1/bulletins", headers=headers,
                           json={"kind": "monthly", "period": "2026-10"}).json
    for body, field in (({"title": ""}, "title"), ({"title": "t", "narrative": "x" * 20001}, "narrative"),
                        ({"title": HOSTILE[0] + "\x00"}, "title")):
        response = client.patch(f"/api/v1/bulletins/{bulletin['id']}", headers=headers, json=body)
        assert response.status_code == 400 and field in response.json["error"]["fields"], body
    assert client.get(f"/api/v1/bulletins/{bulletin['id']}", headers=headers).json["narrative"] == ""
