"""The benchmark: a generated bureau, served by gunicorn, measured over real HTTP beside its floors.

    python -m bench --scale district --db sqlite          (make bench)
    python -m bench --scale city --db postgresql          (make bench SCALE=city DB=postgresql)

Steps: generate the scale into a fresh database (``bench.generate``); serve the
app with gunicorn on loopback using the repository's ``gunicorn.conf.py``; log
in through the real forms (the office, and the head of the unit owning the
most tasks) and get an API token; for every case send ``--warmup`` requests,
then ``--requests`` timed ones, one after another, and time its floor
(``bench.floors``) as often; download the whole ledger as .xlsx and read the
workers' peak memory; stop the server and time the batch jobs in-process,
each in a transaction that is rolled back. The table goes to
``bench/results/<scale>-<db>-<date>.md`` and to standard output.
"""

from __future__ import annotations

import argparse
import itertools
import math
import os
import platform
import random
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlencode

from sqlalchemy import or_, select, text

from bench import floors
from bench.client import Client, wait_until_up
from bench.generate import PASSWORD, SCALES

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"


# Targets (city scale on PostgreSQL) -------------------------------------------------


@dataclass(frozen=True)
class Target:
    p50_ms: float | None = None
    p95_ms: float | None = None
    seconds: float | None = None
    megabytes: float | None = None

    def describe(self) -> str:
        parts = []
        if self.p50_ms is not None:
            parts.append(f"p50 ≤ {self.p50_ms:g} ms")
        if self.p95_ms is not None:
            parts.append(f"p95 ≤ {self.p95_ms:g} ms")
        if self.seconds is not None:
            parts.append(f"≤ {self.seconds:g} s")
        if self.megabytes is not None:
            parts.append(f"≤ {self.megabytes:g} MB")
        return ", ".join(parts) or "—"


READ = Target(p50_ms=150, p95_ms=300)
PAST = Target(p95_ms=1000)
WRITE = Target(p95_ms=150)
EXPORT = Target(seconds=20, megabytes=300)
NONE = Target()


def p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


@dataclass
class Result:
    section: str
    name: str
    samples: list[float]  # seconds
    floor: list[float] = field(default_factory=list)
    target: Target = NONE
    same_rows: bool | None = None
    megabytes: float | None = None
    note: str = ""

    @property
    def p50(self) -> float:
        return statistics.median(self.samples)

    @property
    def p95(self) -> float:
        return p95(self.samples)

    def passed(self) -> bool | None:
        t = self.target
        if t == NONE:
            return None
        checks = []
        if t.p50_ms is not None:
            checks.append(self.p50 * 1000 <= t.p50_ms)
        if t.p95_ms is not None:
            checks.append(self.p95 * 1000 <= t.p95_ms)
        if t.seconds is not None:
            checks.append(max(self.samples) <= t.seconds)
        if t.megabytes is not None:
            checks.append(self.megabytes is not None and self.megabytes <= t.megabytes)
        return all(checks)


# The cases ---------------------------------------------------------------------------


