"""``tracker check``: the hash chains, workflow histories, stored files and kept task states."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from tests import integrity_data
from tests.races import race
from tracker.extensions import db
from tracker.models import AuditEvent, ComplaintFile, EvidenceFile, LedgerEntry, NoticeFile
from tracker.services import audit, chain, integrity
from tracker.unit_of_work import unit_of_work


@pytest.fixture
def world(make, app):
    return integrity_data.build(make, app.config["UPLOAD_FOLDER"])


def check(runner):
    """Run ``tracker check``; return its exit code and its output (problems go to stderr)."""
    db.session.rollback()  # the command begins its own transaction, in one snapshot
    result = runner.invoke(args=["check"])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


def tamper(sql: str, **params) -> None:
    """Change the database behind the app's back: raw SQL, no ORM events."""
    db.session.execute(text(sql), params)
    db.session.commit()


def test_an_empty_database_passes(runner):
    code, output = check(runner)
    assert code == 0, output
    assert output.startswith("All invariants hold") and output.count("\n") == 1


def test_a_clean_world_passes_and_names_what_it_checked(runner, world):
    code, output = check(runner)
    assert code == 0, output
    events = db.session.scalar(select(func.count()).select_from(AuditEvent))
    files = sum(db.session.scalar(select(func.count()).select_from(m))
                for m in (ComplaintFile, NoticeFile, EvidenceFile))
    assert f"{events} audit_events" in output and "5 ledger_entries" in output
    assert "3 workflow records" in output and f"{files} stored files" in output and files == 5


def test_every_row_is_chained_when_written(world):
    for table in chain.CHAINS:
        state = chain.verify(db.session.connection(), table)
        assert state.breaks == [] and state.rows > 0 and state.head is not None
    entry = db.session.scalar(select(LedgerEntry).order_by(LedgerEntry.id.desc()).limit(1))
    assert entry.is_return and len(entry.chain_hash) == 64


def test_an_edited_audit_row_is_named(runner, world):
    target = db.session.scalar(select(func.min(AuditEvent.id))) + 3
    tamper("UPDATE audit_events SET ip = '10.9.9.9' WHERE id = :id", id=target)
    code, output = check(runner)
    assert code == 1
    assert f"audit_events row {target}: changed after it was written" in output
    assert "1 problems found." in output


def test_an_edit_that_recomputes_the_rows_own_hash_breaks_the_next_link(runner, world):
    first, second = db.session.scalars(select(AuditEvent.id).order_by(AuditEvent.id).limit(2)).all()
    tamper("UPDATE audit_events SET action = 'user.login' WHERE id = :id", id=first)
    row = db.session.execute(select(*chain.CHAINS["audit_events"].c)
                             .where(chain.CHAINS["audit_events"].c.id == first)).mappings().one()
    tamper("UPDATE audit_events SET chain_hash = :value WHERE id = :id",
           value=chain.link(None, "audit_events", row), id=first)
    code, output = check(runner)
    assert code == 1 and f"audit_events row {second}: changed after it was written" in output


def test_a_deleted_ledger_entry_is_named(runner, world):
    entries = db.session.execute(select(LedgerEntry.id, LedgerEntry.task_id, LedgerEntry.percent)
                                 .order_by(LedgerEntry.id)).all()
    # the returned task's report at 60 %: no file and no verification points at it
    victim = next(e.id for e in entries if e.task_id != world["task"] and e.percent == 60)
    tamper("DELETE FROM ledger_entries WHERE id = :id", id=victim)
    code, output = check(runner)
    assert code == 1
    assert f"ledger_entries row {victim + 1}: does not follow from its predecessor: row {victim} deleted" \
        in output
    assert f"ledger_entries row {victim}: missing, though audit_events row" in output


