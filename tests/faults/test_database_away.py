"""The database stopped and started again under load: 503 with Retry-After meanwhile, then back.

Three client threads send reads and writes to a gunicorn server (two workers)
while the test takes the database away and brings it back: on PostgreSQL a
cluster of the test's own stopped with ``pg_ctl stop -m fast`` and started
again; on SQLite the file moved away, a folder in its place, and moved back
(every request opens the file anew, ``pool_recycle`` 0, as a worker that has
not connected yet would). The test checks that

* every answer is a 2xx or a 503, never a 500 and never a connection closed
  without an answer; a 503 carries ``Retry-After`` and the app's own page or
  JSON error; every request begun while the database was away got a 503;
* the server serves again, without a restart (no worker booted again), once
  the database is back;
* every write that got a 2xx is in the database, and none that got a 503.
"""

from __future__ import annotations

import http.client
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask_migrate import upgrade
from sqlalchemy import create_engine, select

from tests import pgcluster, servers
from tests.conftest import BACKEND, app_in, missing
from tests.factories import Factories
from tracker.extensions import db
from tracker.models import Plan

WAIT = 20  # seconds for the load to show what each phase waits for
WRITERS, READERS = 2, 1
MARK = "停库演练"


@dataclass(frozen=True)
class Outcome:
    kind: str  # "write" or "read"
    path: str
    title: str | None  # of the plan a write creates
    started: float
    ended: float
    status: int | None = None
    retry_after: str | None = None
    body: bytes = b""
    error: str | None = None  # a connection closed without an answer


@dataclass
class Database:
    url: str
    away: Callable[[], None]
    back: Callable[[], None]


@contextmanager
def sqlite_database(database_url: str) -> Iterator[Database]:
    path = Path(database_url.removeprefix("sqlite:///"))
    moved = path.with_suffix(".away")

    def away():
        path.rename(moved)
        path.mkdir()  # what stands in its place cannot be opened as a database

    def back():
        path.rmdir()
        moved.rename(path)

    yield Database(database_url, away, back)


@contextmanager
def postgresql_database() -> Iterator[Database]:
    server = pgcluster.start()  # a cluster of its own: the run's other databases stay up
    if server is None:
        missing("PostgreSQL server binaries (initdb, pg_ctl) not found")
    try:
        url = pgcluster.create_database(server, "tracker_outage")
        yield Database(url, lambda: pgcluster.stop(server), lambda: pgcluster.restart(server))
    finally:
        pgcluster.discard(server)


@pytest.fixture
def database(request, tmp_path) -> Iterator[Database]:
    """A migrated database with an office user, and how to take it away and bring it back."""
    if BACKEND == "sqlite":
        context = sqlite_database(request.getfixturevalue("database_url"))
    else:
        context = postgresql_database()
    with context as found:
        app = app_in(tmp_path / "setup", found.url)
        with app.app_context():
            if BACKEND != "sqlite":
                upgrade()
            Factories().user("office", username="outage.office")
            db.session.remove()
            db.engine.dispose()
        yield found


def token_for(base: str) -> dict[str, str]:
    answer = servers.call("POST", base + "/api/v1/auth/token",
                          json={"username": "outage.office", "password": "Secret-pass-1"})
    assert answer.status == 201, answer.body
    return {"Authorization": f"Bearer {answer.json()['token']}"}