@dataclass
class Bench:
    """Everything the cases need: the clients, the context for the floors, the data they use."""

    app: object
    ctx: floors.Context
    requests: int
    warmup: int
    office: Client | None = None
    head: Client | None = None
    api: Client | None = None
    public: Client | None = None
    head_user_id: int = 0
    open_task_ids: list[int] = field(default_factory=list)
    round_unit_ids: list[int] = field(default_factory=list)
    dimensions: list[tuple[int, str]] = field(default_factory=list)  # (id, key)
    spare_codes: list[tuple[int, str, int]] = field(default_factory=list)  # (id, code, group id)
    searches: list[tuple[str, str]] = field(default_factory=list)  # (what it stands for, q)
    head_searcher: floors.Searcher = field(default_factory=floors.Searcher)
    results: list[Result] = field(default_factory=list)

    def time_floor(self, make: Callable[[], floors.Floor],
                   runs: int | None = None) -> tuple[list[float], list]:
        from tracker.extensions import db

        runs = self.requests if runs is None else runs
        samples, rows = [], []
        with self.app.app_context():
            engine = db.engine
            for index in range(self.warmup + runs):
                floor = make()
                with engine.connect() as conn:
                    started = time.perf_counter()
                    rows = floor.run(conn)
                    elapsed = time.perf_counter() - started
                if index >= self.warmup:
                    samples.append(elapsed)
        return samples, rows

    def read(self, name: str, client: Client, path: str, floor: Callable[[], floors.Floor],
             listing: str | None, target: Target = READ, section: str = "Pages and API reads") -> None:
        for _n in range(self.warmup):
            client.get(path)
        samples, last = [], None
        for _n in range(self.requests):
            last = client.get(path)
            samples.append(last.seconds)
        floor_samples, rows = self.time_floor(floor)
        same = None
        if listing is not None:
            shown = ([item["id"] for item in last.json()["items"]] if listing == "json"
                     else floors.listed_ids(listing, last.text))
            same = shown == [row[0] for row in rows]
        self.results.append(Result(section, name, samples, floor_samples, target, same))
        print(f"  {name:<52} p50 {statistics.median(samples) * 1000:8.1f} ms   floor "
              f"{statistics.median(floor_samples) * 1000:8.1f} ms", flush=True)

    def write(self, name: str, send: Callable[[int], object], floor: Callable[[int], floors.Floor]) -> None:
        for n in range(self.warmup):
            send(n)
        samples = []
        for n in range(self.warmup, self.warmup + self.requests):
            samples.append(send(n).seconds)
        counter = itertools.count()
        floor_samples, _rows = self.time_floor(lambda: floor(next(counter)))
        self.results.append(Result("Writes", name, samples, floor_samples, WRITE))
        print(f"  {name:<52} p50 {statistics.median(samples) * 1000:8.1f} ms   floor "
              f"{statistics.median(floor_samples) * 1000:8.1f} ms", flush=True)


def prepare(bench: Bench) -> str:
    """Read from the database what the cases use; return the username of the busiest unit's head."""
    from tracker.extensions import db
    from tracker.models import Invitation, Plan, RatingDimension, Task, Unit, User
    from tracker.models.ratings import rating_round_units

    with bench.app.app_context():
        ctx = bench.ctx = floors.context(db.session.connection(), bench.ctx.today)
        head = db.session.scalar(select(User).where(User.unit_id == ctx.unit_id, User.role == "unit_head")
                                 .order_by(User.id).limit(1))
        bench.head_user_id = head.id
        bench.open_task_ids = list(db.session.scalars(
            select(Task.id).join(Plan, Plan.id == Task.plan_id)
            .where(Task.owner_unit_id == ctx.unit_id, Task.verified_on.is_(None), Plan.status == "active")
            .order_by(Task.id)))
        bench.round_unit_ids = list(db.session.scalars(
            select(rating_round_units.c.unit_id).where(rating_round_units.c.round_id == ctx.rating_round_id)
            .order_by(rating_round_units.c.unit_id)))
        bench.dimensions = [tuple(row) for row in db.session.execute(
            select(RatingDimension.id, RatingDimension.key)
            .where(RatingDimension.round_id == ctx.rating_round_id).order_by(RatingDimension.position))]
        bench.spare_codes = [tuple(row) for row in db.session.execute(
            select(Invitation.id, Invitation.code, Invitation.group_id)
            .where(Invitation.round_id == ctx.rating_round_id, Invitation.used_at.is_(None))
            .order_by(Invitation.id))]
        bench.searches = search_mix(ctx)
        visible = tuple(db.session.scalars(select(Unit.id).where(
            or_(Unit.id == ctx.unit_id, Unit.liaison_unit_id == ctx.unit_id)).order_by(Unit.id)))
        bench.head_searcher = floors.Searcher(units=visible, own_unit=ctx.unit_id, personal=False,
                                              drafts=False)
        username = head.username
        db.session.remove()
        return username


# what the search box is asked: words of every length, numbers and codes
RARE_WORD = "过期食用油"  # one complaint in a thousand (bench/generate.py RARE_DETAILS)
COMMON_WORD = "学校"  # in half the complaints and many tasks


