"""The OpenAPI document lists every status an operation answers (tests/api/conftest.py checks the rest)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from tests.api.conftest import undocumented
from tracker import clock
from tracker.blueprints.api.framework import ENDPOINTS


def responses(client, method: str, path: str) -> dict:
    return client.get("/api/v1/openapi.json").json["paths"][path][method]["responses"]


def test_get_or_create_endpoints_document_201_and_200(client, make, token):
    office = token(make.user("office"))
    monday = clock.today() - timedelta(days=clock.today().weekday() + 7)
    for path, body in (("/api/v1/bulletins", {"kind": "monthly", "period": "2026-01"}),
                       ("/api/v1/supervision/rounds", {"week_start": monday.isoformat()})):
        statuses = [client.post(path, headers=office, json=body).status_code for _ in range(2)]
        assert statuses == [201, 200], path
        documented = responses(client, "post", path)
        assert {"200", "201"} <= set(documented), path
        assert documented["200"]["content"] == documented["201"]["content"]


def test_the_import_template_documents_403_and_404(client, make, token):
    plan = make.plan(status="draft")
    head = token(make.user("unit_head", unit=make.unit()))
    path = "/api/v1/plans/{plan_id}/tasks/template.xlsx"
    assert client.get(f"/api/v1/plans/{plan.id}/tasks/template.xlsx", headers=head).status_code == 403
    assert client.get("/api/v1/plans/999999/tasks/template.xlsx",
                      headers=token(make.user("office"))).status_code == 404
    assert {"200", "401", "403", "404"} <= set(responses(client, "get", path))


def test_every_public_endpoint_documents_its_rate_limit(client):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    public = [spec for spec in ENDPOINTS if spec.rule.startswith("/api/v1/public/")]
    assert public
    for spec in public:
        path = spec.rule.replace("<tracking_code>", "{tracking_code}")
        assert "429" in paths[path][spec.method.lower()]["responses"], (spec.method, path)


def test_a_status_missing_from_the_document_is_reported():
    observed = {("POST", "/api/v1/bulletins", 201): "a", ("POST", "/api/v1/bulletins", 200): "b",
                ("GET", "/api/v1/units/<int:unit_id>", 418): "tests/api/x.py::test_teapot",
                ("POST", "/api/v1/test/only-in-a-test", 500): "c"}
    assert undocumented(observed) == [
        "GET /api/v1/units/{unit_id} answered 418, which the document does not list "
        "(first seen in tests/api/x.py::test_teapot)"]


def test_the_optional_body_of_accepting_a_complaint_is_documented(client, make, token):
    operation = client.get("/api/v1/openapi.json").json["paths"][
        "/api/v1/complaints/{complaint_id}/accept"]["post"]
    assert operation["requestBody"]["required"] is False
    assert operation["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("/OnBody")
    office = token(make.user("office"))
    codes = [client.post("/api/v1/public/complaints", json={"category": "other", "description": "办事推诿扯皮，多次催办无人理睬。"}
                         ).json["tracking_code"] for _ in range(3)]
    ids = [row["id"] for row in client.get("/api/v1/complaints", headers=office).json["items"]]
    assert len(ids) == len(codes)
    assert client.post(f"/api/v1/complaints/{ids[0]}/accept", headers=office).status_code == 200
    assert client.post(f"/api/v1/complaints/{ids[1]}/accept", headers=office, json={}).status_code == 200
    bad = client.post(f"/api/v1/complaints/{ids[2]}/accept", headers=office, json={"on": "soon"})
    assert bad.status_code == 400 and "on" in bad.json["error"]["fields"]


def test_every_operation_documents_what_the_unit_of_work_may_answer(client):
    """503 when the database cannot be reached; 409 when a write loses a race; 413 above the limit."""
    paths = client.get("/api/v1/openapi.json").json["paths"]
    for spec in ENDPOINTS:
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", spec.rule)
        documented = set(paths[path][spec.method.lower()]["responses"])
        assert "503" in documented, (spec.method, path)
        assert ("409" in documented) == (spec.method != "GET" or "409" in map(str, spec.errors)), (
            spec.method, path)
        assert ("413" in documented) == bool(spec.body or spec.multipart or 413 in spec.errors), (
            spec.method, path)


@pytest.fixture
def small_requests(app_config):
    app_config["MAX_CONTENT_LENGTH"] = 2000


def test_a_body_above_the_request_limit_answers_the_documented_413(small_requests, client, make, token):
    admin = token(make.user("admin"))
    response = client.post("/api/v1/units", headers=admin, json={"name": "校" * 2000, "kind": "school"})
    assert response.status_code == 413 and response.json["error"]["code"] == "too_large"
    assert "413" in responses(client, "post", "/api/v1/units")
