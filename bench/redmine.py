"""Our master ledger beside Redmine's issue list: the same tasks, the same machine, the same run.

    python -m bench.redmine load --tracker-db URL --redmine-db URL
    python -m bench.redmine measure --tracker-db URL --redmine-db URL \\
        --tracker http://127.0.0.1:PORT --redmine http://127.0.0.1:PORT --redmine-password PASSWORD

``load`` copies a generated bureau (``python -m bench.generate``) into a
migrated Redmine database holding only its default data: one public project;
a user for every unit, a member of the project as a developer; every task as
an issue with the same id (today's status, due date, percent done, the owning
unit's user as assignee); every progress report as a journal with its note
and the change of % done. It also sets the admin's password and clears its
"must change password" flag. The rows go in with COPY, all in one transaction.

``measure`` logs in to both (the tracker as the office, Redmine as the admin,
each through its login form) and times pairs of pages interleaved, one request
at a time: the tracker's page, then Redmine's, and again. Both servers and
the client share the machine, so each pair is measured under the same load.
The table goes to ``bench/results/redmine-<scale>-postgresql-<date>.md`` and
to standard output. See bench/README.md, "Comparison with Redmine".
"""

from __future__ import annotations

import argparse
import hashlib
import math
import os
import platform
import re
import secrets
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlalchemy import create_engine, text

from bench.client import BadResponse, Client
from bench.generate import PASSWORD

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"

PROJECT_ID = 1
USER_OFFSET = 1000  # a unit's Redmine user is USER_OFFSET + the unit's id
ADMIN_ID = 1  # Redmine's default admin
DEVELOPER_ROLE = 4  # Redmine's default roles: 3 Manager, 4 Developer, 5 Reporter
PAGE = 50  # the ledger's page; Redmine's per_page options are 25, 50 and 100

# A task's status today -> a Redmine default status (1 New, 2 In Progress, 3 Resolved,
# 4 Feedback, 5 Closed): "lagging" alone maps to Feedback, so the two status filters list the
# same tasks. Redmine's default list shows open issues only: every task but the verified ones.
STATUS = {"not_started": 1, "on_track": 2, "stale": 2, "overdue": 2, "lagging": 4,
          "awaiting_verification": 3, "verified": 5}
FEEDBACK = 4
# A task's warning light -> a Redmine default priority (1 Low, 2 Normal, 3 High, 4 Urgent)
PRIORITY = {"red": 4, "yellow": 3, "green": 2}


# Loading -----------------------------------------------------------------------------


def _case(column: str, mapping: dict[str, int], default: int) -> str:
    whens = " ".join(f"WHEN '{key}' THEN {value}" for key, value in mapping.items())
    return f"CASE {column} {whens} ELSE {default} END"