def search_mix(ctx: floors.Context) -> list[tuple[str, str]]:
    """The queries of the search cases, read from the data: the busiest unit's name and a complaint
    dispatched to it (so that its head finds it too), and its latest notice's 文号."""
    from tracker.extensions import db
    from tracker.models import Complaint, Notice, Unit

    unit_name = db.session.scalar(select(Unit.name).where(Unit.id == ctx.unit_id))
    code = db.session.scalar(select(Complaint.tracking_code)
                             .where(Complaint.dispatched_unit_id == ctx.unit_id)
                             .order_by(Complaint.id.desc()).limit(1))
    notice = db.session.execute(select(Notice.number_year, Notice.number)
                                .where(Notice.unit_id == ctx.unit_id)
                                .order_by(Notice.id.desc()).limit(1)).first() or (ctx.today.year, 1)
    return [("2-character word", "补课"), ("2-character word, in unit names", "一中"),
            ("4-character word", "教辅资料"), ("文号", f"〔{notice[0]}〕{notice[1]}号"),
            ("tracking code", code or "ABCDEFGH"), ("rare word", RARE_WORD), ("common word", COMMON_WORD),
            ("the unit's name", unit_name)]


def measure_search(bench: Bench) -> None:
    """/search for the mix of queries, as the office and as the busiest unit's head."""
    print("Search:", flush=True)
    ctx = bench.ctx
    for who, client, searcher in (("office", bench.office, floors.Searcher()),
                                  ("unit head", bench.head, bench.head_searcher)):
        for label, q in bench.searches:
            path = "/search?" + urlencode({"q": q})
            bench.read(f"/search?q={q} ({label}; {who})", client, path,
                       lambda q=q, searcher=searcher: floors.search(ctx, q, searcher), "complaints",
                       READ, section="Search")


def measure_http(bench: Bench) -> None:
    ctx, past = bench.ctx, bench.ctx.today - timedelta(days=60)
    print("Pages and API reads:", flush=True)
    for name, client, path, floor, listing, target in (
        ("/ledger (first page)", bench.office, "/ledger", lambda: floors.ledger(ctx), "tasks", READ),
        ("/ledger?status=lagging", bench.office, "/ledger?status=lagging",
         lambda: floors.ledger(ctx, status="lagging"), "tasks", READ),
        ("/ledger?unit_id= (the unit with most tasks)", bench.office, f"/ledger?unit_id={ctx.unit_id}",
         lambda: floors.ledger(ctx, unit_id=ctx.unit_id), "tasks", READ),
        ("/ledger?as_of= (60 days ago)", bench.office, f"/ledger?as_of={past.isoformat()}",
         lambda: floors.ledger(ctx, as_of=past), "tasks", PAST),
        ("/overview (census)", bench.office, "/overview", lambda: floors.dashboard(ctx), None, READ),
        ("/complaints/", bench.office, "/complaints/", lambda: floors.complaints(ctx), "complaints", READ),
        (f"/complaints/stats?period={ctx.month}", bench.office, f"/complaints/stats?period={ctx.month}",
         lambda: floors.complaint_rates(ctx), None, READ),
        ("/my-tasks (the unit head)", bench.head, "/my-tasks", lambda: floors.my_tasks(ctx), "tasks", READ),
        ("/tasks/<id> (the task with most reports)", bench.office, f"/tasks/{ctx.task_id}",
         lambda: floors.task_page(ctx), None, READ),
        ("/accountability/ (flag register)", bench.office, "/accountability/", lambda: floors.flags(ctx),
         "flags", READ),
        ("GET /api/v1/tasks (bearer token)", bench.api, "/api/v1/tasks", lambda: floors.api_tasks(ctx),
         "json", READ),
    ):
        bench.read(name, client, path, floor, listing, target)

    print("Writes:", flush=True)
    from tracker import clock

    tasks = bench.open_task_ids
    token = bench.head.csrf_token("/my-tasks")
    bench.write(
        "POST /tasks/<id>/report (ledger entry: form, CSRF)",
        lambda n: bench.head.post_form(f"/tasks/{tasks[n % len(tasks)]}/report", {
            "csrf_token": token, "percent": "50", "narrative": f"按计划推进（基准第{n}次）"}),
        lambda n: floors.add_entry(ctx, tasks[n % len(tasks)], bench.head_user_id, clock.now()))
    bench.write(
        "POST /api/v1/public/complaints (file a complaint)",
        lambda n: bench.public.post_json("/api/v1/public/complaints", {
            "category": "other", "unit_id": ctx.unit_id, "subject": "收取不明费用",
            "description": f"学校收取资料费未开具票据（基准第{n}件）。"}),
        lambda n: floors.file_complaint(ctx, ctx.unit_id, clock.now()))
    rng = random.Random(7)
    codes = iter(bench.spare_codes)
    units, dimensions = bench.round_unit_ids, bench.dimensions

    def ballot(_n: int):
        _ident, code, _group = next(codes)
        answers = [{"unit_id": unit, "dimension": key, "value": rng.choice(("satisfied", "fairly_satisfied"))}
                   for unit in rng.sample(units, min(5, len(units))) for _id, key in dimensions]
        return bench.public.post_json("/api/v1/public/ballots", {"code": code, "answers": answers})

    def ballot_floor(_n: int) -> floors.Floor:
        ident, _code, group = next(codes)
        answers = [(unit, dimension, 100) for unit in rng.sample(units, min(5, len(units)))
                   for dimension, _key in dimensions]
        return floors.cast_ballot(ctx, ident, group, answers, clock.now())

    bench.write("POST /api/v1/public/ballots (cast a ballot)", ballot, ballot_floor)


