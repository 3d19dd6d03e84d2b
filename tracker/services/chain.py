"""The hash chains over the append-only records: the audit log and the ledger entries.

Each row of ``audit_events`` and of ``ledger_entries`` carries ``chain_hash``:
``sha256(previous row's chain_hash + canonical JSON of this row)``, the
previous row being the one with the next lower id in the same table (the first
row follows the empty string). The canonical JSON is ``[table, {column:
value}]`` over the columns in :data:`CHAINS` — every column but the hash, those in
:data:`OPTIONAL` only when set —
with sorted keys, dates and times in ISO 8601 (UTC), as read back from the
database, so that the writer and :func:`verify` hash the very same text.

An edit of a row behind the app's back no longer matches its own hash; a
deleted row breaks the link of the row after it; a row inserted by SQL carries
no hash (`tracker seal` chains rows bulk-loaded after the chain's last row,
:func:`seal_loaded`). Whoever rewrites a row *and* every hash after it is caught only by
comparing the chain's head with one written down earlier: ``tracker check``
prints the heads and every backup's manifest records them (SECURITY.md).

**Writing.** The hash is computed by ORM events, in the transaction that
inserts the row, for every session (services, the demo, tests alike): the
rows a flush inserted are read back, in id order, each with its predecessor,
and their hashes set by an UPDATE (``after_flush``). Services do nothing
special; an ORM update or delete of a chained row is refused
(:class:`AppendOnly`). A row inserted by SQL, around the ORM, is left without
a hash — and named by :func:`verify`.

**Concurrent writers.** The chain is in id order, so ids must be handed out
in the order the rows are chained. Before a chained row is inserted its
transaction takes one lock that it keeps until it commits or rolls back:

* PostgreSQL: ``pg_advisory_xact_lock`` on one key for both tables. The next
  writer waits before its INSERT, so its ids come from the sequence after the
  holder's (sequences hand out values in call order; the default ``CACHE 1``
  is assumed), and under READ COMMITTED its statements see the holder's
  committed rows: it reads the right predecessor. A savepoint rolled back
  takes its rows (and, if it took the lock, the lock) with it; the next row
  reads its predecessor afresh, so gaps in the ids never break the chain.
* SQLite: the database's single write lock, which the INSERT takes (if the
  transaction holds it not already) and keeps until the commit; the
  predecessor is read after the INSERT, so it is the latest row. (A
  transaction whose reads began before another's commit cannot take the lock
  at all: SQLite refuses it as busy rather than let it write.)

This serialises the writing transactions from their first chained row to
their commit — cheap for a bureau's write rate, and simpler than chaining
afterwards. A lock cycle with row locks taken meanwhile is broken by
PostgreSQL's deadlock detector; the loser gets a 409 like any lost race.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event, inspect
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from tracker.models import AuditEvent, LedgerEntry
from tracker.models.base import UTCDateTime

# the chained columns of each table, with the types that read them back as the app does
CHAINS: dict[str, sa.TableClause] = {
    "audit_events": sa.table(
        "audit_events",
        sa.column("id", sa.Integer()), sa.column("at", UTCDateTime()),
        sa.column("user_id", sa.Integer()), sa.column("action", sa.String()),
        sa.column("object_type", sa.String()), sa.column("object_id", sa.Integer()),
        sa.column("changes", sa.JSON()), sa.column("ip", sa.String()),
        sa.column("chain_hash", sa.String())),
    "ledger_entries": sa.table(
        "ledger_entries",
        sa.column("id", sa.Integer()), sa.column("task_id", sa.Integer()),
        sa.column("percent", sa.Integer()), sa.column("narrative", sa.Text()),
        sa.column("reported_on", sa.Date()), sa.column("user_id", sa.Integer()),
        sa.column("created_at", UTCDateTime()), sa.column("is_return", sa.Boolean()),
        sa.column("supersedes_id", sa.Integer()), sa.column("reason", sa.Text()),
        sa.column("chain_hash", sa.String())),
}
# columns added after rows were chained: hashed only when set, so older rows keep their hashes
OPTIONAL = {"ledger_entries": frozenset({"supersedes_id", "reason"})}
MODELS = {"audit_events": AuditEvent, "ledger_entries": LedgerEntry}
# one key for both tables: one lock, so no two writers can wait for each other's chain
LOCK_KEY = 0x7472616368  # "trach"
BATCH = 2000


class AppendOnly(RuntimeError):
    """An attempt to change or delete a chained row through the ORM."""


def _content(table: str) -> list[sa.ColumnClause]:
    return [column for column in CHAINS[table].c if column.name != "chain_hash"]


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return (value.astimezone(UTC) if value.tzinfo else value).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def canonical(table: str, row: Any) -> bytes:
    """The canonical JSON of a row's chained content (``row``: a mapping of column to value)."""
    optional = OPTIONAL.get(table, frozenset())
    content = {column.name: _plain(row[column.name]) for column in _content(table)
               if column.name not in optional or row.get(column.name) is not None}
    return json.dumps([table, content], sort_keys=True, ensure_ascii=False, separators=(",", ":"),
                      allow_nan=False).encode()


