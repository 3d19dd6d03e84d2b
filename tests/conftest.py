"""Fixtures: an app per test on a fresh database (SQLite or PostgreSQL), clients, factories.

``TRACKER_TEST_BACKEND`` picks the database: ``sqlite`` (default) or
``postgresql`` — a throw-away cluster started for the run, or the server of
``TRACKER_TEST_DATABASE_URL``. A missing PostgreSQL or Chromium skips that
layer with a printed reason, and fails the run when ``CI=true``.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest
from flask_migrate import upgrade

from tests import access, appcache, pgcluster, worlds
from tests.factories import Factories
from tracker import create_app
from tracker.extensions import db

appcache.install()

IN_CI = os.environ.get("CI", "").lower() == "true"
BACKEND = os.environ.get("TRACKER_TEST_BACKEND", "sqlite")
PASSWORD = "Secret-pass-1"


def missing(reason: str):
    """Skip a layer whose tool is missing — or fail, in CI."""
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: this layer must run)", pytrace=False)
    pytest.skip(reason)


def pytest_report_header(config):
    return f"tracker database backend: {BACKEND}"


def _test_config(instance: Path, url: str) -> dict:
    return {
        "TESTING": True,
        "DATABASE_URL": url,
        "SECRET_KEY": "test-secret-" + uuid.uuid4().hex,
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "UPLOAD_FOLDER": str(instance / "uploads"),
    }


def app_in(instance, url: str):
    """An app whose instance folder is ``instance`` (TRACKER_INSTANCE_PATH set while it is made)."""
    previous = os.environ.get("TRACKER_INSTANCE_PATH")
    os.environ["TRACKER_INSTANCE_PATH"] = str(instance)
    try:
        return create_app(_test_config(instance, url))
    finally:
        if previous is None:
            os.environ.pop("TRACKER_INSTANCE_PATH")
        else:
            os.environ["TRACKER_INSTANCE_PATH"] = previous


@pytest.fixture(scope="session")
def database_template(tmp_path_factory):
    """Migrate a template database once per run; tests copy it."""
    instance = tmp_path_factory.mktemp("template-instance")
    if BACKEND == "sqlite":
        path = instance / "template.db"
        url = f"sqlite:///{path}"
    elif BACKEND == "postgresql":
        server = os.environ.get("TRACKER_TEST_DATABASE_URL") or pgcluster.start()
        if server is None:
            missing("PostgreSQL server binaries (initdb, pg_ctl) not found")
        url = pgcluster.create_database(server, "tracker_template")
    else:
        raise pytest.UsageError(f"unknown TRACKER_TEST_BACKEND {BACKEND!r}")
    app = app_in(instance, url)
    with app.app_context():
        upgrade()
        db.engine.dispose()
    yield url
    worlds.COPIES.close()
    if BACKEND == "postgresql":
        pgcluster.stop_all()


@pytest.fixture(scope="session")
def world_templates(database_template, tmp_path_factory):
    """The worlds (tests/worlds.py) built so far in this run, each in a template database."""
    templates = worlds.Templates(database_template, tmp_path_factory.mktemp("worlds"))
    yield templates
    templates.close()


@pytest.fixture
def database_url(request, database_template, tmp_path):
    """Return the URL of a fresh, migrated database for one test.

    A copy of the empty schema; or, for a test that asks for a world's
    fixture (tests/worlds.py), a copy of that world's database.
    """
    world = worlds.template_for(request)
    yield from worlds.copy_database(world.url if world else database_template, tmp_path)


# The access matrices' world (tests/access.py), built once per run; each test gets a copy.
access_world = worlds.world_fixture("access_world", build=access.world_handles, load=access.load_world)


@pytest.fixture
def app_config(database_url, tmp_path) -> dict:
    """The test configuration; a test may change it before ``app`` is made."""
    return _test_config(tmp_path, database_url)


@pytest.fixture
def app(app_config, tmp_path, monkeypatch):
    monkeypatch.setenv("TRACKER_INSTANCE_PATH", str(tmp_path / "instance"))
    app = create_app(app_config)
    app.jinja_env.bytecode_cache = appcache.TEMPLATES  # compiled once a run (tests/appcache.py)
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def make(app) -> Factories:
    return Factories()


@pytest.fixture
def login(client):
    """Log ``client`` in as ``user`` through the real log-in form."""

    def do(user, password: str = PASSWORD):
        response = client.post("/login", data={"username": user.username, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return response

    return do


@pytest.fixture
def token(client):
    """Return a bearer header for ``user`` from POST /api/v1/auth/token."""

    def do(user, password: str = PASSWORD) -> dict[str, str]:
        response = client.post("/api/v1/auth/token",
                               json={"username": user.username, "password": password})
        assert response.status_code == 201, response.json
        return {"Authorization": f"Bearer {response.json['token']}"}

    return do
