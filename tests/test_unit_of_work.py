"""One unit of work per request and command: it commits all or nothing."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from flask import abort
from sqlalchemy import create_engine, func, select, text

from tests.conftest import BACKEND, app_in
from tracker.extensions import db
from tracker.models import Unit
from tracker.services import organisation
from tracker.services.errors import InvalidInput
from tracker.unit_of_work import attempt

ROOT = Path(__file__).resolve().parent.parent / "tracker"


def _names_in_database(url: str) -> set[str]:
    """Read the units through a connection of its own: only what was committed."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return set(conn.scalars(select(Unit.name)))
    finally:
        engine.dispose()


def _create(make, name: str) -> Unit:
    return organisation.create_unit(make.actor(), name=name, kind="school",
                                    peer_group="primary_schools")


@pytest.fixture
def views(app, make):
    """Views made for these tests, registered before the first request."""

    def committed():
        _create(make, "甲校")
        return "ok"

    def fails_after_a_change():
        _create(make, "乙校")
        raise RuntimeError("boom")

    def refuses_after_a_change():
        _create(make, "丙校")
        abort(403)

    def refused_step_is_undone():
        _create(make, "丁校")
        try:
            with attempt():
                _create(make, "戊校")
                raise InvalidInput("refused", {"name": "refused"})
        except InvalidInput:
            pass
        return "shown again", 400

    def savepoint_first_then_error():
        with attempt():  # the transaction's first write is inside a savepoint
            _create(make, "己校")
        raise RuntimeError("after the savepoint")

    for view in (committed, fails_after_a_change, refuses_after_a_change, refused_step_is_undone,
                 savepoint_first_then_error):
        app.add_url_rule(f"/test/{view.__name__}", view.__name__, view, methods=["POST"])
    return app


@pytest.mark.parametrize(("view", "status", "kept"), [
    ("committed", 200, {"甲校"}),
    ("fails_after_a_change", 500, set()),
    ("refuses_after_a_change", 403, set()),
    ("refused_step_is_undone", 400, {"丁校"}),
    ("savepoint_first_then_error", 500, set()),
])
def test_a_request_commits_all_or_nothing(views, app_config, view, status, kept):
    response = views.test_client().post(f"/test/{view}")
    assert response.status_code == status
    assert _names_in_database(app_config["DATABASE_URL"]) == kept


def test_a_lost_race_at_commit_answers_409(app, make):
    _create(make, "庚校")
    db.session.commit()

    def duplicate():
        db.session.add(Unit(name="庚校", kind="school", peer_group="primary_schools"))
        return "never"

    app.add_url_rule("/test/duplicate", "duplicate", duplicate, methods=["POST"])
    app.add_url_rule("/api/v1/test/duplicate", "api_duplicate", duplicate, methods=["POST"])
    page = app.test_client().post("/test/duplicate")
    assert page.status_code == 409
    assert "请刷新页面后重试" in page.get_data(as_text=True)
    api = app.test_client().post("/api/v1/test/duplicate")
    assert api.status_code == 409 and api.json["error"]["code"] == "conflict"
    assert db.session.scalar(select(func.count()).select_from(Unit).where(Unit.name == "庚校")) == 1


def _unreachable_url(tmp_path) -> str:
    if BACKEND == "postgresql":
        return "postgresql+psycopg://tracker@127.0.0.1:1/nowhere?connect_timeout=2"
    return f"sqlite:///{tmp_path / 'no-such-folder' / 'tracker.db'}"


def test_the_database_away_answers_503_with_the_apps_own_page(tmp_path):
    app = app_in(tmp_path / "instance", _unreachable_url(tmp_path))
    client = app.test_client()
    with client.session_transaction() as session:  # a user logged in before the database went
        session["_user_id"] = "1"
    page = client.get("/ledger")
    assert page.status_code == 503
    assert page.headers["Retry-After"] == "30"
    assert "服务暂时不可用" in page.get_data(as_text=True)
    public = app.test_client().get("/public/bulletins")
    assert public.status_code == 503 and "服务暂时不可用" in public.get_data(as_text=True)
    api = app.test_client().get("/api/v1/public/units")
    assert api.status_code == 503
    assert api.json["error"]["code"] == "unavailable" and api.headers["Retry-After"] == "30"


def test_the_app_recovers_when_the_database_is_back(app, app_config, client, make, login):
    if BACKEND != "sqlite":
        pytest.skip("the file of an SQLite database is moved away; PostgreSQL is stopped elsewhere")
    user = make.user(role="office")
    login(user)
    path = Path(app_config["DATABASE_URL"].removeprefix("sqlite:///"))
    db.session.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))  # everything in the main file
    db.session.remove()
    db.engine.dispose()
    path.rename(path.with_suffix(".away"))
    path.mkdir()  # what stands in its place cannot be opened as a database
    try:
        with app.app_context():  # as in production: the request's own context (and g)
            assert client.get("/ledger").status_code == 503
    finally:
        path.rmdir()
        path.with_suffix(".away").rename(path)
    db.engine.dispose()
    with app.app_context():
        assert client.get("/ledger").status_code == 200


def _calls(path: Path, names: set[str]) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in names:
            found.append(f"{path.relative_to(ROOT.parent)}:{node.lineno} {ast.unparse(node.func)}")
    return found


def test_only_the_unit_of_work_commits_or_rolls_back():
    """Routes, API handlers, services, jobs and commands leave the transaction to the unit of work."""
    offenders = []
    for path in ROOT.rglob("*.py"):
        if path.name != "unit_of_work.py":
            offenders += _calls(path, {"commit", "rollback"})
    assert offenders == []