# Each table: Redmine's columns, and the query on the tracker's database that returns them.
TABLES = [
    ("users (id, login, hashed_password, firstname, lastname, admin, status, language, created_on, "
     "updated_on, type, mail_notification, must_change_passwd, passwd_changed_on)",
     f"""SELECT {USER_OFFSET} + u.id, 'unit' || u.id, '', left(u.name, 30), '', false, 1, 'en',
                u.created_at, u.created_at, 'User', 'none', false, u.created_at
           FROM units u"""),
    ("email_addresses (user_id, address, is_default, notify, created_on, updated_on)",
     f"""SELECT {USER_OFFSET} + u.id, 'unit' || u.id || '@example.org', true, false, u.created_at,
                u.created_at
           FROM units u"""),
    ("members (id, user_id, project_id, created_on, mail_notification)",
     f"SELECT u.id, {USER_OFFSET} + u.id, {PROJECT_ID}, u.created_at, false FROM units u"),
    ("member_roles (member_id, role_id)", f"SELECT u.id, {DEVELOPER_ROLE} FROM units u"),
    ("issues (id, tracker_id, project_id, subject, description, due_date, status_id, assigned_to_id, "
     "priority_id, author_id, lock_version, created_on, updated_on, start_date, done_ratio, root_id, "
     "lft, rgt, is_private, closed_on)",
     f"""SELECT t.id, t.measure_id % 3 + 1, {PROJECT_ID}, t.title, t.standard, t.due_on,
                {_case('s.status', STATUS, 2)}, {USER_OFFSET} + t.owner_unit_id,
                {_case('s.light', PRIORITY, 2)}, {ADMIN_ID}, 0, t.created_at,
                greatest(t.created_at, s.last_reported_on::timestamp), t.starts_on, s.actual_percent,
                t.id, 1, 2, false, t.verified_on::timestamp
           FROM tasks t JOIN task_states s ON s.task_id = t.id"""),
    ("journals (id, journalized_id, journalized_type, user_id, notes, created_on, private_notes)",
     f"""SELECT e.id, e.task_id, 'Issue', {USER_OFFSET} + t.owner_unit_id, e.narrative, e.created_at, false
           FROM ledger_entries e JOIN tasks t ON t.id = e.task_id"""),
    ("journal_details (journal_id, property, prop_key, old_value, value)",
     """SELECT e.id, 'attr', 'done_ratio',
                coalesce(lag(e.percent) OVER (PARTITION BY e.task_id ORDER BY e.reported_on, e.id), 0),
                e.percent
           FROM ledger_entries e"""),
]
FILLED = ["journal_details", "journals", "issues", "member_roles", "members", "enabled_modules",
          "projects_trackers", "projects"]  # emptied first: a new load replaces the last


def hashed(password: str, salt: str) -> str:
    """Redmine's password hash: SHA-1 of the salt and the SHA-1 of the password."""
    inner = hashlib.sha1(password.encode()).hexdigest()  # noqa: S324 (Redmine's scheme)
    return hashlib.sha1((salt + inner).encode()).hexdigest()  # noqa: S324


def load(tracker_db: str, redmine_db: str, admin_password: str) -> None:
    source = create_engine(tracker_db).raw_connection()
    target = create_engine(redmine_db).raw_connection()
    try:
        with target.cursor() as out:
            out.execute(f"TRUNCATE {', '.join(FILLED)} RESTART IDENTITY")
            out.execute("DELETE FROM email_addresses WHERE user_id >= %s", (USER_OFFSET,))
            out.execute("DELETE FROM users WHERE id >= %s", (USER_OFFSET,))
            out.execute("INSERT INTO projects (id, name, description, is_public, created_on, updated_on, "
                        "identifier, status, lft, rgt) VALUES (%s, 'City', 'The bureau''s tasks', true, "
                        "now(), now(), 'city', 1, 1, 2)", (PROJECT_ID,))
            out.execute("INSERT INTO enabled_modules (project_id, name) VALUES (%s, 'issue_tracking')",
                        (PROJECT_ID,))
            out.execute("INSERT INTO projects_trackers (project_id, tracker_id) "
                        "SELECT %s, id FROM trackers", (PROJECT_ID,))
            salt = secrets.token_hex(16)
            out.execute("UPDATE users SET hashed_password = %s, salt = %s, must_change_passwd = false, "
                        "passwd_changed_on = now() WHERE id = %s",
                        (hashed(admin_password, salt), salt, ADMIN_ID))
            for columns, query in TABLES:
                started = time.perf_counter()
                with source.cursor() as cur, cur.copy(f"COPY ({query}) TO STDOUT") as reader, \
                        out.copy(f"COPY {columns} FROM STDIN") as writer:
                    for block in reader:
                        writer.write(block)
                print(f"  {columns.split(' ')[0]:<16} {time.perf_counter() - started:6.1f} s", flush=True)
            for table in ("users", "members", "issues", "journals"):
                out.execute(f"SELECT setval('{table}_id_seq', (SELECT max(id) FROM {table}))")
        target.commit()
        target.driver_connection.autocommit = True  # VACUUM runs outside a transaction
        with target.cursor() as out:
            out.execute("VACUUM ANALYZE")
    finally:
        source.close()
        target.close()
    for table, count in redmine_counts(redmine_db).items():
        print(f"  {table:<16} {count:>10,}")


