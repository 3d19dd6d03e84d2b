"""The scale tests run on generated bureaus (bench/generate.py), on SQLite or PostgreSQL.

Two databases are generated once per run from the migrated template of
tests/conftest.py: the ``small`` scale and a larger one (twice its
tasks, reports, complaints and ballots over the same units). Every test gets
a copy of the small one as its ``database_url`` — so ``app``, ``client`` and
the other fixtures of tests/conftest.py work unchanged — and may ask for a
copy of the larger one too (``larger``).
"""

from __future__ import annotations

import itertools
import os
import shutil
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text

from bench import generate
from tests import pgcluster
from tests.conftest import BACKEND, _test_config, app_in
from tests.factories import _password_hash
from tracker import clock, create_app
from tracker.extensions import db

SMALL = generate.SCALES["small"]
LARGER = replace(SMALL, name="small×2", tasks=2 * SMALL.tasks, entries=2 * SMALL.entries,
                 complaints=2 * SMALL.complaints, ballots=2 * SMALL.ballots)
_copies = itertools.count()


def _admin(template_url: str):
    return create_engine(pgcluster.server_url(template_url), isolation_level="AUTOCOMMIT")


def _generated(database_template: str, folder: Path, scale: generate.Scale) -> str:
    """Generate ``scale`` into a new database made from the migrated template; return its URL."""
    name = f"scale_{scale.tasks}"
    if BACKEND == "sqlite":
        path = folder / f"{name}.db"
        shutil.copyfile(database_template.removeprefix("sqlite:///"), path)
        url = f"sqlite:///{path}"
    else:
        admin = _admin(database_template)
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE tracker_template'))
        admin.dispose()
        url = pgcluster.with_database(database_template, name)
    app = app_in(folder / "instance", url)
    with app.app_context():
        generate.load(scale, clock.today(), _password_hash())
        db.session.remove()
        db.engine.dispose()
    return url


def _copy(source: str, folder: Path):
    """Yield the URL of a fresh copy of a generated database; drop it afterwards."""
    if BACKEND == "sqlite":
        path = folder / f"copy{next(_copies)}.db"
        shutil.copyfile(source.removeprefix("sqlite:///"), path)
        yield f"sqlite:///{path}"
        return
    template = source.rsplit("/", 1)[1]
    name = f"scale_test_{os.getpid()}_{next(_copies)}"
    admin = _admin(source)
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    yield pgcluster.with_database(source, name)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def small_database(database_template, tmp_path_factory) -> str:
    return _generated(database_template, tmp_path_factory.mktemp("scale-small"), SMALL)


@pytest.fixture(scope="session")
def larger_database(database_template, tmp_path_factory) -> str:
    return _generated(database_template, tmp_path_factory.mktemp("scale-larger"), LARGER)


@pytest.fixture
def database_url(small_database, tmp_path):
    """Every test of this folder starts from a copy of the generated small scale."""
    yield from _copy(small_database, tmp_path)


@dataclass
class Other:
    app: Flask
    client: FlaskClient


@pytest.fixture
def larger(larger_database, tmp_path):
    """A second app on a copy of the larger generated bureau (its context is not pushed)."""
    folder = tmp_path / "larger"
    folder.mkdir()
    for url in _copy(larger_database, folder):
        app = create_app({**_test_config(folder, url), "TESTING": True})
        yield Other(app, app.test_client())
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