def worker_pids(master: int) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == master:
                pids.append(int(entry.name))
    return sorted(pids)


def memory_kb(pid: int, key: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    return 0


def measure_export(bench: Bench, master: int, runs: int) -> None:
    print("Export:", flush=True)
    samples, size = [], 0
    before = max(memory_kb(pid, "VmHWM") for pid in worker_pids(master))
    for _n in range(runs):
        reply = bench.office.get("/ledger.xlsx")
        if not reply.body.startswith(b"PK"):
            raise SystemExit("/ledger.xlsx is not a workbook")
        samples.append(reply.seconds)
        size = len(reply.body)
    peak = max(memory_kb(pid, "VmHWM") for pid in worker_pids(master)) / 1024
    floor_samples, rows = bench.time_floor(lambda: floors.ledger_export(bench.ctx), runs=runs)
    note = (f"{size / 2**20:.1f} MB workbook of {len(rows):,} tasks; "
            f"worker peak before the export {before / 1024:.0f} MB")
    bench.results.append(Result("Export", "GET /ledger.xlsx (whole ledger)", samples, floor_samples, EXPORT,
                                megabytes=peak, note=note))
    print(f"  /ledger.xlsx {statistics.median(samples):.1f} s, worker peak RSS {peak:.0f} MB ({note})",
          flush=True)


def measure_jobs(bench: Bench, runs: int) -> None:
    """Each job's work in a transaction that is rolled back: repeatable, and the data stays as it was."""
    from tracker import clock, jobs
    from tracker.extensions import db
    from tracker.models import RatingRound
    from tracker.services import periods, ratings, supervision
    from tracker.services.audit import Actor

    ctx, today = bench.ctx, bench.ctx.today
    month = periods.previous_period("monthly", today)
    tomorrow = today + timedelta(days=1)

    def job(name: str, day: date) -> Callable[[], object]:
        def run() -> object:
            # as jobs.execute: the job's lock first (on SQLite its write also opens the transaction,
            # so that the savepoints inside the job are rolled back with it)
            jobs._lock(name)
            return jobs.JOBS[name].run(Actor(None, "scheduler", clock.now()), day)

        return run

    def close_round() -> object:
        rnd = db.session.get(RatingRound, ctx.rating_round_id)
        return ratings.close(Actor(None, "bench", clock.now()), rnd)

    cases = [
        ("weekly round (weekly_round job)", job("weekly_round", today),
         lambda: floors.weekly_round(ctx, supervision.last_full_week(today)), Target(seconds=20), ""),
        (f"monthly bulletin {month.key} (monthly_bulletin job)", job("monthly_bulletin", today),
         lambda: floors.monthly_bulletin(ctx, month.starts_on, month.ends_on), Target(seconds=10), ""),
        ("close the open rating round (ratings.close)", close_round, lambda: floors.close_rating_round(ctx),
         NONE, "freezes the ranking, then evaluates the accountability rules"),
        ("accountability evaluation (accountability job)", job("accountability", today),
         lambda: floors.accountability(ctx), NONE, ""),
    ]
    if "task_states" in jobs.JOBS:
        cases.append(("daily state refresh, as of tomorrow (task_states job)", job("task_states", tomorrow),
                      lambda: floors.state_refresh(ctx, tomorrow), Target(seconds=60), ""))
    else:
        print("  (no task_states job in this version: the daily state refresh is not measured)")
    print("Batch jobs:", flush=True)
    for name, action, floor, target, note in cases:
        samples = []
        with bench.app.app_context():
            for _n in range(runs):
                started = time.perf_counter()
                detail = action()
                db.session.flush()
                samples.append(time.perf_counter() - started)
                db.session.rollback()
            db.session.remove()
        floor_samples, _rows = bench.time_floor(floor, runs=runs)
        if isinstance(detail, str) and not note:
            note = detail
        bench.results.append(Result("Batch jobs", name, samples, floor_samples, target, note=note))
        print(f"  {name:<52} {statistics.median(samples):8.2f} s   floor "
              f"{statistics.median(floor_samples):8.2f} s", flush=True)


# The report --------------------------------------------------------------------------


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:,.1f}"


