"""``tracker backup`` and ``tracker restore``: the database and the uploads in one archive.

The archive is a ``.tar.gz`` holding

* ``uploads/…`` — every file of the upload folder;
* the database: ``database.sqlite3``, a copy made with SQLite's online backup
  API, or ``database.pgdump``, ``pg_dump -Fc`` of the configured PostgreSQL
  database;
* ``manifest.json`` (last) — the format, the tracker's version, the backend,
  the Alembic revision, the row count of every table, the heads of the hash
  chains (services/chain.py) and the size and SHA-256 of every other member.

**Consistency.** The database is copied first, in one snapshot (the backup
API copies one state of the file; on PostgreSQL the counts and the chain heads
are read in a REPEATABLE READ transaction whose snapshot ``pg_dump
--snapshot`` dumps), then the files. A file is written before the transaction
that records it commits and is never changed afterwards, so every file the
copied database names is in the folder when the files are read; a file
uploaded meanwhile is merely extra.

**Restore** checks the whole archive first — manifest, SHA-256 of every
member, the backend, and that this version of the tracker knows the schema
revision (an archive from a newer schema is refused) — and changes nothing if
any of that fails. Then it replaces the configured database (SQLite: the
backup API again, into the configured file; PostgreSQL: ``pg_restore --clean
--if-exists --single-transaction``, after dropping tables the archive does
not hold) and the upload folder (the folder there before is kept beside it,
renamed ``…before-restore-<time>``), compares the row counts with the
manifest, upgrades an older schema, brings the kept task states up to today
and runs every check of ``tracker check`` (services/integrity.py).

These are whole-database operations: the copy and the replacement are done by
SQLite and the PostgreSQL tools, outside the session; only the checks after
them run as a unit of work. A backup may run while the app serves; stop the
web processes and the scheduler before a restore.
"""

from __future__ import annotations

import glob
import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from importlib import metadata
from pathlib import Path
from typing import IO, Any

import sqlalchemy as sa
from alembic.script import ScriptDirectory
from flask import current_app
from sqlalchemy.engine import URL, Connection, Engine
from sqlalchemy.pool import NullPool

from tracker.extensions import db

FORMAT = 1
MANIFEST = "manifest.json"
DATABASE_MEMBER = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
UPLOADS = "uploads"
CHAINED = ("audit_events", "ledger_entries")


class BackupError(Exception):
    """The backup or restore cannot be done; the message says why (nothing was changed)."""


@dataclass(frozen=True)
class Restored:
    manifest: dict[str, Any]
    kept_uploads: Path | None  # where the upload folder found there was moved
    upgraded_from: str | None  # the archive's revision, when the schema was upgraded


# Helpers ---------------------------------------------------------------------------


def _version() -> str:
    try:
        return metadata.version("tracker")
    except metadata.PackageNotFoundError:  # pragma: no cover - run from a bare checkout
        return "unknown"


def _scripts() -> ScriptDirectory:
    """The app's Alembic revisions (the folder Flask-Migrate was given)."""
    return ScriptDirectory(current_app.extensions["migrate"].directory)


def _backend(engine: Engine) -> str:
    name = engine.dialect.name
    if name not in DATABASE_MEMBER:
        raise BackupError(f"Backups support SQLite and PostgreSQL, not {name}.")
    return name


def _sqlite_path(engine: Engine) -> Path:
    database = engine.url.database
    if not database or database == ":memory:":
        raise BackupError("The configured SQLite database is not a file.")
    return Path(database)


def pg_binary(name: str) -> str:
    """Find a PostgreSQL client program on PATH or in /usr/lib/postgresql/*/bin (newest)."""
    found = shutil.which(name)
    if found:
        return found
    candidates = glob.glob(f"/usr/lib/postgresql/*/bin/{name}")
    if not candidates:
        raise BackupError(f"{name} not found on PATH or in /usr/lib/postgresql/*/bin.")

    def version(path: str) -> tuple[int, ...]:
        return tuple(int(part) for part in re.findall(r"\d+", Path(path).parent.parent.name))

    return max(candidates, key=version)


