"""The scale tests run on generated bureaus (bench/generate.py), on SQLite or PostgreSQL.

Two databases are generated once per run from the migrated template of
tests/conftest.py: the ``small`` scale and a larger one (twice its
tasks, reports, complaints and ballots over the same units). Every test gets
a copy of the small one as its ``database_url`` — so ``app``, ``client`` and
the other fixtures of tests/conftest.py work unchanged — and may ask for a
copy of the larger one too (``larger``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from bench import generate
from tests import worlds
from tests.conftest import _test_config, app_in
from tests.factories import _password_hash
from tracker import clock, create_app
from tracker.extensions import db

SMALL = generate.SCALES["small"]
LARGER = replace(SMALL, name="small×2", tasks=2 * SMALL.tasks, entries=2 * SMALL.entries,
                 complaints=2 * SMALL.complaints, ballots=2 * SMALL.ballots)


def _generated(database_template: str, folder: Path, scale: generate.Scale) -> str:
    """Generate ``scale`` into a new database made from the migrated template; return its URL."""
    url = worlds.new_database(database_template, folder, f"scale_{scale.tasks}")
    app = app_in(folder / "instance", url)
    with app.app_context():
        generate.load(scale, clock.today(), _password_hash())
        db.session.remove()
        db.engine.dispose()
    worlds.settle(url)
    return url


@pytest.fixture(scope="session")
def small_database(database_template, tmp_path_factory) -> str:
    return _generated(database_template, tmp_path_factory.mktemp("scale-small"), SMALL)


@pytest.fixture(scope="session")
def larger_database(database_template, tmp_path_factory) -> str:
    return _generated(database_template, tmp_path_factory.mktemp("scale-larger"), LARGER)


@pytest.fixture
def database_url(small_database, tmp_path):
    """Every test of this folder starts from a copy of the generated small scale."""
    yield from worlds.copy_database(small_database, tmp_path)


@dataclass
class Other:
    app: Flask
    client: FlaskClient


@pytest.fixture
def larger(larger_database, tmp_path):
    """A second app on a copy of the larger generated bureau (its context is not pushed)."""
    folder = tmp_path / "larger"
    folder.mkdir()
    for url in worlds.copy_database(larger_database, folder):
        app = create_app({**_test_config(folder, url), "TESTING": True})
        yield Other(app, app.test_client())
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