def _verdict(result: Result) -> str:
    passed = result.passed()
    return "—" if passed is None else ("pass" if passed else "**FAIL**")


def report(bench: Bench, header: list[str]) -> str:
    lines = header[:]
    sections: dict[str, list[Result]] = {}
    for result in bench.results:
        sections.setdefault(result.section, []).append(result)
    for section, results in sections.items():
        lines += ["", f"## {section}", ""]
        if section in ("Pages and API reads", "Search", "Writes"):
            lines += ["| case | p50 ms | p95 ms | floor p50 ms | floor p95 ms | p50 ÷ floor | target | result"
                      " | rows = floor |",
                      "|---|--:|--:|--:|--:|--:|---|---|---|"]
            for r in results:
                same = "—" if r.same_rows is None else ("yes" if r.same_rows else "**no**")
                ratio = r.p50 / statistics.median(r.floor) if r.floor else float("nan")
                lines.append(f"| {r.name} | {_ms(r.p50)} | {_ms(r.p95)} | "
                             f"{_ms(statistics.median(r.floor))} | {_ms(p95(r.floor))} | {ratio:,.1f} | "
                             f"{r.target.describe()} | {_verdict(r)} | {same} |")
        elif section == "Export":
            lines += ["| case | seconds (median) | slowest s | worker peak RSS MB | floor s | target "
                      "| result |", "|---|--:|--:|--:|--:|---|---|"]
            for r in results:
                lines.append(f"| {r.name} | {r.p50:,.2f} | {max(r.samples):,.2f} | {r.megabytes:,.0f} | "
                             f"{statistics.median(r.floor):,.2f} | {r.target.describe()} | {_verdict(r)} |")
            lines += [""] + [f"- {r.name}: {r.note}" for r in results if r.note]
        else:
            lines += ["| job | seconds (median) | slowest s | floor s | target | result |",
                      "|---|--:|--:|--:|---|---|"]
            for r in results:
                lines.append(f"| {r.name} | {r.p50:,.2f} | {max(r.samples):,.2f} | "
                             f"{statistics.median(r.floor):,.2f} | {r.target.describe()} | {_verdict(r)} |")
            lines += [""] + [f"- {r.name}: {r.note}" for r in results if r.note]
    return "\n".join(lines) + "\n"


# Running it --------------------------------------------------------------------------


