"""A gunicorn worker killed (SIGKILL) in the middle of each long write leaves the database whole.

Each test serves a copy of the faults world (tests/faults/conftest.py) with gunicorn,
one worker, through tests/faults/paused_wsgi.py: the request pauses inside its
transaction at a chosen statement, with part of its rows written, and the
test kills the worker there. Then

* the client got no answer (the connection closed under it);
* nothing of the write is in the database: every table holds the rows it
  held before, and the write's own records are as they were (no round
  without its findings, no bulletin, the rating round open with every ballot,
  no imported task);
* ``tracker check`` finds nothing wrong;
* the same request sent again, to the worker gunicorn started in place of the
  dead one, does the write exactly once.

The same tests run on SQLite and PostgreSQL (``TRACKER_TEST_BACKEND``).
"""

from __future__ import annotations

import http.client
import io
import os
import signal
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from tests import servers
from tracker import clock
from tracker.extensions import db
from tracker.models import (
    Ballot,
    Bulletin,
    Finding,
    Milestone,
    Ranking,
    RankingRow,
    RatingRound,
    RoundSnapshot,
    SupervisionRound,
    Task,
    User,
)
from tracker.services import periods, supervision, task_import

PAUSE_TIMEOUT = 20  # seconds for the request to reach its pause point
CHANGING_TABLES = {"task_states"}  # kept up to date before any request, in a unit of its own


class PausedServer:
    """A gunicorn server of the test's database whose next matching statement pauses its worker."""

    def __init__(self, base: str, folder: Path, headers: dict[str, str]):
        self.base = base
        self.arm_file = folder / "arm"
        self.pid_file = folder / "paused.pid"
        self.headers = headers

    def call(self, method: str, path: str, **options) -> servers.Answer:
        return servers.call(method, self.base + path, headers=self.headers, **options)

    def kill_mid_write(self, pattern: str, send: Callable[[], servers.Answer], nth: int = 1) -> int:
        """Send a request that pauses at the ``nth`` statement matching ``pattern``; SIGKILL its worker.

        Return the killed worker's pid, once the request's connection has
        closed without an answer.
        """
        self.pid_file.unlink(missing_ok=True)
        part = self.arm_file.with_suffix(".part")
        part.write_text(f"{nth} {pattern}", encoding="utf-8")
        part.replace(self.arm_file)
        outcome: dict = {}

        def request():
            try:
                outcome["answer"] = send()
            except (http.client.HTTPException, ConnectionError) as error:
                outcome["error"] = error

        thread = threading.Thread(target=request, name="killed-request", daemon=True)
        thread.start()
        deadline = time.monotonic() + PAUSE_TIMEOUT
        while not self.pid_file.exists():
            assert thread.is_alive(), f"the request ended without pausing at {pattern!r}: {outcome}"
            assert time.monotonic() < deadline, f"no statement matched {pattern!r}"
            time.sleep(0.02)
        pid = int(self.pid_file.read_text())
        assert _is_gunicorn_worker(pid)
        os.kill(pid, signal.SIGKILL)
        thread.join(timeout=PAUSE_TIMEOUT)
        assert not thread.is_alive()
        assert "answer" not in outcome, f"an answer came from a killed worker: {outcome['answer']}"
        return pid


def _is_gunicorn_worker(pid: int) -> bool:
    """``pid`` is a worker: its parent is a gunicorn master started by this test process."""
    status = Path(f"/proc/{pid}/status").read_text()
    parent = int(next(line.split()[1] for line in status.splitlines() if line.startswith("PPid:")))
    master = Path(f"/proc/{parent}/cmdline").read_bytes().split(b"\0")
    return b"gunicorn" in b" ".join(master) and parent != os.getpid()


@pytest.fixture
def server(faults_world, app, token, tmp_path):
    """The world's copy served by gunicorn (one worker) with a pause point; as the office."""
    headers = token(db.session.get(User, faults_world.office))
    folder = tmp_path / "gunicorn"
    folder.mkdir()
    settings = {
        "TRACKER_DATABASE_URL": app.config["DATABASE_URL"],
        "TRACKER_SECRET_KEY": "faults-test-secret",
        "TRACKER_RATELIMIT_ENABLED": "false",
        "TRACKER_UPLOAD_FOLDER": app.config["UPLOAD_FOLDER"],
        "TRACKER_GRACEFUL_TIMEOUT": "1",  # a worker left paused by a failed test stops at once
        "FAULT_ARM_FILE": str(folder / "arm"),
        "FAULT_PID_FILE": str(folder / "paused.pid"),
    }
    db.session.remove()  # the test's session holds no transaction while the server writes
    with servers.gunicorn_server(folder, settings, app="tests.faults.paused_wsgi:app") as base:
        yield PausedServer(base, folder, headers)


def table_counts() -> dict[str, int]:
    """The committed rows of every table (but the kept task states, refreshed by any request)."""
    db.session.rollback()
    return {table.name: db.session.scalar(select(func.count()).select_from(table))
            for table in db.metadata.sorted_tables if table.name not in CHANGING_TABLES}


