"""``tracker backup`` and ``tracker restore``: every record and every file comes back."""

from __future__ import annotations

import io
import json
import os
import tarfile
import uuid
from pathlib import Path

import pytest
from sqlalchemy import MetaData, create_engine, inspect, select, text
from sqlalchemy.pool import NullPool

from tests import integrity_data, pgcluster
from tests.factories import complaint_input
from tracker import create_app
from tracker.extensions import db
from tracker.models import Complaint
from tracker.services import chain, complaints
from tracker.services.uploads import Upload


@pytest.fixture
def world(make, app):
    return integrity_data.build(make, app.config["UPLOAD_FOLDER"])


@pytest.fixture
def fresh_url(database_url, tmp_path):
    """An empty database (no tables) on the same backend as ``database_url``."""
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'restored' / 'tracker.db'}"
        return
    name = f"tracker_restore_{uuid.uuid4().hex[:12]}"
    admin = create_engine(pgcluster.server_url(database_url), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE template0'))
    yield pgcluster.with_database(database_url, name)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def second_app(app_config, fresh_url, tmp_path, monkeypatch):
    """Another installation: the fresh database and an upload folder of its own."""
    instance = tmp_path / "restored"
    monkeypatch.setenv("TRACKER_INSTANCE_PATH", str(instance))
    other = create_app({**app_config, "DATABASE_URL": fresh_url,
                        "UPLOAD_FOLDER": str(instance / "uploads")})
    yield other
    with other.app_context():
        db.session.remove()
        db.engine.dispose()


def invoke(app, *args):
    with app.app_context():
        result = app.test_cli_runner().invoke(args=list(args))
        db.session.remove()
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def tables(url: str) -> dict[str, list[tuple]]:
    """Every row of every table, in a stable order."""
    engine = create_engine(url, poolclass=NullPool)
    try:
        metadata = MetaData()
        metadata.reflect(engine)
        with engine.connect() as conn:
            return {name: [tuple(row) for row in conn.execute(
                        select(*table.c).order_by(*(table.primary_key.columns or table.c)))]
                    for name, table in metadata.tables.items()}
    finally:
        engine.dispose()


def files(folder: str | Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in Path(folder).iterdir() if path.is_file()}


def test_a_restore_into_a_fresh_database_brings_back_every_record_and_file(
        app, world, second_app, make, tmp_path):
    archive = tmp_path / "backup.tar.gz"
    db.session.commit()
    result = invoke(app, "backup", str(archive))
    assert result.exit_code == 0, result.output
    assert "Backed up" in result.output and "and 5 files" in result.output

    with tarfile.open(archive) as tar:
        names = tar.getnames()
        manifest = json.load(tar.extractfile("manifest.json"))
    assert manifest["alembic_revision"] == db.session.scalar(text("SELECT version_num FROM alembic_version"))
    assert manifest["backend"] == db.engine.dialect.name
    assert manifest["counts"]["complaints"] == 1 and manifest["counts"]["audit_events"] > 20
    assert set(manifest["files"]) == set(names) - {"manifest.json"}
    assert manifest["chain_heads"]["ledger_entries"] == chain.verify(
        db.session.connection(), "ledger_entries").head
    db.session.rollback()

    result = invoke(second_app, "restore", "--yes", str(archive))
    assert result.exit_code == 0, result.output
    assert "All invariants hold" in result.output

    source, restored = tables(app.config["DATABASE_URL"]), tables(second_app.config["DATABASE_URL"])
    assert set(restored) == set(source) and len(source) > 40
    for name, rows in source.items():
        assert restored[name] == rows, name
    assert files(second_app.config["UPLOAD_FOLDER"]) == files(app.config["UPLOAD_FOLDER"])
    assert len(files(app.config["UPLOAD_FOLDER"])) == 5

    # the restored installation goes on where the original stopped: ids, the chains
    with second_app.app_context():
        complaint = complaints.submit(make.actor(), complaint_input(
            category="other", description="恢复之后提交的投诉，用于检查编号"))
        db.session.commit()
        assert complaint.id == 2
        db.session.remove()
    result = invoke(second_app, "check")
    assert result.exit_code == 0, result.output


def test_a_restore_over_an_existing_installation_replaces_it_and_keeps_its_files(
        app, world, make, tmp_path):
    archive = tmp_path / "backup.tar.gz"
    db.session.commit()
    before = tables(app.config["DATABASE_URL"])
    assert invoke(app, "backup", str(archive)).exit_code == 0
    later = complaints.submit(
        make.actor(), complaint_input(category="other", description="备份之后提交的投诉，附照片"),
        files=[Upload(io.BytesIO(integrity_data.PNG), "照片.png")],
        upload_folder=app.config["UPLOAD_FOLDER"])
    db.session.commit()
    extra = complaints.files_of(later)[0].stored_name
    db.session.remove()

    result = invoke(app, "restore", "--yes", str(archive))
    assert result.exit_code == 0, result.output
    assert tables(app.config["DATABASE_URL"]) == before
    assert db.session.scalar(select(Complaint.id).where(Complaint.id == later.id)) is None
    folder = Path(app.config["UPLOAD_FOLDER"])
    assert extra not in files(folder) and len(files(folder)) == 5
    kept = next(folder.parent.glob(f"{folder.name}.before-restore-*"))
    assert extra in files(kept) and f"are in {kept}" in result.output


def _rewrite(archive: Path, target: Path, change) -> None:
    """Copy ``archive`` to ``target`` with ``change(name, data) -> data`` applied to each member."""
    with tarfile.open(archive) as source, tarfile.open(target, "w:gz") as out:
        for member in source.getmembers():
            data = change(member.name, source.extractfile(member).read())
            info = tarfile.TarInfo(member.name)
            info.size = len(data)
            out.addfile(info, io.BytesIO(data))


@pytest.mark.parametrize("damage, message", [
    ("newer", "newer than this version of the tracker knows"),
    ("file", "is damaged: uploads/"),
    ("backend", "database; the configured database is"),
])
def test_a_restore_refuses_a_newer_damaged_or_foreign_archive_and_changes_nothing(
        app, world, second_app, tmp_path, damage, message):
    archive, bad = tmp_path / "backup.tar.gz", tmp_path / "bad.tar.gz"
    db.session.commit()
    assert invoke(app, "backup", str(archive)).exit_code == 0

    def change(name: str, data: bytes) -> bytes:
        if name == "manifest.json" and damage in ("newer", "backend"):
            manifest = json.loads(data)
            if damage == "newer":
                manifest["alembic_revision"] = "9999"
            else:
                manifest["backend"] = "sqlite" if manifest["backend"] == "postgresql" else "postgresql"
            return json.dumps(manifest).encode()
        if name.startswith("uploads/") and damage == "file":
            return data + b"x"
        return data

    _rewrite(archive, bad, change)
    result = invoke(second_app, "restore", "--yes", str(bad))
    assert result.exit_code == 1 and message in result.output
    with second_app.app_context():
        assert inspect(db.engine).get_table_names() == []
        db.engine.dispose()
    assert not Path(second_app.config["UPLOAD_FOLDER"]).exists()
    assert not [p for p in Path(second_app.config["UPLOAD_FOLDER"]).parent.iterdir()
                if p.name.startswith(".tracker-restore-")]


def test_a_backup_never_overwrites_an_archive(app, tmp_path):
    archive = tmp_path / "backup.tar.gz"
    archive.write_bytes(b"older")
    result = invoke(app, "backup", str(archive))
    assert result.exit_code == 1 and "exists already" in result.output
    assert archive.read_bytes() == b"older"


def test_the_postgresql_tools_are_found():
    from tracker.services import backup

    if os.environ.get("TRACKER_TEST_BACKEND") != "postgresql":
        pytest.skip("PostgreSQL layer only")
    assert Path(backup.pg_binary("pg_dump")).name == "pg_dump"


def test_an_archive_of_an_older_schema_is_restored_and_upgraded(app, world, second_app, tmp_path):
    """A backup taken at an older revision (0016: before reply drafts and the work chat) comes back
    upgraded and whole. (Below 0016 a downgrade must rebuild ledger_entries, which evidence files
    refer to with ON DELETE RESTRICT: SQLite refuses that while the world holds evidence.)"""
    archive = tmp_path / "old.tar.gz"
    db.session.commit()
    head = db.session.scalar(text("SELECT version_num FROM alembic_version"))
    db.session.remove()
    assert invoke(app, "db", "downgrade", "0016").exit_code == 0
    before = tables(app.config["DATABASE_URL"])
    assert "complaint_reply_drafts" not in before and "chat_deliveries" not in before
    assert invoke(app, "backup", str(archive)).exit_code == 0

    result = invoke(second_app, "restore", "--yes", str(archive))
    assert result.exit_code == 0, result.output
    assert "Upgraded the schema from revision 0016" in result.output and "All invariants hold" in result.output
    restored = tables(second_app.config["DATABASE_URL"])
    assert {"complaint_reply_drafts", "chat_deliveries"} <= set(restored)
    for name, rows in before.items():
        if name != "alembic_version":
            assert [row[:len(rows[0])] for row in restored[name]] == rows if rows else not restored[name], name
    assert restored["alembic_version"] == [(head,)]
