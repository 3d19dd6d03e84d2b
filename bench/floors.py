"""Floors: for each measured case, plain SQL that fetches what the page shows.

A floor is text SQL run through the same driver as the app, timed in the same
run: the price of the data alone, with no ORM, no templates, no HTTP. The
first statement of a floor returns the rows the page lists, in the page's
order and page size (tests/scale checks that they are the same rows); the
others fetch the rest of what the page shows (totals, counts per status).

A task's state as of today comes from the kept ``task_states`` rows when the
schema has them; as of another day (and where the kept rows do not exist) it
is computed from the records by ``computed_states`` — the rules of
``tracker.services.progress`` written once more in SQL.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Connection, inspect, text

# the default thresholds (settings ledger.lagging_points, reporting_period_days, due_soon_days)
LAGGING, STALE, DUE_SOON = 15, 7, 3
PAGE = 50  # the ledger, the complaint list and the API's default page
FLAG_PAGE = 30
MY_TASKS = 20  # cards a page


# What a page lists: the ids in its links, in the page's order.
LISTINGS = {
    "tasks": re.compile(r'data-task-id="(\d+)"'),
    "complaints": re.compile(r'href="/complaints/(\d+)"'),
    "flags": re.compile(r'href="/accountability/(\d+)"'),
}


def listed_ids(listing: str, html: str) -> list[int]:
    """The ids a list page shows, in order (a row linking twice counts once)."""
    seen: dict[int, None] = {}
    for match in LISTINGS[listing].finditer(html):
        seen.setdefault(int(match.group(1)), None)
    return list(seen)


@dataclass
class Floor:
    statements: list[tuple[str, dict]]
    commit: bool = False  # a write: commit, as the app does
    many: dict[int, list[dict]] = field(default_factory=dict)  # statement index → executemany rows

    def run(self, conn: Connection) -> list:
        """Run every statement; return the rows of the first (the page's list)."""
        first = None
        for index, (sql, params) in enumerate(self.statements):
            result = conn.execute(text(sql), self.many.get(index, params))
            rows = result.fetchall() if result.returns_rows else []
            if first is None:
                first = rows
        if self.commit:
            conn.commit()
        else:
            conn.rollback()  # end the read transaction, as a request does
        return first or []


@dataclass
class Context:
    """What the floors need to know: the dialect, the day, and the objects the cases use."""

    dialect: str
    today: date
    kept: bool  # the schema keeps task states
    kept_owner: bool = False  # … with each task's plan and owner unit (counts need no join)
    unit_id: int = 0  # the busiest unit (its head opens "my tasks")
    task_id: int = 0
    month: str = ""  # the previous month, as 2026-10
    rating_round_id: int = 0

    def day(self, value: date):
        """A date parameter: a date for PostgreSQL, its ISO text for SQLite (as SQLAlchemy stores it)."""
        return value.isoformat() if self.dialect == "sqlite" else value

    def moment(self, value: datetime):
        naive = value.astimezone(UTC).replace(tzinfo=None)
        return naive.strftime("%Y-%m-%d %H:%M:%S.%f") if self.dialect == "sqlite" else naive

    def days(self, start: str, end: str) -> str:
        """Whole days from ``start`` to ``end`` (SQL expressions)."""
        if self.dialect == "sqlite":
            return f"CAST(julianday({end}) - julianday({start}) AS INTEGER)"
        return f"(({end}) - ({start}))"


def keeps_task_states(conn: Connection) -> bool:
    return inspect(conn).has_table("task_states")


def context(conn: Connection, today: date) -> Context:
    """The context of a generated database: the busiest unit, its most reported task, the open round."""
    ctx = Context(conn.dialect.name, today, keeps_task_states(conn))
    if ctx.kept:
        columns = {column["name"] for column in inspect(conn).get_columns("task_states")}
        ctx.kept_owner = {"plan_id", "owner_unit_id"} <= columns
    ctx.unit_id = conn.execute(text(
        "SELECT t.owner_unit_id FROM tasks t JOIN units u ON u.id = t.owner_unit_id "
        "WHERE u.kind <> 'office' GROUP BY t.owner_unit_id "
        "ORDER BY count(*) DESC, t.owner_unit_id LIMIT 1")).scalar_one()
    ctx.task_id = conn.execute(text(
        "SELECT e.task_id FROM ledger_entries e JOIN tasks t ON t.id = e.task_id "
        "WHERE t.owner_unit_id = :unit_id GROUP BY e.task_id ORDER BY count(*) DESC, e.task_id LIMIT 1"),
        {"unit_id": ctx.unit_id}).scalar_one()
    ctx.rating_round_id = conn.execute(text(
        "SELECT id FROM rating_rounds WHERE status = 'open' ORDER BY id DESC LIMIT 1")).scalar_one()
    last_month = today.replace(day=1) - timedelta(days=1)
    ctx.month = f"{last_month.year}-{last_month.month:02d}"
    return ctx


# A task's state ----------------------------------------------------------------


def computed_states(ctx: Context, task_where: str = "") -> str:
    """A derived table (task_id, planned_percent, actual_percent, last_reported_on, status, light)
    computed from the records as of ``:as_of`` for the tasks matching ``task_where``: each task's
    latest report and last milestone reached are looked up through their indexes."""
    where = f"WHERE {task_where}" if task_where else ""
    latest_entry = ("SELECT {columns} FROM ledger_entries e WHERE e.task_id = t.id "
                    "AND e.reported_on <= :as_of ORDER BY e.reported_on DESC, e.id DESC LIMIT 1")
    if ctx.dialect == "postgresql":  # one index probe a task for the latest report's percent and day
        entry_columns = "le.latest, le.last_reported_on"
        both = latest_entry.format(columns="e.percent AS latest, e.reported_on AS last_reported_on")
        entry_join = f"LEFT JOIN LATERAL ({both}) le ON true"
    else:
        entry_columns = (f"({latest_entry.format(columns='e.percent')}) AS latest, "
                         f"({latest_entry.format(columns='e.reported_on')}) AS last_reported_on")
        entry_join = ""
    return f"""(SELECT q.task_id, q.planned_percent, q.actual_percent, q.last_reported_on, q.status,
         CASE WHEN q.status = 'verified' THEN NULL
              WHEN q.status = 'overdue' THEN 'red'
              WHEN q.status IN ('lagging', 'stale')
                   OR {ctx.days(':as_of', 'q.due_on')} BETWEEN 0 AND {DUE_SOON} THEN 'yellow'
              ELSE 'green' END AS light
  FROM (SELECT p.*,
               CASE WHEN p.verified_on IS NOT NULL AND p.verified_on <= :as_of THEN 'verified'
                    WHEN p.latest = 100 THEN 'awaiting_verification'
                    WHEN :as_of < p.starts_on THEN 'not_started'
                    WHEN :as_of > p.due_on THEN 'overdue'
                    WHEN p.planned_percent - p.actual_percent >= {LAGGING} THEN 'lagging'
                    WHEN {ctx.days('COALESCE(p.last_reported_on, p.starts_on)', ':as_of')} > {STALE}
                         THEN 'stale'
                    ELSE 'on_track' END AS status
          FROM (SELECT r.task_id, r.starts_on, r.due_on, r.verified_on, r.latest, r.last_reported_on,
                       COALESCE(r.latest, 0) AS actual_percent,
                       CASE WHEN r.has_milestones THEN COALESCE(r.reached, 0)
                            WHEN :as_of <= r.starts_on THEN 0
                            WHEN :as_of >= r.due_on THEN 100
                            ELSE 100 * {ctx.days('r.starts_on', ':as_of')}
                                 / {ctx.days('r.starts_on', 'r.due_on')} END AS planned_percent
                  FROM (SELECT t.id AS task_id, t.starts_on, t.due_on, t.verified_on, {entry_columns},
                               (SELECT m.percent FROM milestones m WHERE m.task_id = t.id AND m."on" <= :as_of
                                 ORDER BY m."on" DESC LIMIT 1) AS reached,
                               EXISTS (SELECT 1 FROM milestones m WHERE m.task_id = t.id) AS has_milestones
                          FROM tasks t {entry_join} {where}) r) p) q)"""


def states(ctx: Context, as_of: date, task_where: str = "") -> str:
    """The kept rows for today (when kept), else the computed derived table."""
    if ctx.kept and as_of == ctx.today:
        return "task_states"
    return computed_states(ctx, task_where)


TASK_ROW = """SELECT t.id, t.title, m.title AS measure, u.name AS unit, ou.display_name AS owner, t.due_on,
       s.planned_percent, s.actual_percent, s.status, s.light, s.last_reported_on
  FROM tasks t
  JOIN {states} s ON s.task_id = t.id
  JOIN units u ON u.id = t.owner_unit_id
  JOIN measures m ON m.id = t.measure_id
  LEFT JOIN users ou ON ou.id = t.owner_user_id"""


def ledger(ctx: Context, *, as_of: date | None = None, unit_id: int | None = None,
           status: str | None = None, per_page: int = PAGE) -> Floor:
    """The master ledger's first page (sorted by due date) and its counts per status."""
    as_of = as_of or ctx.today
    params: dict = {"as_of": ctx.day(as_of), "per_page": per_page}
    task_where = ""
    if unit_id:
        task_where = "t.owner_unit_id = :unit_id"
        params["unit_id"] = unit_id
    source = states(ctx, as_of, task_where)
    where = [task_where] if task_where else []
    rows_where = [*where, "s.status = :status"] if status else where
    if status:
        params["status"] = status
    rows = (TASK_ROW.format(states=source) + (f"\n WHERE {' AND '.join(rows_where)}" if rows_where else "")
            + "\n ORDER BY t.due_on, t.id LIMIT :per_page")
    if source == "task_states" and not where:  # every task: the kept rows alone
        counts = "SELECT s.status, count(*) FROM task_states s GROUP BY s.status"
    elif source == "task_states" and ctx.kept_owner:  # one unit's: the kept rows alone too
        counts = ("SELECT s.status, count(*) FROM task_states s WHERE s.owner_unit_id = :unit_id "
                  "GROUP BY s.status")
    else:
        counts = (f"SELECT s.status, count(*) FROM tasks t JOIN {source} s ON s.task_id = t.id"
                  + (f" WHERE {' AND '.join(where)}" if where else "") + " GROUP BY s.status")
    return Floor([(rows, params), (counts, params)])


def api_tasks(ctx: Context) -> Floor:
    """GET /api/v1/tasks: the first page of 50 and the total."""
    floor = ledger(ctx)
    floor.statements[1] = ("SELECT count(*) FROM tasks", {})
    return floor


def dashboard(ctx: Context) -> Floor:
    """The dashboard: tasks of active plans per status, units by kind and peer group, users by role."""
    params = {"as_of": ctx.day(ctx.today)}
    if ctx.kept and ctx.kept_owner:
        counts = ("SELECT s.status, count(*) FROM task_states s JOIN plans p ON p.id = s.plan_id "
                  "WHERE p.status = 'active' GROUP BY s.status ORDER BY s.status")
    else:
        counts = (f"SELECT s.status, count(*) FROM tasks t JOIN plans p ON p.id = t.plan_id "
                  f"JOIN {states(ctx, ctx.today)} s ON s.task_id = t.id WHERE p.status = 'active' "
                  f"GROUP BY s.status ORDER BY s.status")
    return Floor([
        (counts, params),
        ("SELECT kind, peer_group, count(*) FROM units WHERE NOT is_archived "
         "GROUP BY kind, peer_group ORDER BY kind, peer_group", {}),
        ("SELECT role, count(*) FROM users WHERE is_active GROUP BY role", {}),
    ])


def my_tasks(ctx: Context) -> Floor:
    """A unit head's open tasks of active plans, most urgent first: the first 20, and how many."""
    params = {"as_of": ctx.day(ctx.today), "unit_id": ctx.unit_id, "limit": MY_TASKS}
    source = states(ctx, ctx.today, "t.owner_unit_id = :unit_id")
    rows = (TASK_ROW.format(states=source) + " JOIN plans p ON p.id = t.plan_id"
            " WHERE t.owner_unit_id = :unit_id AND p.status = 'active' AND s.status <> 'verified'"
            " ORDER BY CASE s.light WHEN 'red' THEN 0 WHEN 'yellow' THEN 1 WHEN 'green' THEN 2 ELSE 3 END,"
            " t.due_on, t.id LIMIT :limit")
    if source == "task_states" and ctx.kept_owner:
        total = ("SELECT count(*) FROM task_states s JOIN plans p ON p.id = s.plan_id WHERE "
                 "s.owner_unit_id = :unit_id AND p.status = 'active' AND s.status <> 'verified'")
    else:
        total = (f"SELECT count(*) FROM tasks t JOIN plans p ON p.id = t.plan_id JOIN {source} s "
                 f"ON s.task_id = t.id WHERE t.owner_unit_id = :unit_id AND p.status = 'active' "
                 f"AND s.status <> 'verified'")
    return Floor([(rows, params), (total, params)])


def task_page(ctx: Context) -> Floor:
    """One task: its ledger entries (newest first), its row and state, milestones, verifications,
    audit trail."""
    params = {"task_id": ctx.task_id, "as_of": ctx.day(ctx.today)}
    return Floor([
        ("SELECT e.id, e.percent, e.narrative, e.reported_on, e.created_at, u.display_name "
         "FROM ledger_entries e LEFT JOIN users u ON u.id = e.user_id "
         "WHERE e.task_id = :task_id ORDER BY e.reported_on DESC, e.id DESC", params),
        (TASK_ROW.format(states=states(ctx, ctx.today, "t.id = :task_id")) + " WHERE t.id = :task_id",
         params),
        ('SELECT "on", percent, title FROM milestones WHERE task_id = :task_id ORDER BY "on"', params),
        ('SELECT v.id, v.accepted, v.reason, v."on" FROM verifications v WHERE v.task_id = :task_id '
         'ORDER BY v.id', params),
        ("SELECT id, at, action, changes FROM audit_events WHERE object_type = 'tasks' "
         "AND object_id = :task_id ORDER BY at DESC LIMIT 50", params),
    ])


def complaints(ctx: Context) -> Floor:
    """The office's complaint queue: newest first, 50 a page, and the total counted up to 10,000
    (the queue pages by (submitted_at, id) and counts no further)."""
    return Floor([
        ("SELECT c.id, c.subject, c.status, c.category, c.channel, c.submitted_at, c.reply_due_on, "
         "u.name AS unit, d.name AS dispatched_to FROM complaints c "
         "LEFT JOIN units u ON u.id = c.unit_id LEFT JOIN units d ON d.id = c.dispatched_unit_id "
         "ORDER BY c.submitted_at DESC, c.id DESC LIMIT :per_page", {"per_page": PAGE}),
        ("SELECT count(*) FROM (SELECT id FROM complaints LIMIT 10001) c", {}),
    ])


def complaint_rates(ctx: Context, period: tuple[date, date] | None = None) -> Floor:
    """The three complaint rates of a month: counts per unit first dispatched to (by unit id)."""
    if period is None:
        year, month = (int(part) for part in ctx.month.split("-"))
        starts = date(year, month, 1)
        ends = (starts + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        period = (starts, ends)
    params = {"starts": ctx.day(period[0]), "ends": ctx.day(period[1])}
    return Floor([(
        "SELECT u.id, u.name, u.peer_group, count(c.id) AS dispatched, "
        "SUM(CASE WHEN c.first_replied_on IS NOT NULL AND c.first_replied_on <= c.first_reply_due_on "
        "THEN 1 ELSE 0 END) AS on_time, "
        "SUM(CASE WHEN c.status = 'closed' THEN 1 ELSE 0 END) AS closed, "
        "SUM(CASE WHEN c.status = 'closed' AND c.resolved THEN 1 ELSE 0 END) AS resolved, "
        "count(c.rating) AS rated, "
        "SUM(CASE WHEN c.rating IN ('satisfied', 'basically_satisfied') THEN 1 ELSE 0 END) AS satisfied "
        "FROM complaints c JOIN units u ON u.id = c.dispatched_unit_id "
        "WHERE c.first_dispatched_on BETWEEN :starts AND :ends "
        "GROUP BY u.id, u.name, u.peer_group ORDER BY u.id", params)])


def flags(ctx: Context) -> Floor:
    """The flag register: newest first, 30 a page, and the total."""
    return Floor([
        ("SELECT f.id, f.rule, f.status, f.period, f.proposed_action, f.raised_at, u.name, p.display_name "
         "FROM flags f JOIN units u ON u.id = f.unit_id LEFT JOIN users p ON p.id = f.person_user_id "
         "ORDER BY f.raised_at DESC, f.id DESC LIMIT :per_page", {"per_page": FLAG_PAGE}),
        ("SELECT count(*) FROM flags", {}),
    ])


@dataclass(frozen=True)
class Searcher:
    """Who searches: every unit (``units`` None: the office) or these units, and what they may see."""

    units: tuple[int, ...] | None = None
    own_unit: int | None = None  # flags: the user's own unit only
    personal: bool = True  # the complainant's name is searched
    drafts: bool = True  # bulletins not yet published


def _like(value: str) -> str:
    return "%" + value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def search(ctx: Context, q: str, who: Searcher, limit: int = 10) -> Floor:
    """The search page's matches of each kind: the ids it lists, ``limit`` of each and one more to
    know whether there are more; the complaints first (the listing compared). On PostgreSQL each
    large table's condition is first the spaced text in its trigram index, as the app asks it
    (``tracker.services.search``, migration 0019); SQLite scans."""
    from tracker.services.search import doc_number, spaced

    pg = ctx.dialect == "postgresql"
    like = "ILIKE" if pg else "LIKE"  # SQLite's LIKE ignores the case of ASCII letters, as lower() does
    code = re.sub(r"[\s\-]", "", q).upper()
    params: dict = {"like": _like(q), "code": _like(code), "spaced": _like(spaced(q)),
                    "spaced_code": _like(spaced(code)), "limit": limit, "more": limit + 1}

    def indexed(expression: str, key: str = "spaced") -> str:
        if not pg:
            return "1 = 1"
        return f"('x' || regexp_replace({expression}, '(.)', '\\1x', 'g')) ILIKE :{key}"

    def scope(column: str) -> str:
        if who.units is None:
            return "1 = 1"
        return f"{column} IN ({', '.join(str(unit) for unit in who.units) or 'NULL'})"

    complaint_text = "tracking_code || ' ' || subject || ' ' || description || ' ' || coalesce(name, '')"
    words = [f"c.subject {like} :like ESCAPE '\\'", f"c.description {like} :like ESCAPE '\\'"]
    if who.personal:
        words.append(f"c.name {like} :like ESCAPE '\\'")
    number = q.removeprefix("#").strip()
    by_id = f" OR c.id = {int(number)}" if number.isascii() and number.isdigit() and len(number) < 10 else ""
    complaints_sql = (
        f"SELECT c.id FROM complaints c WHERE {scope('c.dispatched_unit_id')} AND ("
        f"({indexed(complaint_text, 'spaced_code')} AND c.tracking_code LIKE :code ESCAPE '\\') OR "
        f"({indexed(complaint_text)} AND ({' OR '.join(words)})){by_id}) "
        "ORDER BY c.submitted_at DESC, c.id DESC")
    year, doc = doc_number(q)
    numbered = "1 = 0" if doc is None else (f"n.number = {doc}" if year is None
                                             else f"n.number_year = {year} AND n.number = {doc}")
    bulletin_numbered = numbered.replace("n.", "b.")
    published = "1 = 1" if who.drafts else "b.status = 'published'"
    own = "1 = 1" if who.own_unit is None else f"f.unit_id = {who.own_unit}"
    return Floor([
        (f"{complaints_sql} LIMIT :limit", params),
        (f"{complaints_sql} LIMIT 1 OFFSET :limit", params),
        ("SELECT t.id, t.title, t.due_on, u.name FROM tasks t JOIN units u ON u.id = t.owner_unit_id "
         f"WHERE {scope('t.owner_unit_id')} AND EXISTS (SELECT 1 FROM plans p WHERE p.id = t.plan_id "
         f"AND p.status <> 'draft') AND ({indexed('title')} OR {indexed('standard')}) AND "
         "(t.title LIKE :like ESCAPE '\\' OR t.standard LIKE :like ESCAPE '\\') "
         "ORDER BY t.due_on, t.id LIMIT :more", params),
        (f"SELECT n.id FROM notices n WHERE {scope('n.unit_id')} AND (({numbered}) OR "
         f"({indexed('problems')} AND n.problems {like} :like ESCAPE '\\')) "
         "ORDER BY n.issued_on DESC, n.id DESC LIMIT :more", params),
        (f"SELECT b.id FROM bulletins b WHERE {published} AND (b.title {like} :like ESCAPE '\\' OR "
         f"({bulletin_numbered})) ORDER BY b.ends_on DESC, b.id DESC LIMIT :more", params),
        (f"WITH matching AS {'MATERIALIZED' if pg else ''} (SELECT t.id FROM tasks t WHERE "
         f"{indexed('title')} AND t.title {like} :like ESCAPE '\\') "
         "SELECT f.id FROM findings f JOIN units u ON u.id = f.unit_id "
         f"WHERE {scope('f.unit_id')} AND f.task_id IN (SELECT id FROM matching) "
         "ORDER BY f.round_id DESC, u.name, f.task_id LIMIT :more", params),
        (f"SELECT f.id FROM flags f WHERE {own} AND f.unit_id IN (SELECT id FROM units "
         f"WHERE name {like} :like ESCAPE '\\') ORDER BY f.raised_at DESC, f.id DESC LIMIT :more", params),
        (f"SELECT u.id FROM units u WHERE NOT u.is_archived AND {scope('u.id')} AND u.name {like} :like "
         "ESCAPE '\\' ORDER BY u.name, u.id LIMIT :more", params),
    ])


def ledger_export(ctx: Context) -> Floor:
    """Every task with its state and names: the rows of the whole-ledger .xlsx."""
    params = {"as_of": ctx.day(ctx.today)}
    return Floor([(TASK_ROW.format(states=states(ctx, ctx.today)) + " ORDER BY t.due_on, t.id", params)])


# Writes: the rows the request adds, committed ---------------------------------------


def add_entry(ctx: Context, task_id: int, user_id: int, now: datetime) -> Floor:
    """A progress report: the entry, the task's kept state, the audit event; committed."""
    params = {"task_id": task_id, "user_id": user_id, "today": ctx.day(ctx.today),
              "now": ctx.moment(now), "changes": '{"percent": [null, 50]}'}
    statements = [
        ("INSERT INTO ledger_entries (task_id, percent, narrative, reported_on, user_id, created_at, "
         "is_return) VALUES (:task_id, 50, '按计划推进', :today, :user_id, :now, false)", params),
        ("INSERT INTO audit_events (at, user_id, action, object_type, object_id, changes, ip) "
         "VALUES (:now, :user_id, 'ledger.report', 'ledger_entries', "
         "(SELECT max(id) FROM ledger_entries WHERE task_id = :task_id), :changes, '127.0.0.1')", params),
    ]
    if ctx.kept:
        statements.append(("UPDATE task_states SET actual_percent = 50, last_reported_on = :today "
                           "WHERE task_id = :task_id", params))
    return Floor(statements, commit=True)


def file_complaint(ctx: Context, unit_id: int, now: datetime) -> Floor:
    """A complaint from the public: the complaint, its first event, the audit event; committed."""
    code = "".join(secrets.choice("23456789ABCDEFGHJKMNPQRSTUVWXYZ") for _i in range(16))
    params = {"code": code, "unit_id": unit_id, "now": ctx.moment(now)}
    return Floor([
        ("INSERT INTO complaints (tracking_code, channel, category, unit_id, subject, description, "
         "source_ip, status, submitted_at, is_published) VALUES (:code, 'web', 'other', :unit_id, "
         "'收取不明费用', '学校收取资料费未开具票据。', '127.0.0.1', 'submitted', :now, false) RETURNING id",
         params),
        ("INSERT INTO complaint_events (complaint_id, action, to_status, at, recorded_at, unit_id) "
         "SELECT id, 'submit', 'submitted', :now, :now, :unit_id FROM complaints WHERE tracking_code = :code",
         params),
        ("INSERT INTO audit_events (at, action, object_type, object_id, changes, ip) "
         "SELECT :now, 'complaint.submit', 'complaints', id, '{}', '127.0.0.1' FROM complaints "
         "WHERE tracking_code = :code", params),
    ], commit=True)


def cast_ballot(ctx: Context, invitation_id: int, group_id: int, answers: Sequence[tuple[int, int, int]],
                now: datetime) -> Floor:
    """A ballot: claim the code, the ballot, its answers, the audit event; committed."""
    params = {"invitation_id": invitation_id, "group_id": group_id, "round_id": ctx.rating_round_id,
              "now": ctx.moment(now)}
    rows = [{"invitation_id": invitation_id, "unit_id": unit, "dimension_id": dimension, "value": value}
            for unit, dimension, value in answers]
    ballot_of = "(SELECT id FROM ballots WHERE invitation_id = :invitation_id)"
    return Floor([
        ("UPDATE invitations SET used_at = :now WHERE id = :invitation_id AND used_at IS NULL", params),
        ("INSERT INTO ballots (round_id, group_id, invitation_id, cast_at) "
         "VALUES (:round_id, :group_id, :invitation_id, :now)", params),
        (f"INSERT INTO ballot_answers (ballot_id, unit_id, dimension_id, value) "
         f"VALUES ({ballot_of}, :unit_id, :dimension_id, :value)", {}),
        (f"INSERT INTO audit_events (at, action, object_type, object_id, changes) "
         f"VALUES (:now, 'ballot.cast', 'ballots', {ballot_of}, '{{}}')", params),
    ], commit=True, many={2: rows})


# Batch jobs: the same computation, server-side, nothing written ---------------------


def weekly_round(ctx: Context, week_start: date) -> Floor:
    """Every task the round judges, its state as of the Sunday, counted per status."""
    as_of = week_start + timedelta(days=6)
    scope = ("t.plan_id IN (SELECT id FROM plans WHERE status = 'active') AND t.starts_on <= :as_of "
             "AND (t.verified_on IS NULL OR t.verified_on >= :week_start)")
    params = {"as_of": ctx.day(as_of), "week_start": ctx.day(week_start)}
    return Floor([(f"SELECT s.status, count(*) FROM {computed_states(ctx, scope)} s GROUP BY s.status",
                   params)])


def monthly_bulletin(ctx: Context, starts: date, ends: date) -> Floor:
    """The bulletin's heavy sections: on-time table, findings per kind, overdue tasks, complaint rates."""
    params = {"starts": ctx.day(starts), "ends": ctx.day(ends), "as_of": ctx.day(ends)}
    active = "t.plan_id IN (SELECT id FROM plans WHERE status = 'active')"
    return Floor([
        ("SELECT t.owner_unit_id, "
         "SUM(CASE WHEN t.due_on BETWEEN :starts AND :ends THEN 1 ELSE 0 END), "
         "SUM(CASE WHEN t.due_on BETWEEN :starts AND :ends AND t.verified_on IS NOT NULL "
         "AND f.done_on <= t.due_on THEN 1 ELSE 0 END) FROM tasks t "
         "LEFT JOIN (SELECT task_id, min(reported_on) AS done_on FROM ledger_entries WHERE percent = 100 "
         "GROUP BY task_id) f ON f.task_id = t.id "
         f"WHERE {active} GROUP BY t.owner_unit_id", params),
        ("SELECT f.kind, count(*) FROM findings f JOIN supervision_rounds r ON r.id = f.round_id "
         "WHERE r.week_start BETWEEN :starts AND :ends GROUP BY f.kind", params),
        ("SELECT task_id, unit_id, count(*) FROM findings WHERE kind = 'lagging' AND round_id IN "
         "(SELECT id FROM supervision_rounds WHERE week_start BETWEEN :starts AND :ends) "
         "GROUP BY task_id, unit_id HAVING count(*) >= 2", params),
        (f"SELECT s.task_id FROM {computed_states(ctx, active)} s WHERE s.status = 'overdue'", params),
        *complaint_rates(ctx, (starts, ends)).statements,
    ])


def close_rating_round(ctx: Context) -> Floor:
    """The round's answers summed per unit, rater group and dimension, and ballots per unit and group."""
    params = {"round_id": ctx.rating_round_id}
    return Floor([
        ("SELECT a.unit_id, b.group_id, a.dimension_id, count(a.id), sum(a.value), "
         "SUM(CASE WHEN a.value = 0 THEN 1 ELSE 0 END) FROM ballot_answers a "
         "JOIN ballots b ON b.id = a.ballot_id WHERE b.round_id = :round_id "
         "GROUP BY a.unit_id, b.group_id, a.dimension_id", params),
        ("SELECT a.unit_id, b.group_id, count(DISTINCT b.id) FROM ballot_answers a "
         "JOIN ballots b ON b.id = a.ballot_id WHERE b.round_id = :round_id "
         "GROUP BY a.unit_id, b.group_id", params),
    ])


def accountability(ctx: Context) -> Floor:
    """What the six rules read: frozen ranking rows, lagging findings, tasks and notices long
    overdue, rated complaints per unit and month."""
    overdue_before = ctx.today - timedelta(days=14)
    params = {"as_of": ctx.day(ctx.today), "before": ctx.day(overdue_before)}
    scope = "t.plan_id IN (SELECT id FROM plans WHERE status = 'active') AND t.due_on < :before"
    return Floor([
        ("SELECT r.id, w.unit_id, w.rank, w.ranked_count, w.score, w.dissatisfaction_rate "
         "FROM rankings r JOIN ranking_rows w ON w.ranking_id = r.id WHERE r.status = 'published' "
         "ORDER BY r.id, w.position", params),
        ("SELECT f.task_id, f.round_id FROM findings f JOIN supervision_rounds r ON r.id = f.round_id "
         "WHERE f.kind = 'lagging' AND r.as_of <= :as_of", params),
        (f"SELECT s.task_id FROM {computed_states(ctx, scope)} s WHERE s.status = 'overdue'", params),
        ("SELECT id, unit_id, due_on FROM notices WHERE status IN ('issued', 'acknowledged') "
         "AND due_on < :before", params),
        ("SELECT dispatched_unit_id, first_dispatched_on, rating FROM complaints "
         "WHERE dispatched_unit_id IS NOT NULL AND first_dispatched_on <= :as_of AND rating IS NOT NULL "
         "ORDER BY id", params),
    ])


def state_refresh(ctx: Context, as_of: date) -> Floor:
    """Every task's state as of ``as_of`` computed from the records, counted per status."""
    return Floor([(f"SELECT s.status, count(*) FROM {computed_states(ctx)} s GROUP BY s.status",
                   {"as_of": ctx.day(as_of)})])