def assert_checked(runner) -> None:
    """``tracker check`` reports nothing wrong."""
    db.session.remove()
    result = runner.invoke(args=["check"])
    assert result.exit_code == 0, result.output
    db.session.remove()


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_a_killed_task_import_creates_nothing(server, faults_world, runner):
    world = faults_world
    titles = [f"断电演练任务{n}" for n in range(1, 7)]
    book = Workbook()
    book.active.title = task_import.SHEET
    book.active.append(list(task_import.HEADERS))
    for title in titles:
        values = {"重点措施类别": "建体系", "重点措施": "故障演练措施", "任务": title,
                  "标准": "按期完成", "责任单位": world.department,
                  "责任人": db.session.get(User, world.unit_head).username,
                  "分管领导": db.session.get(User, world.leader).username, "开始日期": "2026-10-01",
                  "完成时限": "2026-10-31", "节点": "2026-10-15 30% 完成方案; 2026-10-31 100%",
                  "权重": None}
        book.active.append([values[h] for h in task_import.HEADERS])
    buffer = io.BytesIO()
    book.save(buffer)
    path = f"/api/v1/plans/{world.plan}/tasks/import"

    def send():
        return server.call("POST", path, files={"file": ("清单.xlsx", buffer.getvalue())})

    before = table_counts()
    # paused at the milestones of the third task: a measure, two tasks and their milestones written
    server.kill_mid_write(r"^\s*INSERT INTO milestones", send, nth=3)
    assert table_counts() == before
    assert count(Task, Task.title.in_(titles)) == 0
    assert_checked(runner)

    answer = send()
    assert answer.status == 201, answer.body[:500]
    assert answer.json() == {"created": len(titles)}
    tasks = db.session.scalars(select(Task).where(Task.title.in_(titles))).all()
    assert sorted(task.title for task in tasks) == sorted(titles)  # each once
    assert all(count(Milestone, Milestone.task_id == task.id) == 2 for task in tasks)
    assert_checked(runner)


def test_a_killed_supervision_round_leaves_no_round(server, runner):
    week = supervision.last_full_week(clock.today())
    body = {"week_start": week.isoformat()}

    def send():
        return server.call("POST", "/api/v1/supervision/rounds", json=body)

    before = table_counts()
    # paused before the findings: the round and its snapshots written
    server.kill_mid_write(r"^\s*INSERT INTO findings", send)
    assert table_counts() == before
    assert count(SupervisionRound, SupervisionRound.week_start == week) == 0
    assert_checked(runner)

    first, again = send(), send()
    assert (first.status, again.status) == (201, 200), first.body[:500]
    assert first.json()["id"] == again.json()["id"]
    rnd = db.session.scalar(select(SupervisionRound).where(SupervisionRound.week_start == week))
    assert count(RoundSnapshot, RoundSnapshot.round_id == rnd.id) > 0
    findings = count(Finding, Finding.round_id == rnd.id)
    assert findings > 0 and findings == len(first.json()["findings"])
    assert_checked(runner)


def test_a_killed_bulletin_generation_leaves_no_bulletin(server, runner):
    key = periods.previous_period("monthly", clock.today()).key
    body = {"kind": "monthly", "period": key}

    def send():
        return server.call("POST", "/api/v1/bulletins", json=body)

    before = table_counts()
    # paused at its audit event: the bulletin and all its figures written
    server.kill_mid_write(r"^\s*INSERT INTO audit_events", send)
    assert table_counts() == before
    assert count(Bulletin, Bulletin.period == key) == 0
    assert_checked(runner)

    first, again = send(), send()
    assert (first.status, again.status) == (201, 200), first.body[:500]
    assert first.json()["id"] == again.json()["id"]
    bulletin = db.session.scalar(select(Bulletin).where(Bulletin.kind == "monthly",
                                                        Bulletin.period == key))
    assert bulletin.content and bulletin.status == "draft"
    assert_checked(runner)


def test_a_killed_rating_round_close_leaves_the_round_open(server, faults_world, runner):
    round_id = faults_world.rating_round
    ballots = count(Ballot)
    assert ballots == faults_world.ballots
    path = f"/api/v1/rating-rounds/{round_id}/close"

    def send():
        return server.call("POST", path)

    before = table_counts()
    # paused at the ranking's rows: the round claimed as closed and its ranking written
    server.kill_mid_write(r"^\s*INSERT INTO ranking_rows", send)
    assert table_counts() == before
    assert db.session.get(RatingRound, round_id).status == "open"
    assert count(Ballot) == ballots
    assert count(Ranking, Ranking.rating_round_id == round_id) == 0
    assert_checked(runner)

    first, again = send(), send()
    assert (first.status, again.status) == (200, 409), first.body[:500]
    db.session.remove()
    assert db.session.get(RatingRound, round_id).status == "closed"
    ranking = db.session.scalar(select(Ranking).where(Ranking.rating_round_id == round_id))
    assert count(RankingRow, RankingRow.ranking_id == ranking.id) > 0
    assert count(Ballot) == ballots
    assert_checked(runner)


def test_a_killed_ledger_export_changes_nothing(server, faults_world, runner):
    path = f"/api/v1/plans/{faults_world.plan}/ledger.xlsx"

    def send():
        return server.call("GET", path)

    tasks = count(Task, Task.measure.has(plan_id=faults_world.plan))
    assert tasks == faults_world.tasks
    before = table_counts()
    # paused at the ledger's query, inside the request's snapshot
    server.kill_mid_write(r"^\s*SELECT measures\.heading, measures\.title, tasks\.title", send)
    assert table_counts() == before
    assert_checked(runner)

    answer = send()
    assert answer.status == 200
    assert int(answer.headers["Content-Length"]) == len(answer.body)
    sheet = load_workbook(io.BytesIO(answer.body)).active
    numbered = [row[0] for row in sheet.iter_rows(values_only=True) if isinstance(row[0], int)]
    assert numbered == list(range(1, tasks + 1))


def test_the_pause_point_is_off_without_its_arm_file(server):
    """Without the arm file the server is the production app: nothing pauses."""
    assert server.call("GET", "/api/v1/supervision/rounds").status == 200
    assert not server.pid_file.exists()