def code_version() -> str:
    """The commit measured, and whether the app's code differed from it."""
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True,  # noqa: S603, S607
                              text=True).stdout.strip()

    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    changed = git("status", "--porcelain", "tracker", "migrations", "wsgi.py", "gunicorn.conf.py")
    return f"commit {commit}" + (", with uncommitted changes to the app" if changed else "")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(url: str, folder: Path, workers: int) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {**os.environ, "TRACKER_DATABASE_URL": url, "TRACKER_INSTANCE_PATH": str(folder / "instance"),
           "TRACKER_SECRET_KEY": secrets.token_hex(16), "TRACKER_RATELIMIT_ENABLED": "false",
           "TRACKER_BIND": f"127.0.0.1:{port}", "TRACKER_WORKERS": str(workers)}
    env.pop("TRACKER_ACCESS_LOG", None)
    gunicorn = Path(sys.executable).with_name("gunicorn")
    log = open(folder / "gunicorn.log", "w")  # noqa: SIM115 (kept open while the server runs)
    server = subprocess.Popen([str(gunicorn), "-c", str(ROOT / "gunicorn.conf.py"), "wsgi:app"],  # noqa: S603
                              cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base, 90)
    except OSError:
        server.terminate()
        raise SystemExit(f"gunicorn did not come up; see {folder / 'gunicorn.log'}") from None
    return server, base