def test_a_deleted_last_ledger_entry_is_named_through_the_audit_log(runner, world):
    last = db.session.scalar(select(func.max(LedgerEntry.id)))
    tamper("DELETE FROM ledger_entries WHERE id = :id", id=last)  # the return: no link after it
    code, output = check(runner)
    assert code == 1 and f"ledger_entries row {last}: missing, though audit_events row" in output


def test_a_row_inserted_by_sql_carries_no_hash(runner, world):
    tamper("INSERT INTO audit_events (at, action, object_type, object_id, changes) "
           "VALUES (:at, 'user.login', 'users', 1, '{}')", at=datetime.now(UTC).replace(tzinfo=None))
    last = db.session.scalar(select(func.max(AuditEvent.id)))
    code, output = check(runner)
    assert code == 1 and f"audit_events row {last}: carries no chain hash" in output


def _load_by_sql(count: int) -> None:
    for n in range(count):
        tamper("INSERT INTO audit_events (at, action, object_type, object_id, changes) "
               "VALUES (:at, 'user.login', 'users', :n, '{}')", at=datetime.now(UTC).replace(tzinfo=None), n=n)


def test_seal_chains_rows_loaded_after_the_chain_and_check_passes(runner, world):
    _load_by_sql(3)
    db.session.rollback()
    result = runner.invoke(args=["seal"])
    assert result.exit_code == 0 and "Chained 3 rows of audit_events, 0 rows of ledger_entries." in result.output
    code, output = check(runner)
    assert code == 0, output
    db.session.rollback()
    assert runner.invoke(args=["seal"]).output.startswith("Chained 0 rows of audit_events")


def test_seal_refuses_rows_slipped_in_before_chained_ones(runner, world):
    _load_by_sql(1)
    hidden = db.session.scalar(select(func.max(AuditEvent.id)))
    db.session.add(AuditEvent(at=datetime.now(UTC), action="user.login", object_type="users", object_id=1,
                              changes={}))  # through the ORM: chained after the hidden row
    db.session.commit()
    db.session.rollback()
    result = runner.invoke(args=["seal"])
    assert result.exit_code != 0 and f"audit_events row {hidden} carries no chain hash" in result.output
    code, output = check(runner)
    assert code == 1 and f"audit_events row {hidden}: carries no chain hash" in output


@pytest.mark.parametrize("table, status, leads_to", [
    ("complaints", "dispatched", "closed"),
    ("notices", "verified", "reported"),
    ("flags", "decided", "under_review"),
])
def test_a_status_set_directly_is_named(runner, world, table, status, leads_to):
    record = world[{"complaints": "complaint", "notices": "notice", "flags": "flag"}[table]]
    tamper(f"UPDATE {table} SET status = :status WHERE id = :id", status=status, id=record)
    code, output = check(runner)
    name = table.rstrip("s")
    assert code == 1
    assert f"{name} {record}: status is '{status}' but its last event leads to '{leads_to}'" in output


def test_an_event_that_is_no_step_of_the_workflow_is_named(runner, world):
    event = db.session.scalar(text("SELECT max(id) FROM complaint_events"))
    tamper("UPDATE complaint_events SET from_status = 'submitted' WHERE id = :id", id=event)
    code, output = check(runner)
    assert code == 1
    assert f"complaint {world['complaint']}: event {event} (close) starts from 'submitted'" in output


def test_a_deleted_upload_is_named(runner, world, app):
    stored = db.session.scalar(select(NoticeFile.stored_name))
    (Path(app.config["UPLOAD_FOLDER"]) / stored).unlink()
    code, output = check(runner)
    assert code == 1
    assert f"notice_files row 1: file {stored} is missing from the upload folder" in output


def test_a_changed_or_truncated_upload_is_named(runner, world, app):
    first, second = db.session.scalars(select(EvidenceFile.stored_name).order_by(EvidenceFile.id)).all()
    folder = Path(app.config["UPLOAD_FOLDER"])
    data = (folder / first).read_bytes()
    (folder / first).write_bytes(data[:-1] + b"!")
    (folder / second).write_bytes(b"\x89PNG")
    code, output = check(runner)
    assert code == 1
    assert f"file {first} was changed (SHA-256 differs)" in output
    assert f"file {second} has 4 bytes" in output


