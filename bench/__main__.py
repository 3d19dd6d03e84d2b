"""Benchmarks: the heavy pages and computations on a bureau scaled up, as ratios to a floor.

Run with ``make bench`` (or ``python -m bench --tasks 3000 --repeat 5``). A fresh
SQLite database (or ``--database-url``) gets the demo bureau plus ``--tasks``
extra tasks with weekly ledger entries. Every case is timed ``--repeat`` times;
the floor is the median time of rendering the log-in page in the same run, so
the ratios compare like with like on any machine. Nothing here asserts a time:
read the ratios, compare them across commits.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import insert, select

from tracker import clock, create_app
from tracker.extensions import db
from tracker.models import LedgerEntry, Measure, Task, Unit, User

PASSWORD = "Demo@2026"


def scale_up(extra_tasks: int) -> None:
    """Add tasks spread over the demo units, each with a report every week since it started."""
    measure = db.session.scalar(select(Measure).order_by(Measure.id))
    units = db.session.scalars(select(Unit.id).where(Unit.kind.in_(("department", "school")))).all()
    today, now = clock.today(), datetime.now(UTC)
    task_rows = []
    for n in range(extra_tasks):
        starts = today - timedelta(days=30 + n % 60)
        task_rows.append({
            "plan_id": measure.plan_id, "measure_id": measure.id, "title": f"基准任务{n}",
            "standard": "按期完成并提交佐证材料", "owner_unit_id": units[n % len(units)],
            "starts_on": starts, "due_on": starts + timedelta(days=20 + n % 90), "weight": 1.0,
            "recurrence": "none", "created_at": now})
    db.session.execute(insert(Task), task_rows)
    ids = db.session.scalars(select(Task.id).where(Task.title.like("基准任务%")).order_by(Task.id)).all()
    entries = []
    for n, task_id in enumerate(ids):
        for week in range(1 + n % 6):
            entries.append({"task_id": task_id, "percent": min(100, 15 * (week + 1)),
                            "narrative": "按计划推进", "reported_on": today - timedelta(days=7 * week + 1),
                            "created_at": now, "is_return": False})
    db.session.execute(insert(LedgerEntry), entries)
    db.session.commit()


def timed(action: Callable[[], object], repeat: int) -> float:
    """Return the median seconds of ``action`` (after one warm-up run)."""
    action()
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def get(client, path: str, headers: dict | None = None) -> Callable[[], object]:
    def request():
        response = client.get(path, headers=headers)
        if response.status_code != 200:
            raise SystemExit(f"GET {path} answered {response.status_code}")
        return response

    return request


def cases(app, client) -> dict[str, Callable[[], object]]:
    """The benchmarked operations; pages as the office sees them."""
    from tracker.services import bulletins, ledger_view

    with app.app_context():
        plan_id = db.session.scalar(select(Measure.plan_id).order_by(Measure.id))
        today = clock.today()
        month = bulletins.previous_period("monthly", today)

    def in_context(action: Callable[[], object]) -> Callable[[], object]:
        def run():
            with app.app_context():
                return action()

        return run

    def progress_counts():
        office = db.session.scalar(select(User).where(User.username == "office"))
        return ledger_view.status_counts(office, ledger_view.LedgerFilter(), today)

    token = client.post("/api/v1/auth/token", json={"username": "office", "password": PASSWORD})
    bearer = {"Authorization": f"Bearer {token.get_json()['token']}"}
    listed = {
        "ledger page (50 rows)": get(client, "/ledger"),
        "ledger page (200 rows, sorted by due date)": get(client, "/ledger?per_page=200&sort=due"),
        "ledger .xlsx export (all rows)": get(client, "/ledger.xlsx"),
        "plan tree page": get(client, f"/plans/{plan_id}"),
        "API tasks (200 per page)": get(client, "/api/v1/tasks?per_page=200", bearer),
        "status counts (SQL)": in_context(progress_counts),
        "monthly bulletin content": in_context(lambda: bulletins.compute(month)),
    }
    for path, name in (("/complaints/", "complaint list"), ("/notices/", "notice list"),
                       (f"/complaints/stats?period={today.year}", "complaint rates"),
                       ("/ratings/", "rating rounds"), ("/accountability/", "flag register")):
        listed[f"{name} page"] = get(client, path)
    return listed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=3000, help="extra tasks (default 3000)")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per case (default 5)")
    parser.add_argument("--database-url", default=None, help="default: a new SQLite file")
    options = parser.parse_args(argv)
    folder = tempfile.mkdtemp(prefix="tracker-bench-")
    config = {"DATABASE_URL": options.database_url or f"sqlite:///{folder}/bench.sqlite",
              "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False, "UPLOAD_FOLDER": folder}
    app = create_app(config)
    runner = app.test_cli_runner()
    for command in (["init-db"], ["demo"]):
        result = runner.invoke(args=command)
        if result.exit_code != 0:
            print(result.output, file=sys.stderr)
            return 1
    with app.app_context():
        started = time.perf_counter()
        scale_up(options.tasks)
        tasks = db.session.scalar(select(db.func.count(Task.id)))
        url = db.engine.url.render_as_string(hide_password=True)
    print(f"database: {url}")
    print(f"tasks: {tasks} (scaled up in {time.perf_counter() - started:.1f} s)")
    # requests run outside any app context: each gets its own (Flask-Login keeps the user in g)
    floor = timed(get(app.test_client(), "/login"), options.repeat * 2)  # anonymous
    client = app.test_client()
    client.post("/login", data={"username": "office", "password": PASSWORD})
    print(f"floor (log-in page): {floor * 1000:.1f} ms\n")
    print(f"{'case':<48}{'median ms':>11}{'x floor':>10}")
    for name, action in cases(app, client).items():
        seconds = timed(action, options.repeat)
        print(f"{name:<48}{seconds * 1000:>11.1f}{seconds / floor:>10.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