def link(previous: str | None, table: str, row: Any) -> str:
    """The chain hash of ``row`` following a row whose hash is ``previous`` (None: the first)."""
    return hashlib.sha256((previous or "").encode() + canonical(table, row)).hexdigest()


# Writing ---------------------------------------------------------------------------


def lock(connection: Connection) -> None:
    """Take the chain lock for the rest of the transaction (see the module's docstring).

    SQLite needs no statement: the INSERT itself takes the database's write lock.
    """
    if connection.dialect.name == "postgresql":
        connection.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOCK_KEY})


def seal(connection: Connection, table: str, row_id: int) -> str:
    """Compute and store the hash of the row ``row_id`` from its predecessor's; return it.

    The caller holds the chain lock, and every row before ``row_id`` is chained.
    """
    chained = CHAINS[table]
    before = sa.alias(chained, "before")
    previous = (sa.select(before.c.chain_hash).where(before.c.id < chained.c.id)
                .order_by(before.c.id.desc()).limit(1).scalar_subquery())
    row = connection.execute(sa.select(*_content(table), previous.label("previous"))
                             .where(chained.c.id == row_id)).mappings().one()
    value = link(row["previous"], table, row)
    connection.execute(sa.update(chained).where(chained.c.id == row_id).values(chain_hash=value))
    return value


def _before_insert(mapper, connection, target) -> None:
    lock(connection)


def _after_flush(session: Session, _context) -> None:
    """Seal the chained rows this flush inserted, in id order (each follows the one before)."""
    new = sorted((obj for obj in session.new if type(obj) in _CHAINED),
                 key=lambda obj: (type(obj).__tablename__, obj.id))
    if not new:
        return
    connection = session.connection()
    for obj in new:
        set_committed_value(obj, "chain_hash", seal(connection, type(obj).__tablename__, obj.id))


def _before_update(mapper, connection, target) -> None:
    state = inspect(target)
    changed = [attr.key for attr in mapper.column_attrs if state.attrs[attr.key].history.has_changes()]
    if changed:
        raise AppendOnly(f"{mapper.local_table.name} {target.id} is append-only "
                         f"(an attempt to change {', '.join(changed)})")


def _before_delete(mapper, connection, target) -> None:
    raise AppendOnly(f"{mapper.local_table.name} {target.id} is append-only (an attempt to delete it)")


_CHAINED = frozenset(MODELS.values())
for _model in _CHAINED:
    event.listen(_model, "before_insert", _before_insert)
    event.listen(_model, "before_update", _before_update)
    event.listen(_model, "before_delete", _before_delete)
event.listen(Session, "after_flush", _after_flush)  # every session: the app's, the tests', scripts'


def backfill(connection: Connection) -> int:
    """Chain every row, in id order (the migration that adds the column); return how many."""
    return sum(_chain_after(connection, table, 0, None) for table in CHAINS)


