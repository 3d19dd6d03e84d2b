"""A throw-away PostgreSQL cluster for the test run.

PostgreSQL refuses to run as root, so as root the cluster is made and started
as the ``postgres`` user (``runuser``) in a directory that user owns.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

from sqlalchemy.engine import make_url

_clusters: list[tuple[list[str], Path]] = []
# URL → its start and stop commands, and its entry in _clusters
_controls: dict[str, tuple[list[str], list[str], tuple[list[str], Path]]] = {}


def _binaries() -> Path | None:
    found = shutil.which("pg_ctl")
    if found:
        return Path(os.path.realpath(found)).parent
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    return Path(candidates[-1]).parent if candidates else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start() -> str | None:
    """Start a cluster in a new temporary folder; return its URL, or None without binaries.

    The folder is not under pytest's temporary root, which pytest prunes while
    other runs may still use it.
    """
    bindir = _binaries()
    if bindir is None:
        return None
    base = Path(tempfile.mkdtemp(prefix="tracker-pg-"))
    as_user: list[str] = []
    data = base / "data"
    if os.geteuid() == 0:
        as_user = ["runuser", "-u", "postgres", "--"]
        postgres = pwd.getpwnam("postgres")
        base.chmod(0o755)
        os.chown(base, postgres.pw_uid, postgres.pw_gid)
    port = _free_port()
    subprocess.run([*as_user, str(bindir / "initdb"), "-D", str(data), "-U", "postgres",
                    "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"],
                   check=True, capture_output=True)
    log = base / "postgres.log"
    pg_ctl = [*as_user, str(bindir / "pg_ctl"), "-D", str(data)]
    start_command = [*pg_ctl, "-l", str(log), "-w",
                     "-o", f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c fsync=off "
                           "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200",
                     "start"]
    subprocess.run(start_command, check=True, capture_output=True)
    _clusters.append(([*pg_ctl, "-m", "immediate", "stop"], base))
    url = f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    _controls[url] = (start_command, [*pg_ctl, "-w", "-m", "fast", "stop"], _clusters[-1])
    return url


def stop(url: str) -> None:
    """Stop the cluster ``start`` returned as ``url`` (``pg_ctl stop -m fast``: sessions are ended).

    For a test that takes the database away from a running app; :func:`restart`
    brings it back on the same port.
    """
    subprocess.run(_controls[url][1], check=True, capture_output=True)


def restart(url: str) -> None:
    """Start again the cluster :func:`stop` stopped."""
    subprocess.run(_controls[url][0], check=True, capture_output=True)


def discard(url: str) -> None:
    """Stop the cluster ``start`` returned as ``url`` and delete its folder, before the run ends."""
    _start, _stop, cluster = _controls.pop(url)
    _clusters.remove(cluster)
    command, base = cluster
    subprocess.run(command, check=False, capture_output=True)
    shutil.rmtree(base, ignore_errors=True)


def stop_all() -> None:
    while _clusters:
        command, base = _clusters.pop()
        subprocess.run(command, check=False, capture_output=True)
        shutil.rmtree(base, ignore_errors=True)
    _controls.clear()


def server_url(url: str) -> str:
    """Return the URL of the maintenance database on the same server."""
    return make_url(url).set(database="postgres").render_as_string(hide_password=False)


def with_database(url: str, name: str) -> str:
    return make_url(url).set(database=name).render_as_string(hide_password=False)


def create_database(server: str, name: str) -> str:
    """(Re)create database ``name`` on ``server`` and return its URL."""
    from sqlalchemy import create_engine, text

    engine = create_engine(server_url(server), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return with_database(server, name)