def redmine_counts(redmine_db: str) -> dict[str, int]:
    engine = create_engine(redmine_db)
    with engine.connect() as conn:
        counts = {table: conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
                  for table in ("projects", "users", "members", "issues", "journals", "journal_details")}
        counts["open issues"] = conn.execute(text(
            "SELECT count(*) FROM issues i JOIN issue_statuses s ON s.id = i.status_id "
            "WHERE NOT s.is_closed")).scalar_one()
        counts["Feedback issues"] = conn.execute(text(
            "SELECT count(*) FROM issues WHERE status_id = :s"), {"s": FEEDBACK}).scalar_one()
    engine.dispose()
    return counts


# Measuring ---------------------------------------------------------------------------


TOKEN = re.compile(r'<input[^>]*name="authenticity_token"[^>]*>')
VALUE = re.compile(r'value="([^"]*)"')
OUR_ROWS = re.compile(r'data-task-id="(\d+)"')
REDMINE_ROWS = re.compile(r'<tr id="issue-(\d+)"')


def redmine_log_in(client: Client, username: str, password: str) -> None:
    """Log in through Redmine's form: its authenticity token, then the POST (a redirect)."""
    page = client.get("/login").text
    field_ = TOKEN.search(page)
    value = VALUE.search(field_.group(0)) if field_ else None
    if value is None:
        raise BadResponse("no authenticity_token on Redmine's /login")
    client.post_form("/login", {"authenticity_token": value.group(1), "username": username,
                                "password": password, "back_url": "/my/page"})
    if "/logout" not in client.get("/my/page").text:
        raise BadResponse(f"Redmine did not log {username} in")


def listed(pattern: re.Pattern, html: str) -> list[int]:
    return list(dict.fromkeys(int(ident) for ident in pattern.findall(html)))


def p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


@dataclass
class Pair:
    name: str
    ours: str
    theirs: str
    compare_rows: bool  # the two pages should list the same tasks, in the same order
    ours_s: list[float] = field(default_factory=list)
    theirs_s: list[float] = field(default_factory=list)
    same_rows: bool | None = None
    listed: tuple[int, int] = (0, 0)  # rows each page lists
    kilobytes: tuple[float, float] = (0, 0)  # each page's size


def measure_pair(pair: Pair, tracker: Client, redmine: Client, warmup: int, requests: int) -> None:
    for _n in range(warmup):
        tracker.get(pair.ours)
        redmine.get(pair.theirs)
    for _n in range(requests):  # interleaved: ours, theirs, ours, theirs …
        a = tracker.get(pair.ours)
        b = redmine.get(pair.theirs)
        pair.ours_s.append(a.seconds)
        pair.theirs_s.append(b.seconds)
    ours, theirs = listed(OUR_ROWS, a.text), listed(REDMINE_ROWS, b.text)
    pair.listed = (len(ours), len(theirs))
    pair.kilobytes = (len(a.body) / 1024, len(b.body) / 1024)
    if pair.compare_rows:
        pair.same_rows = bool(ours) and ours == theirs
    print(f"  {pair.name:<58} ours p50 {statistics.median(pair.ours_s) * 1000:7.1f} ms   "
          f"Redmine p50 {statistics.median(pair.theirs_s) * 1000:7.1f} ms", flush=True)


def redmine_version(client: Client) -> str:
    found = re.search(r"Redmine (\d+\.\d+\.\d+(?:\.\w+)?)", client.get("/admin/info").text)
    return found.group(1) if found else "unknown"


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:,.1f}"