def _libpq(url: URL) -> tuple[str, dict[str, str]]:
    """The libpq URL of the configured database, and the environment holding its password."""
    environment = dict(os.environ)
    if url.password is not None:
        environment["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), environment


def _run(command: list[str], environment: dict[str, str]) -> None:
    result = subprocess.run(command, env=environment, capture_output=True, text=True)  # noqa: S603  (no shell)
    if result.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed: {result.stderr.strip()[-2000:]}")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class _Hashing:
    """A file object that hashes what tarfile reads from it."""

    def __init__(self, handle: IO[bytes]):
        self.handle = handle
        self.digest = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self.handle.read(size)
        self.digest.update(data)
        return data


def _anonymous(info: tarfile.TarInfo) -> tarfile.TarInfo:
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    return info


def _files(folder: Path) -> Iterator[tuple[Path, str]]:
    """Every regular file under ``folder``, with its path relative to it (sorted)."""
    if not folder.is_dir():
        return
    for path in sorted(folder.rglob("*")):
        if path.is_file() and not path.is_symlink():
            yield path, path.relative_to(folder).as_posix()


# Backup ----------------------------------------------------------------------------


def _survey(conn: Connection) -> tuple[dict[str, int], str | None, dict[str, str | None]]:
    """The row count of every table, the Alembic revision and the chains' heads, as ``conn`` sees them."""
    inspector = sa.inspect(conn)
    tables = sorted(inspector.get_table_names())
    counts = {name: conn.scalar(sa.select(sa.func.count()).select_from(sa.table(name)))
              for name in tables}
    revision = (conn.scalar(sa.select(sa.column("version_num")).select_from(sa.table("alembic_version")))
                if "alembic_version" in tables else None)
    heads = {}
    for name in CHAINED:
        if name in tables and any(c["name"] == "chain_hash" for c in inspector.get_columns(name)):
            heads[name] = conn.scalar(sa.select(sa.column("chain_hash")).select_from(sa.table(name))
                                      .order_by(sa.column("id").desc()).limit(1))
    return counts, revision, heads


def _copy_sqlite(engine: Engine, staging: Path) -> tuple[Path, dict[str, int], str | None, dict]:
    copy = staging / DATABASE_MEMBER["sqlite"]
    path = _sqlite_path(engine)
    if not path.is_file():
        raise BackupError(f"The configured database {path} does not exist.")
    source = sqlite3.connect(path)
    target = sqlite3.connect(copy)
    try:
        source.backup(target)
        target.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
    finally:
        target.close()
        source.close()
    reader = sa.create_engine(f"sqlite:///{copy}", poolclass=NullPool)
    try:
        with reader.connect() as conn:
            counts, revision, heads = _survey(conn)
    finally:
        reader.dispose()
    return copy, counts, revision, heads


def _dump_postgresql(engine: Engine, staging: Path) -> tuple[Path, dict[str, int], str | None, dict]:
    dump = staging / DATABASE_MEMBER["postgresql"]
    url, environment = _libpq(engine.url)
    with engine.connect().execution_options(isolation_level="REPEATABLE READ") as conn, conn.begin():
        snapshot = conn.scalar(sa.text("SELECT pg_export_snapshot()"))
        counts, revision, heads = _survey(conn)
        # the dump reads the same snapshot while this transaction holds it
        _run([pg_binary("pg_dump"), "--format=custom", f"--snapshot={snapshot}", f"--file={dump}",
              f"--dbname={url}"], environment)
    return dump, counts, revision, heads


def create(archive: str | Path, upload_folder: str | Path, now: datetime) -> dict[str, Any]:
    """Write the archive of the configured database and ``upload_folder``; return its manifest."""
    archive = Path(archive)
    if archive.exists():
        raise BackupError(f"{archive} exists already; choose a new name.")
    engine = db.engine
    backend = _backend(engine)
    archive.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".tracker-backup-", dir=archive.parent))
    partial = archive.with_name(archive.name + ".partial")
    try:
        if backend == "sqlite":
            database, counts, revision, heads = _copy_sqlite(engine, staging)
        else:
            database, counts, revision, heads = _dump_postgresql(engine, staging)
        members: dict[str, dict[str, Any]] = {}
        with tarfile.open(partial, "w:gz") as tar:
            for path, name in _files(Path(upload_folder)):
                try:
                    handle = path.open("rb")
                except FileNotFoundError:  # removed meanwhile: it was never recorded
                    continue
                with handle:
                    info = _anonymous(tar.gettarinfo(arcname=f"{UPLOADS}/{name}", fileobj=handle))
                    reader = _Hashing(handle)
                    tar.addfile(info, reader)
                members[f"{UPLOADS}/{name}"] = {"size": info.size, "sha256": reader.digest.hexdigest()}
            members[database.name] = {"size": database.stat().st_size, "sha256": _sha256(database)}
            tar.add(database, arcname=database.name, filter=_anonymous)
            manifest = {
                "format": FORMAT, "application": "tracker", "version": _version(),
                "created_at": now.isoformat(), "backend": backend,
                "alembic_revision": revision, "database": database.name, "counts": counts,
                "chain_heads": heads, "files": members,
            }
            data = json.dumps(manifest, indent=1, sort_keys=True, ensure_ascii=False).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size = len(data)
            info.mtime = int(now.timestamp())
            tar.addfile(info, io.BytesIO(data))
        partial.replace(archive)
    finally:
        partial.unlink(missing_ok=True)
        shutil.rmtree(staging, ignore_errors=True)
    return manifest


# Restore ---------------------------------------------------------------------------