class Load:
    """Client threads sending requests one after the other until stopped; every outcome kept."""

    def __init__(self, base: str, headers: dict[str, str]):
        self.base, self.headers = base, headers
        self.outcomes: list[Outcome] = []
        self.stopped = threading.Event()
        self.threads = [threading.Thread(target=self.write, args=(n,), name=f"writer-{n}", daemon=True)
                        for n in range(WRITERS)]
        self.threads += [threading.Thread(target=self.read, name=f"reader-{n}", daemon=True)
                         for n in range(READERS)]

    def send(self, kind: str, method: str, path: str, title: str | None = None, **options) -> None:
        started = time.monotonic()
        try:
            answer = servers.call(method, self.base + path, headers=self.headers, **options)
        except (http.client.HTTPException, ConnectionError) as error:
            self.outcomes.append(Outcome(kind, path, title, started, time.monotonic(),
                                         error=repr(error)))
            return
        self.outcomes.append(Outcome(kind, path, title, started, time.monotonic(), answer.status,
                                     answer.headers.get("Retry-After"), answer.body))

    def write(self, writer: int) -> None:
        number = 0
        while not self.stopped.is_set():
            number += 1
            title = f"{MARK}{writer}-{number}"
            self.send("write", "POST", "/api/v1/plans", title, json={"title": title, "year": 2026})
            time.sleep(0.01)  # pacing on a loaded machine, not a wait for anything

    def read(self) -> None:
        paths = ("/api/v1/plans?per_page=5", "/public/bulletins", "/api/v1/public/units")
        number = 0
        while not self.stopped.is_set():
            self.send("read", "GET", paths[number % len(paths)])
            number += 1
            time.sleep(0.01)

    def wait_for(self, what: str, condition: Callable[[list[Outcome]], bool]) -> float:
        """Wait until the outcomes so far satisfy ``condition``; return when that was."""
        deadline = time.monotonic() + WAIT
        while not condition(list(self.outcomes)):
            assert time.monotonic() < deadline, f"no {what} within {WAIT} s: {self.summary()}"
            assert all(thread.is_alive() for thread in self.threads)
            time.sleep(0.02)
        return time.monotonic()

    def summary(self) -> dict:
        counts: dict = {}
        for outcome in self.outcomes:
            key = (outcome.kind, outcome.status or outcome.error)
            counts[key] = counts.get(key, 0) + 1
        return counts

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc_info):
        self.stopped.set()
        for thread in self.threads:
            thread.join(timeout=60)


def answered(status: int, after: float, kinds=("write", "read"), at_least: int = 3):
    """A condition: ``at_least`` requests of each kind begun after ``after`` answered ``status``."""
    def condition(outcomes: list[Outcome]) -> bool:
        return all(sum(1 for o in outcomes if o.kind == kind and o.started > after
                       and o.status is not None and o.status // 100 == status // 100) >= at_least
                   for kind in kinds)
    return condition


def committed_titles(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return set(conn.scalars(select(Plan.title).where(Plan.title.startswith(MARK))))
    finally:
        engine.dispose()


def test_the_database_stopped_and_started_under_load(database, tmp_path):
    settings = {
        "TRACKER_DATABASE_URL": database.url,
        "TRACKER_SECRET_KEY": "outage-test-secret",
        "TRACKER_RATELIMIT_ENABLED": "false",
        "TRACKER_GRACEFUL_TIMEOUT": "5",
    }
    if BACKEND == "sqlite":
        settings["TRACKER_SQLALCHEMY_ENGINE_OPTIONS"] = '{"pool_recycle": 0}'
    folder = tmp_path / "gunicorn"
    with servers.gunicorn_server(folder, settings, workers=2) as base, \
            Load(base, token_for(base)) as load:
        load.wait_for("answers before the outage", answered(200, 0))
        database.away()
        away = time.monotonic()
        try:
            load.wait_for("503s while the database is away", answered(503, away))
        finally:
            restarting = time.monotonic()
            database.back()
        back = time.monotonic()
        load.wait_for("answers once the database is back", answered(200, back))
    outcomes = load.outcomes
    log = (folder / "gunicorn.log").read_text(errors="replace")

    assert [o for o in outcomes if o.error] == []  # every request got an answer
    assert {o.status for o in outcomes} <= {200, 201, 503}, load.summary()
    for outcome in outcomes:
        if outcome.status == 503:
            assert outcome.retry_after == "30"
            text = outcome.body.decode()
            if outcome.path.startswith("/api/"):
                assert '"code":"unavailable"' in text.replace(" ", "")
            else:
                assert "服务暂时不可用" in text
    during = [o for o in outcomes if o.started > away and o.ended < restarting]
    assert during and {o.status for o in during} == {503}
    assert log.count("Booting worker") == 2, log[-3000:]  # the two workers, never restarted
    assert "Unhandled error" not in log and "Traceback" not in log, log[-3000:]

    written = {o.title for o in outcomes if o.kind == "write" and o.status == 201}
    refused = {o.title for o in outcomes if o.kind == "write" and o.status == 503}
    assert written and refused
    assert committed_titles(database.url) == written