def report(pairs: list[Pair], header: list[str]) -> str:
    lines = header + [
        "",
        "| case | ours p50 ms | ours p95 ms | Redmine p50 ms | Redmine p95 ms | ours ÷ Redmine p50 "
        "| ours ÷ Redmine p95 | rows listed (ours, Redmine) | page KB (ours, Redmine) | same tasks |",
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|---|",
    ]
    for p in pairs:
        same = "—" if p.same_rows is None else ("yes" if p.same_rows else "**no**")
        ours50, ours95 = statistics.median(p.ours_s), p95(p.ours_s)
        their50, their95 = statistics.median(p.theirs_s), p95(p.theirs_s)
        lines.append(f"| {p.name} | {_ms(ours50)} | {_ms(ours95)} | {_ms(their50)} | {_ms(their95)} | "
                     f"{ours50 / their50:.2f} | {ours95 / their95:.2f} | {p.listed[0]}, {p.listed[1]} | "
                     f"{p.kilobytes[0]:,.0f}, {p.kilobytes[1]:,.0f} | {same} |")
    lines += ["", "The requests:", ""]
    lines += [f"- {p.name}: `{p.ours}` and `{p.theirs}`" for p in pairs]
    return "\n".join(lines) + "\n"


def code_version() -> str:
    """The commit of this checkout, and whether the app's code differed from it."""
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True,  # noqa: S603, S607
                              text=True).stdout.strip()

    commit = git("rev-parse", "--short", "HEAD")
    if not commit:
        return "unknown"
    changed = git("status", "--porcelain", "tracker", "migrations", "wsgi.py", "gunicorn.conf.py")
    return f"commit {commit}" + (", with uncommitted changes to the app" if changed else "")


