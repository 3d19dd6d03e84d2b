"""Schemathesis over every operation of /api/v1/openapi.json, against the app itself (no network).

For each operation, Hypothesis draws requests from the document — valid ones
on the world's real rows and on random ids, and invalid ones (negative
mode) — and sends each as the office and as a unit head (a public operation
also anonymously; one that neither may call also as a role that may;
``DELETE /auth/token`` with a token of its own). Every answer must

- not be a server error (5xx),
- have a status the document lists for the operation,
- have the documented content type and conform to the documented schema.

The examples are derandomised, so a run is repeatable; the world is shared
by the module's tests (tests/fuzz/conftest.py). ``TRACKER_FUZZ_EXAMPLES``
sets the examples per operation (default 12) to fuzz harder locally,
``TRACKER_FUZZ_SEED`` a seed to draw other examples than the default ones, and
``TRACKER_FUZZ_BUDGET`` the module's time in seconds (default 150) after which
each remaining operation gets three examples.
"""

from __future__ import annotations

import itertools
import os
import re
import time

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tracker.blueprints.api.framework import ENDPOINTS

EXAMPLES = int(os.environ.get("TRACKER_FUZZ_EXAMPLES", "12"))
SEED = os.environ.get("TRACKER_FUZZ_SEED")
# the whole module's time: past it, each remaining operation gets a few examples only
BUDGET_SECONDS = float(os.environ.get("TRACKER_FUZZ_BUDGET", "150"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]
OPERATIONS = [(spec.method, re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", spec.rule), spec.public)
              for spec in ENDPOINTS]
# operations neither the office nor a unit head may call: fuzzed by a role that may, too
ALSO = {("POST", "/api/v1/units"): "admin", ("PATCH", "/api/v1/units/{unit_id}"): "admin",
        ("POST", "/api/v1/users"): "admin", ("GET", "/api/v1/users"): "admin",
        ("GET", "/api/v1/users/{user_id}"): "admin", ("PATCH", "/api/v1/users/{user_id}"): "admin",
        ("POST", "/api/v1/bulletins/{bulletin_id}/approve"): "leader",
        ("POST", "/api/v1/bulletins/{bulletin_id}/return"): "leader",
        ("POST", "/api/v1/flags/{flag_id}/decide"): "leader",
        ("POST", "/api/v1/flags/{flag_id}/exempt"): "leader",
        ("POST", "/api/v1/flags/{flag_id}/reject-exemption"): "leader"}
_started: list[float] = []


@pytest.fixture(scope="module")
def api_schema(fuzz_world):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", fuzz_world.app)
    _started.append(time.monotonic())
    return schema


def strategy(operation, ids: dict[str, list]):
    """Valid requests on real rows (for each combination of the path's ids), on random ids, invalid ones."""
    names = [p.name for p in operation.path_parameters]
    strategies = []
    if names and all(name in ids for name in names):
        for values in itertools.product(*(ids[name] for name in names)):
            strategies.append(operation.as_strategy(path_parameters=dict(zip(names, values, strict=True))))
    strategies.append(operation.as_strategy())
    strategies.append(operation.as_strategy(generation_mode=schemathesis.GenerationMode.NEGATIVE))
    return st.one_of(strategies)


def realise(value, data, values: dict[str, list]):
    """Replace, now and then, a field the world has values for (at any depth) with one of them."""
    if isinstance(value, list):
        return [realise(item, data, values) for item in value]
    if not isinstance(value, dict):
        return value
    changed = {}
    for key, item in value.items():
        pool = values.get(key)
        if pool and data.draw(st.booleans(), label=f"real {key}"):
            many = isinstance(item, list) or key.endswith("_ids")
            item = (data.draw(st.lists(st.sampled_from(pool), max_size=3, unique=True)) if many
                    else data.draw(st.sampled_from(pool)))
            if hasattr(item, "isoformat"):
                item = item.isoformat()
        changed[key] = realise(item, data, values)
    return changed


def examples() -> int:
    if _started and time.monotonic() - _started[0] > BUDGET_SECONDS:
        return 3
    return EXAMPLES


@pytest.mark.parametrize(("method", "path", "public"), OPERATIONS,
                         ids=[f"{method} {path}" for method, path, _public in OPERATIONS])
def test_operation(fuzz_world, api_schema, method, path, public):
    operation = api_schema[path][method]
    acting = set(fuzz_world.user_ids.values())

    def callers(case):
        if (method, path) == ("DELETE", "/api/v1/auth/token"):
            return [fuzz_world.fresh_token("office")]
        roles = ["office", "unit_head"]
        # the admin changes any user but the ones acting here: they must stay as they are
        if ALSO.get((method, path)) and case.path_parameters.get("user_id") not in acting:
            roles.append(ALSO[(method, path)])
        headers = [fuzz_world.headers(role) for role in roles]
        return [{}, *headers] if public else headers

    @settings(max_examples=examples(), deadline=None, database=None, derandomize=SEED is None,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    @given(case=strategy(operation, fuzz_world.ids), data=st.data())
    def fuzz(case, data):
        if isinstance(case.body, dict | list):
            case.body = realise(case.body, data, fuzz_world.values)
        if case.query:
            case.query = realise(case.query, data, fuzz_world.values)
        for headers in callers(case):
            response = case.call(headers=headers)
            case.validate_response(response, checks=CHECKS, headers=headers)

    if SEED is not None:
        fuzz = seed(int(SEED))(fuzz)
    fuzz()