def seal_loaded(connection: Connection) -> dict[str, int]:
    """Chain the rows loaded by SQL after a table's last chained row (a bulk load, a generated bureau).

    Only rows *after* the last chained one are sealed: a row without a hash
    before it was slipped in behind the chain's back, and sealing it would hide
    that — :class:`Unsealable` names such rows and nothing is changed. Return
    how many rows of each table were chained.
    """
    lock(connection)
    plan: dict[str, tuple[int, str | None]] = {}
    for table, chained in CHAINS.items():
        last = connection.execute(sa.select(chained.c.id, chained.c.chain_hash)
                                  .where(chained.c.chain_hash.is_not(None))
                                  .order_by(chained.c.id.desc()).limit(1)).first()
        last_id, head = (last.id, last.chain_hash) if last else (0, None)
        hidden = connection.scalar(sa.select(sa.func.min(chained.c.id)).where(
            chained.c.chain_hash.is_(None), chained.c.id < last_id))
        if hidden is not None:
            raise Unsealable(f"{table} row {hidden} carries no chain hash but rows after it do: "
                             "it was written outside the app, and is left for `tracker check` to show")
        plan[table] = (last_id, head)
    return {table: _chain_after(connection, table, *plan[table]) for table in CHAINS}


class Unsealable(RuntimeError):
    """Rows without a hash that come before chained rows: sealing them would hide a change."""


def _chain_after(connection: Connection, table: str, last: int, previous: str | None) -> int:
    """Chain the rows of ``table`` after id ``last`` (whose hash is ``previous``), in batches."""
    chained = CHAINS[table]
    # an optional column the schema has not got yet (the migration that added the chains)
    present = {column["name"] for column in sa.inspect(connection).get_columns(table)}
    columns = [column for column in chained.c if column.name in present]
    done = 0
    while True:
        rows = connection.execute(sa.select(*columns).where(chained.c.id > last)
                                  .order_by(chained.c.id).limit(BATCH)).mappings().all()
        if not rows:
            return done
        updates = []
        for row in rows:
            previous = link(previous, table, row)
            updates.append({"row_id": row["id"], "value": previous})
        connection.execute(sa.update(chained).where(chained.c.id == sa.bindparam("row_id"))
                           .values(chain_hash=sa.bindparam("value")), updates)
        done += len(rows)
        last = rows[-1]["id"]


# Verifying -------------------------------------------------------------------------


@dataclass(frozen=True)
class Break:
    """A row of a chain that does not hold: which, and why."""

    table: str
    row_id: int
    reason: str

    def __str__(self) -> str:
        return f"{self.table} row {self.row_id}: {self.reason}"


@dataclass(frozen=True)
class ChainState:
    table: str
    rows: int
    head: str | None  # the last row's hash
    breaks: list[Break]


def _rows(connection: Connection, table: str) -> Iterator[Any]:
    chained = CHAINS[table]
    last = 0
    while True:
        rows = connection.execute(sa.select(*chained.c).where(chained.c.id > last)
                                  .order_by(chained.c.id).limit(BATCH)).mappings().all()
        yield from rows
        if len(rows) < BATCH:
            return
        last = rows[-1]["id"]


def verify(connection: Connection, table: str) -> ChainState:
    """Walk the chain of ``table`` in id order and return every row that breaks it.

    A row whose stored hash does not follow from its predecessor's stored hash
    and its own content was changed, or rows before it were deleted (ids
    missing before it: a rolled-back transaction leaves such gaps too, so a gap
    alone is no fault). Either way the row is named.
    """
    previous: str | None = None
    previous_id: int | None = None
    breaks: list[Break] = []
    count = 0
    for row in _rows(connection, table):
        count += 1
        stored = row["chain_hash"]
        if stored is None:
            breaks.append(Break(table, row["id"], "carries no chain hash (written outside the app)"))
        elif stored != link(previous, table, row):
            first_missing = 1 if previous_id is None else previous_id + 1
            if row["id"] > first_missing:
                gap = (f"row {first_missing}" if row["id"] == first_missing + 1
                       else f"rows {first_missing}–{row['id'] - 1}")
                reason = f"does not follow from its predecessor: {gap} deleted, or this row changed"
            else:
                reason = "changed after it was written (its content no longer matches its chain hash)"
            breaks.append(Break(table, row["id"], reason))
        previous, previous_id = stored, row["id"]
    return ChainState(table, count, previous, breaks)