def _unpack(archive: Path, staging: Path) -> dict[str, Any]:
    """Extract the archive into ``staging`` and check it whole; return its manifest."""
    try:
        with tarfile.open(archive, "r:*") as tar:
            tar.extractall(staging, filter="data")
    except (tarfile.TarError, OSError, EOFError) as error:
        raise BackupError(f"{archive} is not a readable backup archive: {error}") from None
    try:
        manifest = json.loads((staging / MANIFEST).read_text())
    except (OSError, ValueError):
        raise BackupError(f"{archive} holds no readable {MANIFEST}.") from None
    if manifest.get("application") != "tracker" or not isinstance(manifest.get("files"), dict):
        raise BackupError(f"{archive} is not a backup of the tracker.")
    if manifest.get("format", 0) > FORMAT:
        raise BackupError(f"{archive} is in a newer backup format ({manifest['format']}); "
                          "upgrade the tracker to restore it.")
    present = {path.relative_to(staging).as_posix() for path in staging.rglob("*")
               if path.is_file()} - {MANIFEST}
    listed = set(manifest["files"])
    if present != listed:
        strays = sorted(present ^ listed)
        raise BackupError(f"{archive} does not hold the files its manifest lists: "
                          f"{', '.join(strays[:10])}")
    for name, expected in manifest["files"].items():
        path = staging / name
        if path.stat().st_size != expected["size"] or _sha256(path) != expected["sha256"]:
            raise BackupError(f"{archive} is damaged: {name} differs from its manifest.")
    if manifest.get("database") not in listed:
        raise BackupError(f"{archive} holds no database.")
    return manifest


def _check_schema(manifest: dict[str, Any]) -> str | None:
    """Refuse an archive from a schema this version does not know; return the revision to upgrade
    from (None when the archive is at this version's head)."""
    revision = manifest.get("alembic_revision")
    scripts = _scripts()
    head = scripts.get_current_head()
    if revision == head:
        return None
    known = {script.revision for script in scripts.walk_revisions()}
    if revision not in known:
        raise BackupError(
            f"The archive's schema (revision {revision}) is newer than this version of the tracker "
            f"knows (head {head}): install the version that made it (it was {manifest.get('version')}).")
    return revision


def _restore_sqlite(engine: Engine, database: Path) -> None:
    target_path = _sqlite_path(engine)
    target_path.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(database)
    target = sqlite3.connect(target_path)
    try:
        source.backup(target)
    finally:
        target.close()
        source.close()


def _restore_postgresql(engine: Engine, database: Path, tables: set[str]) -> None:
    with engine.begin() as conn:  # tables of a newer schema there would block --clean
        quote = conn.dialect.identifier_preparer.quote
        for name in sorted(set(sa.inspect(conn).get_table_names()) - tables):
            conn.execute(sa.text(f"DROP TABLE IF EXISTS {quote(name)} CASCADE"))
    url, environment = _libpq(engine.url)
    _run([pg_binary("pg_restore"), "--clean", "--if-exists", "--no-owner", "--no-privileges",
          "--single-transaction", "--exit-on-error", f"--dbname={url}", str(database)], environment)


def _counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return _survey(conn)[0]


def _swap_uploads(staging: Path, folder: Path, stamp: str) -> Path | None:
    """Put the archive's files in place of ``folder``; return where its old files went."""
    incoming = staging / UPLOADS
    incoming.mkdir(exist_ok=True)
    kept = None
    if folder.exists():
        if any(folder.iterdir()):
            kept = folder.with_name(f"{folder.name}.before-restore-{stamp}")
            folder.rename(kept)
        else:
            folder.rmdir()
    folder.parent.mkdir(parents=True, exist_ok=True)
    incoming.rename(folder)
    return kept


def restore(archive: str | Path, upload_folder: str | Path, now: datetime) -> Restored:
    """Replace the configured database and ``upload_folder`` by the archive's.

    Raises :class:`BackupError`, having changed nothing, when the archive is
    damaged, from another backend or from a newer schema. The caller runs the
    checks of ``tracker check`` afterwards (see ``tracker restore``).
    """
    archive, folder = Path(archive), Path(upload_folder)
    if not archive.is_file():
        raise BackupError(f"{archive} is not a file.")
    engine = db.engine
    backend = _backend(engine)
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".tracker-restore-", dir=folder.parent))
    try:
        manifest = _unpack(archive, staging)
        if manifest.get("backend") != backend:
            raise BackupError(f"The archive holds a {manifest.get('backend')} database; the configured "
                              f"database is {backend}.")
        upgrade_from = _check_schema(manifest)
        database = staging / manifest["database"]
        db.session.remove()
        engine.dispose()
        if backend == "sqlite":
            _restore_sqlite(engine, database)
        else:
            _restore_postgresql(engine, database, set(manifest["counts"]))
        engine.dispose()
        counts = _counts(engine)
        wrong = {name: (counts.get(name), expected) for name, expected in manifest["counts"].items()
                 if counts.get(name) != expected}
        if wrong:
            raise BackupError("The restored database does not hold the archive's rows: " + ", ".join(
                f"{name} {have} rows (archive {want})" for name, (have, want) in sorted(wrong.items())))
        kept = _swap_uploads(staging, folder, now.strftime("%Y%m%d-%H%M%S"))
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return Restored(manifest, kept, upgrade_from)
