"""``tracker check``: the invariants the database and the upload folder must hold.

1. The append-only records are untouched: the hash chains over the audit log
   and the ledger entries hold (services/chain.py), and every ledger entry the
   audit log names (a report, a return) is still there (a deleted last entry
   breaks no link).
2. Every workflow's record agrees with its history: complaints, notices and
   flags each begin with their creation event, every later event is a step of
   the workflow's transition table (services/workflow.py) from the state the
   one before left, and the record's status is where the last event leads.
3. Every stored file is in the upload folder, under a name the app makes, with
   the size and SHA-256 recorded when it was uploaded.
4. The kept task states equal their recomputation (``task_states.check``).

:func:`check` reads, in one snapshot of the database, and changes nothing; it
returns every problem found, each naming the table and row.
"""

from __future__ import annotations

import hashlib
import re
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlalchemy import exists, func, or_, select
from sqlalchemy.orm import aliased

from tracker.extensions import db
from tracker.models import (
    AuditEvent,
    Complaint,
    ComplaintEvent,
    ComplaintFile,
    ComplaintReplyDraftFile,
    EvidenceFile,
    Flag,
    FlagEvent,
    LedgerDraftFile,
    LedgerEntry,
    Notice,
    NoticeEvent,
    NoticeFile,
    TaskState,
)
from tracker.services import accountability, chain, complaints, notices, task_states, workflow

# the names services/uploads.py gives stored files: 32 random hex digits and the real extension
STORED_NAME = re.compile(r"[0-9a-f]{32}\.[a-z0-9]{1,5}")


@dataclass(frozen=True)
class Lifecycle:
    """A workflow as its history must show it."""

    workflow: workflow.Workflow
    model: type
    event: type
    key: str  # the event's column naming its record
    start: tuple[str, str]  # the creation event's action and the state it leaves
    # events that record something without moving: action -> the states it may happen in (None: any)
    notes: Mapping[str, tuple[str, ...] | None] = field(default_factory=dict)


LIFECYCLES = (
    Lifecycle(complaints.WORKFLOW, Complaint, ComplaintEvent, "complaint_id", ("submit", "submitted"),
              {"rate": ("closed",), "publish": ("closed",), "unpublish": None}),
    Lifecycle(notices.WORKFLOW, Notice, NoticeEvent, "notice_id", ("issue", "issued")),
    Lifecycle(accountability.WORKFLOW, Flag, FlagEvent, "flag_id", ("raise", "raised")),
)
FILE_MODELS = (ComplaintFile, NoticeFile, EvidenceFile, LedgerDraftFile, ComplaintReplyDraftFile)


@dataclass
class Report:
    problems: list[str] = field(default_factory=list)
    chains: dict[str, chain.ChainState] = field(default_factory=dict)
    records: int = 0  # workflow records
    files: int = 0
    task_states: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems

    def heads(self) -> dict[str, str | None]:
        return {table: state.head for table, state in self.chains.items()}

    def summary(self) -> str:
        chains = ", ".join(f"{state.rows} {table} (head {(state.head or '-')[:16]})"
                           for table, state in self.chains.items())
        return (f"All invariants hold: hash chains over {chains}; {self.records} workflow records "
                f"agree with their histories; {self.files} stored files present and intact; "
                f"{self.task_states} kept task states match the records.")


def snapshot() -> None:
    """Make the rest of the session's transaction read one snapshot of the database.

    Call it first in a unit of work (before any statement): PostgreSQL's
    REPEATABLE READ; on SQLite a read transaction (WAL readers keep theirs).
    Then a check on a live database sees no step half taken. A transaction
    begun already is left as it is.
    """
    if db.session().in_transaction():
        return
    if db.engine.dialect.name == "postgresql":
        db.session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
        return
    dbapi = db.session.connection().connection.dbapi_connection
    if isinstance(dbapi, sqlite3.Connection) and not dbapi.in_transaction:
        dbapi.execute("BEGIN")


def check(upload_folder: str | Path, today: date) -> Report:
    """Check every invariant; return the report (``report.ok`` when all hold)."""
    report = Report()
    _check_chains(report)
    _check_workflows(report)
    _check_files(report, Path(upload_folder))
    _check_task_states(report, today)
    return report