def stop_server(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(60)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def database(options, folder: Path) -> tuple[str, str, Callable[[], None]]:
    """Return (URL, database kind, cleanup) for the run."""
    if options.database_url:
        kind = "postgresql" if options.database_url.startswith("postgresql") else "sqlite"
        return options.database_url, kind, lambda: None
    if options.db == "sqlite":
        return f"sqlite:///{folder / 'bench.sqlite'}", "sqlite", lambda: None
    sys.path.insert(0, str(ROOT))
    from tests import pgcluster  # the test suite's throw-away cluster (runuser postgres when root)

    server = pgcluster.start()
    if server is None:
        raise SystemExit("PostgreSQL binaries (initdb, pg_ctl) not found: install postgresql, "
                         "or pass --database-url postgresql+psycopg://…/an_empty_database")
    url = pgcluster.create_database(server, "tracker_bench")

    def cleanup() -> None:
        if options.keep:
            print(f"The PostgreSQL cluster stays up: {url}")
        else:
            pgcluster.stop_all()

    return url, "postgresql", cleanup


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=sorted(SCALES), default="district")
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite",
                        help="a fresh SQLite file, or a throw-away PostgreSQL cluster (default sqlite)")
    parser.add_argument("--database-url", default=None, help="use this (empty) database instead")
    parser.add_argument("--no-generate", action="store_true",
                        help="measure the data already in --database-url (generated before)")
    parser.add_argument("--requests", type=int, default=100, help="timed requests per case (default 100)")
    parser.add_argument("--warmup", type=int, default=10, help="warm-up requests per case (default 10)")
    workers = os.environ.get("TRACKER_WORKERS") or os.environ.get("WEB_CONCURRENCY") or 2
    parser.add_argument("--workers", type=int, default=int(workers),
                        help="gunicorn workers (default TRACKER_WORKERS, WEB_CONCURRENCY or 2)")
    parser.add_argument("--export-runs", type=int, default=2)
    parser.add_argument("--job-runs", type=int, default=2)
    parser.add_argument("--keep", action="store_true", help="keep the database (and PostgreSQL cluster)")
    parser.add_argument("--only", choices=("all", "search"), default="all",
                        help="measure every case (default), or only the search box's (its own results file)")
    options = parser.parse_args(argv)

    from tracker import clock, create_app
    from tracker.extensions import db

    folder = Path(tempfile.mkdtemp(prefix="tracker-bench-"))
    url, kind, cleanup = database(options, folder)
    try:
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "RATELIMIT_ENABLED": False,
                          "UPLOAD_FOLDER": str(folder / "uploads")})
        with app.app_context():
            today = clock.today()
        generated = "(data generated before)"
        if not options.no_generate:
            started = time.perf_counter()
            subprocess.run([sys.executable, "-m", "bench.generate", "--scale", options.scale,  # noqa: S603
                            "--database-url", url, "--today", today.isoformat()], cwd=ROOT, check=True,
                           env={**os.environ, "TRACKER_INSTANCE_PATH": str(folder / "instance")})
            generated = f"generated in {time.perf_counter() - started:,.0f} s"
        with app.app_context():
            conn = db.session.connection()
            counts = {table: conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one() for table in (
                "units", "users", "tasks", "ledger_entries", "milestones", "complaints", "complaint_events",
                "notices", "round_snapshots", "findings", "ballots", "ballot_answers", "flags")}
            version = conn.execute(text("SELECT sqlite_version()" if kind == "sqlite"
                                        else "SHOW server_version")).scalar_one()
            db.session.remove()
        bench = Bench(app, floors.Context(kind, today, False), requests=options.requests,
                      warmup=options.warmup)
        load_before = os.getloadavg()
        head_name, office_name = prepare(bench), "office"
        server, base = start_server(url, folder, options.workers)
        try:
            bench.office, bench.head, bench.api, bench.public = (Client(base) for _n in range(4))
            bench.office.log_in(office_name, PASSWORD)
            bench.head.log_in(head_name, PASSWORD)
            bench.api.api_token(office_name, PASSWORD)
            if options.only == "all":
                measure_http(bench)
            measure_search(bench)
            if options.only == "all":
                measure_export(bench, server.pid, options.export_runs)
        finally:
            for client in (bench.office, bench.head, bench.api, bench.public):
                if client is not None:
                    client.close()
            stop_server(server)
        if options.only == "all":
            measure_jobs(bench, options.job_runs)
        load_after = os.getloadavg()

        code = code_version()
        database_label = f"SQLite {version}" if kind == "sqlite" else f"PostgreSQL {version} (fsync off)"
        header = [
            f"# Benchmark{'' if options.only == 'all' else ' (' + options.only + ' only)'}: "
            f"{options.scale} scale on {'SQLite' if kind == 'sqlite' else 'PostgreSQL'}, {today.isoformat()}",
            "",
            f"- Data: `python -m bench.generate --scale {options.scale} --today {today.isoformat()}` "
            f"({generated}): " + ", ".join(f"{n:,} {table.replace('_', ' ')}" for table, n in counts.items())
            + ".",
            f"- Code: {code}.",
            f"- Server: gunicorn with `gunicorn.conf.py` ({options.workers} workers × "
            f"{os.environ.get('TRACKER_THREADS') or 4} threads) on 127.0.0.1, rate limits off, "
            f"{database_label}; kept task states: {'yes' if bench.ctx.kept else 'no'}.",
            f"- Client: one at a time over real HTTP (keep-alive); per case {options.warmup} warm-up "
            f"requests, then {options.requests} timed; writes and exports as listed; jobs in-process, "
            f"{options.job_runs} runs each, rolled back.",
            "- Floor: the plain SQL of `bench/floors.py` fetching what the page shows, through the same "
            "driver, timed as often in the same run. *rows = floor*: the page lists the same ids, "
            "in the same order, as the floor's first statement.",
            f"- Machine: {os.cpu_count()} cores, {platform.platform()}, Python {platform.python_version()}; "
            f"load average {load_before[0]:.1f} at the start, {load_after[0]:.1f} at the end (a shared "
            f"machine: other work ran meanwhile when it is above 1).",
            "- Targets are those for the city scale on PostgreSQL; elsewhere they are shown for reference.",
        ]
        text_report = report(bench, header)
        RESULTS.mkdir(parents=True, exist_ok=True)
        only = "" if options.only == "all" else f"{options.only}-"
        out = RESULTS / f"{options.scale}-{kind}-{only}{today.isoformat()}.md"
        out.write_text(text_report, encoding="utf-8")
        print()
        print(text_report)
        print(f"Written to {out.relative_to(ROOT)}")
        failed = [r.name for r in bench.results if r.same_rows is False]
        if failed:
            print(f"The page and its floor listed different rows: {', '.join(failed)}", file=sys.stderr)
            return 1
        return 0
    finally:
        cleanup()
        if not options.keep:
            shutil.rmtree(folder, ignore_errors=True)
        else:
            print(f"Kept {folder}")
