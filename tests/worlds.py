"""Worlds built once per run into template databases; every test gets its own copy.

A *world* is the rows a group of tests shares before each of them acts: the
access matrices' organisation with one user of every role, a plan under way,
complaints, notices, rating rounds… Building one through the services costs
far more than the requests a test then makes, so each world is built once per
run, on the first test that asks for it, into a database of its own made from
the migrated template of tests/conftest.py. A test that asks for the world's
fixture gets a fresh copy of that database as its ``database_url`` (SQLite: a
copy of the file; PostgreSQL: ``CREATE DATABASE … TEMPLATE``), a copy of the
files the world uploaded in its ``UPLOAD_FOLDER``, and the world's handles
re-loaded by id in its own app: nothing built is shared between tests, so each
may change what it got.

Declare a world with :func:`world_fixture`::

    access_world = world_fixture("access_world", build=..., load=...)

``build(make)`` runs in an app context on the world's database and returns
*handles*: ids and plain values only (no ORM objects; they would belong to
another session). ``load(handles)`` runs in the test's app context and returns
what the test works with; it gets its own deep copy of the handles.
"""

from __future__ import annotations

import contextlib
import copy
import itertools
import os
import shutil
import sqlite3
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from tests import pgcluster

_copies = itertools.count()


# Databases -------------------------------------------------------------------


def _is_sqlite(url: str) -> bool:
    return url.startswith("sqlite:")


def _sqlite_path(url: str) -> str:
    return url.removeprefix("sqlite:///")


_admins: dict[str, Engine] = {}


def _admin(url: str) -> Engine:
    """An engine on the maintenance database of ``url``'s server (one a server, kept for the run)."""
    server = pgcluster.server_url(url)
    if server not in _admins:
        _admins[server] = create_engine(server, isolation_level="AUTOCOMMIT")
    return _admins[server]


def _execute(url: str, statement: str) -> None:
    with _admin(url).connect() as conn:
        conn.execute(text(statement))


def _create(source: str, name: str) -> str:
    _execute(source, f'CREATE DATABASE "{name}" TEMPLATE "{make_url(source).database}"')
    return pgcluster.with_database(source, name)


def drop_database(url: str) -> None:
    """Drop a PostgreSQL database (a SQLite file goes with its temporary folder)."""
    if not _is_sqlite(url):
        _execute(url, f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')


def new_database(source: str, folder: Path, name: str) -> str:
    """Make database ``name`` as a copy of ``source`` (kept for the run); return its URL."""
    if _is_sqlite(source):
        path = folder / f"{name}.db"
        shutil.copyfile(_sqlite_path(source), path)
        return f"sqlite:///{path}"
    drop_database(pgcluster.with_database(source, name))
    return _create(source, name)


def settle(url: str) -> None:
    """Make a just-built database fit to be copied: nothing of it left outside its file.

    SQLite runs in WAL mode: the file alone may lack the last commits until
    they are checkpointed into it. (PostgreSQL copies a template whole, as
    long as nobody is connected to it; the builder's engine is disposed.)
    """
    if _is_sqlite(url):
        connection = sqlite3.connect(_sqlite_path(url))
        try:
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            connection.close()


class _Copies:
    """PostgreSQL copies made one test ahead, and dropped after it, in a thread of their own.

    ``CREATE DATABASE … TEMPLATE`` and ``DROP DATABASE`` take the server a
    good part of a short test; made while the previous test runs, the copy is
    ready when the next one starts. A copy is made of a template only, which
    nobody connects to, and is handed out once.
    """

    def __init__(self) -> None:
        self._executor: ThreadPoolExecutor | None = None
        self._ahead: dict[str, Future] = {}  # template URL → its next copy's URL

    def _submit(self, function, *args) -> Future:
        if self._executor is None:
            self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="database-copies")
        return self._executor.submit(function, *args)

    def _next(self, source: str) -> Future:
        return self._submit(_create, source, f"tracker_test_{os.getpid()}_{next(_copies)}")

    def take(self, source: str) -> str:
        """Return the URL of a fresh copy of ``source``, and start making the next one."""
        ready = self._ahead.pop(source, None) or self._next(source)
        url = ready.result()
        self._ahead[source] = self._next(source)
        return url

    def give_back(self, url: str) -> None:
        """Drop a copy once its test is done (in the background)."""
        self._submit(drop_database, url)

    def discard(self, source: str) -> None:
        """Drop the copy made ahead of ``source`` (before the template itself is dropped)."""
        ready = self._ahead.pop(source, None)
        if ready is not None:
            with contextlib.suppress(Exception):  # a copy that failed leaves nothing to drop
                drop_database(ready.result())

    def close(self) -> None:
        """Drop the copies made ahead, wait for every drop, dispose the server engines."""
        for source in list(self._ahead):
            self.discard(source)
        if self._executor is not None:
            self._executor.shutdown(wait=True)
            self._executor = None
        for engine in _admins.values():
            engine.dispose()
        _admins.clear()