def _check_chains(report: Report) -> None:
    connection = db.session.connection()
    for table in chain.CHAINS:
        state = chain.verify(connection, table)
        report.chains[table] = state
        report.problems.extend(str(item) for item in state.breaks)
    # the entries the audit log names (reports, returns) must exist: a deleted *last* entry
    # breaks no link
    missing = db.session.execute(
        select(AuditEvent.id, AuditEvent.object_id)
        .where(AuditEvent.action.in_(("ledger.report", "ledger.correct")),
               AuditEvent.object_type == "ledger_entries",
               ~exists().where(LedgerEntry.id == AuditEvent.object_id))
        .order_by(AuditEvent.id))
    named = list(missing)
    returns = db.session.execute(select(AuditEvent.id, AuditEvent.changes)
                                 .where(AuditEvent.action == "task.return").order_by(AuditEvent.id))
    for event_id, changes in returns:
        entry_id = (changes or {}).get("entry_id", [None, None])[-1]
        if isinstance(entry_id, int) and db.session.get(LedgerEntry, entry_id) is None:
            named.append((event_id, entry_id))
    for event_id, entry_id in sorted(named):
        report.problems.append(f"ledger_entries row {entry_id}: missing, though audit_events row "
                               f"{event_id} records it")
    # a correction supersedes an earlier entry of its own task, and takes that entry's day
    corrected = aliased(LedgerEntry, name="corrected")
    for entry_id, supersedes_id in db.session.execute(
            select(LedgerEntry.id, LedgerEntry.supersedes_id)
            .join(corrected, corrected.id == LedgerEntry.supersedes_id)
            .where(or_(corrected.task_id != LedgerEntry.task_id, corrected.id >= LedgerEntry.id,
                       corrected.reported_on != LedgerEntry.reported_on))
            .order_by(LedgerEntry.id)):
        report.problems.append(f"ledger_entries row {entry_id}: corrects row {supersedes_id}, which is "
                               "not an earlier entry of the same task and day")


def _check_workflows(report: Report) -> None:
    for life in LIFECYCLES:
        name = life.workflow.name
        statuses = dict(db.session.execute(select(life.model.id, life.model.status)).all())
        report.records += len(statuses)
        key = getattr(life.event, life.key)
        rows = db.session.execute(
            select(key, life.event.id, life.event.action, life.event.from_status, life.event.to_status)
            .order_by(key, life.event.id)).yield_per(5000)
        last: dict[int, str] = {}
        broken: set[int] = set()
        for record_id, event_id, action, before, after in rows:
            if record_id in broken:
                continue
            fault = _fault(life, last.get(record_id), action, before, after)
            if fault:
                broken.add(record_id)
                report.problems.append(f"{name} {record_id}: event {event_id} ({action}) {fault}")
                continue
            last[record_id] = after
        for record_id, status in statuses.items():
            if record_id in broken:
                continue
            if record_id not in last:
                report.problems.append(f"{name} {record_id}: has no events")
            elif last[record_id] != status:
                report.problems.append(f"{name} {record_id}: status is {_q(status)} but its last event "
                                       f"leads to {_q(last[record_id])}")


def _q(state) -> str:
    """A state as the messages quote it (a plain string, whether it came as a code or an enum)."""
    return "nothing" if state is None else repr(str(state))


def _fault(life: Lifecycle, state: str | None, action: str, before: str | None,
           after: str) -> str | None:
    """Why this event cannot follow ``state`` (None: the record's first event), or None."""
    if state is None:
        if (action, before, after) != (life.start[0], None, life.start[1]):
            return f"is not the creation event {_q(life.start[0])} leading to {_q(life.start[1])}"
        return None
    if before != state:
        return f"starts from {_q(before)}, but the event before it left {_q(state)}"
    step = life.workflow.steps.get(action)
    if step is not None:
        if before not in step.sources:
            return f"may not start from {_q(before)}"
        if after != (step.target or before):
            return f"leads to {_q(after)} instead of {_q(step.target or before)}"
        return None
    if action in life.notes:
        allowed = life.notes[action]
        if after != before or (allowed is not None and before not in allowed):
            return f"may not happen in {_q(before)} or change the state"
        return None
    return "is no step of the workflow"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _check_files(report: Report, folder: Path) -> None:
    for model in FILE_MODELS:
        table = model.__tablename__
        rows = db.session.execute(select(model.id, model.stored_name, model.size, model.sha256)
                                  .order_by(model.id)).yield_per(5000)
        for file_id, stored_name, size, sha256 in rows:
            report.files += 1
            where = f"{table} row {file_id}"
            if not STORED_NAME.fullmatch(stored_name or ""):
                report.problems.append(f"{where}: {stored_name!r} is not a name the app gives a file")
                continue
            path = folder / stored_name
            if not path.is_file():
                report.problems.append(f"{where}: file {stored_name} is missing from the upload folder")
            elif path.stat().st_size != size:
                report.problems.append(f"{where}: file {stored_name} has {path.stat().st_size} bytes, "
                                       f"{size} were uploaded")
            elif _sha256(path) != sha256:
                report.problems.append(f"{where}: file {stored_name} was changed (SHA-256 differs)")


def _shown(value) -> str:
    return value.isoformat() if isinstance(value, date) else repr(value)


def _check_task_states(report: Report, today: date) -> None:
    for task_id, kept, expected in task_states.check(today):
        if kept is None or expected is None:
            report.problems.append(f"task_states: task {task_id}: " + (
                "no kept state" if kept is None else "a kept state for no task"))
            continue
        differ = ", ".join(f"{key} {_shown(kept[key])} (expected {_shown(expected[key])})"
                           for key in task_states.COLUMNS if kept[key] != expected.get(key, kept[key]))
        report.problems.append(f"task_states: task {task_id}: kept {differ or 'a stale row'}")
    report.task_states = db.session.scalar(select(func.count()).select_from(TaskState)) or 0
