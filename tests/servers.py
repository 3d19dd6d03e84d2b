"""Servers the tests start on loopback: a throw-away redis-server, and the app under gunicorn.

``redis_server`` runs Debian's ``redis-server`` (package ``redis-server``) on a
free port, its files in a temporary folder, nothing saved to disk.
``gunicorn_server`` serves the app as production does (``gunicorn.conf.py``,
``wsgi:app``) with the given ``TRACKER_*`` settings. Both stop when their
``with`` block ends.
"""

from __future__ import annotations

import http.client
import json as json_lib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def redis_binary() -> str | None:
    return shutil.which("redis-server") or (
        "/usr/bin/redis-server" if os.access("/usr/bin/redis-server", os.X_OK) else None)


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _log_tail(path: Path) -> str:
    return path.read_text(errors="replace")[-3000:] if path.exists() else ""


@contextmanager
def redis_server(folder: Path) -> Iterator[str]:
    """Run redis-server in ``folder``; yield its URL (database 0)."""
    port = free_port()
    log = folder / "redis.log"
    process = subprocess.Popen(
        [redis_binary(), "--port", str(port), "--bind", "127.0.0.1", "--dir", str(folder),
         "--save", "", "--appendonly", "no", "--daemonize", "no", "--logfile", str(log)],
        stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
                    sock.sendall(b"PING\r\n")
                    if sock.recv(16).startswith(b"+PONG"):
                        break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"redis-server did not start:\n{_log_tail(log)}")
            time.sleep(0.1)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        _stop(process)


@contextmanager
def gunicorn_server(folder: Path, settings: dict[str, str], workers: int = 1,
                    app: str = "wsgi:app") -> Iterator[str]:
    """Serve the app with gunicorn and ``TRACKER_*`` ``settings``; yield its base URL.

    ``app`` is the WSGI application gunicorn loads (``wsgi:app``, as in
    production; tests/faults/paused_wsgi.py wraps it with a pause point).
    gunicorn's output is in ``folder / "gunicorn.log"``.
    """
    port = free_port()
    folder.mkdir(parents=True, exist_ok=True)
    log = folder / "gunicorn.log"
    env = {**os.environ, **settings, "TRACKER_BIND": f"127.0.0.1:{port}",
           "TRACKER_WORKERS": str(workers), "TRACKER_THREADS": "2",
           "TRACKER_INSTANCE_PATH": str(folder / "instance"), "TRACKER_SCHEDULER": "false"}
    env.pop("WEB_CONCURRENCY", None)
    with open(log, "wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"), app],
            cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(base + "/login", timeout=5) as response:  # noqa: S310
                    if response.status == 200:
                        break
            except (OSError, urllib.error.URLError):
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn did not start:\n{_log_tail(log)}")
            time.sleep(0.2)
        yield base
    finally:
        _stop(process)


def request(url: str, data: dict[str, str] | None = None, json: dict | None = None) -> int:
    """GET, or POST a form or JSON; return the status (no redirects followed)."""
    body, headers = None, {}
    if data is not None:
        body = urllib.parse.urlencode(data).encode()
    if json is not None:
        body, headers = json_lib.dumps(json).encode(), {"Content-Type": "application/json"}

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(urllib.request.Request(url, data=body, headers=headers), timeout=30) as response:  # noqa: S310
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


@dataclass(frozen=True)
class Answer:
    status: int
    headers: Mapping[str, str]
    body: bytes

    def json(self):
        return json_lib.loads(self.body)


def call(method: str, url: str, *, headers: Mapping[str, str] | None = None, json: object = None,
         files: Mapping[str, tuple[str, bytes]] | None = None, timeout: float = 30) -> Answer:
    """Send one request on a connection of its own; return the whole answer (no redirects followed).

    ``json`` is sent as a JSON body, ``files`` (field → (file name, content))
    as multipart/form-data. A connection the server closes or resets without
    a whole answer raises (``http.client.RemoteDisconnected``,
    ``http.client.IncompleteRead``, ``ConnectionError``): the caller decides
    whether that was expected.
    """
    parts = urllib.parse.urlsplit(url)
    sent = dict(headers or {})
    body = None
    if json is not None:
        body, sent["Content-Type"] = json_lib.dumps(json).encode(), "application/json"
    if files is not None:
        boundary = uuid.uuid4().hex
        chunks = []
        for field, (name, content) in files.items():
            chunks += [f"--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; "
                       f"filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n".encode(),
                       content, b"\r\n"]
        body = b"".join([*chunks, f"--{boundary}--\r\n".encode()])
        sent["Content-Type"] = f"multipart/form-data; boundary={boundary}"
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        connection.request(method, parts.path + (f"?{parts.query}" if parts.query else ""),
                           body=body, headers=sent)
        response = connection.getresponse()
        return Answer(response.status, dict(response.getheaders()), response.read())
    finally:
        connection.close()