def test_a_stored_name_outside_the_folder_is_refused(runner, world):
    tamper("UPDATE complaint_files SET stored_name = '../../etc/passwd' WHERE id = 1")
    code, output = check(runner)
    assert code == 1 and "complaint_files row 1: '../../etc/passwd' is not a name the app gives" in output


def test_a_wrong_kept_task_state_is_named(runner, world):
    tamper("UPDATE task_states SET actual_percent = 7 WHERE task_id = :id", id=world["task"])
    code, output = check(runner)
    assert code == 1 and f"task_states: task {world['task']}: kept " in output
    assert "actual_percent 7 (expected 100)" in output


def test_the_orm_refuses_to_change_or_delete_a_chained_row(world):
    entry = db.session.scalar(select(LedgerEntry).limit(1))
    entry.percent = 5
    with pytest.raises(chain.AppendOnly, match="ledger_entries .* append-only"):
        db.session.flush()
    db.session.rollback()
    event = db.session.scalar(select(AuditEvent).limit(1))
    db.session.delete(event)
    with pytest.raises(chain.AppendOnly):
        db.session.flush()
    db.session.rollback()


def test_a_rolled_back_savepoint_leaves_a_gap_and_no_break(make, app):
    actor = make.actor()
    unit = make.unit()
    with unit_of_work():
        try:
            with db.session.begin_nested():
                audit.record(actor, "unit.note", unit, {"x": [None, 1]})
                db.session.flush()
                raise RuntimeError
        except RuntimeError:
            pass
        audit.record(actor, "unit.note", unit, {"x": [None, 2]})
    with unit_of_work():
        integrity.snapshot()
        report = integrity.check(app.config["UPLOAD_FOLDER"], actor.today)
    assert report.ok, report.problems


def test_concurrent_writers_never_fork_the_chain(make, app):
    """Writers that race each other each chain after the other: one chain, no break."""
    unit_id = make.unit().id
    writers, rounds = 6, 4

    def write(_client, index: int) -> None:
        from tracker.models import Unit

        for step in range(rounds):
            for attempt in range(20):
                try:
                    with unit_of_work():
                        unit = db.session.get(Unit, unit_id)
                        audit.record(integrity_data_actor(), "unit.note", unit,
                                     {"writer": [None, index], "step": [None, step]})
                    break
                except Exception as error:  # SQLite: busy beyond the timeout; try again
                    if "locked" not in str(error) or attempt == 19:
                        raise

    race(app, writers, write)
    notes = db.session.scalar(select(func.count()).select_from(AuditEvent)
                              .where(AuditEvent.action == "unit.note"))
    assert notes == writers * rounds
    state = chain.verify(db.session.connection(), "audit_events")
    assert state.breaks == []


def integrity_data_actor():
    from tracker.services.audit import Actor

    return Actor(None, "127.0.0.1", datetime.now(UTC))


def test_the_chained_columns_are_the_models_columns():
    for table, model in chain.MODELS.items():
        assert {c.name for c in chain.CHAINS[table].c} == {c.name for c in model.__table__.c}


def test_the_migrations_backfill_chains_as_the_writer_did(world):
    """Migration 0012 chains existing rows with chain.backfill: the very hashes the ORM wrote."""
    written = {table: db.session.execute(text(f"SELECT id, chain_hash FROM {table} ORDER BY id")).all()
               for table in chain.CHAINS}
    for table in chain.CHAINS:
        tamper(f"UPDATE {table} SET chain_hash = NULL")
    assert chain.backfill(db.session.connection()) == sum(len(rows) for rows in written.values())
    db.session.commit()
    for table, rows in written.items():
        assert db.session.execute(text(f"SELECT id, chain_hash FROM {table} ORDER BY id")).all() == rows
