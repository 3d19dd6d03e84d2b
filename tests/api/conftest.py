"""Every status the API tests see an endpoint answer must be listed in the OpenAPI document.

While a test of this folder runs, each answer of a declared endpoint is
recorded as (method, rule, status). At the end of the run, a status the
document does not list for that operation fails the run, naming the
operation and the test that saw it: the document then needs the status (the
endpoint's ``status=``/``errors=``), or the endpoint answers what it should not.
"""

from __future__ import annotations

import re

import flask
import pytest

from tracker.blueprints.api import spec

# (method, rule, status) → the first test that saw it
OBSERVED: dict[tuple[str, str, int], str] = {}


def undocumented(observed: dict[tuple[str, str, int], str]) -> list[str]:
    """Describe each observed status the document does not list for its operation."""
    document = spec.build()
    problems = []
    for (method, rule, status), test in sorted(observed.items()):
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule)
        operation = document["paths"].get(path, {}).get(method.lower())
        if operation is None:
            continue  # a route added by a test, not a declared endpoint
        if str(status) not in operation["responses"]:
            problems.append(f"{method} {path} answered {status}, which the document does not list "
                            f"(first seen in {test})")
    return problems


@pytest.fixture(autouse=True)
def _record_api_statuses(request: pytest.FixtureRequest):
    test = request.node.nodeid

    def record(sender, response, **extra):
        rule, method = flask.request.url_rule, flask.request.method
        if rule is not None and rule.rule.startswith("/api/") and method not in ("HEAD", "OPTIONS"):
            OBSERVED.setdefault((method, rule.rule, response.status_code), test)

    flask.request_finished.connect(record)
    yield
    flask.request_finished.disconnect(record)


def pytest_terminal_summary(terminalreporter):
    problems = undocumented(OBSERVED)
    if problems:
        terminalreporter.section("API statuses missing from the OpenAPI document", red=True)
        for line in problems:
            terminalreporter.write_line(line)


def pytest_sessionfinish(session):
    if undocumented(OBSERVED) and session.exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
