"""The OpenAPI document lists every status an operation answers (tests/api/conftest.py checks the rest)."""

from __future__ import annotations

from datetime import timedelta

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