COPIES = _Copies()


def copy_database(source: str, folder: Path) -> Iterator[str]:
    """Yield the URL of a fresh copy of ``source``; drop it afterwards (a fixture's body)."""
    if _is_sqlite(source):
        path = folder / "tracker.db"
        if path.exists():
            path = folder / f"tracker{next(_copies)}.db"
        shutil.copyfile(_sqlite_path(source), path)
        yield f"sqlite:///{path}"
        return
    url = COPIES.take(source)
    yield url
    COPIES.give_back(url)


# Worlds ----------------------------------------------------------------------


@dataclass(frozen=True)
class Template:
    """A built world: its database, the files it uploaded, its handles, the day it was built."""

    url: str
    uploads: Path
    handles: object
    zone: str
    built_on: date

    def copy_uploads(self, folder: str | Path) -> None:
        """Copy the files the world uploaded into ``folder`` (an app's ``UPLOAD_FOLDER``)."""
        shutil.copytree(self.uploads, folder, dirs_exist_ok=True)

    def stale(self) -> bool:
        """Built on another day (a run past midnight): its dates relative to today are off."""
        return datetime.now(ZoneInfo(self.zone)).date() != self.built_on


@dataclass(frozen=True)
class WorldSpec:
    name: str
    build: Callable  # (make) -> handles, in an app context on the world's database
    load: Callable  # (handles) -> what the test gets, in the test's app context


WORLDS: dict[str, WorldSpec] = {}  # fixture name → spec


class Templates:
    """The worlds built so far in this run (a session fixture holds one)."""

    def __init__(self, database_template: str, folder: Path):
        self.database_template = database_template
        self.folder = folder
        self.built: dict[str, Template] = {}

    def get(self, spec: WorldSpec | str) -> Template:
        """Return the world of ``spec`` (or of that fixture name), built now if not yet built today."""
        spec = WORLDS[spec] if isinstance(spec, str) else spec
        template = self.built.get(spec.name)
        if template is None or template.stale():
            if template is not None:
                COPIES.discard(template.url)
                drop_database(template.url)
            template = self.built[spec.name] = self._build(spec)
        return template

    def _build(self, spec: WorldSpec) -> Template:
        from tests.conftest import app_in
        from tests.factories import Factories
        from tracker import clock
        from tracker.extensions import db

        folder = self.folder / f"{spec.name}_{next(_copies)}"
        folder.mkdir()
        url = new_database(self.database_template, folder, f"world_{folder.name}")
        app = app_in(folder, url)  # UPLOAD_FOLDER: folder / "uploads"
        with app.app_context():
            built_on = clock.today()
            handles = spec.build(Factories())
            db.session.commit()
            db.session.remove()
            db.engine.dispose()
        settle(url)
        uploads = Path(app.config["UPLOAD_FOLDER"])
        uploads.mkdir(exist_ok=True)
        return Template(url=url, uploads=uploads, handles=handles, zone=app.config["TIMEZONE"],
                        built_on=built_on)

    def close(self) -> None:
        """Drop the worlds' PostgreSQL databases (SQLite's go with pytest's temporary folder)."""
        for template in self.built.values():
            COPIES.discard(template.url)
            drop_database(template.url)
        self.built.clear()


_USED = pytest.StashKey[Template]()


def template_for(request: pytest.FixtureRequest) -> Template | None:
    """Return the built world a test asks for through one of its fixtures, if any (one at most).

    Called by ``database_url``; the world's fixture then loads the handles of
    this very template.
    """
    specs = [WORLDS[name] for name in request.fixturenames if name in WORLDS]
    if not specs:
        return None
    if len(specs) > 1:
        raise pytest.UsageError(f"{request.node.nodeid}: one world per test, not "
                                f"{[spec.name for spec in specs]}")
    template = request.getfixturevalue("world_templates").get(specs[0])
    request.node.stash[_USED] = template
    return template


def world_fixture(name: str, *, build: Callable, load: Callable):
    """Return a fixture (to be bound to ``name`` in a conftest) giving a copy of a built world.

    Asking for it makes tests/conftest.py's ``database_url`` a copy of the
    world's database; the fixture then copies the world's uploaded files into
    the test app's ``UPLOAD_FOLDER`` and returns ``load(handles)``.
    """
    spec = WorldSpec(name, build, load)
    WORLDS[name] = spec

    @pytest.fixture(name=name)
    def fixture(request, app):
        from tracker.extensions import db

        template = request.node.stash[_USED]  # the world database_url copied
        template.copy_uploads(app.config["UPLOAD_FOLDER"])
        loaded = spec.load(copy.deepcopy(template.handles))
        # end the loading transaction: the objects reload on first use, as after a build
        db.session.commit()
        return loaded

    fixture.__doc__ = f"A copy of the world built by {build.__module__}.{build.__qualname__}."
    return fixture