def measure(options) -> int:
    engine = create_engine(options.tracker_db)
    with engine.connect() as conn:
        # the unit owning most tasks, as bench/run.py chooses it
        unit_id = conn.execute(text(
            "SELECT t.owner_unit_id FROM tasks t JOIN units u ON u.id = t.owner_unit_id "
            "WHERE u.kind <> 'office' GROUP BY t.owner_unit_id "
            "ORDER BY count(*) DESC, t.owner_unit_id LIMIT 1")).scalar_one()
        unit_tasks = conn.execute(text("SELECT count(*) FROM tasks WHERE owner_unit_id = :u"),
                                  {"u": unit_id}).scalar_one()
        ours = {table: conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
                for table in ("units", "tasks", "ledger_entries")}
        pg_version = conn.execute(text("SHOW server_version")).scalar_one()
    engine.dispose()
    theirs = redmine_counts(options.redmine_db)

    tracker, redmine = Client(options.tracker), Client(options.redmine)
    tracker.log_in(options.tracker_user, options.tracker_password)
    redmine_log_in(redmine, options.redmine_user, options.redmine_password)
    version = redmine_version(redmine)

    assignee = USER_OFFSET + unit_id
    same_order = f"per_page={PAGE}&sort=due_date,id"
    columns = "&".join(f"c[]={c}" for c in ("project", "tracker", "status", "priority", "subject",
                                             "assigned_to", "due_date", "done_ratio", "updated_on"))
    pairs = [
        Pair("first page, each as it opens (Redmine: 25 a page)", "/ledger", "/issues", False),
        Pair("first page, Redmine's default list at 50 a page", "/ledger", f"/issues?per_page={PAGE}", False),
        Pair("first page, every status, 50 a page, by due date", "/ledger",
             f"/issues?set_filter=1&status_id=*&{same_order}&{columns}", True),
        Pair("one status (lagging = Feedback)", "/ledger?status=lagging",
             f"/issues?set_filter=1&status_id={FEEDBACK}&{same_order}&{columns}", True),
        Pair(f"one unit (the busiest: {unit_tasks:,} tasks) = its assignee",
             f"/ledger?unit_id={unit_id}",
             f"/issues?set_filter=1&status_id=*&assigned_to_id={assignee}&{same_order}&{columns}", True),
    ]
    load_before = os.getloadavg()
    print(f"Interleaved, {options.warmup} warm-up + {options.requests} timed requests each:", flush=True)
    try:
        for pair in pairs:
            measure_pair(pair, tracker, redmine, options.warmup, options.requests)
    finally:
        tracker.close()
        redmine.close()
    load_after = os.getloadavg()

    today = date.today()
    header = [
        f"# Our master ledger beside Redmine's issue list: {options.scale} scale on PostgreSQL, "
        f"{today.isoformat()}",
        "",
        f"- Tracker ({options.code or code_version()}): {options.tracker_server}; logged in as "
        f"`{options.tracker_user}` through the login form. Data: `python -m bench.generate --scale "
        f"{options.scale}`: "
        + ", ".join(f"{n:,} {t.replace('_', ' ')}" for t, n in ours.items()) + ".",
        f"- Redmine {version}: {options.redmine_server}; logged in as `{options.redmine_user}` (an "
        "administrator) through the login form. Data: `python -m bench.redmine load` from the same "
        "database after `rake db:migrate` and `rake redmine:load_default_data REDMINE_LANG=en`: "
        + ", ".join(f"{t} {n:,}" for t, n in theirs.items())
        + f". Each task is the issue with the same id; the busiest unit is user {assignee}.",
        f"- Both on PostgreSQL {pg_version} (fsync off), one throw-away cluster, a database each.",
        f"- Client: `python -m bench.redmine measure`, one request at a time over kept-alive "
        f"connections, interleaved (ours, Redmine, ours, Redmine …): per case {options.warmup} "
        f"warm-up requests each, then {options.requests} timed each; p50 and p95 from sending the "
        "request to the last byte.",
        "- The ledger lists every task, 50 a page, by due date. Redmine's default list shows open "
        "issues only (here: every task but the verified), 25 a page, newest first; the last three "
        "cases ask Redmine for every status (or the filter), 50 a page, by due date then id, with due "
        "date and % done among the columns — what the ledger shows. *same tasks*: both pages list "
        "the same task ids in the same order.",
        f"- Machine: {os.cpu_count()} cores, {platform.platform()}, Python {platform.python_version()}; "
        f"load average {load_before[0]:.1f} at the start, {load_after[0]:.1f} at the end (a shared "
        "machine: other work ran meanwhile when it is above 1).",
    ]
    text_report = report(pairs, header)
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = Path(options.output) if options.output else \
        RESULTS / f"redmine-{options.scale}-postgresql-{today.isoformat()}.md"
    out.write_text(text_report, encoding="utf-8")
    print()
    print(text_report)
    print(f"Written to {out}")
    failed = [p.name for p in pairs if p.same_rows is False]
    if failed:
        print(f"The two pages listed different tasks: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.redmine", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    for name in ("load", "measure"):
        sub = commands.add_parser(name)
        sub.add_argument("--tracker-db", required=True,
                         help="the tracker's generated database (postgresql+psycopg://…)")
        sub.add_argument("--redmine-db", required=True, help="Redmine's database (postgresql+psycopg://…)")
        sub.add_argument("--redmine-password", required=True, help="the Redmine admin's password")
    measure_cmd = commands.choices["measure"]
    measure_cmd.add_argument("--tracker", required=True, help="the tracker's base URL")
    measure_cmd.add_argument("--redmine", required=True, help="Redmine's base URL")
    measure_cmd.add_argument("--tracker-user", default="office")
    measure_cmd.add_argument("--tracker-password", default=PASSWORD)
    measure_cmd.add_argument("--redmine-user", default="admin")
    measure_cmd.add_argument("--scale", default="city", help="the scale generated (for the report)")
    measure_cmd.add_argument("--tracker-server", default="gunicorn with `gunicorn.conf.py` "
                             "(2 workers × 4 threads) on 127.0.0.1, rate limits off")
    measure_cmd.add_argument("--redmine-server", default="Puma, 2 workers × 5 threads "
                             "(`bundle exec puma -w 2 -t 5:5`), production environment, on 127.0.0.1")
    measure_cmd.add_argument("--code", default=None,
                             help="the tracker's version served (default: this checkout's commit)")
    measure_cmd.add_argument("--warmup", type=int, default=5)
    measure_cmd.add_argument("--requests", type=int, default=60)
    measure_cmd.add_argument("--output", default=None, help="the report's path (default bench/results/…)")
    options = parser.parse_args(argv)
    if options.command == "load":
        load(options.tracker_db, options.redmine_db, options.redmine_password)
        return 0
    return measure(options)


if __name__ == "__main__":
    raise SystemExit(main())
