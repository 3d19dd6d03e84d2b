"""Each task's derived state, kept exact (status, light, planned and actual percent, last report).

``progress.task_progress`` stays the one definition of a task's state; this
module stores its result for today so that lists, filters and counts over a
city's 100,000 tasks read one indexed row per task instead of recomputing
every task from its history.

A row holds the state as of ``valid_from`` and stays exact until
``changes_on`` (``progress.changes_on``: the first day the calendar alone may
change it). Three things keep the rows exact:

- every flush that changes a task, its milestones, its entries or its
  verifications recomputes that task's row in the same transaction
  (``_after_flush``, registered on the session), so no service can forget;
- ``refresh(today)`` recomputes the rows whose ``changes_on`` has come (the
  daily job, and each request before it reads, up to a bound);
- ``rebuild(today)`` recomputes every row from the source records, for bulk
  loads, restores, upgrades and a change of the thresholds; ``check(today)``
  lists the rows that differ (``tracker rebuild-state [--check]``).

Readers ask ``usable_for(as_of)``: the kept rows are used only when every one
of them is valid on that day; otherwise (a past date, or a refresh still due)
the SQL twin in ``progress`` computes the state from the records.
"""

from __future__ import annotations

import secrets
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date

from sqlalchemy import (
    Column,
    Connection,
    MetaData,
    Select,
    Table,
    delete,
    event,
    func,
    insert,
    select,
    text,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.base import Executable
from sqlalchemy.sql.elements import ClauseElement, True_
from sqlalchemy.sql.util import find_tables
from sqlalchemy.sql.visitors import replacement_traverse

from tracker.extensions import db
from tracker.models import LedgerEntry, Milestone, Setting, Task, TaskState, Verification
from tracker.services import progress, settings

CHUNK = 2000
# At most this many due rows are refreshed inline by a request; more (the
# minutes after midnight before the daily job) are left to the job, and
# readers compute from the records meanwhile.
INLINE_REFRESH_LIMIT = 2000
Scope = Sequence[int] | Select | None  # some tasks, the tasks a query selects, or all
COLUMNS = ("plan_id", "owner_unit_id", "due_on", "status", "light", "planned_percent", "actual_percent",
           "last_reported_on", "valid_from", "changes_on")


@dataclass(frozen=True)
class Facts:
    """What the rules read of one task (and where it belongs)."""

    plan_id: int
    owner_unit_id: int
    starts_on: date
    due_on: date
    verified_on: date | None
    milestones: tuple[tuple[date, int], ...]
    entries: tuple[tuple[date, int, int], ...]  # the latest on or before D, and any later ones


def state_of(facts: Facts, as_of: date, thresholds: progress.Thresholds) -> dict:
    """Return the row to keep for a task: the pure rules' answer and the day it may change."""
    args = dict(starts_on=facts.starts_on, due_on=facts.due_on, milestones=facts.milestones,
                entries=facts.entries, verified_on=facts.verified_on, as_of=as_of,
                thresholds=thresholds)
    state = progress.task_progress(**args)
    counted = [entry for entry in facts.entries if entry[0] <= as_of]
    return {
        "plan_id": facts.plan_id, "owner_unit_id": facts.owner_unit_id, "due_on": facts.due_on,
        "status": state.status, "light": state.light,
        "planned_percent": state.planned, "actual_percent": state.actual,
        "last_reported_on": max(counted)[0] if counted else None,
        "valid_from": as_of, "changes_on": progress.changes_on(**args),
    }


# Reading the facts -----------------------------------------------------------


def _chunks(ids: Sequence[int]) -> Iterator[Sequence[int]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start:start + CHUNK]


def _facts(conn: Connection, scope: Scope, as_of: date) -> dict[int, Facts]:
    """Read the facts of the tasks in scope in a few set-wise queries."""
    def scoped(stmt, column):
        return stmt if scope is None else stmt.where(column.in_(scope))

    tasks = conn.execute(scoped(select(Task.id, Task.plan_id, Task.owner_unit_id, Task.starts_on,
                                       Task.due_on, Task.verified_on), Task.id)).all()
    milestones: dict[int, list] = defaultdict(list)
    for task_id, on, percent in conn.execute(scoped(
            select(Milestone.task_id, Milestone.on, Milestone.percent), Milestone.task_id)):
        milestones[task_id].append((on, percent))
    entries: dict[int, list] = defaultdict(list)
    ranked = scoped(
        select(LedgerEntry.task_id, LedgerEntry.reported_on, LedgerEntry.id, LedgerEntry.percent,
               func.row_number().over(
                   partition_by=LedgerEntry.task_id,
                   order_by=(LedgerEntry.reported_on.desc(), LedgerEntry.id.desc())).label("rank"))
        .where(LedgerEntry.reported_on <= as_of, progress.not_superseded()),
        LedgerEntry.task_id).subquery()
    latest = select(ranked.c.task_id, ranked.c.reported_on, ranked.c.id, ranked.c.percent).where(
        ranked.c.rank == 1)
    later = scoped(select(LedgerEntry.task_id, LedgerEntry.reported_on, LedgerEntry.id,
                          LedgerEntry.percent).where(LedgerEntry.reported_on > as_of,
                                                     progress.not_superseded()),
                   LedgerEntry.task_id)
    for stmt in (latest, later):
        for task_id, on, ident, percent in conn.execute(stmt):
            entries[task_id].append((on, ident, percent))
    return {
        task_id: Facts(plan_id, unit_id, starts_on, due_on, verified_on,
                       tuple(milestones[task_id]), tuple(entries[task_id]))
        for task_id, plan_id, unit_id, starts_on, due_on, verified_on in tasks
    }


def compute(conn: Connection, scope: Scope, as_of: date,
            thresholds: progress.Thresholds) -> dict[int, dict]:
    """Return the state to keep of each task in scope as of D."""
    results: dict[int, dict] = {}
    batches = list(_chunks(sorted(set(scope)))) if isinstance(scope, list | set | tuple) else [scope]
    for batch in batches:
        for task_id, facts in _facts(conn, batch, as_of).items():
            results[task_id] = state_of(facts, as_of, thresholds)
    return results


# Writing the rows ------------------------------------------------------------


def _insert(conn: Connection, rows: list[dict]) -> None:
    """Insert kept rows: through COPY on PostgreSQL (a city's 100,000 in a second)."""
    if conn.dialect.name != "postgresql":
        for start in range(0, len(rows), 5000):
            conn.execute(insert(TaskState), rows[start:start + 5000])
        return
    columns = ("task_id", *COLUMNS)
    with conn.connection.dbapi_connection.cursor() as cursor, cursor.copy(
            f"COPY task_states ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row([row[column] for column in columns])


def _write(conn: Connection, task_ids: Sequence[int], states: dict[int, dict]) -> None:
    """Replace the rows of ``task_ids`` by ``states`` (a task gone loses its row)."""
    for batch in _chunks(list(task_ids)):
        conn.execute(delete(TaskState).where(TaskState.task_id.in_(batch)))
    _insert(conn, [{"task_id": task_id, **states[task_id]} for task_id in task_ids
                   if task_id in states])


def _lock(conn: Connection, scope: Scope) -> None:
    """Serialise the recomputation of a task across transactions (PostgreSQL row locks).

    Two transactions reporting on one task at once would otherwise each keep
    a state computed without the other's entry. SQLite holds one writer anyway.
    """
    if conn.dialect.name != "postgresql":
        return
    batches = list(_chunks(sorted(scope))) if isinstance(scope, list) else [scope]
    for batch in batches:
        conn.execute(select(Task.id).where(Task.id.in_(batch)).order_by(Task.id).with_for_update())


def recompute(conn: Connection, task_ids: Iterable[int], as_of: date,
              thresholds: progress.Thresholds) -> int:
    """Recompute and store the rows of the given tasks as of D; return how many."""
    ids = sorted(set(task_ids))
    if not ids:
        return 0
    _lock(conn, ids)
    _write(conn, ids, compute(conn, ids, as_of, thresholds))
    return len(ids)


def rebuild(as_of: date, thresholds: progress.Thresholds | None = None) -> int:
    """Recompute every task's row from the source records (idempotent); return the count."""
    thresholds = thresholds or progress.Thresholds.from_settings()
    conn = db.session.connection()
    states = compute(conn, None, as_of, thresholds)
    conn.execute(delete(TaskState))
    _insert(conn, [{"task_id": task_id, **state} for task_id, state in sorted(states.items())])
    if conn.dialect.name == "postgresql":  # plans for the new rows at once, not at autovacuum's pace
        conn.execute(text("ANALYZE task_states"))
    return len(states)


def fill_missing(as_of: date) -> int:
    """Compute the rows of tasks that have none (after an upgrade or a bulk load)."""
    conn = db.session.connection()
    missing = conn.scalars(select(Task.id).where(
        ~select(TaskState.task_id).where(TaskState.task_id == Task.id).exists())).all()
    return recompute(conn, missing, as_of, progress.Thresholds.from_settings())


def check(as_of: date) -> list[tuple[int, dict, dict]]:
    """Return (task id, kept row, computed row) for every task whose kept row is wrong as of D.

    A kept row is right when it equals the rules' answer for D, or when it was
    computed on an earlier day and, by its ``changes_on``, still holds on D
    (then its state must equal the rules' answer, and the day it changes must
    not have come).
    """
    conn = db.session.connection()
    expected = compute(conn, None, as_of, progress.Thresholds.from_settings())
    kept = {row.task_id: dict(row._mapping) for row in conn.execute(select(TaskState.__table__))}
    wrong = []
    for task_id in sorted(set(expected) | set(kept)):
        want, have = expected.get(task_id), kept.get(task_id)
        if want is None or have is None:
            wrong.append((task_id, have, want))
            continue
        have = {key: have[key] for key in COLUMNS}
        same_state = all(have[key] == want[key] for key in COLUMNS[:8])
        still_valid = have["valid_from"] <= as_of and (have["changes_on"] is None
                                                       or have["changes_on"] > as_of)
        if not (same_state and still_valid):
            wrong.append((task_id, have, want))
    return wrong


def refresh(as_of: date, limit: int | None = None) -> int | None:
    """Recompute the rows whose ``changes_on`` has come; None when more than ``limit`` are due."""
    conn = db.session.connection()
    due = select(TaskState.task_id).where(TaskState.changes_on <= as_of)
    if limit is not None:
        count = conn.scalar(select(func.count()).select_from(due.limit(limit + 1).subquery()))
        if count > limit:
            return None
    _lock(conn, due)
    states = compute(conn, due, as_of, progress.Thresholds.from_settings())
    conn.execute(delete(TaskState).where(TaskState.changes_on <= as_of))
    _insert(conn, [{"task_id": task_id, **state} for task_id, state in states.items()])
    return len(states)


def usable_for(as_of: date) -> bool:
    """Whether every kept row holds on D, so readers may use the rows instead of the records."""
    first_change = select(func.min(TaskState.changes_on)).scalar_subquery()
    last_computed = select(func.max(TaskState.valid_from)).scalar_subquery()
    row = db.session.execute(select(first_change, last_computed)).one()
    return (row[0] is None or row[0] > as_of) and (row[1] is None or row[1] <= as_of)


# Keeping the rows in step with every change ----------------------------------

_SOURCES = (Task, Milestone, LedgerEntry, Verification)


def _touched(session: Session) -> set[int]:
    ids = set()
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, Task):
            ids.add(obj.id)
        elif isinstance(obj, _SOURCES):
            ids.add(obj.task_id)
    ids.discard(None)
    return ids


def _after_flush(session: Session, _context) -> None:
    """Recompute, in the same transaction, the rows of the tasks this flush changed."""
    ids = _touched(session)
    if not ids:
        return
    from tracker import clock

    conn = session.connection()
    recompute(conn, ids, clock.today(), _thresholds(conn))


def _thresholds(conn: Connection) -> progress.Thresholds:
    """``Thresholds.from_settings`` read through ``conn``: the session may not query mid-flush."""
    stored = dict(conn.execute(select(Setting.key, Setting.value).where(
        Setting.key.in_(settings.THRESHOLD_KEYS))).all())
    value = {key: stored.get(key, settings.BY_KEY[key].default) for key in settings.THRESHOLD_KEYS}
    return progress.Thresholds(value["ledger.lagging_points"], value["ledger.reporting_period_days"],
                               value["ledger.due_soon_days"])


@settings.on_change(settings.THRESHOLD_KEYS)
def _thresholds_changed(actor) -> None:
    """New thresholds may change any task's status: recompute every kept row."""
    rebuild(actor.today, progress.Thresholds.from_settings())


def init_app(app) -> None:
    """Keep the rows in step with every flush of the app's session."""
    if not event.contains(db.session, "after_flush", _after_flush):
        event.listen(db.session, "after_flush", _after_flush)


# Reading ---------------------------------------------------------------------


def kept_for(as_of: date, thresholds: progress.Thresholds) -> bool:
    """Whether the kept rows answer for D with these thresholds."""
    return thresholds == progress.Thresholds.from_settings() and usable_for(as_of)


_COPIED = {"plan_id": TaskState.plan_id, "owner_unit_id": TaskState.owner_unit_id,
           "due_on": TaskState.due_on}


def _on_kept_rows(condition):
    """The condition over the kept row's copies of the task's plan and unit, when it reads
    nothing else of the task (then counts need not join the tasks); else None."""
    def swap(element):
        if getattr(element, "table", None) is Task.__table__:
            return _COPIED.get(getattr(element, "name", None))
        return None

    swapped = replacement_traverse(condition, {}, swap)
    return None if Task.__table__ in find_tables(swapped, check_columns=True,
                                                 include_crud=True) else swapped


def _kept(where: Iterable):
    stmt = select(TaskState.task_id, TaskState.planned_percent, TaskState.actual_percent,
                  TaskState.last_reported_on, TaskState.status, TaskState.light, TaskState.due_on)
    conditions = [condition for condition in where if not isinstance(condition, True_)]
    swapped = [_on_kept_rows(condition) for condition in conditions]
    if all(condition is not None for condition in swapped):
        return stmt.where(*swapped).subquery("progress")
    return stmt.join(Task, Task.id == TaskState.task_id).where(*conditions).subquery("progress")


def view(as_of: date, thresholds: progress.Thresholds, where: Iterable = ()):
    """Return a subquery of (task_id, planned_percent, actual_percent, last_reported_on, status,
    light, due_on) for the tasks matching ``where`` as of D: the kept rows when they all hold on D,
    else computed from the records (``progress.progress_subquery``)."""
    if kept_for(as_of, thresholds):
        return _kept(where)
    return progress.progress_subquery(as_of, thresholds, where,
                                      lateral=db.engine.dialect.name == "postgresql")


@contextmanager
def view_for_reading(as_of: date, thresholds: progress.Thresholds, where: Iterable = ()):
    """Like ``view``, for several statements: a state computed from the records is computed
    once, into a temporary table dropped at the end."""
    if kept_for(as_of, thresholds):
        yield _kept(where)
        return
    computed = progress.progress_subquery(as_of, thresholds, where,
                                          lateral=db.engine.dialect.name == "postgresql")
    name = f"progress_{secrets.token_hex(6)}"
    conn = db.session.connection()
    conn.execute(_CreateTemporaryTableAs(name, select(*computed.c)))
    conn.exec_driver_sql(f"CREATE INDEX {name}_due ON {name} (due_on, task_id)")  # a page in due order
    try:
        yield Table(name, MetaData(), *(Column(column.name, column.type) for column in computed.c))
    finally:
        conn.exec_driver_sql(f"DROP TABLE {name}")


class _CreateTemporaryTableAs(Executable, ClauseElement):
    """CREATE TEMPORARY TABLE … AS SELECT …: no index or constraint to maintain while filling."""

    inherit_cache = False

    def __init__(self, name: str, query: Select):
        self.name, self.query = name, query


@compiles(_CreateTemporaryTableAs)
def _create_temporary_table_as(element, compiler, **kw):
    return f"CREATE TEMPORARY TABLE {element.name} AS {compiler.process(element.query, **kw)}"
